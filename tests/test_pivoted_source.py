"""A pivoted source (LG Inform's CSV grouped by area in rows and period in columns) read from a real
file reshaped into that layout (tests/fixtures/pivoted/SOURCES.md): it gives the values of the long
file it was made from, skips its title lines and its repeated header, and `indexc impact` weighs a
move of the long source to it.

Expected values are read here from examples/data/asc_outcomes_oflog.csv, the original."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, copy_project

from indexc.cli import main
from indexc.generate.snowflake_check import snowflake_problems
from indexc.project import Project

ORIGINAL = REPO / "examples" / "data" / "asc_outcomes_oflog.csv"
PIVOTED_FILE = "data/lg_inform_asc2_by_period.csv"
ITEM = "ASC2"


@pytest.fixture
def pivoted_project(tmp_path: Path) -> Path:
    """The fixture, with the original long file its second source reads (not copied into the
    fixture: it is the example's)."""
    root = copy_project(FIXTURES / "pivoted", tmp_path / "pivoted")
    (root / "examples" / "data").mkdir(parents=True)
    shutil.copy(ORIGINAL, root / "examples" / "data" / ORIGINAL.name)
    return root


def original_values() -> dict[tuple[str, str], float]:
    with ORIGINAL.open(newline="", encoding="utf-8") as handle:
        return {
            (row["la_code"], row["financial_year"]): float(row["value"])
            for row in csv.DictReader(handle)
            if row["measure_code"] == ITEM and row["value"].strip()
        }


def test_the_fixture_file_is_the_script_s_output(tmp_path: Path) -> None:
    """scripts/pivot_lg_inform_layout.py is deterministic and wrote the file the fixture holds."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "pivot", REPO / "scripts" / "pivot_lg_inform_layout.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.OUT = tmp_path / "out.csv"
    script.ROOT = REPO
    script.main()
    assert script.OUT.read_bytes() == (FIXTURES / "pivoted" / PIVOTED_FILE).read_bytes()


@pytest.mark.slow
def test_the_pivoted_file_reads_as_the_long_file_it_came_from(pivoted_project: Path) -> None:
    result = CliRunner().invoke(
        main, ["--project", str(pivoted_project), "run", "--target", "duckdb", "-q"]
    )
    assert result.exit_code == 0, result.output
    lines = (pivoted_project / PIVOTED_FILE).read_text(encoding="utf-8").splitlines()
    headers = [number for number, line in enumerate(lines, start=1) if line.startswith("area,")]
    assert len(headers) == 2 and headers[0] == 3  # two title lines, and the header once more
    with duckdb.connect(str(pivoted_project / "build" / "pivoted.duckdb"), read_only=True) as db:
        rows = db.execute(
            "SELECT area_code, period, period_raw, item, value, source_line "
            "FROM pivoted_build.source__lg_inform_asc2"
        ).fetchall()
        measures = {
            name: sorted(
                db.execute(
                    f"SELECT area_code, period, value FROM pivoted_build.measure__{name}"
                ).fetchall()
            )
            for name in ("quality_of_life", "quality_of_life_pivoted")
        }
    expected = original_values()
    assert {(area, period): value for area, period, _, _, value, _ in rows} == expected
    assert len(rows) == len(expected)
    assert {item for *_, item, _, _ in rows} == {ITEM}
    assert all(raw == period for _, period, raw, *_ in rows)  # headed as the original labels them
    for area, _, _, _, _, line in rows:  # the line in the file, never a title or a header
        assert line > headers[0] and line != headers[1]
        assert lines[line - 1].startswith(f"{area},")
    assert measures["quality_of_life_pivoted"] == measures["quality_of_life"]
    assert len(measures["quality_of_life"]) == len([v for v in expected.values() if 0 < v <= 1])


def test_the_snowflake_build_unpivots_a_staged_table_and_passes_the_static_check(
    pivoted_project: Path,
) -> None:
    build = Project(pivoted_project).build("snowflake", write=False)
    read = {o.name: o.statement for o in build.objects if "lg_inform_asc2" in o.name}
    assert set(read) == {
        "source__lg_inform_asc2",
        "check__lg_inform_asc2__header",
        "check__lg_inform_asc2__cells",
        "check__lg_inform_asc2__duplicates",
        "check__source__lg_inform_asc2__values",
    }
    for statement in read.values():
        assert snowflake_problems(statement) == []
    source = read["source__lg_inform_asc2"]
    assert "OBJECT_CONSTRUCT(*)" in source and "LATERAL FLATTEN" in source
    assert "2016-17" not in source  # no period heading is compiled in: a new period is a new column
    duck = Project(pivoted_project).build("duckdb", write=False)
    duck_source = next(o.statement for o in duck.objects if o.name == "source__lg_inform_asc2")
    assert "READ_TEXT('data/lg_inform_asc2_by_period.csv')" in duck_source


def impact(project: Path, structure: str) -> list[str]:
    (project / "proposed.yaml").write_text(structure)
    result = CliRunner().invoke(
        main,
        [
            "--project",
            str(project),
            "impact",
            "--source",
            "oflog_asc_outcomes",
            "--structure",
            str(project / "proposed.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


PROPOSED = """indexc: 2
# the long Oflog file replaced by LG Inform's pivoted CSV of one metric type
source:
  layout: pivoted
  columns: {area: area, labels: [area label, area long label]}
  period: {grain: financial_year, format: "YYYY-YY"}
  items: {ASC2: "Social care-related quality of life, adjusted (index)"}
"""


def test_impact_of_moving_a_long_source_to_a_pivoted_file(pivoted_project: Path) -> None:
    """The pivoted file publishes one item, so the long source's other bound item breaks."""
    assert impact(pivoted_project, PROPOSED) == [
        "impact of the proposed structure of source oflog_asc_outcomes",
        "the source's declaration changes (edit its spec):",
        "  layout: long -> pivoted",
        "  columns.area: la_code -> area",
        "  columns.labels: (none) -> [area label, area long label]",
        "  columns.period: financial_year -> (none)",
        "  columns.item: measure_code -> (none)",
        "  columns.value: value -> (none)",
        "items no longer published: ASC7",
        "1 binding(s) break:",
        "  measure workforce_turnover: item ASC7, every period; data lost",
        "measures that lose data: workforce_turnover",
    ]


def test_a_proposed_pivoted_structure_is_validated_as_its_layout(pivoted_project: Path) -> None:
    two_items = PROPOSED.replace(
        '  items: {ASC2: "Social care-related quality of life, adjusted (index)"}',
        "  items: {ASC2: Quality of life, ASC7: Turnover}",
    )
    (pivoted_project / "proposed.yaml").write_text(two_items)
    result = CliRunner().invoke(
        main,
        [
            "--project",
            str(pivoted_project),
            "impact",
            "--source",
            "oflog_asc_outcomes",
            "--structure",
            str(pivoted_project / "proposed.yaml"),
        ],
    )
    assert result.exit_code == 1
    assert "proposed.yaml:7:" in result.output
    assert "a pivoted file holds the values of one item, not 2" in result.output


def stage(cursor, table: str, path: Path) -> None:
    """The pivoted file into a Snowflake table as docs/spec-language.md says to stage it: LINE, its
    line in the file, then one text column per field (C1, C2, ...), a short record padded with NULL
    and an empty field NULL, as COPY INTO with METADATA$FILE_ROW_NUMBER would load it."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        records = []
        for record in reader:
            records.append((reader.line_num, record))
    width = max(len(record) for _, record in records)
    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {table.rsplit('.', 1)[0]}")
    columns = ", ".join(f"C{n} VARCHAR" for n in range(1, width + 1))
    cursor.execute(f"CREATE OR REPLACE TABLE {table} (LINE INTEGER, {columns})")
    row = "(" + ", ".join(["%s"] * (width + 1)) + ")"
    cursor.execute(
        f"INSERT INTO {table} VALUES " + ", ".join([row] * len(records)),
        [
            cell
            for line, record in records
            for cell in [line, *(c or None for c in record), *[None] * (width - len(record))]
        ],
    )


def test_on_fakesnow_the_staged_table_gives_the_rows_duckdb_reads_from_the_file(
    pivoted_project: Path, fakesnow_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fakesnow runs the Snowflake SQL (OBJECT_CONSTRUCT(*), LATERAL FLATTEN) on DuckDB: the source's
    table and the measure's view hold what the DuckDB build reads from the file, lines included."""
    from test_snowflake_fakesnow import (
        ENVIRONMENT,
        differences,
        load_sources,
        plain,
        point_at_fakesnow,
        stand_in_for_snowflake,
        statically_checked,
    )

    from indexc.engines import snowflake as snowflake_engine

    point_at_fakesnow(pivoted_project)
    target = Project(pivoted_project).build("snowflake", write=False).target
    environment = {**ENVIRONMENT, "SNOWFLAKE_PORT": str(fakesnow_port)}
    long_only = target.model_copy(
        update={"relations": {"oflog_asc_outcomes": target.relations["oflog_asc_outcomes"]}}
    )
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    try:
        cursor = connection.cursor()
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS {target.database}")
        for schema in (target.schema_, target.published, target.published + "__SWAP"):
            cursor.execute(f'DROP SCHEMA IF EXISTS "{target.database}"."{schema.upper()}" CASCADE')
        load_sources(cursor, pivoted_project, long_only)
        pivoted_table = target.relations["lg_inform_asc2"]
        stage(cursor, f"{target.database}.{pivoted_table.table}", pivoted_project / PIVOTED_FILE)
    finally:
        connection.close()
    Project(pivoted_project).run("duckdb")
    made = stand_in_for_snowflake(monkeypatch)
    Project(pivoted_project, environ=environment).run("snowflake")
    statically_checked(made)
    columns = "area_code, period, period_raw, item, value, source_line"
    compared = {
        "source__lg_inform_asc2": columns,
        "measure__quality_of_life_pivoted": "area_code, period, value, data_period",
    }
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    try:
        cursor = connection.cursor()
        database = pivoted_project / "build" / "pivoted.duckdb"
        with duckdb.connect(str(database), read_only=True) as local:
            for name, listed in compared.items():
                expected = [
                    tuple(map(plain, r))
                    for r in local.execute(f"SELECT {listed} FROM pivoted_build.{name}").fetchall()
                ]
                actual = [
                    tuple(map(plain, r))
                    for r in cursor.execute(
                        f"SELECT {listed.upper()} FROM {target.database}.{target.schema_}.{name}"
                    ).fetchall()
                ]
                assert len(expected) == len(original_values()) or name.startswith("measure")
                assert differences(expected, actual) is None, name
    finally:
        connection.close()


def test_the_header_check_finds_a_file_without_a_header_row(
    pivoted_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On DuckDB the file check before a run says so first (IX504, tests/run_cases/pivoted.yml); the
    header check is what says it on Snowflake, and reads the same with DuckDB."""
    path = pivoted_project / PIVOTED_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("area,", "code,"), encoding="utf-8")
    build = Project(pivoted_project).build("duckdb", write=False)
    check = next(o.statement for o in build.objects if o.name == "check__lg_inform_asc2__header")
    monkeypatch.chdir(pivoted_project)
    with duckdb.connect() as db:
        assert db.execute(check).fetchall() == [("no header |  |  | ",)]


@pytest.mark.parametrize("pivoted", [False, True], ids=["wide", "pivoted"])
def test_a_data_file_that_is_not_utf8_is_refused_before_the_run(
    tmp_path: Path, pivoted: bool
) -> None:
    """A Latin-1 file (a council name with an accent) is said to be not UTF-8, for either layout."""
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    if pivoted:
        spec = project / "specs" / "tiny.yaml"
        spec.write_text(
            spec.read_text().replace(
                "    layout: wide\n    columns: {area: area, period: mid_year}",
                "    layout: pivoted\n    columns: {area: area, labels: [area label]}",
            )
        )
        text = "area,area label,2016,2017\nAAA,Ågerup,100,100\n"
    else:
        text = (project / "data" / "population.csv").read_text() + "ÅÅÅ,2016,1\n"
    (project / "data" / "population.csv").write_bytes(text.encode("latin-1"))
    result = CliRunner().invoke(main, ["--project", str(project), "run", "-q"])
    assert result.exit_code == 1, result.output
    assert "IX504" in result.output and "is not UTF-8 text" in result.output
    assert "save the file as UTF-8" in result.output
    assert "Traceback" not in result.output
