"""Run compiled objects on embedded DuckDB, all or nothing.

Every statement, the build's and its publication's, runs in one transaction: if
any fails, the database file keeps exactly the objects it had before the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from indexc.engines import (
    CHECK_EXAMPLES,
    BuiltObject,
    ObjectFailed,
    Progress,
    PublishFailed,
    run_in_order,
)
from indexc.generate import CompiledObject
from indexc.generate.publish import Prune, PruneSchemas, PublishStatement
from indexc.plan.nodes import Materialisation


class CannotOpen(Exception):
    """The database file cannot be opened: locked by another process, or not a file."""


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(database))
    except (duckdb.Error, OSError) as err:
        raise CannotOpen(str(err).splitlines()[0]) from err


def execute(
    connection: duckdb.DuckDBPyConnection,
    objects: list[CompiledObject],
    root: Path,
    progress: Progress | None = None,
    schema: str | None = None,
    publish: Publish | None = None,
    before_publish: Callable[[], None] | None = None,
) -> list[BuiltObject]:
    """Run every statement from the project root, where the SQL's relative data paths start.

    The working directory, not DuckDB's file_search_path, resolves them: with
    file_search_path, DuckDB 2.0 was seen to serve a data file's old contents
    after the file changed within one process. `schema`: where the objects are
    built, so that an object that changed kind (a table that is now a view) is
    dropped first, in the same transaction. `publish`: the statements that publish the build, run
    in the same transaction once every object and check has passed, and `before_publish` (which may
    raise, to publish nothing: `indexc run --strict` and its warnings) has returned.
    """
    with contextlib.chdir(root):
        return _execute_all(connection, objects, progress, schema, publish, before_publish)


@dataclass(frozen=True)
class Publish:
    schema: str
    statements: list[PublishStatement]
    keep: frozenset[str]  # every object the publication makes
    claims: Callable[[str], bool] = lambda name: True
    """Whether an object of the schema that the publication does not make is its own to drop: any, for
    the whole build; a selective run's indexes' only (plan/selection.py)."""


def _publish(connection: duckdb.DuckDBPyConnection, publish: Publish) -> None:
    for statement in publish.statements:
        if isinstance(statement, Prune):
            _prune(connection, publish, statement)
        elif isinstance(statement, PruneSchemas):
            _prune_schemas(connection, statement)
        else:
            _publish_one(connection, statement)


def _prune_schemas(connection: duckdb.DuckDBPyConnection, prune: PruneSchemas) -> None:
    """Drop the schemas of the kind `prune` names that the publication no longer makes."""
    try:
        listed = connection.execute(prune.sql).fetchall()
    except duckdb.Error as err:
        raise PublishFailed(prune.name, str(err).strip()) from err
    for (name,) in listed:
        if name.lower().startswith(prune.prefix) and name.lower() not in prune.keep:
            quoted = f'{prune.within}"{name.replace(chr(34), chr(34) * 2)}"'
            _publish_one(connection, PublishStatement(name, f"DROP SCHEMA {quoted} CASCADE"))


def _prune(connection: duckdb.DuckDBPyConnection, publish: Publish, prune: Prune) -> None:
    """Drop the objects an earlier build published that this publication does not make and owns."""
    try:
        listed = connection.execute(prune.sql).fetchall()
    except duckdb.Error as err:
        raise PublishFailed("listing the published schema", str(err).strip()) from err
    keep = publish.keep if prune.keep is None else prune.keep
    for name, kind in listed:
        if name not in keep and publish.claims(name):
            quoted = f'{prune.schema}."{name.replace(chr(34), chr(34) * 2)}"'
            _publish_one(
                connection,
                PublishStatement(name, f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {quoted}"),
            )


def _publish_one(connection: duckdb.DuckDBPyConnection, statement: PublishStatement) -> None:
    try:
        connection.execute(statement.sql)
    except duckdb.Error as err:
        raise PublishFailed(statement.name, str(err).strip()) from err


def _existing_kinds(
    connection: duckdb.DuckDBPyConnection, schema: str | None
) -> dict[str, Materialisation]:
    if schema is None:
        return {}
    rows = connection.execute(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE lower(table_schema) = lower(?)",
        [schema],
    ).fetchall()  # DuckDB ignores case
    return {
        name: Materialisation.VIEW if kind == "VIEW" else Materialisation.TABLE
        for name, kind in rows
    }


def _drop_if_other_kind(
    connection: duckdb.DuckDBPyConnection,
    obj: CompiledObject,
    schema: str | None,
    existing: dict[str, Materialisation],
) -> None:
    """CREATE OR REPLACE cannot replace a table with a view, nor a view with a table."""
    was = existing.get(obj.name)
    if (
        schema is None
        or was is None
        or obj.node.materialisation not in (Materialisation.TABLE, Materialisation.VIEW)
    ):
        return
    if was is not obj.node.materialisation:
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (schema, obj.name))
        connection.execute(f"DROP {'VIEW' if was is Materialisation.VIEW else 'TABLE'} {quoted}")


def _rows_written(result: duckdb.DuckDBPyConnection, obj: CompiledObject) -> int | None:
    """CREATE TABLE AS answers with the rows it wrote; a view or a schema writes none."""
    if obj.node.materialisation is not Materialisation.TABLE or not result.description:
        return None
    count = result.fetchone()
    return int(count[0]) if count else None


def _first_line(message: str) -> str:
    """What DuckDB says failed, without the lines after it: those may quote a file it read ("Original Line:",
    "Candidate bindings:" listing a header), and a target may point at any file."""
    return next(iter(message.strip().splitlines()), "no message")


def _execute_all(
    connection: duckdb.DuckDBPyConnection,
    objects: list[CompiledObject],
    progress: Progress | None,
    schema: str | None,
    publish: Publish | None,
    before_publish: Callable[[], None] | None = None,
) -> list[BuiltObject]:
    connection.execute("BEGIN TRANSACTION")
    existing: dict[str, Materialisation] = {}

    def run(obj: CompiledObject) -> tuple[list, int | None]:
        try:
            _drop_if_other_kind(connection, obj, schema, existing)
            result = connection.execute(obj.statement)
            return (result.fetchmany(CHECK_EXAMPLES + 1) if obj.is_check else []), _rows_written(
                result, obj
            )
        except duckdb.Error as err:
            raise ObjectFailed(obj, _first_line(str(err))) from err

    try:
        try:
            existing.update(_existing_kinds(connection, schema))
        except duckdb.Error as err:
            raise PublishFailed("reading the build schema's catalog", str(err).strip()) from err
        built = run_in_order(objects, run, progress)
        if before_publish is not None:
            before_publish()
        if publish is not None:
            _publish(connection, publish)
    except BaseException:  # a failure, or an interrupt: nothing of this run is kept
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return built


def query(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
