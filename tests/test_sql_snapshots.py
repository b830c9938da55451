"""The compiled SQL of the real example, snapshotted per object and per target.

One readable .sql file per object per target under __snapshots__/, headed by
the comment that says what the object computes. A changed snapshot is a
change in what indexc emits and is reviewed like code; update deliberately
with `pytest --snapshot-update`.
"""

from __future__ import annotations

import pytest
from conftest import REPO
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from indexc.emit import file_text
from indexc.project import Project

TARGETS = ("duckdb", "snowflake")


class SqlSnapshot(SingleFileSnapshotExtension):
    file_extension = "sql"
    _write_mode = WriteMode.TEXT


def compiled_objects():
    params = []
    for target in TARGETS:
        build = Project(REPO).build(target, write=False)
        for obj in build.objects:
            params.append(pytest.param(target, obj, id=f"{target}-{obj.name}"))
    return params


@pytest.fixture
def snapshot_sql(snapshot):
    return snapshot.use_extension(SqlSnapshot)


@pytest.mark.parametrize("target, obj", compiled_objects())
def test_compiled_sql(target, obj, snapshot_sql) -> None:
    assert file_text(obj, target) == snapshot_sql
