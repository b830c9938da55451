"""End to end on DuckDB: the tiny fixture's scores, checked against arithmetic done here by hand.

Universe: AAA, BBB (unitary), CCC, DDD (county; its code is in force in 2016-17
only). ZZZ is a district (outside the universe) and OLD's code ended in 2015,
so neither may affect any score. Data from three sources with three period
notations, and a measure whose source item changes between the years:
    2016-17     spend  population (mid-2016)  satisfaction (SAT, FY ending 2017)
        AAA      1000         100              80
        BBB      3000         200              60
        CCC      2000         400              70
        DDD      4000         200              blank
    2017-18     spend  population (mid-2017)  satisfaction (SURVEY2, FY ending 2018)
        AAA      1200         100              50   (a stray SAT row of 1 must be ignored)
        BBB      1000         250              90
        CCC      3000         300              70
        DDD      5000         200              60   (DDD is no longer in force)
Lenses: cost (weight 1) = spend_per_head, lower is better; outcome (weight 3) = satisfaction.
"""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path

import duckdb
import pytest

from indexc.errors import UserError
from indexc.project import Project

SPEND_PER_HEAD = {"AAA": 1000 / 100, "BBB": 3000 / 200, "CCC": 2000 / 400, "DDD": 4000 / 200}
SATISFACTION = {"AAA": 80.0, "BBB": 60.0, "CCC": 70.0}
SPEND_PER_HEAD_2017 = {"AAA": 1200 / 100, "BBB": 1000 / 250, "CCC": 3000 / 300}
SATISFACTION_2017 = {"AAA": 50.0, "BBB": 90.0, "CCC": 70.0}


def zscores(values: dict[str, float], higher_is_better: bool) -> dict[str, float]:
    mean, sd = statistics.mean(values.values()), statistics.stdev(values.values())
    sign = 1 if higher_is_better else -1
    return {k: sign * (v - mean) / sd for k, v in values.items()}


def minmax(values: dict[str, float], higher_is_better: bool) -> dict[str, float]:
    oriented = {k: v if higher_is_better else -v for k, v in values.items()}
    low, high = min(oriented.values()), max(oriented.values())
    return {k: 100 * (v - low) / (high - low) for k, v in oriented.items()}


def percentile_rank(values: dict[str, float], higher_is_better: bool) -> dict[str, float]:
    oriented = {k: v if higher_is_better else -v for k, v in values.items()}
    ordered = sorted(oriented.values())
    return {k: 100 * ordered.index(v) / (len(ordered) - 1) for k, v in oriented.items()}


NORMALISERS = {"zscore": zscores, "minmax": minmax, "percentile_rank": percentile_rank}


def run_tiny(project: Path, normalise: str) -> duckdb.DuckDBPyConnection:
    spec = project / "specs" / "tiny.yaml"
    spec.write_text(re.sub(r"normalise: \w+", f"normalise: {normalise}", spec.read_text()))
    Project(project).run()
    return duckdb.connect(str(project / "build" / "tiny.duckdb"), read_only=True)


def rows(connection, sql: str) -> dict:
    return {
        row[0]: row[1:] if len(row) > 2 else row[1] for row in connection.execute(sql).fetchall()
    }


@pytest.mark.parametrize("normalise", sorted(NORMALISERS))
def test_metric_scores_match_hand_computation(tiny_project: Path, normalise: str) -> None:
    connection = run_tiny(tiny_project, normalise)
    normaliser = NORMALISERS[normalise]
    for metric, values, higher in (
        ("spend_per_head", SPEND_PER_HEAD, False),
        ("satisfaction", SATISFACTION, True),
    ):
        got = rows(
            connection,
            "SELECT area_code, score FROM tiny_index.index__tiny__metric_scores "
            f"WHERE metric = '{metric}' AND period = '2016-17'",
        )
        expected = normaliser(values, higher)
        assert got.keys() == expected.keys()
        for area, score in expected.items():
            assert got[area] == pytest.approx(score, abs=1e-12)


def test_index_scores_reweight_missing_lenses_and_rank(tiny_project: Path) -> None:
    connection = run_tiny(tiny_project, "zscore")
    cost, outcome = zscores(SPEND_PER_HEAD, False), zscores(SATISFACTION, True)
    expected = {area: (1 * cost[area] + 3 * outcome[area]) / 4 for area in SATISFACTION}
    expected["DDD"] = cost["DDD"]  # no satisfaction value: scored on the cost lens alone
    got = rows(
        connection,
        "SELECT area_code, score, rank, lenses_used FROM tiny_index.index__tiny__scores "
        "WHERE period = '2016-17'",
    )
    assert {area: got[area][0] for area in got} == pytest.approx(expected, abs=1e-12)
    assert {area: got[area][1] for area in got} == {"AAA": 1, "CCC": 2, "BBB": 3, "DDD": 4}
    assert {area: got[area][2] for area in got} == {"AAA": 2, "BBB": 2, "CCC": 2, "DDD": 1}


