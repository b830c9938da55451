"""Indexes fed through area maps, on the made-up country of tests/fixtures/geo (all values synthetic).

Two health boards (I1, I2, level `health`) publish GP appointments (a sum) and, written by these tests, a
made-up satisfaction rate (a mean). A crosswalk allocates them to the councils: the sum is split by each
council's share of the board (`weight`), the rate is the mean over the boards a council's residents live
in, weighted by the share of the council in each (`weight_to`). Expected values are computed here from
the CSVs the run reads.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from indexc.generate.snowflake_check import snowflake_problems
from indexc.geography import GeographyOptions
from indexc.project import Project

# Synthetic shares of the made-up country: council S lives partly in each board.
SHARES = (
    "board,council,board_share,council_share\n"
    "I1,U1,0.6,1.0\nI1,U2,0.3,1.0\nI1,S,0.1,0.4\n"
    "I2,M3,0.5,1.0\nI2,S,0.25,0.6\nI2,R2,0.25,1.0\n"
)
RATES = "board,year,rate\nI1,2020-21,70\nI2,2020-21,50\nI1,2019-20,68\nI2,2019-20,49\n"  # synthetic

HEALTH_INDEX = """
indexc: 2
sources:
  - id: board_rates
    layout: wide
    columns: {area: board, period: year}
    period: {grain: financial_year, format: "YYYY-YY"}
    geography: {level: health, codes: as_published}
    items: {rate: Synthetic satisfaction rate}
measures:
  - {id: board_rate, unit: percent, additivity: mean, weighted_by: population,
     bindings: [{source: board_rates, item: rate}]}
metrics:
  - {id: board_satisfaction, version: 1, formula: board_rate, direction: higher_is_better, unit: percent}
indexes:
  - id: health
    version: "1"
    universe: unitaries
    method: {normalise: zscore}
    lenses:
      - {id: access, weight: 1, metrics: [appointments]}
      - {id: experience, weight: 1, metrics: [board_satisfaction]}
    publish: {top: 3, period: 2020-21}
