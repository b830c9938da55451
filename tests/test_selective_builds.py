"""Selective builds and runs (`build --index`, `run --index`): each index builds and publishes on its own.

The project is the four-council fixture (tests/fixtures/tiny) with two indexes instead of one: `alpha`
scores cost (spend per head: finance and population), `beta` scores satisfaction (the outcomes
source). Running `beta` alone must leave every published object of `alpha` as it was, row for row.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc.cli import main
from indexc.errors import UserError
from indexc.generate import sql_target
from indexc.generate.publish import Prune, Publication, frozen_names, publish_statements
from indexc.generate.snowflake_check import snowflake_problems
from indexc.plan import Plan
from indexc.plan.nodes import Layer, Materialisation, Node, SchemaNode
from indexc.plan.selection import select, selected_plan
from indexc.project import Project

TWO_INDEXES = """indexes:
  - id: alpha
    version: "1"
    universe: councils
    method: {normalise: zscore}
    lenses:
      - {id: cost, weight: 1, metrics: [spend_per_head]}
    publish: {top: 3}
  - id: beta
    version: "1"
    universe: councils
    method: {normalise: zscore}
    lenses:
      - {id: outcome, weight: 1, metrics: [satisfaction]}
    publish: {top: 3}
snapshot_policies:
  - {id: latest, surface: [{latest: 3}]}
"""
PUBLISHED = "tiny_index_published"
BUILT = "tiny_index"
BETA_ONLY = re.compile(r"beta|satisfaction|outcomes")
"""What only beta reads: its objects, its metric and measure, and the outcomes source with its checks."""


@pytest.fixture
def two_indexes(tmp_path: Path) -> Path:
    project = copy_project(FIXTURES / "tiny", tmp_path / "two")
    specs = project / "specs" / "tiny.yaml"
    text = specs.read_text()
    specs.write_text(text[: text.index("indexes:")] + TWO_INDEXES)
    return project


def connect(project: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(project / "build" / "tiny.duckdb"), read_only=True)


def schema_rows(project: Path, schema: str, names: set[str] | None = None) -> dict[str, list]:
    """Every table and view of a schema (or those of `names`) with all its rows, sorted."""
    with connect(project) as db:
        listed = [
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
            ).fetchall()
            if names is None or name in names
        ]
        return {
            name: sorted(map(repr, db.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()))
            for name in listed
        }


def published_indexes(project: Path) -> dict[str, tuple]:
    with connect(project) as db:
        rows = db.execute(f"SELECT * FROM {PUBLISHED}.indexc__published_indexes").fetchall()
    return {row[0]: row for row in rows}


def published_objects(project: Path) -> set[str]:
    with connect(project) as db:
        rows = db.execute(f"SELECT name FROM {PUBLISHED}.indexc__published_objects").fetchall()
    return {name for (name,) in rows}


@pytest.mark.slow
def test_build_index_writes_only_what_the_index_needs(two_indexes: Path) -> None:
    everything = {o.name for o in Project(two_indexes).build("duckdb", write=False).objects}
    alpha = Project(two_indexes).build("duckdb", write=False, indexes=("alpha",))
    assert {o.name for o in alpha.objects} == {n for n in everything if not BETA_ONLY.search(n)}
    assert "index__alpha__top" in {o.name for o in alpha.objects}
    assert alpha.selection is not None and alpha.selection.indexes == {"alpha"}


def test_build_index_from_the_command_line(two_indexes: Path) -> None:
    result = CliRunner().invoke(
        main, ["--project", str(two_indexes), "build", "--target", "duckdb", "--index", "beta"]
    )
    assert result.exit_code == 0, result.output
    files = {p.stem.split("_", 1)[1] for p in (two_indexes / "build" / "duckdb").glob("*.sql")}
    assert "index__beta__scores" in files and not any("alpha" in f for f in files)
    assert "metric__spend_per_head" not in files  # only alpha reads it


def test_an_unknown_index_is_named_with_a_suggestion(two_indexes: Path) -> None:
    with pytest.raises(UserError) as raised:
        Project(two_indexes).build("duckdb", write=False, indexes=("alpha", "betta"))
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.value == "IX102"
    assert "'betta'" in diagnostic.message and diagnostic.hint == "did you mean 'beta'?"
    result = CliRunner().invoke(main, ["--project", str(two_indexes), "run", "--index", "gamma"])
    assert result.exit_code == 1 and "unknown index 'gamma'" in result.output


@pytest.mark.slow
def test_running_one_index_leaves_the_others_publication_as_it_was(two_indexes: Path) -> None:
    Project(two_indexes).run("duckdb")
    alpha_objects = {n for n in published_objects(two_indexes) if "alpha" in n}
    assert len(alpha_objects) > 10
    before = schema_rows(two_indexes, PUBLISHED, alpha_objects)
    built_before = schema_rows(two_indexes, BUILT, alpha_objects)
    listed_before = published_objects(two_indexes)
    rows_before = published_indexes(two_indexes)
    time.sleep(0.01)

    result = CliRunner().invoke(main, ["--project", str(two_indexes), "run", "--index", "beta"])
    assert result.exit_code == 0, result.output
    assert "published: beta (kept as they were: alpha)" in result.output
    assert "alpha v1" not in result.output and "beta v1: Top 3" in result.output

    assert schema_rows(two_indexes, PUBLISHED, alpha_objects) == before
    assert schema_rows(two_indexes, BUILT, alpha_objects) == built_before
    rows_after = published_indexes(two_indexes)
    assert rows_after["alpha"] == rows_before["alpha"]
    assert rows_after["beta"][4] > rows_before["beta"][4]  # published_at
    assert published_objects(two_indexes) == listed_before  # kept objects are still listed


@pytest.mark.slow
def test_a_selective_run_drops_only_its_own_indexes_objects(two_indexes: Path) -> None:
    """Published objects the build no longer makes go, if they are the selected index's; others stay."""
    Project(two_indexes).run("duckdb")
    with duckdb.connect(str(two_indexes / "build" / "tiny.duckdb")) as db:
        for name in ("index__alpha__retired", "index__beta__retired", "something_else"):
            db.execute(f"CREATE VIEW {PUBLISHED}.{name} AS SELECT 1 AS x")
            db.execute(
                f"INSERT INTO {PUBLISHED}.indexc__published_objects VALUES ('{name}', 'view', false)"
            )
    Project(two_indexes).run("duckdb", indexes=("beta",))
    left = set(schema_rows(two_indexes, PUBLISHED))
    assert "index__beta__retired" not in left
    assert {"index__alpha__retired", "something_else"} <= left
    assert published_objects(two_indexes) == left - {
        "indexc__publication",
        "indexc__published_objects",
        "indexc__published_indexes",
    }
    Project(two_indexes).run("duckdb")  # the whole build drops what it does not make
    assert not {"index__alpha__retired", "something_else"} & set(
        schema_rows(two_indexes, PUBLISHED)
    )