def test_metric_values_join_sources_with_different_period_notations(tiny_project: Path) -> None:
    connection = run_tiny(tiny_project, "zscore")
    got = rows(
        connection,
        "SELECT area_code || ' ' || period, value FROM tiny_index.metric__spend_per_head",
    )
    expected = {f"{area} 2016-17": value for area, value in SPEND_PER_HEAD.items()}
    expected.update({f"{area} 2017-18": value for area, value in SPEND_PER_HEAD_2017.items()})
    expected.update(
        {"OLD 2016-17": 9999.0, "ZZZ 2016-17": 10.0, "DDD 2017-18": 25.0}
    )  # universes filter later
    assert got == pytest.approx(expected)


def test_blank_values_are_missing_not_zero(tiny_project: Path) -> None:
    connection = run_tiny(tiny_project, "zscore")
    got = connection.execute(
        "SELECT count(*) FROM tiny_index.measure__satisfaction "
        "WHERE area_code = 'DDD' AND period = '2016-17'"
    )
    assert got.fetchone()[0] == 0


def test_top_view_names_the_published_areas(tiny_project: Path) -> None:
    connection = run_tiny(tiny_project, "zscore")
    got = connection.execute(
        "SELECT rank, area_code, name FROM tiny_index.index__tiny__top "
        "WHERE period = '2016-17' ORDER BY rank"
    ).fetchall()
    assert got == [(1, "AAA", "Alpha"), (2, "CCC", "Gamma"), (3, "BBB", "Beta")]


def test_division_by_zero_gives_a_missing_value(tiny_project: Path) -> None:
    data = tiny_project / "data" / "population.csv"
    data.write_text(data.read_text().replace("BBB,2016,200", "BBB,2016,0"))
    spec = (
        tiny_project / "specs" / "tiny.yaml"
    )  # the smell test would fail the run on a population of 0
    spec.write_text(
        spec.read_text().replace(
            "bindings: [{source: population, item: people}]}",
            "bindings: [{source: population, item: people}], "
            "smell: {accept: [{area: BBB, period: 2016-17, reason: 'zero on purpose: a division by zero'}]}}",
        )
    )
    connection = run_tiny(tiny_project, "zscore")
    got = rows(
        connection,
        "SELECT area_code, value FROM tiny_index.metric__spend_per_head WHERE period = '2016-17'",
    )
    assert got["BBB"] is None
    scored = rows(
        connection,
        "SELECT area_code, score FROM tiny_index.index__tiny__metric_scores "
        "WHERE metric = 'spend_per_head' AND period = '2016-17'",
    )
    assert "BBB" not in scored and not any(math.isinf(v) for v in scored.values())


def test_areas_below_the_coverage_threshold_are_scored_but_not_ranked(tiny_project: Path) -> None:
    spec = tiny_project / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace(
            "method: {normalise: zscore}", "method: {normalise: zscore, min_coverage: 0.5}"
        )
    )
    connection = run_tiny(tiny_project, "zscore")
    got = rows(
        connection,
        "SELECT area_code, rank, coverage FROM tiny_index.index__tiny__scores WHERE period = '2016-17'",
    )
    assert got == {
        "AAA": (1, 1.0),
        "CCC": (2, 1.0),
        "BBB": (3, 1.0),
        "DDD": (None, 0.25),
    }  # DDD: cost lens only


@pytest.mark.slow
def test_a_metric_without_spread_gets_no_score_under_any_normalisation(tiny_project: Path) -> None:
    data = tiny_project / "data" / "outcomes.csv"
    data.write_text(data.read_text().replace(",SAT,80", ",SAT,70").replace(",SAT,60", ",SAT,70"))
    for normalise in NORMALISERS:
        connection = run_tiny(tiny_project, normalise)
        got = rows(
            connection,
            "SELECT area_code, score FROM tiny_index.index__tiny__metric_scores "
            "WHERE metric = 'satisfaction' AND period = '2016-17'",
        )
        connection.close()
        assert got == {"AAA": None, "BBB": None, "CCC": None}, normalise


