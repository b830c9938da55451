"""Apportionment as a policy, and the provenance of every restated value.

On the made-up country of tests/fixtures/geo (synthetic data, see its geography.yaml): county C1
splits into U1 and U2 in 2019 by the population of its districts D1 and D2; M1 and M2 merge into M3
and R1 is recoded R2 in 2020. Each test copies it and declares `apportion:` where it needs to; the
expected values are computed here from the fixture's CSVs. The district case reads
tests/fixtures/districts (Kent's districts, real data, see its data/SOURCES.md).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc.cli import main
from indexc.generate.snowflake_check import snowflake_problems
from indexc.geography.provenance import (
    AGGREGATED,
    AS_PUBLISHED,
    AVERAGED,
    CARRIED,
    NOT_AT_ALL,
    SPLIT,
    SUMMED,
)
from indexc.project import Project
from indexc.validate.apportionment import apportion_policy

APPORTIONED = "apportioned by population"
SPEND = """  - id: spend
    unit: gbp
    additivity: sum
"""


def _csv(project: Path, name: str) -> list[dict[str, str]]:
    with (project / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _two_policies(project: Path) -> None:
    """`spend` forbids apportioning; `spend_allowed` reads the same item and allows it."""
    _edit(
        project / "specs" / "data.yaml",
        SPEND,
        SPEND
        + "    apportion: forbidden\n"
        + "    bindings: [{source: finance, item: spend}]\n"
        + "  - id: spend_allowed\n    unit: gbp\n    additivity: sum\n    apportion: allowed\n",
    )


def _literal_shares(project: Path, north: float) -> None:
    """C1 divided by declared shares instead of by population."""
    _edit(
        project / "specs" / "geography.yaml",
        """    to:
      - {code: U1, districts: [D1]}
      - {code: U2, districts: [D2]}
    apportion: {by: population}""",
        f"""    to:
      - {{code: U1, districts: [D1], share: {north}}}
      - {{code: U2, districts: [D2], share: {1 - north}}}
    shares_source: synthetic shares for a test""",
    )


def _rows(connection: duckdb.DuckDBPyConnection, table: str, period: str) -> dict[str, tuple]:
    found = connection.execute(
        f"SELECT area_code, value, method, cold_start_from FROM {table} WHERE period = ?", [period]
    ).fetchall()
    return {row[0]: row[1:] for row in found}


def _run(project: Path) -> tuple[str, duckdb.DuckDBPyConnection]:
    result = CliRunner().invoke(main, ["--project", str(project), "run"])
    assert result.exit_code == 0, result.output
    return result.output, duckdb.connect(str(project / "build" / "geo.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def forbidden(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = copy_project(FIXTURES / "geo", tmp_path_factory.mktemp("apportion") / "geo")
    _two_policies(project)
    output, connection = _run(project)
    connection.close()
    return project, output


@pytest.mark.slow
def test_a_forbidden_measure_gives_a_successor_no_history_before_the_split(forbidden) -> None:
    project, _ = forbidden
    spend = {(r["area"], r["year"]): float(r["spend"]) for r in _csv(project, "finance.csv")}
    with duckdb.connect(str(project / "build" / "geo.duckdb"), read_only=True) as connection:
        before = _rows(connection, "geo_index.restated__spend", "2018-19")
        after = _rows(connection, "geo_index.restated__spend", "2019-20")
        unknown = connection.execute(
            "SELECT COUNT(*) FROM geo_index.restated__spend "
            "WHERE contributors_found < contributors_expected"
        ).fetchone()
    for successor in ("U1", "U2"):
        assert before[successor] == (None, NOT_AT_ALL, "2019-20")
        assert after[successor] == (spend[(successor, "2019-20")], AS_PUBLISHED, None)
    # a merge and a recode divide nothing: the forbidden measure is restated through them
    assert before["M3"] == (spend[("M1", "2018-19")] + spend[("M2", "2018-19")], SUMMED, None)
    assert before["R2"] == (spend[("R1", "2018-19")], CARRIED, None)
    assert before["S"] == (spend[("S", "2018-19")], AS_PUBLISHED, None)
    assert unknown == (0,)  # a cold start is not missing data


@pytest.mark.slow
def test_an_allowed_measure_is_apportioned_and_says_so(forbidden) -> None:
    project, _ = forbidden
    spend = {(r["area"], r["year"]): float(r["spend"]) for r in _csv(project, "finance.csv")}
    people = {(r["area"], r["mid_year"]): float(r["people"]) for r in _csv(project, "people.csv")}
    district = {"U1": "D1", "U2": "D2"}
    whole = people[("D1", "2018")] + people[("D2", "2018")]
    with duckdb.connect(str(project / "build" / "geo.duckdb"), read_only=True) as connection:
        allowed = _rows(connection, "geo_index.restated__spend_allowed", "2018-19")
        satisfaction = _rows(connection, "geo_index.restated__satisfaction", "2018-19")
    for successor, d in district.items():
        value, method, cold = allowed[successor]
        assert value == pytest.approx(spend[("C1", "2018-19")] * people[(d, "2018")] / whole)
        assert (method, cold) == (APPORTIONED, None)
    assert satisfaction["M3"][1] == AVERAGED  # a mean of several predecessors
    assert satisfaction["R2"][1] == CARRIED


@pytest.mark.slow
def test_the_cold_start_is_published_noted_and_named_under_the_top_n(forbidden) -> None:
    project, output = forbidden
    with duckdb.connect(str(project / "build" / "geo.duckdb"), read_only=True) as connection:
        table = connection.execute(
            "SELECT measure, area_code, name, period, cold_start_from "
            "FROM geo_index_published.geography__cold_starts ORDER BY area_code"
        ).fetchall()
    assert table == [
        ("spend", "U1", "Unitary One", "2018-19", "2019-20"),
        ("spend", "U2", "Unitary Two", "2018-19", "2019-20"),
    ]
    flat = " ".join(output.split())
    assert (
        "IX750 note: spend: no history before 2019-20 for U1 (Unitary One), U2 (Unitary Two)"
        in flat
    )
    assert "IX705" not in flat
    # the index publishes 2018-19, before the split: its notes say why the successors lack spend
    assert "U1 (Unitary One): no history before 2019-20 (spend: apportionment forbidden" in flat


@pytest.mark.slow
def test_show_says_how_each_measure_of_an_area_was_restated(forbidden) -> None:
    project, _ = forbidden
    text = CliRunner().invoke(main, ["--project", str(project), "show", "U1"])
    assert text.exit_code == 0, text.output
    assert (
        f"population, satisfaction, spend_allowed 2018-19: {APPORTIONED} (from C1)" in text.output
    )
    assert f"spend 2018-19: {NOT_AT_ALL} (no history before 2019-20)" in text.output
    shown = CliRunner().invoke(main, ["--project", str(project), "show", "M3", "--format", "json"])
    history = json.loads(shown.output)["restated_history"]
    methods = {row["measure"]: (row["method"], row["from_codes"]) for row in history}
    assert methods["spend"] == (SUMMED, ["M1", "M2"])
    assert methods["satisfaction"] == (AVERAGED, ["M1", "M2"])


@pytest.mark.slow
def test_declared_shares_split_an_allowed_measure_and_cold_start_a_forbidden_one(
    tmp_path: Path,
) -> None:
    project = copy_project(FIXTURES / "geo", tmp_path / "geo")
    _two_policies(project)
    north = 0.6
    _literal_shares(project, north)
    spend = {(r["area"], r["year"]): float(r["spend"]) for r in _csv(project, "finance.csv")}
    _, connection = _run(project)
    with connection:
        allowed = _rows(connection, "geo_index.restated__spend_allowed", "2018-19")
        forbidden = _rows(connection, "geo_index.restated__spend", "2018-19")
    assert allowed["U1"][0] == pytest.approx(spend[("C1", "2018-19")] * north)
    assert allowed["U2"][0] == pytest.approx(spend[("C1", "2018-19")] * (1 - north))
    assert allowed["U1"][1:] == (SPLIT, None)
    assert forbidden["U1"] == (None, NOT_AT_ALL, "2019-20")


@pytest.mark.slow
def test_a_county_value_is_aggregated_from_districts(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "districts", tmp_path / "districts")
    Project(project).run(publish_as_live=True)
    with duckdb.connect(str(project / "build" / "districts.duckdb"), read_only=True) as connection:
        methods = dict(
            connection.execute(
                "SELECT area_code, method FROM district_index.aggregated__smoking_prevalence"
            ).fetchall()
        )
    assert methods["E10000016"] == AGGREGATED  # Kent, from its 12 districts
    assert methods["E06000035"] == AS_PUBLISHED  # Medway, its own value


def test_a_measure_says_its_policy_else_its_level_else_allowed(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "geo", tmp_path / "geo")
    catalog = Project(project).compile().catalog
    assert {m: apportion_policy(catalog, m) for m in catalog.measures} == dict.fromkeys(
        catalog.measures, "allowed"
    )
    _edit(
        project / "specs" / "geography.yaml",
        "  - {id: upper, types: [UA, CTY]}",
        "  - {id: upper, types: [UA, CTY], apportion: forbidden}",
    )
    _edit(project / "specs" / "data.yaml", SPEND, SPEND + "    apportion: allowed\n")
    _edit(
        project / "specs" / "data.yaml",
        "  - id: population\n",
        "  - id: population\n    apportion: allowed\n",
    )
    catalog = Project(project).compile().catalog
    assert apportion_policy(catalog, "spend") == "allowed"  # its own
    assert apportion_policy(catalog, "satisfaction") == "forbidden"  # its level's
    assert apportion_policy(catalog, "gp_appointments") == "allowed"  # level health says nothing


def test_unset_policies_leave_the_canonical_specs_unchanged(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "geo", tmp_path / "geo")
    canonical = Project(project).compile().catalog.canonical()
    assert all("apportion" not in m for m in canonical["measures"])
    assert all("apportion" not in level for level in canonical["levels"])


@pytest.mark.slow
def test_a_cold_start_compiles_for_snowflake_and_passes_its_check(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "geo", tmp_path / "geo")
    _two_policies(project)
    build = Project(project).build("snowflake", write=False)
    names = {o.name for o in build.objects}
    assert {"restated__spend", "geography__cold_starts", "metric__spend_per_head"} <= names
    for obj in build.objects:
        assert snowflake_problems(obj.statement) == [], obj.name


@pytest.mark.slow
def test_show_says_north_northamptonshire_was_apportioned_from_the_county(example_run) -> None:
    """The example's 2021 split of Northamptonshire: the upper tier's history of North
    Northamptonshire is the county's, divided by population; the lower tier's, its four districts'."""
    result = CliRunner().invoke(
        main, ["--project", str(example_run.project), "show", "E06000061", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)["restated_history"]
    upper = [r for r in history if r["from_codes"] == ["E10000021"]]
    lower = [r for r in history if r["from_codes"] != ["E10000021"]]
    assert upper and {r["method"] for r in upper} == {APPORTIONED}
    # the split took effect in 2021-22 (a binding that ends earlier, such as 2016-17's, ends there)
    assert max(r["to_period"] for r in upper) == "2020-21"
    assert {r["method"] for r in lower} == {SUMMED}
    assert {tuple(r["from_codes"]) for r in lower} == {
        ("E07000150", "E07000152", "E07000153", "E07000156")
    }
    text = CliRunner().invoke(main, ["--project", str(example_run.project), "show", "E06000061"])
    assert f"{APPORTIONED} (from E10000021)" in text.output
