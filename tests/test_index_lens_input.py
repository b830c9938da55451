"""A lens that reads another index's score (`index: {id, lens}`), on the tiny fixture run on DuckDB.

Index `top` reads index `tiny`: lens `care` is tiny's `outcome` lens, lens `whole` tiny's own score,
and lens `money` is its own metric spend_per_head. By hand, tiny's outcome lens is the z-score of
satisfaction (2016-17: AAA 80, BBB 60, CCC 70, so 1, -1, 0; DDD has no value).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc.cli import main
from indexc.codes import Code
from indexc.generate.snowflake_check import snowflake_problems
from indexc.geography import GeographyOptions
from indexc.plan.coverage import CoverageCheckNode
from indexc.project import Project

TOP = """indexc: 2
indexes:
  - id: top
    version: "1"
    universe: councils
    method: {normalise: zscore}
    lenses:
      - {id: care, weight: 2, index: {id: tiny, lens: outcome}}
      - {id: whole, weight: 1, index: {id: tiny}}
      - {id: money, weight: 1, metrics: [spend_per_head]}
    productivity: [{lens: care, spend: spend_per_head, method: rank_gap}]
    stability: {draws: 50, seed: 1}
    publish: {top: 3, period: 2016-17}
scenarios:
  - {id: care_first, index: top, weights: {care: 6}}
"""
WEIGHTS = {"care": 2.0, "whole": 1.0, "money": 1.0}


def top_project(root: Path) -> Path:
    project = copy_project(FIXTURES / "tiny", root)
    (project / "specs" / "top.yaml").write_text(TOP)
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    project = top_project(tmp_path_factory.mktemp("lens_input") / "tiny")
    Project(project).run(publish_as_live=True)
    with duckdb.connect(str(project / "build" / "tiny.duckdb"), read_only=True) as connection:
        yield project, connection
    shutil.rmtree(project / "build", ignore_errors=True)


def _scores(connection, sql: str) -> dict[tuple[str, str], float]:
    return {(area, period): score for area, period, score in connection.execute(sql).fetchall()}


@pytest.mark.slow
def test_the_lens_is_the_other_index_lens_score_area_by_area(built) -> None:
    _, connection = built
    care = _scores(
        connection,
        "SELECT area_code, period, score FROM tiny_index.index__top__lens_scores WHERE lens = 'care'",
    )
    outcome = _scores(
        connection,
        "SELECT area_code, period, score FROM tiny_index.index__tiny__lens_scores "
        "WHERE lens = 'outcome'",
    )
    assert care == outcome  # taken as it is, not re-normalised
    assert care[("AAA", "2016-17")] == pytest.approx(1.0)
    assert care[("BBB", "2016-17")] == pytest.approx(-1.0)
    assert ("DDD", "2016-17") not in care  # no satisfaction: no score to read
    whole = _scores(
        connection,
        "SELECT area_code, period, score FROM tiny_index.index__top__lens_scores WHERE lens = 'whole'",
    )
    ranked = _scores(
        connection,
        "SELECT area_code, period, score FROM tiny_index.index__tiny__scores WHERE ranked",
    )
    assert whole == ranked


@pytest.mark.slow
def test_the_index_score_is_the_weighted_mean_of_its_lenses(built) -> None:
    _, connection = built
    lenses: dict[tuple[str, str], dict[str, float]] = {}
    for lens, area, period, score in connection.execute(
        "SELECT lens, area_code, period, score FROM tiny_index.index__top__lens_scores"
    ).fetchall():
        lenses.setdefault((area, period), {})[lens] = score
    scores = _scores(
        connection, "SELECT area_code, period, score FROM tiny_index.index__top__scores"
    )
    assert set(scores) == set(lenses)
    for key, present in lenses.items():
        expected = sum(WEIGHTS[lens] * s for lens, s in present.items()) / sum(
            WEIGHTS[lens] for lens in present
        )
        assert scores[key] == pytest.approx(expected, abs=1e-12), key
    # DDD in 2016-17: no satisfaction, so tiny's outcome is missing and reweighted away
    assert set(lenses["DDD", "2016-17"]) == {"whole", "money"}


@pytest.mark.slow
def test_coverage_counts_the_read_lens_as_one_child(built) -> None:
    _, connection = built
    rows = connection.execute(
        "SELECT DISTINCT children_total, coverage FROM tiny_index.index__top__lens_scores "
        "WHERE lens IN ('care', 'whole')"
    ).fetchall()
    assert rows == [(1, 1.0)]


@pytest.mark.slow
def test_productivity_stability_and_scenarios_read_the_lens(built) -> None:
    _, connection = built
    rows = connection.execute(
        "SELECT p.area_code, p.outcome_score, p.productivity, l.score FROM tiny_index.index__top__productivity AS p "
        "JOIN tiny_index.index__tiny__lens_scores AS l ON l.area_code = p.area_code "
        "AND l.period = p.period AND l.lens = 'outcome' WHERE p.period = '2016-17' ORDER BY p.area_code"
    ).fetchall()
    assert [(area, outcome) for area, outcome, _, _ in rows] == [
        (area, score) for area, _, _, score in rows
    ]
    # rank gap: spend per head AAA 10, BBB 15, CCC 5 (DDD has no outcome): spend ranks 2, 1, 3;
    # outcome ranks 1, 3, 2
    assert [(area, gap) for area, _, gap, _ in rows] == [("AAA", 1), ("BBB", -2), ("CCC", 1)]
    draws = connection.execute(
        "SELECT DISTINCT draws FROM tiny_index.index__top__stability"
    ).fetchall()
    assert draws == [(50,)]
    scenario = _scores(
        connection,
        "SELECT area_code, period, score FROM tiny_index.index__top__scenario__care_first__lens_scores "
        "WHERE lens = 'care'",
    )
    baseline = _scores(
        connection,
        "SELECT area_code, period, score FROM tiny_index.index__tiny__lens_scores "
        "WHERE lens = 'outcome'",
    )
    assert scenario == baseline


def test_the_reading_index_is_built_after_the_index_it_reads(tmp_path: Path) -> None:
    compilation, diagnostics = Project(top_project(tmp_path / "tiny")).check()
    assert diagnostics == [] and compilation is not None
    order = [node.name for node in compilation.plan.nodes]
    lens_scores = next(n for n in compilation.plan.nodes if n.name == "index__top__lens_scores")
    assert {"index__tiny__lens_scores", "index__tiny__scores"} <= set(lens_scores.depends_on)
    assert order.index("index__tiny__scores") < order.index("index__top__lens_scores")
    coverage = next(
        n
        for n in compilation.plan.nodes
        if isinstance(n, CoverageCheckNode) and n.index_id == "top"
    )
    care = next(item for item in coverage.items if item.id == "care")
    assert (care.object, care.of_lens) == ("index__tiny__lens_scores", "outcome")


def test_indexes_reading_each_other_are_refused(tmp_path: Path) -> None:
    project = top_project(tmp_path / "tiny")
    spec = project / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace(
            "      - {id: outcome, weight: 3, metrics: [satisfaction]}",
            "      - {id: outcome, weight: 3, metrics: [satisfaction]}\n"
            "      - {id: back, weight: 1, index: {id: top, lens: money}}",
        )
    )
    _, diagnostics = Project(project).check()
    assert [d.code for d in diagnostics] == [Code.INDEX_CYCLE]
    assert "tiny -> top -> tiny" in diagnostics[0].message


@pytest.mark.slow
def test_the_snowflake_sql_passes_the_static_check(tmp_path: Path) -> None:
    build = Project(top_project(tmp_path / "tiny")).build("snowflake")
    checked = [p for p in build.path.glob("*.sql") if "index__top__" in p.name]
    assert any("lens_scores" in p.name for p in checked)
    for path in checked:
        assert snowflake_problems(path.read_text()) == [], path.name


GEO_PROPOSED = """indexc: 2
areas:
  - {code: P1, name: Proposed One, type: UA, valid_from: 2022-04-01, provisional: true}
  - {code: P2, name: Proposed Two, type: UA, valid_from: 2022-04-01, provisional: true}
