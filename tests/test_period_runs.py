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
import pytest
from click.testing import CliRunner, Result

from indexc.cli import main
from indexc.generate.snowflake_check import snowflake_problems
from indexc.project import Project

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
    items:
      male-healthy-life-expectancy: Male healthy life expectancy
      cancer-diagnosis-at-stage-1-and-2: Cancers diagnosed at stage 1 or 2
  - id: outcomes_els
    layout: long
    columns: {area: area_code, period: period_iso, item: measure_code, value: value}
    period: {grain: iso_interval, format: ISO8601}
    items:
      additions-to-the-housing-stock: Net additions per 1,000 dwellings
      housing-affordability-ratio: House prices to earnings
measures:
  - id: assessments
    unit: households
    additivity: sum
    align: {latest: {max_age: 1}}
    bindings: [{source: homeless, item: initial_assessments}]
  - id: male_hle
    unit: years
    additivity: none
    align: {latest: {max_age: 3}}
    bindings: [{source: health, item: male-healthy-life-expectancy}]
  - id: male_hle_overlap
    unit: years
    additivity: none
    align: overlap
    bindings: [{source: health, item: male-healthy-life-expectancy}]
  - id: cancer_early
    unit: percent
    additivity: none
    align: {latest: {max_age: 2}}
    bindings: [{source: health, item: cancer-diagnosis-at-stage-1-and-2}]
  - id: housing_additions
    unit: per_thousand
    additivity: none
    smell: {off: "net additions swing through zero: real small values, not units"}
    bindings: [{source: outcomes_els, item: additions-to-the-housing-stock}]
  - id: affordability
    unit: ratio
    additivity: none
    bindings: [{source: outcomes_els, item: housing-affordability-ratio}]