"""


def crosswalk_project(project: Path) -> Path:
    """The geo fixture with a crosswalk naming both shares, the synthetic rate and a council index."""
    (project / "data" / "board_to_council.csv").write_text(SHARES)
    (project / "data" / "board_rates.csv").write_text(RATES)
    data = project / "specs" / "data.yaml"
    data.write_text(
        data.read_text()
        .replace(
            "columns: {from: board, to: council, weight: patient_share}",
            "columns: {from: board, to: council, weight: board_share, weight_to: council_share}",
        )
        .replace("metrics: [appointments]", "metrics: [appointments, board_satisfaction]")
    )
    (project / "specs" / "health.yaml").write_text(HEALTH_INDEX)
    target = project / "targets" / "duckdb.yaml"
    target.write_text(target.read_text() + "  board_rates: {path: data/board_rates.csv}\n")
    return project


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def run(project: Path) -> duckdb.DuckDBPyConnection:
    Project(project, GeographyOptions()).run(publish_as_live=True)
    return duckdb.connect(str(project / "build" / "geo.duckdb"), read_only=True)


def index_values(connection, index: str, metric: str, period: str) -> dict[str, float]:
    return dict(
        connection.execute(
            f"SELECT area_code, value FROM geo_index.index__{index}__metric_values "
            "WHERE metric = ? AND period = ? ORDER BY area_code",
            [metric, period],
        ).fetchall()
    )


@pytest.mark.slow
def test_a_council_index_reads_board_data_allocated_by_the_crosswalk(geo_project: Path) -> None:
    project = crosswalk_project(geo_project)
    shares = rows(project / "data" / "board_to_council.csv")
    rates = {
        r["board"]: float(r["rate"])
        for r in rows(project / "data" / "board_rates.csv")
        if r["year"] == "2020-21"
    }
    visits = {
        r["board"]: float(r["visits"])
        for r in rows(project / "data" / "visits.csv")
        if r["year"] == "2020-21"
    }
    councils = sorted({r["council"] for r in shares})
    split = {
        c: sum(visits[r["board"]] * float(r["board_share"]) for r in shares if r["council"] == c)
        for c in councils
    }
    mean = {
        c: sum(rates[r["board"]] * float(r["council_share"]) for r in shares if r["council"] == c)
        / sum(float(r["council_share"]) for r in shares if r["council"] == c)
        for c in councils
    }
    with run(project) as connection:
        allocated = index_values(connection, "health", "appointments", "2020-21")
        rate = index_values(connection, "health", "board_satisfaction", "2020-21")
        ranked = connection.execute(
            "SELECT COUNT(*) FROM geo_index.index__health__scores WHERE period = '2020-21'"
        ).fetchone()[0]
    assert allocated == pytest.approx(split, rel=1e-12)
    assert sum(allocated.values()) == pytest.approx(sum(visits.values()), rel=1e-12)
    assert rate == pytest.approx(mean, rel=1e-12)
    assert rate["S"] == pytest.approx(70 * 0.4 + 50 * 0.6)  # by hand: S is 40% in I1, 60% in I2
    assert ranked == len(councils)


@pytest.mark.slow
def test_a_crosswalk_reads_only_the_rows_it_selects(geo_project: Path) -> None:
    """A shares file listing the pairs at two levels (as icb_to_la_shares.csv does, utla and ltla):
    `rows:` keeps one level's, so no council is mapped twice and the shares still sum to 1."""
    project = crosswalk_project(geo_project)
    shares = project / "data" / "board_to_council.csv"
    lines = shares.read_text().splitlines()
    shares.write_text(
        "\n".join(
            [lines[0] + ",level"]
            + [line + ",upper" for line in lines[1:]]
            + ["I1,U1,0.5,1.0,lower", "I2,S,0.5,0.5,lower"]  # would break both sums if read
        )
        + "\n"
    )
    data = project / "specs" / "data.yaml"
    data.write_text(
        data.read_text().replace(
            "geography: {level: health, codes: as_published}\n  - id: groups",
            "geography: {level: health, codes: as_published}\n    rows: {level: upper}\n"
            "  - id: groups",
        )
    )
    assert "rows: {level: upper}" in data.read_text()
    with run(project) as connection:
        edges = connection.execute(
            "SELECT COUNT(*) FROM geo_index.source__board_to_council"
        ).fetchone()[0]
        rate = index_values(connection, "health", "board_satisfaction", "2020-21")
    assert edges == len(lines) - 1
    assert rate["S"] == pytest.approx(70 * 0.4 + 50 * 0.6)


GROUP_INDEX = """
indexc: 2
universes:
  - {id: group_areas, types: [GRP]}
indexes:
  - id: groups_value
    version: "1"
    universe: group_areas
    method: {normalise: zscore}
    lenses:
      - {id: cost, weight: 1, metrics: [spend_per_head]}
      - {id: outcome, weight: 1, metrics: [satisfied]}
    publish: {top: 2, period: 2020-21}
"""


@pytest.mark.slow
def test_an_index_of_groups_ranks_them_on_their_members_values(geo_project: Path) -> None:
    (geo_project / "specs" / "groups.yaml").write_text(GROUP_INDEX)
    members: dict[str, list[str]] = {}
    for row in rows(geo_project / "data" / "groups.csv"):
        members.setdefault(row["group"], []).append(row["member"])
    spend = {
        r["area"]: float(r["spend"])
        for r in rows(geo_project / "data" / "finance.csv")
        if r["year"] == "2020-21"
    }
    people = {
        r["area"]: float(r["people"])
        for r in rows(geo_project / "data" / "people.csv")
        if r["mid_year"] == "2020"
    }
    with run(geo_project) as connection:
        per_head = index_values(connection, "groups_value", "spend_per_head", "2020-21")
        ranks = connection.execute(
            "SELECT area_code FROM geo_index.index__groups_value__top WHERE period = '2020-21' "
            "ORDER BY rank"
        ).fetchall()
    assert per_head == pytest.approx(
        {g: sum(spend[m] for m in ms) / sum(people[m] for m in ms) for g, ms in members.items()},
        rel=1e-12,
    )
    assert sorted(code for (code,) in ranks) == sorted(members)