@pytest.mark.slow
def test_a_first_run_of_one_index_publishes_it_alone_and_snapshots_follow(
    two_indexes: Path,
) -> None:
    Project(two_indexes).run("duckdb", indexes=("alpha",))
    assert set(published_indexes(two_indexes)) == {"alpha"}
    assert not any("beta" in n for n in published_objects(two_indexes))
    Project(two_indexes).run("duckdb", indexes=("beta",))
    assert set(published_indexes(two_indexes)) == {"alpha", "beta"}
    taken = Project(two_indexes).take_snapshot("duckdb", datetime.date(2025, 4, 1))
    expected = {n for n in frozen_names(["alpha", "beta"]) if n in published_objects(two_indexes)}
    assert set(taken.frozen) == expected
    published = schema_rows(two_indexes, PUBLISHED, {"index__alpha__top", "index__beta__top"})
    assert taken.frozen["index__alpha__top"] == len(published["index__alpha__top"]) > 0
    assert taken.frozen["index__beta__top"] == len(published["index__beta__top"]) > 0


@pytest.mark.slow
def test_snowflake_statements_of_a_selective_run(two_indexes: Path) -> None:
    """A selective run's swap schema starts as a clone of the published one; only beta's objects are
    replaced in it, and every statement passes the Snowflake check (the swap's text is tested in
    test_snowflake_sql.py)."""
    build = Project(two_indexes).build("snowflake", write=False, indexes=("beta",))
    assert build.selection is not None
    target = sql_target(build.target)
    statements = publish_statements(
        target,
        build.objects,
        Publication("sha256:0", None, "snowflake", None, ("beta",)),
        set(frozen_names(["alpha", "beta"])),
        build.selection,
    )
    swap = '"TINY"."TINY_INDEX_PUBLISHED__SWAP"'
    assert statements[2].sql == f'CREATE SCHEMA {swap} CLONE "TINY"."TINY_INDEX_PUBLISHED"'
    assert isinstance(statements[3], Prune) and statements[3].schema == swap
    assert statements[-1].sql.startswith(f"ALTER SCHEMA {swap} SWAP WITH")
    replaced = [s.name for s in statements if s.sql.startswith("CREATE OR REPLACE")]
    assert "index__beta__top" in replaced and not any("alpha" in n for n in replaced)
    assert all(
        re.match(
            rf"(CREATE|DELETE FROM|INSERT INTO) (OR REPLACE )?(TABLE |VIEW )?(IF NOT EXISTS )?{re.escape(swap)}",
            s.sql,
        )
        for s in statements[4:-1]
    )
    for statement in statements[:-1]:
        assert snowflake_problems(statement.sql) == [], statement.sql


