"""Periods of every kind (issue 17): each label read as its start and end dates, its financial year,
and the check that it reads back exactly as written; on DuckDB, and statically for Snowflake.

Labels are the real ones of ../shared/data (tests/fixtures/periods/README.md says which rows)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from indexc.generate.expressions import col, period_label, period_start_year
from indexc.generate.periods import (
    financial_year_bounds,
    financial_year_of,
    period_bounds,
    period_written,
)
from indexc.generate.snowflake_check import snowflake_problems
from indexc.spec.period_labels import grains_reading
from indexc.spec.sources import PeriodParsing

FIXTURES = Path(__file__).parent / "fixtures" / "periods"
D = datetime.date


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def _query(parsing: PeriodParsing) -> exp.Select:
    raw = col("raw")
    if parsing.within_financial_year:
        start, end = financial_year_bounds(parsing, period_start_year(parsing, raw))
    else:
        start, end = period_bounds(parsing, raw)
    inner = exp.select(raw, exp.alias_(start, "period_start"), exp.alias_(end, "period_end")).from_(
        "labels"
    )
    outer_period = (
        period_label(period_start_year(parsing, col("raw")))
        if parsing.within_financial_year
        else financial_year_of(col("period_end"))
    )
    read_back = (
        col("raw")
        if parsing.within_financial_year
        else period_written(parsing, col("raw"), col("period_start"), col("period_end"))
    )
    return exp.select(
        col("raw"),
        col("period_start"),
        col("period_end"),
        exp.alias_(outer_period, "period"),
        exp.alias_(read_back, "read_back"),
    ).from_(inner.subquery("parsed"))


def read(parsing: PeriodParsing, labels: list[str]) -> dict[str, tuple]:
    """Each label: (start, end, financial year, passes the period check: parsed and read back)."""
    query = _query(parsing)
    assert snowflake_problems(query.sql(dialect="snowflake")) == []
    con = duckdb.connect()
    con.execute("CREATE TABLE labels (raw VARCHAR)")
    con.executemany("INSERT INTO labels VALUES (?)", [[label] for label in labels])
    return {
        raw: (start, end, period, back == raw and start is not None and end is not None)
        for raw, start, end, period, back in con.execute(query.sql(dialect="duckdb")).fetchall()
    }


def test_a_calendar_year_runs_january_to_december_and_belongs_to_the_fy_its_end_falls_in() -> None:
    labels = sorted(
        {
            r["period"]
            for r in _rows("health_els_sample.csv")
            if r["period_iso"].endswith("-01-01/P1Y")
        }
    )
    assert "2019" in labels
    result = read(PeriodParsing(grain="calendar_year", format="YYYY"), labels)
    assert result["2019"] == (D(2019, 1, 1), D(2019, 12, 31), "2019-20", True)
    assert all(ok for *_, ok in result.values())


def test_pooled_calendar_years_match_the_iso_interval_published_beside_them() -> None:
    rows = _rows("health_els_sample.csv")
    for years, duration in ((3, "P3Y"), (5, "P5Y")):
        published = {
            r["period"]: r["period_iso"] for r in rows if r["period_iso"].endswith(duration)
        }
        assert published
        pooled = read(
            PeriodParsing(grain="calendar_years", format="YYYY-YY", years=years), list(published)
        )
        iso = read(PeriodParsing(grain="iso_interval", format="ISO8601"), list(published.values()))
        for label, interval in published.items():
            assert pooled[label][3] and iso[interval][3]
            assert pooled[label][:3] == iso[interval][:3]
    three = read(
        PeriodParsing(grain="calendar_years", format="YYYY-YY", years=3), ["2018-20", "2018-19"]
    )
    assert three["2018-20"] == (D(2018, 1, 1), D(2020, 12, 31), "2020-21", True)
    assert three["2018-19"][3] is False  # two years, not the three declared


def test_pooled_financial_years_as_ons_writes_them() -> None:
    homicide = {
        r["period"]: r["period_iso"]
        for r in _rows("outcomes_els_sample.csv")
        if r["measure_code"] == "homicide-offences"
    }
    pooled = read(PeriodParsing(grain="financial_years", format="YYYY-YY", years=3), list(homicide))
    iso = read(PeriodParsing(grain="iso_interval", format="ISO8601"), list(homicide.values()))
    assert pooled["2014-17"] == (D(2014, 4, 1), D(2017, 3, 31), "2016-17", True)
    for label, interval in homicide.items():
        assert pooled[label] == iso[interval]


def test_academic_years_and_iso_years_starting_in_any_month() -> None:
    result = read(PeriodParsing(grain="academic_year", format="YYYY-YY"), ["2016-17", "2016-18"])
    assert result["2016-17"] == (D(2016, 9, 1), D(2017, 8, 31), "2017-18", True)
    assert result["2016-18"][3] is False
    slash = read(PeriodParsing(grain="academic_year", format="YYYY/YY"), ["2016/17", "2016-17"])
    assert slash["2016/17"][3] and not slash["2016-17"][3]
    iso = read(
        PeriodParsing(grain="iso_interval", format="ISO8601"),
        ["2022-08-01/P1Y", "2024-11-16/P1Y", "2016-09-01/P1Y", "2018-01-01/P36M"],
    )
    assert iso["2022-08-01/P1Y"] == (D(2022, 8, 1), D(2023, 7, 31), "2023-24", True)
    assert iso["2024-11-16/P1Y"] == (D(2024, 11, 16), D(2025, 11, 15), "2025-26", True)
    assert iso["2018-01-01/P36M"][:2] == (D(2018, 1, 1), D(2020, 12, 31))


def test_iso_points_and_what_does_not_read_as_iso_8601() -> None:
    affordability = [
        r["period_iso"]
        for r in _rows("outcomes_els_sample.csv")
        if r["measure_code"] == "housing-affordability-ratio"
    ]
    bad = [
        "2018-1-01/P1Y",
        "2018-01-01/P03Y",
        "2018-01-01/P1D",
        "2018-02-30",
        "Apr 2002",
        "",
        "2018-01-01/P",
    ]
    result = read(PeriodParsing(grain="iso_interval", format="ISO8601"), affordability + bad)
    assert result["2002-04-01"] == (D(2002, 4, 1), D(2002, 4, 1), "2002-03", True)
    assert all(result[label][3] for label in affordability)
    assert not any(result[label][3] for label in bad)


def test_quarters_named_by_their_last_month_or_their_number() -> None:
    quarters = sorted({r["quarter_end"] for r in _rows("homelessness_sample.csv")})
    assert "2018-06" in quarters
    result = read(
        PeriodParsing(grain="quarter", format="YYYY-MM"),
        quarters + ["2018-05", "2018-13", "2018-00"],
    )
    assert result["2018-06"] == (D(2018, 4, 1), D(2018, 6, 30), "2018-19", True)
    assert result["2019-03"] == (D(2019, 1, 1), D(2019, 3, 31), "2018-19", True)
    assert all(result[q][3] for q in quarters)
    assert not any(result[q][3] for q in ("2018-05", "2018-13", "2018-00"))
    numbered = read(
        PeriodParsing(grain="quarter", format="YYYY-QN"), ["2018-Q4", "2018-Q5", "2018Q4"]
    )
    assert numbered["2018-Q4"] == (D(2018, 10, 1), D(2018, 12, 31), "2018-19", True)
    assert not numbered["2018-Q5"][3] and not numbered["2018Q4"][3]


@pytest.mark.parametrize(
    ("parsing", "label", "expected"),
    [
        (
            PeriodParsing(grain="financial_year", format="YYYY-YY"),
            "2016-17",
            (D(2016, 4, 1), D(2017, 3, 31), "2016-17"),
        ),
        (
            PeriodParsing(grain="financial_year_ending", format="YYYY"),
            "2017",
            (D(2016, 4, 1), D(2017, 3, 31), "2016-17"),
        ),
        (
            PeriodParsing(grain="mid_year", format="YYYY"),
            "2016",
            (D(2016, 6, 30), D(2016, 6, 30), "2016-17"),
        ),
    ],
)
def test_the_financial_year_grains_keep_their_label_and_gain_dates(
    parsing: PeriodParsing, label: str, expected: tuple
) -> None:
    assert read(parsing, [label])[label][:3] == expected


@pytest.mark.parametrize(
    ("label", "readers"),
    [
        ("2018-20", ["calendar_years with years: 3", "financial_years with years: 2"]),
        ("2019-23", ["calendar_years with years: 5", "financial_years with years: 4"]),
        ("2016-17", ["financial_year", "academic_year", "calendar_years with years: 2"]),
        ("2019", ["calendar_year", "financial_year_ending", "mid_year"]),
        ("2018-06", ["quarter (YYYY-MM)"]),
        ("2018-01-01/P3Y", ["iso_interval"]),
        ("Apr 2002", []),
    ],
)
def test_the_formats_that_would_read_a_refused_label(label: str, readers: list[str]) -> None:
    found = grains_reading(label)
    for reader in readers:
        assert any(reader in text for text in found), (reader, found)
    if not readers:
        assert found == []