CA_INDEX = """
indexc: 2
universes:
  - {id: combined_authorities, types: [E47, E61]}
indexes:
  - id: combined_authority_spend
    version: "1"
    universe: combined_authorities
    method: {normalise: zscore}
    lenses:
      - {id: spend, weight: 1, metrics: [asc_spend_per_head]}
    publish: {top: 5, period: 2016-17}
"""


@pytest.mark.slow
def test_the_examples_combined_authorities_are_ranked_from_their_members(
    example_project: Path,
) -> None:
    """Real data: a combined authority's spend per head is its upper-tier members' spend over their
    population (examples/data), and the index ranks combined authorities, not councils."""
    (example_project / "specs" / "indexes" / "combined_authorities.yaml").write_text(CA_INDEX)
    data = example_project / "examples" / "data"
    spend = {
        r["gss_code"]: float(r["gross_current_expenditure_gbp000"])
        for r in rows(data / "asc_fr_2016_17_expenditure.csv")
    }
    people = {
        r["gss_code"]: int(r["population"])
        for r in rows(data / "la_population_mid_year.csv")
        if r["mid_year"] == "2016"
    }
    members: dict[str, list[str]] = {}
    for row in rows(data / "combined_authority_membership.csv"):
        if row["member_code"][:3] in ("E06", "E08", "E09", "E10"):  # upper tier only
            members.setdefault(row["ca_code"], []).append(row["member_code"])
    Project(example_project, GeographyOptions()).run(publish_as_live=True)
    with duckdb.connect(str(example_project / "build" / "indexc.duckdb"), read_only=True) as db:
        per_head = dict(
            db.execute(
                "SELECT area_code, value FROM indexc_build.index__combined_authority_spend__"
                "metric_values WHERE period = '2016-17'"
            ).fetchall()
        )
        top = db.execute(
            "SELECT area_code FROM indexc_build.index__combined_authority_spend__top "
            "WHERE period = '2016-17' ORDER BY rank"
        ).fetchall()
    for ca in ("E47000001", "E47000008"):  # Greater Manchester; Cambridgeshire and Peterborough
        expected = sum(spend[m] for m in members[ca]) * 1000 / sum(people[m] for m in members[ca])
        assert per_head[ca] == pytest.approx(expected, rel=1e-12)
    assert top and all(code[:3] in ("E47", "E61") for (code,) in top)


def test_the_snowflake_sql_of_mapped_indexes_passes_the_static_check(geo_project: Path) -> None:
    """The crosswalk with weight_to, the indexes reading mapped values and their coverage checks."""
    project = crosswalk_project(geo_project)
    (project / "specs" / "groups.yaml").write_text(GROUP_INDEX)
    target = project / "targets" / "snowflake.yaml"
    target.write_text(target.read_text() + "  board_rates: {table: RAW.BOARD_RATES}\n")
    build = Project(project, GeographyOptions()).build("snowflake")
    names = {path.name: path for path in build.path.glob("*.sql")}
    checked = [
        n
        for n in names
        if "__coverage" in n or "area_map__boards_onto_councils" in n or "metric_values" in n
    ]
    assert any("index__health__coverage" in n for n in checked)
    assert any("area_map__boards_onto_councils__measure__board_rate" in n for n in checked)
    for name in checked:
        assert snowflake_problems(names[name].read_text()) == [], name
    values = next(n for n in checked if "index__health__metric_values" in n)
    assert "AREA_MAP__BOARDS_ONTO_COUNCILS__METRIC__BOARD_SATISFACTION" in names[values].read_text()
