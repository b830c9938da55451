"""Run compiled objects on Snowflake through snowflake-connector-python.

Credentials come from the environment variables the target file names, and are
handed to the connector only: no message, log line or error of indexc carries
their values. Snowflake commits each DDL statement as it runs, so a run here is
not all or nothing in the build schema; but the build schema is only a staging
area. Consumers read the published schema, which the publishing statements
(generate/publish.py) replace in one SWAP after every object and check passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

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
from indexc.spec.targets import SnowflakeTarget

Connection = Any
"""A snowflake.connector connection: the connector is an optional dependency without type hints."""


class CannotConnect(Exception):
    """No connection: a variable the target names is unset, the connector is missing, or Snowflake refused."""


def connection_parameters(
    target: SnowflakeTarget, environ: Mapping[str, str], root: Path | None = None
) -> dict[str, Any]:
    """The connector's keyword arguments, read from the variables the target names.

    With `connection.name`, the connector reads that connection of its connections.toml
    (`$SNOWFLAKE_HOME`, ~/.snowflake by default) itself; indexc never opens the file.
    """
    parameters: dict[str, Any] = {"database": target.database, "schema": target.schema_}
    for field, variable in target.connection:
        if variable is None:
            continue
        if field == "name":
            parameters["connection_name"] = variable
            continue
        if field == "connections_file":
            path = Path(variable).expanduser()
            parameters["connections_file_path"] = (
                path if path.is_absolute() or root is None else root / path
            )
            continue
        if variable.env not in environ:
            raise CannotConnect(
                f"environment variable {variable.env} (connection.{field}) is not set"
            )
        value = environ[variable.env]
        if field == "port":
            if not value.isdigit():
                raise CannotConnect(
                    f"environment variable {variable.env} (connection.port) is not a port number"
                )
            parameters[field] = int(value)
        else:
            parameters[field] = value
    return parameters


def connect(
    target: SnowflakeTarget, environ: Mapping[str, str], root: Path | None = None, **options: Any
) -> Connection:
    """`options` go to the connector as they are (`network_timeout`, `login_timeout`, ...); `root`: where
    a relative `connections_file` is."""
    parameters = connection_parameters(target, environ, root)
    try:
        import snowflake.connector
    except ImportError:
        raise CannotConnect(
            "snowflake-connector-python is not installed: pip install 'indexc[snowflake]'"
        ) from None
    try:
        return snowflake.connector.connect(**parameters, **options)
    except (snowflake.connector.errors.Error, KeyError) as err:
        # the connector's message names the account or host at most, never a password
        raise CannotConnect(str(err).splitlines()[0]) from None


def execute(
    connection: Connection,
    objects: list[CompiledObject],
    progress: Progress | None = None,
    *,
    reset: str | None = None,
    publish: Sequence[PublishStatement] = (),
    before_publish: Callable[[], None] | None = None,
    keep: frozenset[str] = frozenset(),
    claims: Callable[[str], bool] = lambda name: True,
) -> list[BuiltObject]:
    """Run every statement in order; stop at the first that fails or the first check that finds rows.

    `reset` empties the build schema first; `publish` runs once every object and check has passed and
    `before_publish` (which may raise, to publish nothing) has returned. A `Prune` among them drops
    from its schema each object listed that is not in `keep` (lower-case names) and that `claims`
    says is the publication's own.
    """
    from snowflake.connector.errors import Error

    cursor = connection.cursor()
    if reset is not None:
        try:
            cursor.execute(reset)
        except Error as err:
            raise PublishFailed("emptying the build schema", str(err).strip()) from err

    def run(obj: CompiledObject) -> tuple[list, int | None]:
        try:
            cursor.execute(obj.statement)
            return (cursor.fetchmany(CHECK_EXAMPLES + 1) if obj.is_check else []), None
        except Error as err:
            raise ObjectFailed(obj, str(err).strip()) from err

    built = run_in_order(objects, run, progress)
    if before_publish is not None:
        before_publish()
    for statement in publish:
        try:
            cursor.execute(statement.sql)
            _drop_unkept(cursor, statement, keep, claims)
        except Error as err:
            raise PublishFailed(statement.name, str(err).strip()) from err
    return built


def _drop_unkept(
    cursor: Any, statement: PublishStatement, keep: frozenset[str], claims: Callable[[str], bool]
) -> None:
    """After a `Prune`'s listing, drop what the publication does not keep and claims; after a
    `PruneSchemas`' listing, the schemas of its kind the publication no longer makes."""
    if isinstance(statement, Prune):
        kept = keep if statement.keep is None else statement.keep
        for name, kind in cursor.fetchall():
            if name.lower() not in kept and claims(name.lower()):
                quoted = f'{statement.schema}."{name.replace(chr(34), chr(34) * 2)}"'
                cursor.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {quoted}")
    elif isinstance(statement, PruneSchemas):
        for (name,) in cursor.fetchall():
            if name.lower().startswith(statement.prefix) and name.lower() not in statement.keep:
                quoted = f'{statement.within}"{name.replace(chr(34), chr(34) * 2)}"'
                cursor.execute(f"DROP SCHEMA {quoted} CASCADE")


def query(connection: Connection, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts keyed by lower-case column names, as DuckDB's are."""
    cursor = connection.cursor()
    cursor.execute(sql)
    names = [d[0].lower() for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