def test_an_area_with_two_register_rows_in_one_year_counts_once(tiny_project: Path) -> None:
    areas = tiny_project / "data" / "areas.csv"
    areas.write_text(
        areas.read_text().replace(  # renamed on 1 October 2016: two rows in force in 2016-17
            "AAA,Alpha,unitary,,\n",
            "AAA,Alpha,unitary,,2016-09-30\nAAA,Alpha Renamed,unitary,2016-10-01,\n",
        )
    )
    connection = run_tiny(tiny_project, "zscore")
    got = rows(
        connection,
        "SELECT area_code, score FROM tiny_index.index__tiny__metric_scores "
        "WHERE metric = 'spend_per_head' AND period = '2016-17'",
    )
    assert got == pytest.approx(zscores(SPEND_PER_HEAD, False), abs=1e-12)
    top = connection.execute(
        "SELECT area_code, name FROM tiny_index.index__tiny__top "
        "WHERE rank = 1 AND period = '2016-17'"
    ).fetchall()
    assert top == [("AAA", "Alpha Renamed")]  # the name in force latest in the year


def test_coverage_threshold_tolerates_float_sums_of_weights(tiny_project: Path) -> None:
    spec = tiny_project / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text()
        .replace("method: {normalise: zscore}", "method: {normalise: zscore, min_coverage: 1}")
        .replace("{id: cost, weight: 1,", "{id: cost, weight: 0.1,")
        .replace("{id: outcome, weight: 3,", "{id: outcome, weight: 0.2,")
    )
    connection = run_tiny(tiny_project, "zscore")
    got = rows(
        connection,
        "SELECT area_code, rank FROM tiny_index.index__tiny__scores WHERE period = '2016-17'",
    )
    assert got == {
        "AAA": 1,
        "CCC": 2,
        "BBB": 3,
        "DDD": None,
    }  # 0.1 + 0.2 is not exactly 0.3 in floats


def test_each_period_is_normalised_and_ranked_on_its_own(tiny_project: Path) -> None:
    connection = run_tiny(tiny_project, "zscore")
    cost, outcome = zscores(SPEND_PER_HEAD_2017, False), zscores(SATISFACTION_2017, True)
    expected = {area: (1 * cost[area] + 3 * outcome[area]) / 4 for area in SATISFACTION_2017}
    got = rows(
        connection,
        "SELECT area_code, score, rank FROM tiny_index.index__tiny__scores "
        "WHERE period = '2017-18'",
    )
    assert {area: got[area][0] for area in got} == pytest.approx(
        expected, abs=1e-12
    )  # DDD out of force
    assert {area: got[area][1] for area in got} == {"BBB": 1, "CCC": 2, "AAA": 3}


def test_a_measure_takes_each_period_from_the_binding_in_force(tiny_project: Path) -> None:
    connection = run_tiny(tiny_project, "zscore")
    got = connection.execute(
        "SELECT area_code, period, value, item FROM tiny_index.measure__satisfaction "
        "WHERE area_code = 'AAA' ORDER BY period"
    ).fetchall()
    assert got == [("AAA", "2016-17", 80.0, "SAT"), ("AAA", "2017-18", 50.0, "SURVEY2")]


def test_undefined_results_of_a_formula_are_missing_values(tiny_project: Path) -> None:
    spec = tiny_project / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace(
            "formula: satisfaction,", "formula: sqrt(satisfaction - 70) + ln(satisfaction - 60),"
        )
    )
    connection = run_tiny(tiny_project, "zscore")
    got = rows(
        connection,
        "SELECT area_code, value FROM tiny_index.metric__satisfaction WHERE period = '2016-17'",
    )
    assert got == {
        "AAA": pytest.approx(math.sqrt(10) + math.log(20)),
        "BBB": None,
        "CCC": pytest.approx(math.log(10)),
        "OLD": None,
        "ZZZ": pytest.approx(math.sqrt(29) + math.log(39)),
    }
    ranks = rows(
        connection,
        "SELECT area_code, rank FROM tiny_index.index__tiny__scores WHERE period = '2016-17'",
    )
    assert all(rank is not None for rank in ranks.values())  # no NaN among the scores


def test_non_finite_cells_fail_the_run(tiny_project: Path) -> None:
    """A value written `nan` or `inf` is no blank (issue 15: an infinite spend published a council #1 on
    outcomes alone): IX710, with source, file, area, period and value, and nothing is built."""
    data = tiny_project / "data" / "outcomes.csv"
    data.write_text(
        data.read_text()
        .replace("BBB,2017,SAT,60", "BBB,2017,SAT,nan")
        .replace("CCC,2017,SAT,70", "CCC,2017,SAT,inf")
    )
    with pytest.raises(UserError) as raised:
        run_tiny(tiny_project, "zscore")
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "IX710",
        "source 'outcomes': value(s) not finite in outcomes (data/outcomes.csv): BBB 2016-17 nan (item SAT), "
        "CCC 2016-17 inf (item SAT)",
    )