@dataclass(frozen=True, kw_only=True)
class Made(Node):
    """A stand-in object of a plan: only its name, reads and owner matter to a selection."""

    layer = Layer.INDEX_SCORES
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class Watch(Node):
    layer = Layer.CHECK
    materialisation = Materialisation.CHECK


def test_an_index_read_by_a_selected_one_is_selected_whole() -> None:
    """`top` reads index `health`'s scores (a lens of another index's score): selecting `top` builds and
    publishes all of `health`, and says who reads it; `other` and its metric stay out."""

    def made(name: str, reads: tuple[str, ...], spec: tuple[str, str] | None) -> Node:
        return Made(name=name, depends_on=("schema",) + reads, description="", spec=spec)

    health, top, other = ("indexes", "health"), ("indexes", "top"), ("indexes", "other")
    plan = Plan(
        (
            SchemaNode(name="schema", depends_on=(), description="", spec=None),
            made("metric__a", (), ("metrics", "a")),
            made("metric__b", (), ("metrics", "b")),
            Watch(name="check__metric__a", depends_on=("metric__a",), description="", spec=None),
            Watch(name="check__metric__b", depends_on=("metric__b",), description="", spec=None),
            made("index__health__scores", ("metric__a",), health),
            made("index__health__top", ("index__health__scores",), health),
            made("index__top__scores", ("index__health__scores",), top),
            made("index__other__scores", ("metric__b",), other),
            made("snapshot__index__health__top", ("index__health__top",), None),
        )
    )
    selection = select(
        plan,
        SimpleNamespace(scenarios={}, indexes=dict.fromkeys(["health", "top", "other"])),
        ["top"],
    )  # type: ignore[arg-type]
    assert selection.indexes == {"top", "health"}
    assert dict(selection.read_by) == {"health": ("top",)} and selection.kept == ("other",)
    assert [n.name for n in selected_plan(plan, selection).nodes] == [
        "schema",
        "metric__a",
        "check__metric__a",
        "index__health__scores",
        "index__health__top",
        "index__top__scores",
        "snapshot__index__health__top",
    ]
    assert selection.claims("index__health__gone") and not selection.claims("index__other__scores")
    assert not selection.claims("metric__a")  # shared: re-published when made, never dropped


@pytest.mark.fakesnow
def test_running_one_index_on_fakesnow_keeps_the_others_publication(
    two_indexes: Path, fakesnow_port, monkeypatch
) -> None:
    """Through the connector, on fakesnow (whose stand-in copies a schema for CLONE and back for SWAP,
    tests/fakesnow_server.py): alpha's published tables and views and its row are unchanged."""
    from test_snowflake_fakesnow import (
        prepare_fakesnow,
        schema_state,
        stand_in_for_snowflake,
        statically_checked,
    )

    from indexc.engines import snowflake as snowflake_engine

    target, environment = prepare_fakesnow(two_indexes, fakesnow_port)
    made = stand_in_for_snowflake(monkeypatch)
    Project(two_indexes, environ=environment).run("snowflake")
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    try:
        cursor = connection.cursor()
        before = schema_state(cursor, target, target.published)
        Project(two_indexes, environ=environment).run("snowflake", indexes=("beta",))
        after = schema_state(cursor, target, target.published)
    finally:
        connection.close()
    statically_checked(made)
    alpha = {name for name in before if "ALPHA" in name}
    assert {"INDEX__ALPHA__TOP", "CONSUMPTION__LATEST__INDEX__ALPHA__TOP"} <= alpha
    assert {name: after[name] for name in alpha} == {name: before[name] for name in alpha}
    assert set(after) == set(before)
    assert after["INDEXC__PUBLISHED_OBJECTS"] == before["INDEXC__PUBLISHED_OBJECTS"]
    rows_before, rows_after = (
        {row.split(",", 1)[0]: row for row in state["INDEXC__PUBLISHED_INDEXES"]}
        for state in (before, after)
    )
    assert rows_after["('alpha'"] == rows_before["('alpha'"]
    assert rows_after["('beta'"] != rows_before["('beta'"]  # published again, at a later time
