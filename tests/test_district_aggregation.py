"""District to upper tier on real data: Kent's smoking prevalence from its 12 districts.

The fixture (tests/fixtures/districts, provenance in its data/SOURCES.md) holds the published
2019-23 pooled smoking values of Kent's districts, Medway and Thurrock, relabelled as the financial
year 2021-22, and their mid-2021 populations. Every expected value is computed here from those CSVs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, copy_project

from indexc.generate.snowflake_check import snowflake_problems
from indexc.project import Project

KENT, MEDWAY, THURROCK = "E10000016", "E06000035", "E06000034"


def rows(project: Path, name: str) -> list[dict[str, str]]:
    with (project / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def kent_districts(project: Path) -> set[str]:
    """Kent's districts as the fixture's CSV lists them: every E07 row (all are Kent's)."""
    return {
        r["area_code"] for r in rows(project, "smoking.csv") if r["area_code"].startswith("E07")
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "districts", tmp_path / "districts")


def run(project: Path) -> duckdb.DuckDBPyConnection:
    Project(project).run(publish_as_live=True)
    return duckdb.connect(str(project / "build" / "districts.duckdb"), read_only=True)


def values(connection: duckdb.DuckDBPyConnection, name: str) -> dict[str, float | None]:
    return dict(
        connection.execute(
            f"SELECT area_code, value FROM district_index.{name} WHERE period = '2021-22'"
        ).fetchall()
    )


def test_a_county_gets_the_population_weighted_mean_of_its_districts(project: Path) -> None:
    smoking = {r["area_code"]: float(r["value"]) for r in rows(project, "smoking.csv")}
    people = {r["gss_code"]: float(r["population"]) for r in rows(project, "population.csv")}
    districts = kent_districts(project)
    assert len(districts) == 12
    expected = sum(smoking[d] * people[d] for d in districts) / sum(people[d] for d in districts)
    with run(project) as connection:
        aggregated = values(connection, "aggregated__smoking_prevalence")
        metric = values(connection, "metric__smokers")
    assert aggregated[KENT] == pytest.approx(expected, rel=1e-12)
    assert expected != pytest.approx(sum(smoking[d] for d in districts) / 12, rel=1e-6)  # weighted
    # a unitary is in both tiers: its own value, once, not a mean with anything else
    assert aggregated[MEDWAY] == pytest.approx(smoking[MEDWAY], rel=1e-12)
    assert aggregated[THURROCK] == pytest.approx(smoking[THURROCK], rel=1e-12)
    assert set(aggregated) == {KENT, MEDWAY, THURROCK}  # no district reaches the upper tier alone
    assert metric == aggregated  # the council metric reads the aggregated measure


def test_a_sum_adds_the_districts_and_matches_the_published_county(project: Path) -> None:
    people = {r["gss_code"]: float(r["population"]) for r in rows(project, "population.csv")}
    districts = kent_districts(project)
    with run(project) as connection:
        aggregated = values(connection, "aggregated__population")
        members = dict(
            connection.execute(
                "SELECT area_code, members_expected FROM district_index.aggregated__population"
            ).fetchall()
        )
    assert aggregated[KENT] == sum(people[d] for d in districts)
    assert aggregated[KENT] == people[KENT]  # ONS's own Kent estimate, a row the lower tier ignores
    assert aggregated[MEDWAY] == people[MEDWAY]  # counted once
    assert members == {KENT: 12, MEDWAY: 1, THURROCK: 1}


def test_every_lower_tier_area_reaches_one_upper_tier_area(project: Path) -> None:
    with run(project) as connection:
        edges = connection.execute(
            "SELECT from_code, to_code FROM "
            "district_index.geography__aggregation__lower_tier__upper_tier"
        ).fetchall()
    assert sorted(f for f, _ in edges) == sorted({f for f, _ in edges})  # one edge each
    assert {f for f, t in edges if t == KENT} == kent_districts(project)
    assert {(f, t) for f, t in edges if t != KENT} == {(MEDWAY, MEDWAY), (THURROCK, THURROCK)}


def test_a_county_with_a_district_missing_has_no_value(project: Path) -> None:
    path = project / "data" / "smoking.csv"
    dover = "E07000108,2021-22,cigarette-smokers,14.4\n"
    text = path.read_text(encoding="utf-8")
    assert dover in text
    path.write_text(text.replace(dover, ""), encoding="utf-8")
    with run(project) as connection:
        aggregated = values(connection, "aggregated__smoking_prevalence")
    assert aggregated[KENT] is None  # not the mean of the 11 that have one
    assert aggregated[MEDWAY] == pytest.approx(12.2, rel=1e-12)


def test_the_aggregation_passes_the_snowflake_check(project: Path) -> None:
    build = Project(project).build("snowflake", write=False)
    names = {
        "aggregated__smoking_prevalence",
        "aggregated__population",
        "geography__aggregation__lower_tier__upper_tier",
        "metric__smokers",
    }
    assert names <= {o.name for o in build.objects}
    for obj in build.objects:  # the aggregation and everything that reads it
        assert snowflake_problems(obj.statement) == [], obj.name
