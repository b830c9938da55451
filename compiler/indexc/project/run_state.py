"""Whether a DuckDB run would publish anything new: the state a successful run leaves beside its database.

After a run has published, its *state* is recorded in the cache (`.indexc/cache/runs/`,
one record per database file): a key made of everything the run executed and read,
namely every statement of the build and of its publication (their text, so any change
of spec, target or indexc that changes SQL changes it), the content checksum, size
and modification time of every data file the target binds, the run's options that
change what is published, and the toolchain; and the database file's size and
modification time once the run had closed it, with the relations its schemas held.

The next run with the same key finds nothing to do when the database file is
untouched since (same size and modification time) and still holds the same
relations: it publishes nothing and reads back the Top N from what is published,
with the warnings the run that published it gave. Any difference (a data file
edited, even with its size and time kept; the database written by anything else;
a record missing or damaged) runs in full. Only DuckDB runs of the live result are
skipped: a Snowflake database is not a file indexc can see change, and a what-if
always runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from indexc.cache import Store, digest
from indexc.cache.fingerprint import Fingerprints, Unknown
from indexc.compilation import Build
from indexc.errors import Diagnostic
from indexc.generate.publish import PublishStatement
from indexc.project.incremental import REDUCERS
from indexc.spec.targets import DuckDBTarget

RELATIONS_QUERY = (
    "SELECT table_schema, table_name, table_type FROM information_schema.tables "
    "ORDER BY table_schema, table_name"
)


def database_file(root: Path, build: Build) -> Path | None:
    target = build.target
    return root / target.database if isinstance(target, DuckDBTarget) else None


def run_key(
    root: Path, build: Build, statements: list[PublishStatement], strict: bool
) -> str | None:
    """The key of everything a DuckDB run executes and reads; None when it cannot be made."""
    target = build.target
    if not isinstance(target, DuckDBTarget):
        return None
    data: list[tuple[str, int, int, str]] = []
    for source_id, relation in sorted(target.relations.items()):
        path = root / relation.path
        try:
            stat = path.stat()
            data.append((source_id, stat.st_size, stat.st_mtime_ns, digest(path.read_bytes())))
        except OSError:
            return None
    try:
        return Fingerprints(REDUCERS).of(
            (
                build.target_name,
                [(obj.name, obj.level, obj.statement) for obj in build.objects],
                statements,
                build.audiences,
                data,
                strict,
                target.model_dump(mode="json", by_alias=True),
            )
        )
    except (Unknown, RecursionError):
        return None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


class RunStates:
    """The record of the last successful run into one database file."""

    def __init__(self, root: Path, database: Path, *, enabled: bool = True) -> None:
        self.store = Store(root, "runs", enabled=enabled)
        self.database = database
        self.name = digest(str(database.resolve()).encode("utf-8"))[:32]

    def unchanged(self, key: str | None) -> dict[str, Any] | None:
        """The last run's record, when it ran with `key` and its database file is untouched since."""
        if key is None:
            return None
        record = self.store.load(self.name)
        if (
            not isinstance(record, dict)
            or record.get("key") != key
            or record.get("database") != _stat(self.database)
            or not isinstance(record.get("relations"), list)
            or not isinstance(record.get("warnings"), list)
            or not isinstance(record.get("smell_accepted"), dict)
        ):
            return None
        return record

    def save(
        self,
        key: str | None,
        relations: list[dict[str, Any]],
        warnings: list[Diagnostic],
        smell_accepted: dict[str, int],
    ) -> None:
        """Record a successful run, once its session is closed (so the file's time is final)."""
        if key is None:
            return
        self.store.dump(
            self.name,
            {
                "key": key,
                "database": _stat(self.database),
                "relations": relations,
                "warnings": warnings,
                "smell_accepted": smell_accepted,
            },
        )

    def forget(self) -> None:
        """A run that failed, or is running, leaves no record to trust."""
        if self.store.enabled:
            try:
                (self.store.directory / self.name).unlink(missing_ok=True)
            except OSError:
                pass
