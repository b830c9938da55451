"""The example's public indicators as published: periods of every kind lined up with the financial
year, district-only data carried to counties, the ICB shares checked; each expected value is worked
out here from the CSVs in examples/data."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the real example, run once per session (conftest.py)


def read_csv(project: Path, name: str) -> list[dict[str, str]]:
    with open(project / "examples" / "data" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def ran(example_run):
    with example_run.connect() as connection:
        yield example_run.project, connection


def test_the_icb_crosswalk_reads_the_council_rows_of_the_real_shares(ran) -> None:
    project, connection = ran
    shares = [r for r in read_csv(project, "icb_to_la_shares.csv") if r["la_level"] == "utla"]
    edges = connection.execute(
        "SELECT from_code, to_code, weight, weight_to FROM indexc_build.area_map__icbs_onto_councils"
    ).fetchall()
    assert sorted((f, t) for f, t, _, _ in edges) == sorted(
        (r["icb_code"], r["la_code"]) for r in shares
    )
    of_icb: dict[str, float] = defaultdict(float)
    of_council: dict[str, float] = defaultdict(float)
    for icb, council, weight, weight_to in edges:
        of_icb[icb] += weight
        of_council[council] += weight_to
    assert len(of_icb) == 42 and len(of_council) == 153
    assert all(abs(total - 1) < 1e-5 for total in [*of_icb.values(), *of_council.values()])


COUNCILS = ("E06", "E08", "E09", "E10")  # measure views also hold the regions and England


def council_rows(project: Path, name: str, measure: str) -> list[dict[str, str]]:
    return [
        r
        for r in read_csv(project, name)
        if r["measure_code"] == measure and r["area_code"].startswith(COUNCILS) and r["value"]
    ]


def values(connection, view: str, period: str) -> dict[str, tuple]:
    rows = connection.execute(
        f"SELECT area_code, value, data_period FROM indexc_build.{view} WHERE period = ?", [period]
    ).fetchall()
    return {area: (value, data_period) for area, value, data_period in rows}


def test_healthy_life_expectancy_for_2021_22_is_the_latest_pooled_period_2019_21(ran) -> None:
    project, connection = ran
    published = {
        r["area_code"]: float(r["value"])
        for r in council_rows(project, "health_indicators_els.csv", "male-healthy-life-expectancy")
        if r["period"] == "2019-21"
    }
    found = values(connection, "restated__healthy_life_expectancy_male", "2021-22")
    assert len(published) > 140
    assert {area: value for area, (value, _) in found.items()} == pytest.approx(published, abs=1e-9)
    assert {data_period for _, data_period in found.values()} == {"2019-21"}
    # 2022-24 (ends 31 December 2024) serves 2024-25 to 2026-27 under max_age 3, and no later year
    assert {
        p
        for _, p in values(connection, "restated__healthy_life_expectancy_male", "2026-27").values()
    } == {"2022-24"}
    assert values(connection, "restated__healthy_life_expectancy_male", "2027-28") == {}


def test_barnsley_is_found_on_the_registers_geography_whichever_code_the_file_uses(ran) -> None:
    project, connection = ran
    hle = [
        r
        for r in council_rows(project, "health_indicators_els.csv", "male-healthy-life-expectancy")
        if r["period"] == "2019-21" and r["area_code"] == "E08000038"  # published on its 2025 code
    ]
    cancer = [
        r
        for r in council_rows(
            project, "health_indicators_els.csv", "cancer-diagnosis-at-stage-1-and-2"
        )
        if r["period"] == "2022" and r["area_code"] == "E08000016"  # published on its 2024 code
    ]
    assert len(hle) == len(cancer) == 1
    on_hle = values(connection, "restated__healthy_life_expectancy_male", "2021-22")
    on_cancer = values(connection, "restated__cancer_early_diagnosis", "2022-23")
    assert on_hle["E08000038"] == (pytest.approx(float(hle[0]["value"])), "2019-21")
    assert on_cancer["E08000038"] == (pytest.approx(float(cancer[0]["value"])), "2022")
    assert "E08000016" not in on_hle and "E08000016" not in on_cancer


def _districts_of(connection, county: str) -> list[str]:
    return [
        code
        for (code,) in connection.execute(
            "SELECT area_code FROM indexc_build.geography__areas WHERE parent = ? "
            "AND (valid_to IS NULL OR valid_to >= DATE '2025-04-01')",
            [county],
        ).fetchall()
    ]


def test_a_countys_smoking_is_its_districts_population_weighted_mean(ran) -> None:
    project, connection = ran
    kent = _districts_of(connection, "E10000016")
    smoking = {
        r["area_code"]: float(r["value"])
        for r in read_csv(project, "health_indicators_els.csv")
        if r["measure_code"] == "cigarette-smokers" and r["period"] == "2020-24"
    }
    population = {
        r["gss_code"]: float(r["population"])
        for r in read_csv(project, "la_population_mid_year.csv")
        if r["mid_year"] == "2024"
    }
    expected = sum(smoking[d] * population[d] for d in kent) / sum(population[d] for d in kent)
    found = values(connection, "aggregated__adults_smoking", "2024-25")
    assert len(kent) == 12
    assert found["E10000016"] == (pytest.approx(expected, rel=1e-12), "2020-24")
    assert found["E06000035"] == (pytest.approx(smoking["E06000035"]), "2020-24")  # Medway, itself
    assert abs(expected - sum(smoking[d] for d in kent) / 12) > 1e-3  # weighting matters here
    # no population of the districts abolished in 2023 weights them: their successors have none
    assert "E06000063" not in found or found["E06000063"][0] is None


def test_a_quarterly_count_serves_the_year_from_its_march_quarter_summed_over_districts(
    ran,
) -> None:
    project, connection = ran
    kent = _districts_of(connection, "E10000016")
    march = {
        r["area_code"]: float(r["value"])
        for r in read_csv(project, "homelessness_temporary_accommodation_la_quarterly.csv")
        if r["measure"] == "hh_in_ta" and r["quarter_end"] == "2024-03"
    }
    assert all(d in march for d in kent)
    found = values(connection, "aggregated__households_in_temporary_accommodation", "2023-24")
    assert found["E10000016"] == (pytest.approx(sum(march[d] for d in kent)), "2024-03")


def test_confidence_limits_reach_the_measure_as_published(ran) -> None:
    project, connection = ran
    published = {
        (r["area_code"], r["period"]): (float(r["value"]), float(r["lci"]), float(r["uci"]))
        for r in council_rows(
            project, "health_indicators_els.csv", "cancer-diagnosis-at-stage-1-and-2"
        )
    }
    rows = connection.execute(
        "SELECT area_code, data_period, value, lci, uci FROM indexc_build.measure__cancer_early_diagnosis"
    ).fetchall()
    found = {
        (area, period): (value, lci, uci)
        for area, period, value, lci, uci in rows
        if area.startswith(COUNCILS)
    }
    assert len(found) == len(published) > 1000
    assert all(found[key] == pytest.approx(limits) for key, limits in published.items())


def test_an_academic_year_serves_the_financial_year_whose_midpoint_it_contains(ran) -> None:
    project, connection = ran
    published = {
        r["area_code"]: float(r["value"])
        for r in council_rows(
            project, "outcomes_indicators_els.csv", "gcses-and-equivalent-in-english-and-maths"
        )
        if r["period"] == "2022-23" and r["area_code"] not in ("E08000038", "E08000039")
    }
    found = {
        area: found
        for area, found in values(
            connection, "measure__english_and_maths_gcse_by_19", "2022-23"
        ).items()
        if area.startswith(COUNCILS)
    }
    assert {a: v for a, (v, _) in found.items()} == pytest.approx(published)
    assert {p for _, p in found.values()} == {"2022-23"}


def test_the_example_reads_every_kind_of_period_the_data_holds(ran) -> None:
    project, _ = ran
    text = "\n".join(p.read_text() for p in (project / "specs").rglob("*.yaml"))
    grains = set(re.findall(r"grain: (\w+)", text))
    # pooled financial years: only homicide offences, with no council rows (specs/indicators)
    assert grains == {
        "financial_year",
        "financial_year_ending",
        "mid_year",
        "calendar_year",
        "academic_year",
        "quarter",
        "calendar_years",
        "iso_interval",
    }


def test_an_ended_districts_old_quarter_does_not_count_beside_its_successors_newer_one(ran) -> None:
    """Taunton Deane and West Somerset (ended March 2019) last published for January-March 2019;
    for 2019-20 Somerset West and Taunton's own March 2020 figure serves, and Somerset's districts
    add up once (their old quarter, carried forward beside it, would count twice)."""
    project, connection = ran
    march = {
        r["area_code"]: float(r["value"])
        for r in read_csv(project, "homelessness_temporary_accommodation_la_quarterly.csv")
        if r["measure"] == "hh_in_ta" and r["quarter_end"] == "2020-03"
    }
    somerset = ("E07000187", "E07000188", "E07000189", "E07000246")  # the districts of 2019-20
    assert all(d in march for d in somerset) and "E07000190" not in march
    found = values(connection, "restated__households_in_temporary_accommodation", "2019-20")
    assert found["E06000066"] == (pytest.approx(sum(march[d] for d in somerset)), "2020-03")
