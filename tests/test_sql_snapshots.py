"""The compiled SQL of the real example, snapshotted per object and per target.

One readable .sql file per object per target under __snapshots__/, headed by
the comment that says what the object computes. A changed snapshot is a
change in what indexc emits and is reviewed like code; update deliberately
with `pytest --snapshot-update`.

One test compares every object, so that the example is compiled when the test runs (once, by the
session fixture `example_builds`) and never at collection: each object's snapshot is named
`test_compiled_sql[<target>-<object>]`, as when the test was parametrized by object, and every
mismatch is listed, not only the first.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from indexc.emit import file_text

pytestmark = pytest.mark.slow  # generates the whole example for both targets


class SqlSnapshot(SingleFileSnapshotExtension):
    file_extension = "sql"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def snapshot_sql(snapshot):
    return snapshot.use_extension(SqlSnapshot)


def test_compiled_sql(example_builds, snapshot_sql) -> None:
    mismatched = [
        f"{target}-{obj.name}"
        for target, build in example_builds.items()
        for obj in build.objects
        if not file_text(obj, target) == snapshot_sql(name=f"{target}-{obj.name}")
    ]
    assert mismatched == [], f"{len(mismatched)} object(s) differ from their snapshot"
