"""A session on one target's database: build and publish, query, and run statements as one unit.

The facade drives every engine through this one interface, so `indexc run`, `indexc snapshot` and
the report read DuckDB and Snowflake alike.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from indexc.engines import BuiltObject, Progress
from indexc.engines import duckdb as duckdb_engine
from indexc.engines import snowflake as snowflake_engine
from indexc.generate import CompiledObject
from indexc.generate.publication_tables import TABLES
from indexc.generate.publish import PublishStatement, published, reset_build_schema
from indexc.generate.targets import SqlTarget
from indexc.plan.selection import Selection
from indexc.spec.targets import DuckDBTarget, SnowflakeTarget, Target

SNOWFLAKE_TIMEOUT_SECONDS = (
    60  # the connector's network_timeout: a hung service fails the run, not the terminal
)


class CannotOpen(Exception):
    """The database cannot be reached: a locked file, a missing variable, a refused login."""


class QueryFailed(Exception):
    """The engine rejected a query or statement run through the session."""


class Session(Protocol):
    engine: str

    def deploy(
        self,
        objects: list[CompiledObject],
        publish: list[PublishStatement],
        progress: Progress | None,
        before_publish: Callable[[], None] | None = None,
        selection: Selection | None = None,
    ) -> list[BuiltObject]:
        """Build, check and publish; `before_publish` runs once all is built and may raise to publish nothing.

        `selection`: the objects are a selective build's (plan/selection.py); the published objects of
        the indexes it does not select are kept."""

    def query(self, sql: str) -> list[dict[str, Any]]: ...

    def execute(self, sql: str) -> None: ...

    def atomically(self, statements: list[str]) -> None: ...

    def close(self) -> None: ...


class DuckDBSession:
    engine = "duckdb"

    def __init__(self, root: Path, target: DuckDBTarget) -> None:
        self.root, self.target = root, target
        try:
            self.connection = duckdb_engine.connect(root / target.database)
        except duckdb_engine.CannotOpen as err:
            raise CannotOpen(f"cannot open the database {target.database}: {err}") from None

    def deploy(
        self,
        objects: list[CompiledObject],
        publish: list[PublishStatement],
        progress: Progress | None,
        before_publish: Callable[[], None] | None = None,
        selection: Selection | None = None,
    ) -> list[BuiltObject]:
        plan = duckdb_engine.Publish(
            self.target.published, list(publish), _kept(objects), _claims(selection)
        )
        return duckdb_engine.execute(
            self.connection, objects, self.root, progress, self.target.schema_, plan, before_publish
        )

    def query(self, sql: str) -> list[dict[str, Any]]:
        import duckdb

        try:
            return duckdb_engine.query(self.connection, sql)
        except duckdb.Error as err:
            raise QueryFailed(str(err).strip()) from err

    def execute(self, sql: str) -> None:
        import duckdb

        try:
            self.connection.execute(sql)
        except duckdb.Error as err:
            raise QueryFailed(str(err).strip()) from err

    def atomically(self, statements: list[str]) -> None:
        import duckdb

        self.connection.execute("BEGIN TRANSACTION")
        try:
            for sql in statements:
                self.connection.execute(sql)
        except BaseException as err:
            self.connection.execute("ROLLBACK")
            if isinstance(err, duckdb.Error):
                raise QueryFailed(str(err).strip()) from err
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


class SnowflakeSession:
    engine = "snowflake"

    def __init__(
        self, root: Path, target: SnowflakeTarget, environ: Mapping[str, str], sql: SqlTarget
    ) -> None:
        self.target, self.sql = target, sql
        try:
            self.connection = snowflake_engine.connect(
                target,
                environ,
                root,
                network_timeout=SNOWFLAKE_TIMEOUT_SECONDS,
                login_timeout=SNOWFLAKE_TIMEOUT_SECONDS,
            )
        except snowflake_engine.CannotConnect as err:
            raise CannotOpen(f"cannot connect to Snowflake: {err}") from None

    def deploy(
        self,
        objects: list[CompiledObject],
        publish: list[PublishStatement],
        progress: Progress | None,
        before_publish: Callable[[], None] | None = None,
        selection: Selection | None = None,
    ) -> list[BuiltObject]:
        return snowflake_engine.execute(
            self.connection,
            objects,
            progress,
            reset=reset_build_schema(self.sql),
            publish=publish,
            before_publish=before_publish,
            keep=frozenset(name.lower() for name in _kept(objects)),
            claims=_claims(selection),
        )

    def query(self, sql: str) -> list[dict[str, Any]]:
        from snowflake.connector.errors import Error

        try:
            return snowflake_engine.query(self.connection, sql)
        except Error as err:
            raise QueryFailed(str(err).strip()) from err

    def execute(self, sql: str) -> None:
        from snowflake.connector.errors import Error

        try:
            self.connection.cursor().execute(sql)
        except Error as err:
            raise QueryFailed(str(err).strip()) from err

    def atomically(self, statements: list[str]) -> None:
        """DML only: Snowflake commits DDL as it runs, inside a transaction or not."""
        from snowflake.connector.errors import Error

        cursor = self.connection.cursor()
        cursor.execute("BEGIN")
        try:
            for sql in statements:
                cursor.execute(sql)
        except BaseException as err:
            cursor.execute("ROLLBACK")
            if isinstance(err, Error):
                raise QueryFailed(str(err).strip()) from err
            raise
        cursor.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


def _kept(objects: list[CompiledObject]) -> frozenset[str]:
    """What a publication makes: its objects, and the tables that say what is published."""
    return frozenset({o.name for o in published(objects)} | set(TABLES))


def _claims(selection: Selection | None) -> Callable[[str], bool]:
    """Which objects a publication may drop when it does not make them: any, unless it is selective."""
    if selection is None:
        return lambda name: True
    return selection.claims


def open_session(
    root: Path, target: Target, sql: SqlTarget, environ: Mapping[str, str] | None = None
) -> Session:
    if isinstance(target, DuckDBTarget):
        return DuckDBSession(root, target)
    return SnowflakeSession(root, target, os.environ if environ is None else environ, sql)


@contextlib.contextmanager
def session(
    root: Path, target: Target, sql: SqlTarget, environ: Mapping[str, str] | None = None
) -> Iterator[Session]:
    opened = open_session(root, target, sql, environ)
    try:
        yield opened
    finally:
        opened.close()
