"""`boundary_change` and `transfer`: territory moving between councils that keep their codes.

tests/fixtures/boundary is a made-up country (synthetic, see its README.md). On 2021-04-01 Alderley
(A) gives a tenth of its territory to its neighbour Bramford (B), by literal shares with population
as the basis, and the district Kirkby (K3) moves from the county Kingsmoor (K) to Lowfield (L),
apportioned by population. Every expected value is computed here from the fixture's CSVs and the
events in its specs, by the rules of docs/geography.md:

- forward (onto 2021-04-01, the default), a giver's value of a period before the event is divided
  by the event's literal shares, the same in every period, or for a transfer by the population of the
  districts moved in that period; a receiver keeps its own value whole;
- backward (onto 2020-04-01), an area with one contributor returns whole to it; an area formed from
  several is divided among them by their basis in the last period before the event (2020-21): a
  literal share's part is the share times the giver's basis, a transfer's the districts' basis (and
  the giver's own basis less theirs), a receiver's own part its own basis.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import sqlglot
from click.testing import CliRunner
from conftest import FIXTURES, copy_project
from ruamel.yaml import YAML

from indexc.cli import main
from indexc.generate.snowflake_check import snowflake_problems
from indexc.geography import GeographyOptions
from indexc.project import Project

SCHEMA = "boundary_index"
BEFORE = ("2018-19", "2019-20", "2020-21")  # periods on the geography before the event
AFTER = ("2021-22", "2022-23")
LAST_BEFORE = "2020-21"  # the period whose basis divides an area backward
BACKWARD = datetime.date(2020, 4, 1)
UPPER = ("A", "B", "C", "K", "L")  # the councils; the districts' rows are only the basis
CONSERVED = 1e-9  # relative: the totals of every period over all councils


def label(mid_year: str) -> str:
    """A mid-year population serves the financial year starting that year, as the fixture's source says."""
    year = int(mid_year)
    return f"{year}-{(year + 1) % 100:02d}"


def published(project: Path) -> dict[str, dict[tuple[str, str], float]]:
    """The fixture's data as published: measure -> (area, period) -> value."""
    with open(project / "data" / "people.csv") as handle:
        people = {
            (r["area"], label(r["mid_year"])): float(r["people"]) for r in csv.DictReader(handle)
        }
    with open(project / "data" / "finance.csv") as handle:
        spend = {(r["area"], r["year"]): float(r["spend"]) for r in csv.DictReader(handle)}
    return {"population": people, "spend": spend}


def events(project: Path) -> list[dict]:
    """The lineage events of the fixture's specs, as the test reads its shares and districts."""
    return YAML(typ="safe").load((project / "specs" / "geography.yaml").read_text())["lineage"]


def forward(
    values: dict[str, float], basis: dict[str, float], lineage: list[dict]
) -> dict[str, float]:
    """One period's values on the old codes onto the new: `basis` the population of the same period."""
    moved: dict[str, float] = defaultdict(float)
    givers = {e["from"][0]: e for e in lineage}
    for code, value in values.items():
        event = givers.get(code)
        if event is None:
            moved[code] += value  # a receiver, or an area no event touches, keeps its value
        elif event["type"] == "boundary_change":
            for successor in event["to"]:
                moved[successor["code"]] += value * successor["share"]
        else:  # a transfer, by the districts' share of the giver's population in this period
            (receiver,) = event["to"]
            part = sum(basis[d] for d in receiver["districts"]) / basis[code]
            moved[receiver["code"]] += value * part
            moved[code] += value * (1 - part)
    return dict(moved)


