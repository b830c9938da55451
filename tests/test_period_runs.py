"""Periods of every kind through `indexc run` on the tiny project (issue 17): the dates each source row
carries, the refusal of a label its declaration does not read, and (stage 2) alignment and recency.

The ELS and homelessness rows are real (tests/fixtures/periods/README.md); expected values are
computed here from those files."""

from __future__ import annotations

import csv
import datetime
import shutil
from pathlib import Path

import duckdb
from click.testing import CliRunner, Result

from indexc.cli import main

PERIODS = Path(__file__).parent / "fixtures" / "periods"
D = datetime.date


def invoke(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(project), *args])


def add(project: Path, spec: str, relations: dict[str, str]) -> None:
    """Add specs/<name>.yaml and the fixture files it reads to a copy of the tiny project."""
    (project / "specs" / "periods.yaml").write_text(spec)
    target = project / "targets" / "duckdb.yaml"
    lines = target.read_text()
    for source, name in relations.items():
        shutil.copy(PERIODS / name, project / "data" / name)
        lines += f"  {source}: {{path: data/{name}}}\n"
    target.write_text(lines)


def query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "build" / "tiny.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


SOURCES = """\
indexc: 2
sources:
  - id: homeless
    layout: long
    columns: {area: area_code, period: quarter_end, item: measure, value: value}
    period: {grain: quarter, format: YYYY-MM}
    items: {initial_assessments: Households assessed}
  - id: health
    layout: long
    columns: {area: area_code, period: period_iso, item: measure_code, value: value}
    period: {grain: iso_interval, format: ISO8601}
    items: {male-healthy-life-expectancy: Male healthy life expectancy}
measures:
  - {id: assessments, unit: households, additivity: sum, bindings: [{source: homeless, item: initial_assessments}]}
  - {id: male_hle, unit: years, additivity: none, bindings: [{source: health, item: male-healthy-life-expectancy}]}
"""


def test_every_source_row_carries_its_period_as_dates(tiny_project: Path) -> None:
    add(
        tiny_project,
        SOURCES,
        {"homeless": "homelessness_sample.csv", "health": "health_els_sample.csv"},
    )
    result = invoke(tiny_project, "run")
    assert result.exit_code == 0, result.output
    rows = query(
        tiny_project,
        "SELECT period_raw, period_start, period_end, period FROM tiny_index.source__homeless "
        "WHERE area_code = 'E06000001' AND period_raw IN ('2018-06', '2019-03')",
    )
    assert sorted(rows) == [
        ("2018-06", D(2018, 4, 1), D(2018, 6, 30), "2018-19"),
        ("2019-03", D(2019, 1, 1), D(2019, 3, 31), "2018-19"),
    ]
    published = {
        r["period_iso"]
        for r in csv.DictReader((PERIODS / "health_els_sample.csv").open())
        if r["measure_code"] == "male-healthy-life-expectancy"
    }
    rows = query(
        tiny_project,
        "SELECT DISTINCT period_raw, period_start, period_end, period FROM tiny_index.source__health",
    )
    assert {r[0] for r in rows} == published
    assert ("2019-01-01/P3Y", D(2019, 1, 1), D(2021, 12, 31), "2021-22") in rows


def test_a_pooled_label_read_as_a_financial_year_is_refused_with_the_grains_that_read_it(
    tiny_project: Path,
) -> None:
    data = tiny_project / "data" / "finance.csv"
    lines = data.read_text().splitlines()
    data.write_text(
        "\n".join([lines[0], lines[1].replace("2016-17", "2018-20"), *lines[2:]]) + "\n"
    )
    result = invoke(tiny_project, "run")
    assert result.exit_code == 1
    assert (
        "IX702 finance: periods that are missing or not written as YYYY-YY: '2018-20'"
        in result.output
    )
    assert (
        "'2018-20' reads as period: grain calendar_years with years: 3 (YYYY-YY)" in result.output
    )
    assert "financial_years with years: 2 (YYYY-YY)" in result.output