lineage:
  - id: s_split
    effective: 2022-04-01
    status: proposed
    type: split
    from: [S]
    shares_source: made up for this test
    to:
      - {code: P1, share: 0.6}
      - {code: P2, share: 0.4}
indexes:
  - id: top
    version: "1"
    universe: unitaries
    method: {normalise: zscore}
    lenses:
      - {id: care, weight: 1, index: {id: value, lens: outcome}}
      - {id: money, weight: 1, metrics: [spend_per_head]}
    publish: {top: 3, period: 2018-19}
scenarios:
  - {id: split_s, index: top, proposed: [s_split]}
"""


@pytest.mark.slow
def test_a_scenario_on_proposed_geography_reads_the_other_index_rebuilt_there(
    geo_project: Path,
) -> None:
    """The scenario rebuilds the index it reads on its geography, so the split's successors have a score."""
    (geo_project / "specs" / "top.yaml").write_text(GEO_PROPOSED)
    Project(geo_project, GeographyOptions()).run(publish_as_live=True)
    with duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True) as connection:
        care = _scores(
            connection,
            "SELECT area_code, period, score FROM geo_index.scenario__split_s__index__top__lens_scores "
            "WHERE lens = 'care'",
        )
        outcome = _scores(
            connection,
            "SELECT area_code, period, score FROM geo_index.scenario__split_s__index__value__lens_scores "
            "WHERE lens = 'outcome'",
        )
    assert care == outcome
    assert {"P1", "P2"} <= {area for area, _ in care}


def test_an_index_reading_one_that_loses_data_loses_it_too(tmp_path: Path) -> None:
    """`indexc impact`: the tiny index's outcome lens loses data, so top's lenses reading tiny do too."""
    project = top_project(tmp_path / "tiny")
    (project / "new.yaml").write_text(
        "indexc: 2\nsource:\n  layout: long\n  columns: {area: code, period: fy_ending, item: measure, value: val}\n"
        '  period: {grain: financial_year_ending, format: "YYYY"}\n  items: {SAT: Satisfaction (%)}\n'
    )
    result = CliRunner().invoke(
        main,
        [
            "--project",
            str(project),
            "impact",
            "--source",
            "outcomes",
            "--structure",
            str(project / "new.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "lenses that lose data: tiny/outcome, top/care, top/whole" in result.output
    assert "indexes that lose data: tiny, top" in result.output