def backward(
    values: dict[str, float], basis: dict[str, float], lineage: list[dict]
) -> dict[str, float]:
    """One period's values on the new codes onto the old: `basis` the population of 2020-21."""
    parts: dict[str, list[tuple[str, float]]] = defaultdict(
        list
    )  # new code -> (old code, its part)
    givers = {e["from"][0] for e in lineage}
    for event in lineage:
        (giver,) = event["from"]
        if event["type"] == "boundary_change":
            for successor in event["to"]:
                parts[successor["code"]].append((giver, successor["share"] * basis[giver]))
        else:
            (receiver,) = event["to"]
            districts = sum(basis[d] for d in receiver["districts"])
            parts[receiver["code"]].append((giver, districts))
            parts[giver].append((giver, basis[giver] - districts))
    for code in values:
        if code not in givers:
            parts[code].append((code, basis[code]))  # a receiver's own territory, once
    returned: dict[str, float] = defaultdict(float)
    for code, value in values.items():
        if len(parts[code]) == 1:
            returned[parts[code][0][0]] += value  # one contributor: whole
            continue
        whole = sum(part for _, part in parts[code])
        for old, part in parts[code]:
            returned[old] += value * part / whole
    return dict(returned)


def of_period(data: dict[tuple[str, str], float], period: str) -> dict[str, float]:
    return {code: value for (code, p), value in data.items() if p == period}


def councils(data: dict[tuple[str, str], float], period: str) -> dict[str, float]:
    return {code: value for code, value in of_period(data, period).items() if code in UPPER}