"""


RELATIONS = {
    "homeless": "homelessness_sample.csv",
    "health": "health_els_sample.csv",
    "outcomes_els": "outcomes_els_sample.csv",
}


def published(name: str, measure: str, area: str = "E06000001") -> dict[str, float]:
    """The published values of one measure and area, by ISO 8601 period, read from the fixture."""
    with (PERIODS / name).open(newline="") as handle:
        return {
            r["period_iso"]: float(r["value"])
            for r in csv.DictReader(handle)
            if r["measure_code"] == measure and r["area_code"] == area and r["value"]
        }


def measure_view(project: Path, measure: str) -> dict[str, tuple]:
    """period -> (value, data_period, data_start, data_end) of E06000001."""
    rows = query(
        project,
        "SELECT period, value, data_period, data_start, data_end FROM tiny_index.measure__"
        f"{measure} WHERE area_code = 'E06000001'",
    )
    assert len(rows) == len({r[0] for r in rows}), "one value per area and financial year"
    return {r[0]: r[1:] for r in rows}


@pytest.mark.slow
def test_every_source_row_carries_its_period_as_dates(tiny_project: Path) -> None:
    add(
        tiny_project,
        SOURCES,
        RELATIONS,
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
        "SELECT DISTINCT period_raw, period_start, period_end, period FROM tiny_index.source__health "
        "WHERE item = 'male-healthy-life-expectancy'",
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


def _interval(iso: str) -> tuple[datetime.date, datetime.date]:
    """Start and end of an ISO 8601 `start/PnY` interval or a date, computed here independently."""
    start_text, _, duration = iso.partition("/")
    start = datetime.date.fromisoformat(start_text)
    if not duration:
        return start, start
    years = int(duration[1:-1])
    return start, start.replace(year=start.year + years) - datetime.timedelta(days=1)


@pytest.mark.slow
def test_alignment_latest_overlap_and_exact_on_real_data(tiny_project: Path) -> None:
    add(tiny_project, SOURCES, RELATIONS)
    result = invoke(tiny_project, "run")
    assert result.exit_code == 0, result.output
    hle = published("health_els_sample.csv", "male-healthy-life-expectancy")

    # latest, max_age 3: FY 2021-22 (ends 2022-03-31) is served by 2019-21, the last to end by then
    latest = measure_view(tiny_project, "male_hle")
    assert latest["2021-22"] == (
        hle["2019-01-01/P3Y"],
        "2019-01-01/P3Y",
        D(2019, 1, 1),
        D(2021, 12, 31),
    )
    for year, (value, period, _start, end) in latest.items():
        fy_end = D(int(year[:4]) + 1, 3, 31)
        eligible = {p: _interval(p)[1] for p in hle if _interval(p)[1] <= fy_end}
        newest = max(eligible, key=lambda p: eligible[p])
        assert (period, value) == (newest, hle[newest])
        assert fy_end.replace(year=fy_end.year - 3) <= end <= fy_end
    # max_age: the last period, 2022-24, ends 2024-12-31: it serves up to 2026-27 and no later
    assert max(latest) == "2026-27" and latest["2026-27"][1] == "2022-01-01/P3Y"

    # overlap: 1 October 2020 lies in 2018-20, 2019-21 and 2020-22; 2019-21 is centred on it
    overlap = measure_view(tiny_project, "male_hle_overlap")
    assert overlap["2020-21"][:2] == (hle["2019-01-01/P3Y"], "2019-01-01/P3Y")
    for year, (_value, _period, start, end) in overlap.items():
        assert start <= D(int(year[:4]), 10, 1) <= end

    # a calendar year, under latest with max_age 2: FY 2020-21 is served by 2020, FY 2023-24 by 2022
    cancer = measure_view(tiny_project, "cancer_early")
    cancer_data = published("health_els_sample.csv", "cancer-diagnosis-at-stage-1-and-2")
    assert cancer["2020-21"][:2] == (cancer_data["2020-01-01/P1Y"], "2020-01-01/P1Y")
    assert cancer["2023-24"][1] == "2022-01-01/P1Y" and "2025-26" not in cancer

    # quarters under latest, max_age 1: the quarter ending in March serves its financial year
    quarters = {
        r["quarter_end"]: float(r["value"])
        for r in csv.DictReader((PERIODS / "homelessness_sample.csv").open())
        if r["area_code"] == "E06000001"
    }
    assessments = measure_view(tiny_project, "assessments")
    assert assessments["2018-19"][:2] == (quarters["2019-03"], "2019-03")

    # exact on ISO 8601: financial-year intervals and April points serve the year they are in
    additions = measure_view(tiny_project, "housing_additions")
    assert additions["2016-17"][:2] == (
        published("outcomes_els_sample.csv", "additions-to-the-housing-stock")["2016-04-01/P1Y"],
        "2016-04-01/P1Y",
    )
    affordability = measure_view(tiny_project, "affordability")
    assert affordability["2016-17"][1:] == ("2016-04-01", D(2016, 4, 1), D(2016, 4, 1))


@pytest.mark.slow  # runs a project: over a second
def test_a_value_serving_a_later_year_is_restated_on_the_geography_of_its_own_period(
    geo_project: Path,
) -> None:
    """tests/fixtures/geo: M1 (100 people in mid-2018) and M2 (300) merge into M3 in 2020. A survey
    published only for 2018-19, on that year's codes, serves 2019-20 to 2021-22 under latest (max_age
    3): it is restated with 2018-19's areas and weights, not those of the year it serves."""
    survey = geo_project / "data" / "survey.csv"
    lines = survey.read_text().splitlines()
    survey.write_text("\n".join([lines[0], *[x for x in lines[1:] if ",2018-19," in x]]) + "\n")
    specs = geo_project / "specs" / "data.yaml"
    specs.write_text(
        specs.read_text().replace(
            "    weighted_by: population\n    bindings: [{source: survey, item: SAT}]",
            "    weighted_by: population\n    align: {latest: {max_age: 3}}\n"
            "    bindings: [{source: survey, item: SAT}]",
        )
    )
    result = CliRunner().invoke(main, ["--project", str(geo_project), "run"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT period, area_code, value, data_period, data_end "
            "FROM geo_index.restated__satisfaction"
        ).fetchall()
        metric = connection.execute(
            "SELECT DISTINCT period, data_period FROM geo_index.metric__satisfied"
        ).fetchall()
    values = {(period, area): value for period, area, value, *_ in rows}
    for year in ("2018-19", "2019-20", "2020-21", "2021-22"):
        assert values[(year, "M3")] == pytest.approx((80 * 100 + 40 * 300) / 400)
        assert values[(year, "U1")] == values[(year, "U2")] == 60.0  # C1's value, copied
    assert {period for period, *_ in rows} == {"2018-19", "2019-20", "2020-21", "2021-22"}
    assert {(r[3], r[4]) for r in rows} == {("2018-19", D(2019, 3, 31))}
    assert sorted(metric) == [(y, "2018-19") for y in ("2018-19", "2019-20", "2020-21", "2021-22")]


def test_metric_values_keep_the_period_of_their_oldest_input_and_the_run_shows_it(
    tiny_project: Path,
) -> None:
    """spend_per_head = spend (finance, 2017-18: ends 2018-03-31) / population (mid-2017: 30 June
    2017): its data is as old as the population estimate. satisfaction is a year ending March."""
    result = invoke(tiny_project, "run")
    assert result.exit_code == 0, result.output
    rows = query(
        tiny_project,
        "SELECT DISTINCT metric, data_period, data_start, data_end "
        "FROM tiny_index.index__tiny__metric_values WHERE period = '2017-18'",
    )
    assert sorted(rows) == [
        ("satisfaction", "2018", D(2017, 4, 1), D(2018, 3, 31)),
        ("spend_per_head", "2017", D(2017, 6, 30), D(2017, 6, 30)),
    ]
    assert (
        "data: cost 2017 (ending 2017-06-30); outcome 2018 (ending 2018-03-31): the oldest period "
        "of the published data behind 2017-18"
    ) in result.output.replace("\n", " ")


def test_the_catalogue_lists_the_periods_each_metric_uses(
    tiny_project: Path, tmp_path: Path
) -> None:
    add(tiny_project, SOURCES, RELATIONS)
    (tiny_project / "specs" / "periods.yaml").write_text(
        SOURCES
        + "metrics:\n"
        + "  - {id: healthy_years, version: 1, formula: male_hle, direction: higher_is_better, "
        + "unit: years}\n"
    )
    page = Project(tiny_project).write_docs(tmp_path / "docs").read_text(encoding="utf-8")
    assert "<th>Data periods used</th>" in page
    assert "ISO 8601 periods; each year: the latest ending by 31 March, at most 3 years old" in page
    assert "mid-year points (30 June); each year: the value for that year" in page


@pytest.mark.slow
def test_the_snowflake_build_of_every_period_kind_and_alignment_passes_the_static_check(
    geo_project: Path,
) -> None:
    """The SQL of alignment, restatement with recency and metrics over aligned inputs, for Snowflake."""
    specs = geo_project / "specs" / "data.yaml"
    specs.write_text(
        specs.read_text().replace(
            "    weighted_by: population\n    bindings: [{source: survey, item: SAT}]",
            "    weighted_by: population\n    align: overlap\n    bindings: [{source: survey, item: SAT}]",
        )
    )
    on_codes = "    geography: {level: upper, codes: as_published}\n    items:"
    means = "additivity: mean\n    weighted_by: population"
    (geo_project / "specs" / "periods.yaml").write_text(
        SOURCES.replace("    items:", on_codes).replace("additivity: none", means)
    )
    target = geo_project / "targets" / "snowflake.yaml"
    target.write_text(
        target.read_text()
        + "".join(f"  {source}: {{table: RAW.{source.upper()}}}\n" for source in RELATIONS)
    )
    build = Project(geo_project).build("snowflake")
    files = sorted(build.path.glob("*.sql"))
    assert any(p.name.endswith("measure__male_hle_overlap.sql") for p in files)
    for path in files:
        assert snowflake_problems(path.read_text()) == [], path.name
    aligned = next(p for p in files if p.name.endswith("measure__satisfaction.sql")).read_text()
    assert "ROW_NUMBER()" in aligned and "DATEDIFF(DAY" in aligned
