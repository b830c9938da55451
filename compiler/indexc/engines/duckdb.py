"""Run compiled objects on embedded DuckDB, all or nothing.

Every statement runs in one transaction: if any object fails, the database
file keeps exactly the objects it had before the run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import duckdb

from indexc.generate import CompiledObject


@dataclass(frozen=True)
class ObjectFailed(Exception):
    """A statement the engine rejected: usually the data, not indexc, is at fault."""

    object: CompiledObject
    message: str


@dataclass(frozen=True)
class BuiltObject:
    name: str
    seconds: float


def connect(database: Path, root: Path) -> duckdb.DuckDBPyConnection:
    """Relative file paths in the SQL resolve against the project root, wherever we run from."""
    database.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(database), config={"file_search_path": str(root)})


def execute(connection: duckdb.DuckDBPyConnection, objects: list[CompiledObject],
            progress: Callable[[BuiltObject], None] | None = None) -> list[BuiltObject]:
    built: list[BuiltObject] = []
    connection.execute("BEGIN TRANSACTION")
    for obj in objects:
        started = time.perf_counter()
        try:
            connection.execute(obj.statement)
        except duckdb.Error as err:
            connection.execute("ROLLBACK")
            raise ObjectFailed(obj, str(err).strip()) from err
        built.append(BuiltObject(obj.name, time.perf_counter() - started))
        if progress:
            progress(built[-1])
    connection.execute("COMMIT")
    return built


def query(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
