"""Safe deployment on DuckDB: a run builds in the build schema and publishes in one step, so a failure
at any statement leaves the published layer exactly as it was.

Failures are injected by a stand-in for the DuckDB connection that raises at the k-th statement of a
run, for every k up to the run's last statement.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pytest

from indexc.engines import duckdb as duckdb_engine
from indexc.errors import UserError
from indexc.project import Project


class FailingAt:
    """A DuckDB connection that raises at the `fail_at`-th statement of its run: the statements between
    BEGIN and COMMIT. The queries that read the results back after the commit are not the run's."""

    def __init__(self, connection, fail_at: int | None):
        self.connection, self.fail_at, self.statements, self.committed = (
            connection,
            fail_at,
            0,
            False,
        )

    def execute(self, sql, *args):
        self.committed = self.committed or sql == "COMMIT"
        if not self.committed and sql not in ("BEGIN TRANSACTION", "ROLLBACK"):
            self.statements += 1
            if self.statements == self.fail_at:
                raise duckdb.Error(f"injected failure at statement {self.fail_at}")
        return self.connection.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.connection, name)


POLICY = "indexc: 2\nsnapshot_policies:\n  - {id: latest, surface: [{latest: 3}]}\n"


def published_state(
    database: Path, schema: str, snapshots: str | None = None
) -> dict[str, list[tuple]]:
    """Every object of the published schema (and of the snapshot schema) with its rows, sorted."""
    with duckdb.connect(str(database), read_only=True) as connection:
        state = {}
        for where in [schema] + ([snapshots] if snapshots else []):
            names = [
                r[0]
                for r in connection.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1",
                    [where],
                ).fetchall()
            ]
            for name in names:
                rows = connection.execute(f'SELECT * FROM "{where}"."{name}"').fetchall()
                state[f"{where}.{name}"] = sorted(map(repr, rows))
        return state


@pytest.mark.slow
def test_a_failure_at_any_statement_leaves_the_published_layer_as_it_was(
    tiny_project, monkeypatch
) -> None:
    (tiny_project / "specs" / "policies.yaml").write_text(POLICY)
    project = Project(tiny_project)
    project.run()
    project.take_snapshot("duckdb", datetime.date(2017, 3, 31))
    target = project.build("duckdb", write=False).target
    database = tiny_project / target.database
    before = published_state(database, target.published, target.snapshots)
    published = f"{target.published}."
    assert {
        published + "index__tiny__scores",
        published + "indexc__publication",
        published + "consumption__latest__index__tiny__scores",
    } <= set(before)
    assert len(before[published + "consumption__latest__snapshots"]) == 1
    assert not any(
        name.startswith(published + p)
        for name in before
        for p in ("source__", "measure__", "check__")
    )

    # a changed value: a run that got through would publish something else
    finance = tiny_project / "data" / "finance.csv"
    finance.write_text(finance.read_text().replace("AAA,2016-17,", "AAA,2016-17,1", 1))
    real_connect = duckdb_engine.connect
    counters: list[FailingAt] = []

    def connect_failing_at(k):
        def connect(path):
            counters.append(FailingAt(real_connect(path), k))
            return counters[-1]

        return connect

    k = 0
    while True:
        k += 1
        monkeypatch.setattr(duckdb_engine, "connect", connect_failing_at(k))
        try:
            Project(tiny_project).run()
        except UserError as err:
            assert err.diagnostics[0].code in ("IX701", "IX708")
            assert published_state(database, target.published, target.snapshots) == before, (
                f"changed by a failure at statement {k}"
            )
            continue
        if (
            counters[-1].statements < k
        ):  # the run ended before statement k: every statement was tried
            break
        pytest.fail(f"statement {k} did not fail the run")
    assert k > 30, "the run should have more statements than the fixture has objects"
    after = published_state(database, target.published, target.snapshots)
    scores = published + "index__tiny__scores"
    assert after[scores] != before[scores]
    assert {k: v for k, v in after.items() if k.startswith(f"{target.snapshots}.")} == {
        k: v for k, v in before.items() if k.startswith(f"{target.snapshots}.")
    }  # a run never touches snapshots


@pytest.mark.slow
def test_objects_no_longer_built_leave_the_published_layer(tiny_project) -> None:
    project = Project(tiny_project)
    project.run()
    spec = tiny_project / "specs" / "tiny.yaml"
    spec.write_text(spec.read_text().replace("  - id: tiny\n", "  - id: small\n"))
    Project(tiny_project).run()
    target = project.build("duckdb", write=False).target
    state = {
        k.split(".", 1)[1]: v
        for k, v in published_state(tiny_project / target.database, target.published).items()
    }
    assert "index__small__scores" in state and not any(
        name.startswith("index__tiny__") for name in state
    )
    listed = {row for row in state["indexc__published_objects"]}
    assert any("index__small__scores" in row for row in listed)