def run(project: Path, date: datetime.date | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """Run on DuckDB (publishing as live, so that a backward run is read where a forward one is);
    returns restated measure or metric -> period -> area -> value."""
    Project(project, GeographyOptions(date=date)).run(publish_as_live=True)
    connection = duckdb.connect(str(project / "build" / "boundary.duckdb"), read_only=True)
    tables = {"spend": "restated__spend", "population": "restated__population"}
    tables["spend_per_head"] = "metric__spend_per_head"
    result: dict[str, dict[str, dict[str, float]]] = {}
    try:
        for name, table in tables.items():
            rows = connection.execute(
                f"SELECT period, area_code, value FROM {SCHEMA}.{table} ORDER BY 1, 2"
            ).fetchall()
            by_period: dict[str, dict[str, float]] = defaultdict(dict)
            for period, code, value in rows:
                by_period[period][code] = value
            result[name] = dict(by_period)
    finally:
        connection.close()
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(FIXTURES / "boundary", tmp_path_factory.mktemp("boundary") / "p")


@pytest.fixture(scope="module")
def onto_2021(project: Path):
    return run(project)


@pytest.fixture(scope="module")
def onto_2020(tmp_path_factory):
    return run(copy_project(FIXTURES / "boundary", tmp_path_factory.mktemp("back") / "p"), BACKWARD)


def assert_close(actual: dict[str, float], expected: dict[str, float]) -> None:
    assert set(actual) == set(expected)
    for code, value in expected.items():
        assert actual[code] == pytest.approx(value, rel=1e-12), code


@pytest.mark.slow
def test_forward_the_boundary_change_divides_population_and_spend_by_its_shares(
    project: Path, onto_2021
) -> None:
    data = published(project)
    (change,) = [e for e in events(project) if e["type"] == "boundary_change"]
    shares = {s["code"]: s["share"] for s in change["to"]}
    assert change["from"] == ["A"] and set(shares) == {"A", "B"}
    for measure in ("population", "spend"):
        for period in BEFORE:
            a, b = data[measure][("A", period)], data[measure][("B", period)]
            restated = onto_2021[measure][period]
            assert restated["A"] == pytest.approx(a * shares["A"], rel=1e-12)
            assert restated["B"] == pytest.approx(b + a * shares["B"], rel=1e-12)
            assert restated["C"] == data[measure][("C", period)]
        for period in AFTER:  # already on the new boundaries
            assert onto_2021[measure][period] == councils(data[measure], period)


@pytest.mark.slow
def test_forward_the_transfer_moves_the_districts_population_share_of_each_year(
    project: Path, onto_2021
) -> None:
    data = published(project)
    (transfer,) = [e for e in events(project) if e["type"] == "transfer"]
    assert transfer["from"] == ["K"] and transfer["to"][0]["districts"] == ["K3"]
    people = data["population"]
    for period in BEFORE:
        moved = people[("K3", period)] / people[("K", period)]
        for measure in ("population", "spend"):
            k, l_ = data[measure][("K", period)], data[measure][("L", period)]
            restated = onto_2021[measure][period]
            assert restated["K"] == pytest.approx(k * (1 - moved), rel=1e-12)
            assert restated["L"] == pytest.approx(l_ + k * moved, rel=1e-12)
        # Kingsmoor keeps the people of its other districts
        assert onto_2021["population"][period]["K"] == pytest.approx(
            people[("K1", period)] + people[("K2", period)], rel=1e-12
        )


@pytest.mark.slow
def test_forward_every_council_is_as_the_rules_give_and_totals_are_conserved(
    project: Path, onto_2021
) -> None:
    data, lineage = published(project), events(project)
    for period in BEFORE + AFTER:
        basis = of_period(data["population"], period)
        for measure in ("population", "spend"):
            old = councils(data[measure], period)
            expected = forward(old, basis, lineage) if period in BEFORE else old
            assert_close(onto_2021[measure][period], expected)
            assert sum(onto_2021[measure][period].values()) == pytest.approx(
                sum(old.values()), rel=CONSERVED, abs=0
            )


@pytest.mark.slow
def test_spend_per_head_moves_with_the_population(project: Path, onto_2021) -> None:
    data = published(project)
    for period in BEFORE:
        per_head = onto_2021["spend_per_head"][period]
        spend, people = onto_2021["spend"][period], onto_2021["population"][period]
        for code in UPPER:
            assert per_head[code] == pytest.approx(spend[code] / people[code], rel=1e-12)
        # the share of Alderley that stays takes its money and people alike: its spend per head is unchanged
        old = {m: councils(data[m], period) for m in ("spend", "population")}
        assert per_head["A"] == pytest.approx(old["spend"]["A"] / old["population"]["A"], rel=1e-12)
        assert per_head["K"] == pytest.approx(old["spend"]["K"] / old["population"]["K"], rel=1e-12)
        assert per_head["B"] == pytest.approx(
            (old["spend"]["B"] + 0.1 * old["spend"]["A"])
            / (old["population"]["B"] + 0.1 * old["population"]["A"]),
            rel=1e-12,
        )


@pytest.mark.slow
def test_backward_a_receiver_returns_to_the_areas_its_territory_came_from(
    project: Path, onto_2020
) -> None:
    data, lineage = published(project), events(project)
    basis = of_period(data["population"], LAST_BEFORE)
    (change,) = [e for e in lineage if e["type"] == "boundary_change"]
    given = {s["code"]: s["share"] for s in change["to"]}["B"] * basis["A"]
    for measure in ("population", "spend"):
        for period in AFTER:
            new = councils(data[measure], period)
            restated = onto_2020[measure][period]
            # Alderley's new territory was all Alderley's: it returns whole; Bramford's is divided by
            # Alderley's tenth and Bramford's own population of mid-2020
            assert restated["A"] == pytest.approx(
                new["A"] + new["B"] * given / (given + basis["B"]), rel=1e-12
            )
            assert restated["B"] == pytest.approx(
                new["B"] * basis["B"] / (given + basis["B"]), rel=1e-12
            )
            # the same for the transfer: Lowfield's new territory is Kirkby's and its own
            assert restated["K"] == pytest.approx(
                new["K"] + new["L"] * basis["K3"] / (basis["K3"] + basis["L"]), rel=1e-12
            )
            assert_close(restated, backward(new, basis, lineage))
            assert sum(restated.values()) == pytest.approx(sum(new.values()), rel=CONSERVED, abs=0)
        for period in BEFORE:  # already on the old boundaries
            assert onto_2020[measure][period] == councils(data[measure], period)


@pytest.mark.slow
def test_forward_then_backward_returns_the_basis_year_exactly(
    project: Path, onto_2021, tmp_path
) -> None:
    """A back-cast on the new codes (as ONS publishes populations on current boundaries) restated
    backward: the forward-restated 2020-21 population returns exactly to the published one, since
    backward divides by that year's basis; other years and spend go back by the rule, not exactly."""
    data, lineage = published(project), events(project)
    backcast = copy_project(FIXTURES / "boundary", tmp_path / "backcast")
    with open(backcast / "data" / "backcast.csv", "w") as handle:  # derived from synthetic data
        handle.write("area,year,population,spend\n")
        for period in BEFORE:
            for code in UPPER:
                people, spend = (
                    onto_2021["population"][period][code],
                    onto_2021["spend"][period][code],
                )
                handle.write(f"{code},{period},{people!r},{spend!r}\n")
    (backcast / "specs" / "backcast.yaml").write_text(
        "indexc: 2\n"
        "sources:\n"
        "  - id: backcast\n"
        "    layout: wide\n"
        "    columns: {area: area, period: year}\n"
        '    period: {grain: financial_year, format: "YYYY-YY"}\n'
        "    geography: {level: upper, codes: 2021-04-01}\n"
        "    items: {population: Residents on the 2021 boundaries, spend: Spend on the 2021 boundaries}\n"
        "measures:\n"
        "  - {id: population_2021_boundaries, unit: people, additivity: sum,"
        " bindings: [{source: backcast, item: population}]}\n"
        "  - {id: spend_2021_boundaries, unit: gbp, additivity: sum,"
        " bindings: [{source: backcast, item: spend}]}\n"
    )
    target = backcast / "targets" / "duckdb.yaml"
    target.write_text(target.read_text() + "  backcast: {path: data/backcast.csv}\n")
    Project(backcast, GeographyOptions(date=BACKWARD)).run(publish_as_live=True)
    connection = duckdb.connect(str(backcast / "build" / "boundary.duckdb"), read_only=True)
    try:
        back = {
            measure: {
                (code, period): value
                for period, code, value in connection.execute(
                    f"SELECT period, area_code, value FROM {SCHEMA}.restated__{measure}_2021_boundaries"
                ).fetchall()
            }
            for measure in ("population", "spend")
        }
    finally:
        connection.close()
    basis = of_period(data["population"], LAST_BEFORE)
    for measure in ("population", "spend"):
        for period in BEFORE:
            returned = of_period(back[measure], period)
            assert_close(returned, backward(onto_2021[measure][period], basis, lineage))
            assert sum(returned.values()) == pytest.approx(
                sum(councils(data[measure], period).values()), rel=CONSERVED, abs=0
            )
    exact = of_period(back["population"], LAST_BEFORE)
    for code, value in councils(data["population"], LAST_BEFORE).items():
        assert exact[code] == pytest.approx(value, rel=CONSERVED, abs=0), code
    # an earlier year goes back by 2020-21's basis, not its own: Alderley's is not returned exactly
    earlier = of_period(back["population"], "2018-19")
    assert earlier["A"] != pytest.approx(data["population"][("A", "2018-19")], rel=1e-6)


def add_event(project: Path, text: str) -> None:
    geography = project / "specs" / "geography.yaml"
    geography.write_text(geography.read_text() + text)


CASTLETON_TO_BRAMFORD = """\
  - id: castleton_bramford_2021
    effective: 2021-04-01
    type: boundary_change
    from: [C]
    to:
      - {code: C, share: 0.8}
      - {code: B, share: 0.2}
    shares_source: "synthetic: written by the test"
    apportion: {by: population}
"""
BRAMFORD_TO_ALDERLEY = """\
  - id: bramford_alderley_2021
    effective: 2021-04-01
    type: boundary_change
    from: [B]
    to:
      - {code: B, share: 0.95}
      - {code: A, share: 0.05}
    shares_source: "synthetic: written by the test"
    apportion: {by: population}
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "added",
    [
        pytest.param(CASTLETON_TO_BRAMFORD, id="two neighbours give to one council"),
        pytest.param(BRAMFORD_TO_ALDERLEY, id="two councils exchange territory"),
    ],
)
def test_a_council_receiving_and_giving_on_one_day_counts_its_own_territory_once(
    tmp_path: Path, added: str
) -> None:
    """Bramford receives from Alderley and from Castleton, or gives Alderley part back: its own
    territory is counted once, not once per event naming it."""
    project = copy_project(FIXTURES / "boundary", tmp_path / "p")
    add_event(project, added)
    data, lineage = published(project), events(project)
    onto_2021 = run(project)
    backward_project = copy_project(project, tmp_path / "back")
    onto_2020 = run(backward_project, BACKWARD)
    basis_before = of_period(data["population"], LAST_BEFORE)
    for measure in ("population", "spend"):
        for period in BEFORE:
            old = councils(data[measure], period)
            expected = forward(old, of_period(data["population"], period), lineage)
            assert_close(onto_2021[measure][period], expected)
            assert sum(onto_2021[measure][period].values()) == pytest.approx(
                sum(old.values()), rel=CONSERVED, abs=0
            )
        for period in AFTER:
            new = councils(data[measure], period)
            assert_close(onto_2020[measure][period], backward(new, basis_before, lineage))
            assert sum(onto_2020[measure][period].values()) == pytest.approx(
                sum(new.values()), rel=CONSERVED, abs=0
            )
    if added == CASTLETON_TO_BRAMFORD:
        a, b, c = (data["population"][(code, "2018-19")] for code in "ABC")
        assert onto_2021["population"]["2018-19"]["B"] == pytest.approx(b + 0.1 * a + 0.2 * c)


def lineage_text(project: Path, code: str, *options: str) -> str:
    result = CliRunner().invoke(main, ["--project", str(project), *options, "lineage", code])
    assert result.exit_code == 0, result.output
    return result.output


def test_lineage_tells_what_moved_and_how_it_goes_back(project: Path) -> None:
    text = lineage_text(project, "A")
    assert "2021-04-01 boundary_change 'alderley_bramford_2021'" in text
    assert "A Alderley -> A: share 0.9 (synthetic:" in text
    assert "A Alderley -> B: share 0.1 (synthetic:" in text
    assert "B Bramford -> B" not in text  # Bramford keeping its own territory goes without saying
    assert (
        "backward, B's value goes to A by (0.1 x A) / (0.1 x A + B) and to B by B / (0.1 x A + B): "
        "population in the last period before the event"
    ) in text
    assert "[upper] B Bramford, periods earliest to 2020-21: x 0.1" in text
    back = lineage_text(project, "B", "--geography-date", "2020-04-01")
    assert "[upper] A Alderley, periods 2021-22 to latest: x inverse share apportioned" in back
    kirkby = lineage_text(project, "K3")
    assert "2021-04-01 transfer 'kirkby_transfer_2021'" in kirkby
    assert "K Kingsmoor -> L: apportioned each period by population: K3 / (K3 + (K - K3))" in kirkby
    assert "backward, L's value goes to K by K3 / (K3 + L) and to L by L / (K3 + L)" in kirkby


@pytest.mark.slow
@pytest.mark.parametrize("date", [None, BACKWARD], ids=["forward", "backward"])
def test_it_compiles_for_snowflake_and_every_statement_passes_the_static_check(
    tmp_path: Path, date: datetime.date | None
) -> None:
    project = copy_project(FIXTURES / "boundary", tmp_path / "p")
    build = Project(project, GeographyOptions(date=date)).build("snowflake")
    files = sorted(build.path.glob("*.sql"))
    assert len(files) == len(build.objects) > 10
    assert any("restated__spend" in path.name for path in files)
    for path in files:
        text = path.read_text()
        assert snowflake_problems(text) == [], path.name
        assert len([s for s in sqlglot.parse(text, read="snowflake") if s is not None]) == 1
