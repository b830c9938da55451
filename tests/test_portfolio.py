"""The example's portfolio of indexes (specs/indexes/): the Top Level index reading the Adult Social
Care index, the Local Outcomes Framework published on its own, the Combined Authorities index from
member councils, High Needs deferred. Expected values are worked out here from the CSVs in
examples/data or from another index's published tables, never copied from the code's output."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from indexc.cli import main
from indexc.project import Project

pytestmark = pytest.mark.slow  # the real example, run once per session (conftest.py)

PORTFOLIO = {
    "top_level": "active",
    "adult_social_care": "active",
    "health_by_condition": "prototype",
    "local_outcomes_framework": "active",
    "combined_authorities": "prototype",
    "high_needs": "deferred",
}


def read_csv(project: Path, name: str) -> list[dict[str, str]]:
    with open(project / "examples" / "data" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def ran(example_run):
    with example_run.connect() as connection:
        yield example_run.project, connection


def test_the_top_level_adult_social_care_lens_is_the_level_2_outcome_score(ran) -> None:
    _, connection = ran
    top = dict(
        ((a, p), s)
        for a, p, s in connection.execute(
            "SELECT area_code, period, score FROM indexc_published.index__top_level__lens_scores "
            "WHERE lens = 'adult_social_care'"
        ).fetchall()
    )
    level_2 = dict(
        ((a, p), s)
        for a, p, s in connection.execute(
            "SELECT area_code, period, score FROM "
            "indexc_published.index__adult_social_care__lens_scores WHERE lens = 'outcomes'"
        ).fetchall()
    )
    published = "2022-23"
    assert sum(1 for _, p in level_2 if p == published) > 140
    for key, score in level_2.items():
        if key[1] in {p for _, p in top}:
            assert top.get(key) == pytest.approx(score, abs=1e-12), key


def test_a_combined_authoritys_rate_is_its_members_population_weighted_mean(ran) -> None:
    """West Yorkshire's employment rate in 2022-23: calendar 2022's rates of its five councils (none
    reorganised since), weighted by their mid-2022 populations."""
    project, connection = ran
    members = {
        r["member_code"]
        for r in read_csv(project, "combined_authority_membership.csv")
        if r["ca_code"] == "E47000003"
    }
    assert len(members) == 5
    rates = {
        r["area_code"]: float(r["value"])
        for r in read_csv(project, "outcomes_indicators_els.csv")
        if r["measure_code"] == "employment-rate"
        and r["period"] == "2022"
        and r["area_code"] in members
    }
    people = {
        r["gss_code"]: float(r["population"])
        for r in read_csv(project, "la_population_mid_year.csv")
        if r["mid_year"] == "2022" and r["gss_code"] in members
    }
    assert set(rates) == set(people) == members
    expected = sum(rates[m] * people[m] for m in members) / sum(people.values())
    (value,) = connection.execute(
        "SELECT value FROM indexc_published.index__combined_authorities__metric_values "
        "WHERE area_code = 'E47000003' AND period = '2022-23' AND metric = 'employment_rate'"
    ).fetchone()
    assert value == pytest.approx(expected, rel=1e-12)


def test_every_index_but_the_deferred_one_is_published(ran) -> None:
    _, connection = ran
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'indexc_published'"
        ).fetchall()
    }
    for index_id in PORTFOLIO:
        built = f"index__{index_id}__scores" in tables
        assert built == (PORTFOLIO[index_id] != "deferred"), index_id
    assert not any(name.startswith("index__high_needs__") for name in tables)


def test_the_run_prints_the_top_level_index_first(example_run) -> None:
    rankings = example_run.rankings
    assert rankings[0].index_id == "top_level"
    assert rankings[0].period == "2022-23"
    assert len(rankings[0].rows) == 10
    assert {r.index_id for r in rankings} == {i for i, s in PORTFOLIO.items() if s != "deferred"}


def test_status_lists_all_six_indexes_with_their_status(example_project: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(example_project), "status"])
    assert result.exit_code == 0, result.output
    for index_id, status in PORTFOLIO.items():
        line = next(line for line in result.output.splitlines() if index_id in line)
        assert status in line, line


def published_rows(database: Path, index_id: str) -> dict[str, list[tuple]]:
    """Every published object of an index, its rows sorted: what a reader of it sees."""
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "'indexc_published' AND starts_with(table_name, ?) ORDER BY 1",
                [f"index__{index_id}__"],
            ).fetchall()
        ]
        return {
            name: sorted(
                connection.execute(f'SELECT * FROM indexc_published."{name}"').fetchall(),
                key=repr,
            )
            for name in names
        }


def test_running_the_outcomes_framework_leaves_the_top_level_published_tables_as_they_were(
    example_project: Path,
) -> None:
    """Between the two runs the Top Level's spec changes (its health lens weighs three times as
    much): had the framework's run rebuilt or re-published it, its scores would differ."""
    Project(example_project).run()
    database = example_project / "build" / "indexc.duckdb"
    before = published_rows(database, "top_level")
    assert len(before) > 10
    outcomes_before = published_rows(database, "local_outcomes_framework")
    spec = example_project / "specs" / "indexes" / "top_level.yaml"
    text = spec.read_text(encoding="utf-8")
    health = "      - id: health\n        weight: 1\n"
    assert health in text
    spec.write_text(text.replace(health, health.replace("weight: 1", "weight: 3")), "utf-8")
    Project(example_project).run(indexes=("local_outcomes_framework",))
    assert published_rows(database, "top_level") == before
    assert published_rows(database, "local_outcomes_framework").keys() == outcomes_before.keys()
    Project(example_project).run(indexes=("top_level",))  # the change, once its index is run
    assert (
        published_rows(database, "top_level")["index__top_level__scores"]
        != (before["index__top_level__scores"])
    )
