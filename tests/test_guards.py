"""Guards: data lost or not believable fails the run before anything is published (plan/guards.py).

Most cases use the tiny fixture, whose data is small enough to reason about by hand; the renamed item
is the finding of issue 15 on the real example (ASC5 renamed ASC5b moved Thurrock to #3 of the
published 2016-17 Top 10 with only a warning).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from indexc.cli import main


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def published(project: Path, database: str, table: str) -> list[tuple]:
    with duckdb.connect(str(project / "build" / database), read_only=True) as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


@pytest.mark.slow
def test_a_renamed_item_fails_the_run_and_keeps_what_was_published(example_project: Path) -> None:
    assert invoke(example_project, "run", "-q").exit_code == 0
    top = "indexc_published.index__adult_social_care__top"
    before = published(example_project, "indexc.duckdb", top)
    edit(example_project / "examples" / "data" / "asc_outcomes_oflog.csv", ",ASC5,", ",ASC5b,")
    result = invoke(example_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "specs/measures.yaml:45:9: IX709 short_term_service_success: binding 1 found no value of item 'ASC5' "
        "in source 'oflog_asc_outcomes' (to 2020-21) in period(s) in which the source has rows: 2015-16, "
        "2016-17"
    ) in result.output
    assert "ASC4, ASC5b, ASC6" in result.output and "did you mean 'ASC5b'?" in result.output
    assert "Traceback" not in result.output
    assert published(example_project, "indexc.duckdb", top) == before


def test_an_item_missing_in_one_period_is_an_error_naming_the_items_there(
    tiny_project: Path,
) -> None:
    """SURVEY2 written SURVEY3 in 2018 (2017-18): the binding from 2017-18 finds nothing there."""
    edit(tiny_project / "data" / "outcomes.csv", "SURVEY2", "SURVEY3")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "specs/tiny.yaml:35:9: IX709 satisfaction: binding 2 found no value of item 'SURVEY2' in source "
        "'outcomes' (from 2017-18) in period(s) in which the source has rows: 2017-18; the source's data "
        "holds there: SAT, SURVEY3"
    ) in result.output
    assert "did you mean 'SURVEY3'?" in result.output


@pytest.mark.slow
def test_a_gap_declared_not_published_is_no_error(tiny_project: Path) -> None:
    """A measure no index reads warns (even with -q); `not_published:` declares a known gap."""
    specs = tiny_project / "specs" / "tiny.yaml"
    edit(
        specs,
        "\nmetrics:",
        "\n  - {id: other, unit: score, additivity: none, bindings: [{source: outcomes, "
        "item: OTHER}]}\n\nmetrics:",
    )
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 0, result.output
    assert (
        "IX709 warning: other: binding 1 found no value of item 'OTHER' in source 'outcomes' (any period) in "
        "period(s) in which the source has rows: 2017-18"
    ) in result.stderr
    edit(specs, "item: OTHER}", "item: OTHER, not_published: [2017-18]}")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 0, result.output
    assert "IX709" not in result.output


def test_a_negative_population_fails_the_run_with_source_file_area_period_and_value(
    tiny_project: Path,
) -> None:
    edit(tiny_project / "data" / "population.csv", "BBB,2016,200", "BBB,2016,-200")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "specs/tiny.yaml:28:28: IX710 population: value(s) outside its range (>= 0) in population "
        "(data/population.csv): BBB 2016-17 -200.0"
    ) in result.output
    assert "the default of unit 'people'" in result.output


@pytest.mark.slow
def test_a_declared_range_is_checked_after_valid_leaves_blanks_out(tiny_project: Path) -> None:
    """`valid:` takes -1 (a blank written as a number) out as missing; `range:` fails on 180."""
    specs = tiny_project / "specs" / "tiny.yaml"
    edit(
        specs,
        "    weighted_by: population\n",
        "    weighted_by: population\n    valid: {min: 0}\n    range: {min: 0, max: 100}\n",
    )
    outcomes = tiny_project / "data" / "outcomes.csv"
    edit(outcomes, "BBB,2017,SAT,60", "BBB,2017,SAT,-1")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 0, result.output
    assert (
        "IX706 warning: satisfaction: 1 published value(s) outside its valid range" in result.stderr
    )
    edit(outcomes, "CCC,2017,SAT,70", "CCC,2017,SAT,180")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "specs/tiny.yaml:34:12: IX710 satisfaction: value(s) outside its range (>= 0 and <= 100) in outcomes "
        "(data/outcomes.csv): CCC 2016-17 180.0"
    ) in result.output


def test_an_infinite_value_in_the_data_fails_the_run_at_its_source(tiny_project: Path) -> None:
    edit(tiny_project / "data" / "outcomes.csv", "CCC,2017,SAT,70", "CCC,2017,SAT,inf")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "specs/tiny.yaml:20:5: IX710 source 'outcomes': value(s) not finite in outcomes (data/outcomes.csv): "
        "CCC 2016-17 inf (item SAT)"
    ) in result.output


def test_an_overflow_is_an_error_naming_metric_area_and_period(tiny_project: Path) -> None:
    """1e308 pounds over half a resident: infinity from finite inputs (it was missing, and BBB ranked on
    satisfaction alone)."""
    edit(tiny_project / "data" / "finance.csv", "BBB,2016-17,3000", "BBB,2016-17,1e308")
    edit(tiny_project / "data" / "population.csv", "BBB,2016,200", "BBB,2016,0.5")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "specs/tiny.yaml:38:47: IX711 spend_per_head: value(s) infinite or not a number, computed from finite "
        "inputs: BBB 2016-17 inf"
    ) in result.output


@pytest.mark.slow
def test_a_division_by_zero_is_counted_and_strict_or_an_audit_makes_it_an_error(
    tiny_project: Path,
) -> None:
    edit(tiny_project / "data" / "population.csv", "BBB,2016,200", "BBB,2016,0")
    edit(
        tiny_project / "specs" / "tiny.yaml",
        "bindings: [{source: population, item: people}]}",  # not a smell
        "bindings: [{source: population, item: people}], smell: {accept: [{area: BBB, period: 2016-17, reason: "
        "'zero on purpose: a division by zero'}, {area: CCC, period: 2016-17, reason: 'the same'}]}}",
    )
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 0, result.output
    assert (
        "IX712 warning: spend_per_head: 1 value(s) undefined (a division by zero, or the root or logarithm of "
        "a number outside its domain) left missing: BBB 2016-17"
    ) in result.stderr
    scores = "tiny_index_published.index__tiny__scores"
    before = published(tiny_project, "tiny.duckdb", scores)
    edit(tiny_project / "data" / "population.csv", "CCC,2016,400", "CCC,2016,0")
    result = invoke(tiny_project, "run", "-q", "--strict")
    assert result.exit_code == 1
    assert (
        "IX712 spend_per_head: 2 value(s) undefined" in result.output
    )  # an error: found before publishing
    assert published(tiny_project, "tiny.duckdb", scores) == before
    (tiny_project / "specs" / "audits.yaml").write_text(
        "indexc: 2\naudits:\n  - {id: spend_defined, severity: error, universe: councils, not_null: spend_per_head}\n"
    )
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "IX707 audit spend_defined: the error audit found areas with no value of spend_per_head: 'BBB 2016-17'"
        in result.output
    )


def test_strict_makes_a_warning_of_the_specs_an_error(tiny_project: Path) -> None:
    (tiny_project / "specs" / "old.yaml").write_text(
        "indexc: 1\nmetrics:\n  - {id: sat2, version: 1, formula: satisfaction, direction: higher_is_better, "
        "unit: percent}\n"
    )
    for command in (["validate"], ["build", "--target", "duckdb"], ["run", "-q"]):
        assert invoke(tiny_project, *command).exit_code == 0
        result = invoke(tiny_project, *command, "--strict")
        assert result.exit_code == 1, command
        assert "specs/old.yaml:1:9: IX006 written in language version 1" in result.output
        assert "1 error(s), 0 warning(s)" in result.output
