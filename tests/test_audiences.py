"""Audiences on DuckDB: each audience's schema holds exactly the views its `sees` promises.

The tiny fixture (four synthetic councils, results checked by hand in test_end_to_end.py) with the
three kinds of audience; the real example's run (fixture `example_run`) with its own audiences
(specs/audiences.yaml). Expected rows and names are read from the published schema itself, never
from the audience code.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, copy_project

from indexc.errors import UserError
from indexc.project import Project

AUDIENCES = """indexc: 2
audiences:
  - {id: public, sees: headline}
  - {id: client, sees: results}
  - {id: internal, sees: everything}
"""
HEADLINE_COLUMNS = ["period", "rank", "area_code", "name", "score"]
TINY_RESULTS = {  # what docs/spec-language.md says `results` holds, of what tiny publishes
    "index__tiny__scores",
    "index__tiny__top",
    "index__tiny__most_improved",
    "index__tiny__lens_scores",
    "index__tiny__metric_scores",
    "index__tiny__metric_values",
    "index__tiny__comparisons",
    "index__tiny__trends",
    "index__tiny__sentences",
    "universe__councils",
}


def with_audiences(root: Path, text: str = AUDIENCES) -> Path:
    """Tiny, with its index as the headline and the audiences of `text`."""
    copy_project(FIXTURES / "tiny", root)
    spec = root / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace("publish: {top: 3}", "publish: {top: 3, headline: true}")
    )
    (root / "specs" / "audiences.yaml").write_text(text)
    return root


def listing(connection, schema: str) -> set[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
    ).fetchall()
    return {name for (name,) in rows}


def columns(connection, relation: str) -> list[str]:
    return [row[0] for row in connection.execute(f"DESCRIBE {relation}").fetchall()]


def test_defaults_views_and_relations_without_a_database(tmp_path: Path) -> None:
    project = Project(with_audiences(tmp_path / "tiny"))
    build = project.build("duckdb", write=False)
    views = {a.audience_id: set(a.relations) for a in build.audiences}
    assert views["public"] == {"index__tiny__top"}  # the headline index, by default
    assert views["client"] == TINY_RESULTS  # every index not on hold, by default
    published = {o.name for o in build.objects if o.node.layer.value != "check"}
    assert TINY_RESULTS < views["internal"]
    assert {"indexc__publication", "indexc__published_objects"} < views["internal"]
    assert "index__tiny__treatment" not in views["client"] and "smell__spend" not in views["client"]
    assert not views["internal"] & {n for n in published if n.startswith("source__")}
    assert project.audience_relations("public") == {
        "index__tiny__top": '"tiny_index_published__audience__public"."index__tiny__top"'
    }
    assert project.audience_relations("public", "snowflake") == {
        "index__tiny__top": '"TINY"."TINY_INDEX_PUBLISHED__AUDIENCE__PUBLIC"."INDEX__TINY__TOP"'
    }
    with pytest.raises(UserError) as refused:
        project.audience_relations("publc")
    [problem] = refused.value.diagnostics
    assert problem.code == "IX719" and problem.hint == "did you mean 'public'?"


def test_the_editors_schemas_know_audiences() -> None:
    from indexc.schema import spec_schema, target_schema

    schema = spec_schema()
    assert schema["properties"]["audiences"]["items"] == {"$ref": "#/$defs/Audience"}
    sees = schema["$defs"]["Audience"]["properties"]["sees"]
    assert sees["enum"] == ["headline", "results", "everything", "club"]
    assert "audience_roles" in repr(target_schema())


def test_what_if_builds_get_no_audiences(tmp_path: Path) -> None:
    from indexc.whatif import WhatIf

    project = Project(with_audiences(tmp_path / "tiny"))
    whatif = WhatIf("trial", ("named with --as",))
    assert project.build("duckdb", write=False, whatif=whatif).audiences == []


@pytest.mark.slow  # two runs of tiny
def test_each_audience_schema_holds_what_it_sees_and_no_more(tmp_path: Path) -> None:
    root = with_audiences(tmp_path / "tiny")
    Project(root).run("duckdb")
    with duckdb.connect(str(root / "build" / "tiny.duckdb"), read_only=True) as db:
        published = "tiny_index_published"
        public = "tiny_index_published__audience__public"
        assert listing(db, public) == {"index__tiny__top"}
        view = f"{public}.index__tiny__top"
        assert columns(db, view) == HEADLINE_COLUMNS
        got = db.execute(f"SELECT rank, area_code, name FROM {view} ORDER BY rank").fetchall()
        # hand-checked (test_end_to_end.py): 2017-18, the latest year, Beta, Gamma, Alpha
        assert got == [(1, "BBB", "Beta"), (2, "CCC", "Gamma"), (3, "AAA", "Alpha")]
        expected = db.execute(
            f"SELECT period, rank, area_code, name, score FROM {published}.index__tiny__top "
            "WHERE period = '2017-18' ORDER BY rank"
        ).fetchall()
        assert db.execute(f"SELECT * FROM {view} ORDER BY rank").fetchall() == expected
        client = "tiny_index_published__audience__client"
        assert listing(db, client) == TINY_RESULTS
        for name in TINY_RESULTS:
            count = f"SELECT COUNT(*) FROM {{}}.{name}"
            assert (
                db.execute(count.format(client)).fetchone()
                == db.execute(count.format(published)).fetchone()
            )
        internal = listing(db, "tiny_index_published__audience__internal")
        assert internal == listing(db, published)
    # the client now sees the headline only, and internal is no longer declared
    (root / "specs" / "audiences.yaml").write_text(
        "indexc: 2\naudiences:\n  - {id: public, sees: headline}\n"
        "  - {id: client, sees: headline}\n"
    )
    Project(root).run("duckdb")
    with duckdb.connect(str(root / "build" / "tiny.duckdb"), read_only=True) as db:
        assert listing(db, "tiny_index_published__audience__client") == {"index__tiny__top"}
        schemas = db.execute(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name LIKE 'tiny_index_published__audience__%' ORDER BY 1"
        ).fetchall()
        assert schemas == [
            ("tiny_index_published__audience__client",),
            ("tiny_index_published__audience__public",),
        ]


def test_the_example_audiences_on_duckdb(example_run) -> None:
    """public: exactly the headline Top 10 of top_level in 2022-23; client: the results of its three
    indexes; internal: every published object."""
    published = "indexc_published"
    with duckdb.connect(str(example_run.database), read_only=True) as db:
        public = f"{published}__audience__public"
        assert listing(db, public) == {"index__top_level__top"}
        view = f"{public}.index__top_level__top"
        assert columns(db, view) == HEADLINE_COLUMNS
        top = f"{published}.index__top_level__top"
        in_top = columns(db, top)
        order = "headline_rank" if "headline_rank" in in_top else "rank"
        expected = db.execute(
            f"SELECT period, rank, area_code, name, score FROM {top} "
            f"WHERE period = '2022-23' ORDER BY {order} LIMIT 10"
        ).fetchall()
        got = db.execute(f"SELECT * FROM {view} ORDER BY rank, area_code").fetchall()
        assert len(got) == 10 and sorted(got) == sorted(expected)
        client = listing(db, f"{published}__audience__client")
        parts = ("scores", "top", "lens_scores", "metric_scores", "metric_values")
        for index_id in ("adult_social_care", "health_by_condition", "local_outcomes_framework"):
            assert {f"index__{index_id}__{part}" for part in parts} <= client
        assert not {name for name in client if name.startswith("index__top_level__")}
        assert not {name for name in client if name.endswith(("__treatment", "__rules"))}
        assert "universe__upper_tier" in client
        assert len(client) == 35  # 11 results objects of each of three indexes, and their universe
        everything = listing(db, f"{published}__audience__internal")
        assert everything == listing(db, published)


def test_an_export_for_the_public_holds_only_its_views(example_run, tmp_path: Path) -> None:
    """The public audience's export of top_level is its one view: the headline rows and columns."""
    project = Project(example_run.project)
    written = project.export("top_level", tmp_path / "public", "csv", audience="public")
    assert [p.name for p in written] == ["index__top_level__top.csv"]
    with duckdb.connect(str(example_run.database), read_only=True) as db:
        view = "indexc_published__audience__public.index__top_level__top"
        expected = db.execute(f"SELECT * FROM {view} ORDER BY period, rank, area_code").fetchall()
        exported = db.execute(
            f"SELECT * FROM read_csv('{written[0]}', all_varchar = true) ORDER BY period, "
            "CAST(rank AS INTEGER), area_code"
        )
        header = [d[0] for d in exported.description]
        rows = [dict(zip(header, row, strict=True)) for row in exported.fetchall()]
    assert header == ["period", "area_code", "name", "rank", "score"]  # keys first, as exports are
    assert len(rows) == 10
    got = [(r["period"], int(r["rank"]), r["area_code"], r["name"]) for r in rows]
    assert got == [e[:4] for e in expected]
    assert [float(r["score"]) for r in rows] == pytest.approx([e[4] for e in expected], rel=1e-12)
    with pytest.raises(UserError) as refused:
        project.export("adult_social_care", tmp_path / "asc", "csv", audience="public")
    assert refused.value.diagnostics[0].code == "IX406"


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
    publish: {top: 3, headline: true}
