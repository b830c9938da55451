"""The methodology on the real example, checked from the published CSV files: a council's projected
saving against the lower quartile of its type, and ranks that run across a reorganisation."""

from __future__ import annotations

import csv
import datetime

import pytest
from conftest import REPO
from ruamel.yaml import YAML

pytestmark = pytest.mark.slow  # reads the real example's run

DATA = REPO / "examples" / "data"
GEOGRAPHY_DATE = datetime.date(2025, 4, 1)


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def counties_in_force() -> set[str]:
    areas = YAML(typ="safe").load(
        (REPO / "specs" / "geography" / "areas.yaml").read_text(encoding="utf-8")
    )["areas"]
    return {
        a["code"]
        for a in areas
        if a["type"] == "E10"
        and (a.get("valid_from") is None or a["valid_from"] <= GEOGRAPHY_DATE)
        and (a.get("valid_to") is None or a["valid_to"] >= GEOGRAPHY_DATE)
    }


def lower_quartile(values: list[float]) -> float:
    ordered = sorted(values)
    h = (len(ordered) - 1) * 0.25
    low = int(h)
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


@pytest.fixture(scope="module")
def real(example_run):
    """The example run once for the session (conftest.py), read only."""
    with example_run.connect() as connection:
        yield connection


def test_essex_would_save_its_spend_above_the_lower_quartile_of_county_councils_times_its_people(
    real,
) -> None:
    counties = counties_in_force()
    spend = {
        r["gss_code"]: float(r["gross_current_expenditure_gbp000"]) * 1000
        for r in rows("asc_fr_2016_17_expenditure.csv")
        if r["gss_code"] in counties
    }
    people = {
        r["gss_code"]: int(r["population"])
        for r in rows("la_population_mid_year.csv")
        if r["mid_year"] == "2016" and r["gss_code"] in counties
    }
    assert (
        len(counties) == len(spend) == len(people) == 21
    )  # counties untouched by reorganisation since 2016
    per_head = {code: spend[code] / people[code] for code in counties}
    benchmark = lower_quartile(list(per_head.values()))
    expected = (per_head["E10000012"] - benchmark) * people["E10000012"]
    got = real.execute(
        "SELECT benchmark, amount FROM indexc_build.index__adult_social_care__savings "
        "WHERE area_code = 'E10000012' AND period = '2016-17'"
    ).fetchone()
    assert got == pytest.approx((benchmark, expected), rel=1e-9)
    assert 10e6 < expected < 1e9  # tens of millions of pounds: what a chief executive reads


def test_councils_created_in_2023_have_ranks_and_rank_changes_in_every_year_before(real) -> None:
    found = real.execute(
        "SELECT area_code, period, rank, rank_change FROM indexc_build.index__adult_social_care__scores "
        "WHERE area_code IN ('E06000063', 'E06000064') ORDER BY area_code, period"
    ).fetchall()
    periods = [p for code, p, _, _ in found if code == "E06000063"]
    assert periods[0] == "2015-16" and len(periods) == 8
    assert all(rank is not None for _, _, rank, _ in found)
    assert all(change is not None for _, period, _, change in found if period != "2015-16")
    cumberland = [r[2:] for r in found if r[0] == "E06000063"]
    westmorland = [r[2:] for r in found if r[0] == "E06000064"]
    assert cumberland == westmorland  # both carry Cumbria's outcome rates, so they tie every year


def test_the_surrey_scenario_ranks_east_and_west_surrey_beside_the_baseline(real) -> None:
    deltas = real.execute(
        "SELECT area_code, period, baseline_score, scenario_score, rank_delta "
        "FROM indexc_build.index__adult_social_care__scenario__surrey_2027__deltas"
    ).fetchall()
    periods = {period for _, period, *_ in deltas}
    only_baseline = {(a, p) for a, p, base, scen, _ in deltas if scen is None}
    only_scenario = {(a, p) for a, p, base, scen, _ in deltas if base is None}
    assert only_baseline == {("E10000030", p) for p in periods}  # Surrey county, split in 2027
    assert only_scenario == {
        (code, p) for code in ("PROPOSED_EAST_SURREY", "PROPOSED_WEST_SURREY") for p in periods
    }
    scenario = {(a, p): s for a, p, _, s, _ in deltas}
    for period in periods:  # both carry Surrey's rates and spend per head, so they score alike
        assert scenario[("PROPOSED_EAST_SURREY", period)] == pytest.approx(
            scenario[("PROPOSED_WEST_SURREY", period)], abs=1e-9
        )
    # one county became two councils: no other council moves by more than the one extra place
    assert {change for *_, change in deltas if change is not None} <= {-1, 0, 1}


def test_the_most_improved_are_the_largest_rank_rises_of_each_period(real) -> None:
    rises = real.execute(
        "SELECT period, area_code, rank_change FROM indexc_build.index__adult_social_care__scores "
        "WHERE rank_change IS NOT NULL"
    ).fetchall()
    listed = real.execute(
        "SELECT period, position, area_code, rank_change "
        "FROM indexc_build.index__adult_social_care__most_improved"
    ).fetchall()
    for period in {p for p, *_ in rises}:
        changes = sorted((c for p, _, c in rises if p == period), reverse=True)
        shown = sorted((c for p, _, _, c in listed if p == period), reverse=True)
        tenth = changes[9]
        assert shown == [c for c in changes if c >= tenth]  # ties at the tenth place are all shown
        positions = {a: pos for p, pos, a, _ in listed if p == period}
        assert all(
            positions[a] == 1 + sum(c > change for c in changes)
            for p, a, change in rises
            if p == period and a in positions
        )


def test_quality_of_life_published_as_0_is_left_out_not_scored_worst(real) -> None:
    zeros = [
        (r["la_code"], r["financial_year"])
        for r in rows("asc_outcomes_oflog.csv")
        if r["measure_code"] == "ASC2" and r["value"].strip() and float(r["value"]) == 0
    ]
    assert len(zeros) == 5 and ("E10000016", "2019-20") in zeros  # Kent among them
    kept = set(
        real.execute(
            "SELECT area_code, period FROM indexc_build.index__adult_social_care__metric_values "
            "WHERE metric = 'service_user_quality_of_life'"
        ).fetchall()
    )
    assert not kept & set(zeros)
    assert ("E10000016", "2018-19") in kept
