"""Bindings side by side (an old and a new feed during a transition), run on DuckDB: per area and
period the preferred binding's value, the other binding filling its gaps, and the reconciliation
audit listing every disagreement. The fixture (tests/fixtures/transition) is synthetic; expected
values are worked out here from its CSV files and its spec, not read from the code's output.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, copy_project

from indexc.generate.snowflake_check import snowflake_problems
from indexc.load import load_tree
from indexc.project import Project
from indexc.spec.measures import Binding
from indexc.validate import validate

TRANSITION = FIXTURES / "transition"
SCHEMA = "transition_index"
Values = dict[tuple[str, str], float]


def fy_of_ending(year: str) -> str:
    """'2018' (financial year ending March 2018) as the label 2017-18."""
    start = int(year) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def feeds(root: Path = TRANSITION) -> tuple[Values, Values]:
    """(old, new): each feed's values within its binding's periods, blank cells left out."""
    spec = (root / "specs" / "transition.yaml").read_text()
    old_to = re.search(r"source: finance_old, item: spend, periods: \{to: ([\d-]+)\}", spec)
    new_from = re.search(r"source: finance_new, item: SPEND, periods: \{from: ([\d-]+)\}", spec)
    assert old_to and new_from
    old, new = {}, {}
    with (root / "data" / "finance_old.csv").open() as f:
        for row in csv.DictReader(f):
            if row["spend"].strip() and row["year"] <= old_to[1]:
                old[row["area"], row["year"]] = float(row["spend"])
    with (root / "data" / "finance_new.csv").open() as f:
        for row in csv.DictReader(f):
            period = fy_of_ending(row["fy_ending"])
            if row["val"].strip() and period >= new_from[1]:
                new[row["code"], period] = float(row["val"])
    return old, new


def run(project: Path) -> duckdb.DuckDBPyConnection:
    Project(project).run()
    return duckdb.connect(str(project / "build" / "transition.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def transition_run(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return run(copy_project(TRANSITION, tmp_path_factory.mktemp("transition") / "transition"))


@pytest.mark.slow  # runs the fixture
def test_the_preferred_feed_wins_and_the_other_fills_its_gaps(transition_run) -> None:
    old, new = feeds()
    expected = {key: (value, "finance_new") for key, value in new.items()}
    for key, value in old.items():
        expected.setdefault(key, (value, "finance_old"))  # the new feed has no value: a gap filled
    got = {
        (a, p): (v, s)
        for a, p, v, s in transition_run.execute(
            f"SELECT area_code, period, value, source FROM {SCHEMA}.measure__spend"
        ).fetchall()
    }
    assert got == expected
    rows = transition_run.execute(f"SELECT COUNT(*) FROM {SCHEMA}.measure__spend").fetchone()
    assert rows == (len(expected),)  # one row per area and period: nothing given twice
    filled = [key for key, (_, source) in expected.items() if source == "finance_old"]
    assert any(key in old and key[1] >= "2017-18" for key in filled)  # the fixture has a gap


@pytest.mark.slow
def test_an_index_reading_the_measure_as_it_is_reads_the_preferred_values(transition_run) -> None:
    """A metric that is one measure is read by the index straight from its sources unless its view
    chooses rows; with precedence it must read the view, or overlapping periods would count twice."""
    old, new = feeds()
    expected = {**old, **new}
    got = {
        (a, p): v
        for a, p, v in transition_run.execute(
            f"SELECT area_code, period, value FROM {SCHEMA}.index__transition__metric_values "
            "WHERE metric = 'spend'"
        ).fetchall()
    }
    assert got == expected


@pytest.mark.slow
def test_the_reconciliation_lists_differences_beyond_tolerance_and_missing_areas(
    transition_run,
) -> None:
    old, new = feeds()
    spec = (TRANSITION / "specs" / "transition.yaml").read_text()
    tolerance = float(re.search(r"reconcile: \{absolute: ([\d.]+)\}", spec)[1])  # type: ignore[index]
    common = {p for _, p in old} & {p for _, p in new}
    expected = set()
    for (area, period), value in new.items():
        if (area, period) in old and abs(old[area, period] - value) > tolerance:
            expected.add(("differs", area, period, value, old[area, period]))
        elif period in common and (area, period) not in old:
            expected.add(("only_preferred", area, period, value, None))
    for (area, period), value in old.items():
        if period in common and (area, period) not in new:
            expected.add(("only_other", area, period, None, value))
    got = transition_run.execute(
        f"SELECT finding, area_code, period, preferred_value, other_value, difference, "
        f"preferred_source, other_source, tolerance FROM {SCHEMA}.reconcile__spend"
    ).fetchall()
    assert {row[:5] for row in got} == expected
    assert len(got) == len(expected)
    published = f"SELECT COUNT(*) FROM {SCHEMA}_published.reconcile__spend"
    assert transition_run.execute(published).fetchone() == (len(expected),)
    kinds = {row[0] for row in got}
    assert kinds == {"differs", "only_preferred", "only_other"}  # the fixture has each kind
    within = [k for k in old if k in new and 0 < abs(old[k] - new[k]) <= tolerance]
    assert within and not any((r[1], r[2]) in within for r in got)  # within tolerance: not listed
    for finding, _, _, preferred, other, difference, p_source, o_source, words in got:
        assert (p_source, o_source, words) == (
            "finance_new",
            "finance_old",
            f"absolute {tolerance:g}",
        )
        if finding == "differs":
            assert difference == pytest.approx(other - preferred)


@pytest.mark.slow
def test_precedence_decided_on_the_rows_before_restatement(geo_project: Path) -> None:
    """With a geography, two feeds on the same codes resolve before restatement: the codes check
    finds nothing given twice, and the restated values are the preferred ones (R1 recoded R2)."""
    rows = [
        line.split(",")
        for line in (geo_project / "data" / "finance.csv").read_text().splitlines()[1:]
    ]
    old = {(a, p): float(v) for a, p, v in rows}
    # synthetic: the 2019-20 rows of the old feed, U1 revised and R1 not given
    new = {(a, p): v + (5 if a == "U1" else 0) for (a, p), v in old.items() if p == "2019-20"}
    new.pop(("R1", "2019-20"))
    (geo_project / "data" / "finance_new.csv").write_text(
        "area,year,spend\n" + "".join(f"{a},{p},{v:g}\n" for (a, p), v in new.items())
    )
    data = geo_project / "specs" / "data.yaml"
    text = data.read_text()
    text = text.replace(
        "    bindings: [{source: finance, item: spend}]",
        "    bindings:\n"
        "      - {source: finance, item: spend, precedence: 2}\n"
        "      - {source: finance_new, item: spend, periods: {from: 2019-20, to: 2019-20}, "
        "precedence: 1}",
    )
    text = text.replace(
        "  - id: people\n",
        "  - id: finance_new\n    layout: wide\n    columns: {area: area, period: year}\n"
        '    period: {grain: financial_year, format: "YYYY-YY"}\n'
        "    geography: {level: upper, codes: as_published}\n    items: {spend: Spend}\n"
        "  - id: people\n",
    )
    data.write_text(text)
    target = geo_project / "targets" / "duckdb.yaml"
    target.write_text(
        target.read_text().replace(
            "  finance: {path: data/finance.csv}\n",
            "  finance: {path: data/finance.csv}\n  finance_new: {path: data/finance_new.csv}\n",
        )
    )
    Project(geo_project).run()
    db = duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True)
    got = dict(
        (
            ((a, p), v)
            for a, p, v in db.execute(
                "SELECT area_code, period, value FROM geo_index.measure__spend"
            ).fetchall()
        )
    )
    assert got == {**old, **new}
    restated = dict(
        (
            (a, v)
            for a, v in db.execute(
                "SELECT area_code, value FROM geo_index.restated__spend WHERE period = '2019-20'"
            ).fetchall()
        )
    )
    assert restated["U1"] == new["U1", "2019-20"]
    assert restated["R2"] == old["R1", "2019-20"]  # the gap filled from the old feed, recoded


def _old_restated(old: Values) -> Values:
    """The old feed (codes as published) on the councils of 2020-04-01, by hand: M1 and M2 merge
    into M3 (a sum), R1 is recoded R2, the other codes of 2019-20 on are unchanged."""
    restated: Values = {}
    successor = {"M1": "M3", "M2": "M3", "R1": "R2"}
    for (area, period), value in old.items():
        if period >= "2019-20":
            key = (successor.get(area, area), period)
            restated[key] = restated.get(key, 0.0) + value
    return restated


def feeds_on_different_codes(root: Path, codes: str = "2020-04-01") -> tuple[Values, Values]:
    """The geo fixture with a new spending feed back-cast onto the councils of `codes` beside the old
    feed on the codes as published; (old, new) values. Synthetic: the new feed is the old one
    restated by hand, M3 revised by 15, U1 by 3 (within the tolerance of 5), R2 not given in
    2019-20, and S given for 2020-21, which the old feed (its row removed here) lacks."""
    finance = root / "data" / "finance.csv"
    lines = finance.read_text().splitlines()
    finance.write_text("\n".join(line for line in lines if line != "S,2020-21,420") + "\n")
    rows = [line.split(",") for line in finance.read_text().splitlines()[1:]]
    old = {(a, p): float(v) for a, p, v in rows}
    new = {key: value for key, value in _old_restated(old).items()}
    new[("M3", "2019-20")] += 15
    new[("U1", "2019-20")] += 3
    new.pop(("R2", "2019-20"))
    new[("S", "2020-21")] = 425.0
    (root / "data" / "finance_new.csv").write_text(
        "area,year,spend\n" + "".join(f"{a},{p},{v:g}\n" for (a, p), v in sorted(new.items()))
    )
    data = root / "specs" / "data.yaml"
    text = data.read_text().replace(
        "    bindings: [{source: finance, item: spend}]",
        "    bindings:\n"
        "      - {source: finance, item: spend, precedence: 2, reconcile: {absolute: 5}}\n"
        "      - {source: finance_new, item: spend, periods: {from: 2019-20}, precedence: 1}",
    )
    text = text.replace(
        "  - id: people\n",
        "  - id: finance_new\n    layout: wide\n    columns: {area: area, period: year}\n"
        '    period: {grain: financial_year, format: "YYYY-YY"}\n'
        f"    geography: {{level: upper, codes: {codes}}}\n    items: {{spend: Spend}}\n"
        "  - id: people\n",
    )
    data.write_text(text)
    target = root / "targets" / "duckdb.yaml"
    target.write_text(
        target.read_text().replace(
            "  finance: {path: data/finance.csv}\n",
            "  finance: {path: data/finance.csv}\n  finance_new: {path: data/finance_new.csv}\n",
        )
    )
    return old, new


@pytest.mark.slow
def test_feeds_on_different_codes_are_chosen_between_once_restated(geo_project: Path) -> None:
    """The old feed on the codes as published and the new one back-cast onto the councils of the
    geography date: restated__spend is the new feed's value where it has one, the old feed's
    restated value (M1 + M2 for M3, R1 for R2) where not; the audit compares them restated."""
    old, new = feeds_on_different_codes(geo_project)
    restated_old = _old_restated(old)
    project = Project(geo_project)
    project.run()
    said = {(d.code, d.message.split(":")[0]) for d in project.run_warnings}
    assert {("IX746", "spend"), ("IX747", "spend")} <= said
    assert not any(d.code == "IX705" and "precedence" in d.hint for d in project.run_warnings)
    db = duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True)
    got = {
        (a, p): v
        for a, p, v in db.execute(
            "SELECT area_code, period, value FROM geo_index.restated__spend "
            "WHERE period >= '2019-20'"
        ).fetchall()
    }
    assert got == {**restated_old, **new}
    assert got["R2", "2019-20"] == old["R1", "2019-20"]  # the gap filled from the old feed
    assert got["M3", "2019-20"] == new["M3", "2019-20"]  # the preferred feed wins
    (rows,) = db.execute(
        "SELECT COUNT(*) FROM geo_index.restated__spend WHERE period >= '2019-20'"
    ).fetchone()
    assert rows == len(got)  # one row per area and period
    earlier = {
        a: v
        for a, v in db.execute(
            "SELECT area_code, value FROM geo_index.restated__spend WHERE period = '2018-19'"
        ).fetchall()
    }
    # before the new feed's periods, the old feed alone: merged and recoded by hand
    assert earlier["M3"] == old["M1", "2018-19"] + old["M2", "2018-19"]
    assert earlier["R2"] == old["R1", "2018-19"]
    columns = [
        r[0]
        for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'geo_index' "
            "AND table_name = 'restated__spend__precedence_1' ORDER BY ordinal_position"
        ).fetchall()
    ]
    chosen = [
        r[0]
        for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'geo_index' "
            "AND table_name = 'restated__spend' ORDER BY ordinal_position"
        ).fetchall()
    ]
    assert chosen == columns  # every column of the restatement carried through

    expected = set()
    common = {p for _, p in new} & {p for _, p in restated_old}
    for (area, period), value in new.items():
        if (area, period) in restated_old:
            if abs(restated_old[area, period] - value) > 5:
                expected.add(("differs", area, period, value, restated_old[area, period]))
        elif period in common:
            expected.add(("only_preferred", area, period, value, None))
    for (area, period), value in restated_old.items():
        if period in common and (area, period) not in new:
            expected.add(("only_other", area, period, None, value))
    got_audit = db.execute(
        "SELECT finding, area_code, period, preferred_value, other_value, preferred_source, "
        "other_source FROM geo_index.reconcile__spend"
    ).fetchall()
    assert {r[:5] for r in got_audit} == expected
    assert len(got_audit) == len(expected)
    assert {r[0] for r in got_audit} == {"differs", "only_preferred", "only_other"}
    assert {r[5:] for r in got_audit} == {("finance_new", "finance")}


@pytest.mark.slow  # compiles the geo fixture for Snowflake
def test_feeds_on_different_codes_pass_the_snowflake_static_check(geo_project: Path) -> None:
    feeds_on_different_codes(geo_project)
    target = geo_project / "targets" / "snowflake.yaml"
    target.write_text(
        target.read_text().replace(
            "  finance: {table: RAW.FINANCE}\n",
            "  finance: {table: RAW.FINANCE}\n  finance_new: {table: RAW.FINANCE_NEW}\n",
        )
    )
    build = Project(geo_project).build("snowflake", write=False)
    by_name = {o.name: o.statement for o in build.objects}
    assert {"restated__spend__precedence_1", "restated__spend__precedence_2"} <= set(by_name)
    assert "NOT EXISTS" in by_name["restated__spend"].upper()
    assert "reconcile__spend" in by_name
    for name, statement in by_name.items():
        assert snowflake_problems(statement) == [], name


def aligned(root: Path) -> Path:
    """The fixture with spending aligned to the latest value at most a year old (published 2019-20)."""
    spec = root / "specs" / "transition.yaml"
    text = spec.read_text().replace(
        "    unit: gbp\n    additivity: sum\n",
        "    unit: gbp\n    additivity: sum\n    align: {latest: {max_age: 1}}\n",
        1,
    )
    spec.write_text(text.replace("publish: {top: 3}", "publish: {top: 3, period: 2019-20}"))
    return root


@pytest.mark.slow
def test_an_aligned_measure_chooses_among_the_preferred_rows(tmp_path: Path) -> None:
    """Precedence is decided per area and financial year on the rows, before a year takes the latest
    value: each year of data has one feed's value, and 2020-21 is served the latest, 2019-20's."""
    old, new = feeds()
    expected = {**old, **new}
    last = max(p for _, p in expected)
    following = f"{int(last[:4]) + 1}-{(int(last[:4]) + 2) % 100:02d}"
    expected |= {(a, following): v for (a, p), v in new.items() if p == last}
    db = run(aligned(copy_project(TRANSITION, tmp_path / "transition")))
    got = {
        (a, p): v
        for a, p, v in db.execute(
            f"SELECT area_code, period, value FROM {SCHEMA}.measure__spend"
        ).fetchall()
    }
    assert got == expected


@pytest.mark.slow  # compiles the fixture twice for Snowflake: about a second on a busy machine
@pytest.mark.parametrize("variant", ["as published", "aligned"])
def test_the_snowflake_build_passes_the_static_check(variant: str, tmp_path: Path) -> None:
    root = copy_project(TRANSITION, tmp_path / "transition")
    build = Project(aligned(root) if variant == "aligned" else root).build("snowflake", write=False)
    by_name = {o.name: o.statement for o in build.objects}
    assert "NOT EXISTS" in by_name["measure__spend"].upper()
    assert "reconcile__spend" in by_name
    for name, statement in by_name.items():
        assert snowflake_problems(statement) == [], name


def test_a_measure_without_overlap_compiles_as_before() -> None:
    """Only a binding that yields by precedence gets the NOT EXISTS: population has one binding."""
    build = Project(TRANSITION).build("duckdb", write=False)
    population = next(o.statement for o in build.objects if o.name == "measure__population")
    assert "EXISTS" not in population.upper()


def test_a_binding_without_precedence_dumps_as_before() -> None:
    """Specs that do not use precedence or reconcile keep their hashes and snapshots."""
    plain = Binding.model_validate({"source": "finance", "item": "spend"})
    assert "precedence" not in plain.model_dump() and "reconcile" not in plain.model_dump()
    ordered = Binding.model_validate(
        {"source": "finance", "item": "spend", "precedence": 2, "reconcile": {"relative": 0.01}}
    )
    assert ordered.model_dump()["reconcile"] == {"relative": 0.01}
    files, _, _ = load_tree(TRANSITION / "specs", TRANSITION)
    catalog, diagnostics = validate(files)
    assert diagnostics == []
    assert catalog.measures["spend"].bindings[0].precedence == 2


@pytest.mark.slow
def test_a_value_the_preferred_feed_replaces_is_audited_not_smelt(tmp_path: Path) -> None:
    """The smell test reads the rows the measure reads: an old feed's value in the wrong unit that
    the new feed replaces fails nothing (it is not published) but is listed as a difference."""
    root = copy_project(TRANSITION, tmp_path / "transition")
    old, new = feeds(root)
    replaced = next(k for k in sorted(old) if k in new and old[k] != new[k])
    path = root / "data" / "finance_old.csv"
    area, period = replaced
    wrong_unit = old[replaced] * 1000
    path.write_text(
        path.read_text().replace(
            f"{area},{period},{old[replaced]:g}\n", f"{area},{period},{wrong_unit:g}\n"
        )
    )
    db = run(root)
    assert db.execute(f"SELECT COUNT(*) FROM {SCHEMA}.smell__spend").fetchone() == (0,)
    differs = db.execute(
        f"SELECT area_code, period, other_value FROM {SCHEMA}.reconcile__spend "
        "WHERE finding = 'differs'"
    ).fetchall()
    assert (area, period, wrong_unit) in differs