"""


@pytest.mark.slow  # three runs of tiny
def test_a_selective_run_replaces_its_own_views_and_keeps_the_others(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "tiny", tmp_path / "two")
    spec = root / "specs" / "tiny.yaml"
    spec.write_text(spec.read_text()[: spec.read_text().index("indexes:")] + TWO_INDEXES)
    (root / "specs" / "audiences.yaml").write_text(
        "indexc: 2\naudiences:\n  - {id: public, sees: headline, indexes: [alpha, beta]}\n"
        "  - {id: client, sees: results}\n"
    )
    Project(root).run("duckdb")
    client = "tiny_index_published__audience__client"
    with duckdb.connect(str(root / "build" / "tiny.duckdb"), read_only=True) as db:
        before = listing(db, client)
    assert {"index__alpha__scores", "index__beta__scores", "universe__councils"} <= before
    Project(root).run("duckdb", indexes=("alpha",))
    with duckdb.connect(str(root / "build" / "tiny.duckdb"), read_only=True) as db:
        assert listing(db, client) == before  # beta's views kept, alpha's made again
        assert listing(db, "tiny_index_published__audience__public") == {
            "index__alpha__top",
            "index__beta__top",
        }
    # the client stops seeing alpha: a run of alpha drops its views, and keeps beta's
    (root / "specs" / "audiences.yaml").write_text(
        "indexc: 2\naudiences:\n  - {id: public, sees: headline}\n"
        "  - {id: client, sees: results, indexes: [beta]}\n"
    )
    Project(root).run("duckdb", indexes=("alpha",))
    with duckdb.connect(str(root / "build" / "tiny.duckdb"), read_only=True) as db:
        after = listing(db, client)
        public = listing(db, "tiny_index_published__audience__public")
    assert not {name for name in after if "alpha" in name}
    assert {name for name in before if "beta" in name} <= after
    assert public == {"index__beta__top"}
