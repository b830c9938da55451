"""Missing markers and confidence limits (docs/spec-language.md §2 "How values are read").

The fixture (tests/fixtures/values) holds real rows: ONS Explore Local Statistics indicators with
their published confidence limits, and ONS mid-year populations in which three cells were replaced
by GSS markers. Expected values are read from the fixture's CSV files here, never typed in.
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
from indexc.plan.nodes import ValueCheckNode
from indexc.project import Project
from indexc.run_failures import value_failed
from indexc.spec.sources import GSS_MISSING_MARKERS
from indexc.validate.value_columns import reads_as_number

VALUES = FIXTURES / "values"
SCHEMA = "values_index"
HEALTHY, OBESE = "healthy-weight-children-reception", "obese-children-reception"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _els(item: str) -> dict[tuple[str, str], tuple[float, float, float]]:
    """(area, period) -> (value, lci, uci) of an item, as published."""
    return {
        (r["area_code"], r["period"]): (float(r["value"]), float(r["lci"]), float(r["uci"]))
        for r in _rows(VALUES / "data" / "health_els.csv")
        if r["measure_code"] == item
    }


def _run(root: Path) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(
        main, ["--project", str(root), "run", "-q", "--format", "json"], catch_exceptions=False
    )
    return result.exit_code, json.loads(result.stderr) if result.stderr.strip() else []


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = copy_project(VALUES, tmp_path_factory.mktemp("values") / "values")
    code, diagnostics = _run(root)
    assert code == 0, diagnostics
    connection = duckdb.connect(str(root / "build" / "values.duckdb"), read_only=True)
    yield connection
    connection.close()


def _table(connection: duckdb.DuckDBPyConnection, name: str, columns: str) -> dict:
    rows = connection.execute(
        f"SELECT area_code, period, {columns} FROM {SCHEMA}.{name}"
    ).fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


@pytest.mark.slow
def test_markers_are_missing_values_like_blanks(ran: duckdb.DuckDBPyConnection) -> None:
    published = _rows(VALUES / "data" / "population_suppressed.csv")
    marked = [r for r in published if r["population"] in GSS_MISSING_MARKERS]
    assert {r["population"] for r in marked} == {"[c]", "..", "NA"}
    by_line = {
        line: value
        for line, value in ran.execute(
            f"SELECT source_line, value FROM {SCHEMA}.source__population"
        ).fetchall()
    }
    expected = {
        line: None if r["population"] in GSS_MISSING_MARKERS else float(r["population"])
        for line, r in enumerate(published, start=2)
    }
    assert by_line == expected
    thousands = _table(ran, "metric__residents_thousands", "value")
    assert len(thousands) == len(published) - len(marked)
    for r in published:
        if r["population"] not in GSS_MISSING_MARKERS:
            period = f"{r['mid_year']}-{(int(r['mid_year']) + 1) % 100:02d}"
            assert thousands[r["gss_code"], period][0] == pytest.approx(
                float(r["population"]) / 1000
            )


@pytest.mark.slow
def test_confidence_limits_reach_the_measure_and_a_metric_that_reads_it_as_it_is(
    ran: duckdb.DuckDBPyConnection,
) -> None:
    published = _els(HEALTHY)
    assert len(published) == 6
    assert _table(ran, "measure__healthy_weight_reception", "value, lci, uci") == published
    assert _table(ran, "metric__healthy_weight_reception", "value, lci, uci") == published
    assert all(lci <= value <= uci for value, lci, uci in published.values())


@pytest.mark.slow
def test_a_computed_metric_has_no_limits(ran: duckdb.DuckDBPyConnection) -> None:
    obese = _els(OBESE)
    got = _table(ran, "metric__not_obese_reception", "value, lci, uci")
    assert got.keys() == obese.keys()
    for key, (value, lci, uci) in got.items():
        assert value == pytest.approx(100 - obese[key][0])
        assert lci is None and uci is None
    assert _table(ran, "measure__obese_reception", "value, lci, uci") == obese


@pytest.mark.slow
def test_an_index_reading_the_measure_straight_from_its_source_scores_the_published_values(
    ran: duckdb.DuckDBPyConnection,
) -> None:
    bindings = ran.execute(f"SELECT * FROM {SCHEMA}.index__children__bindings").fetchall()
    assert bindings, "the metric is read straight from its source"
    values = ran.execute(
        f"SELECT area_code, period, value FROM {SCHEMA}.index__children__metric_values "
        "WHERE metric = 'healthy_weight_reception'"
    ).fetchall()
    assert {(a, p): v for a, p, v in values} == {k: v[0] for k, v in _els(HEALTHY).items()}


@pytest.mark.slow
def test_a_text_that_is_no_marker_fails_at_its_file_line_and_column(tmp_path: Path) -> None:
    root = copy_project(VALUES, tmp_path / "values")
    data = root / "data" / "population_suppressed.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",na"  # lower case: markers are compared exactly
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, diagnostics = _run(root)
    assert code == 1
    (found,) = diagnostics
    header = lines[0].split(",")
    assert (found["code"], found["file"], found["line"], found["col"]) == (
        "IX717",
        "data/population_suppressed.csv",
        3,
        header.index("population") + 1,
    )
    assert "value 'na' in column 'population'" in found["message"]
    assert "; ".join(GSS_MISSING_MARKERS) in found["hint"]


@pytest.mark.slow
def test_a_limit_the_value_lies_outside_fails_the_run(tmp_path: Path) -> None:
    root = copy_project(VALUES, tmp_path / "values")
    data = root / "data" / "health_els.csv"
    rows = _rows(data)
    rows[0]["lci"], rows[0]["uci"] = rows[0]["uci"], rows[0]["lci"]  # swapped columns
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    code, diagnostics = _run(root)
    assert code == 1
    (found,) = diagnostics
    assert found["code"] == "IX718"
    assert (
        f"{rows[0]['area_code']} {rows[0]['period']} {rows[0]['measure_code']}" in found["message"]
    )
    assert "data/health_els.csv, line 2" in found["message"]


def test_the_snowflake_build_reads_values_with_try_cast_and_passes_the_static_check() -> None:
    build = Project(VALUES).build("snowflake", write=False)
    statements = {o.name: o.statement for o in build.objects}
    for name, statement in statements.items():
        assert snowflake_problems(statement) == [], name
    assert "TRY_CAST" in statements["source__health_els"]
    assert 'CAST("VALUE" AS DOUBLE)' not in statements["source__health_els"].upper()
    assert {
        "check__health_els__cells",
        "check__health_els__limits",
        "check__population__cells",
    } <= (statements.keys())
    assert "check__population__limits" not in statements  # a wide source has no limits


def test_an_empty_marker_list_compares_with_no_marker(tmp_path: Path) -> None:
    root = copy_project(VALUES, tmp_path / "values")
    spec = root / "specs" / "values.yaml"
    spec.write_text(
        spec.read_text().replace(
            "    items: {population: Residents at 30 June}",
            "    items: {population: Residents at 30 June}\n    missing: []",
        )
    )
    statements = {o.name: o.statement for o in Project(root).build("duckdb", write=False).objects}
    assert "'[c]'" not in statements["source__population"]
    assert "'[c]'" in statements["source__health_els"]


def test_a_marker_that_reads_as_a_number_is_refused() -> None:
    assert all(reads_as_number(text) for text in ("0", "-1", "1e3", " 2 "))
    assert not any(reads_as_number(text) for text in (*GSS_MISSING_MARKERS, "NaN", "inf"))


def test_on_a_table_a_bad_cell_is_reported_at_its_column_declaration() -> None:
    """Snowflake reads tables, which have no lines: the check's line is empty (NULL)."""
    build = Project(VALUES).build("snowflake", write=False)
    (check,) = [o.node for o in build.objects if o.name == "check__health_els__cells"]
    assert isinstance(check, ValueCheckNode)
    found = (f" | uci | {'n/a ' * 20}", " | value | x1")
    first, second = value_failed(check, found, build, VALUES)
    assert first.code == "IX717"
    spec = "specs/values.yaml"
    assert (first.location.file, second.location.file) == (spec, spec)
    lines = (VALUES / spec).read_text().splitlines()
    assert "uci: uci" in lines[first.location.line - 1]
    assert lines[first.location.line - 1][first.location.col - 1 :].startswith("uci}")
    assert f"value '{('n/a ' * 20)[:39]}…' in column 'uci'" in first.message  # cut to 40 characters
    assert "in RAW.HEALTH_ELS" in second.message
