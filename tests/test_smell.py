"""Smell tests (docs/spec-language.md, "Smell tests"): a value in the wrong unit fails the run, pointing at
its file and line; milder outliers warn; an accepted value is listed, never hidden.

The three findings of issue 15 are replayed on the real example: Redbridge (#1 in 2016-17) with its spend
in pounds instead of thousands, its information outcome as a fraction (0.805 for 80.5), and a negative spend.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from indexc.cli import main

SPEND = "examples/data/asc_fr_2016_17_expenditure.csv"
OUTCOMES = "examples/data/asc_outcomes_oflog.csv"
PERFORMANCE = "data/performance.csv"


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "run", *args])


def replace_on_line(project: Path, relative: str, line: int, old: str, new: str) -> None:
    """Change one value on one line of a data file, checking it is the line meant."""
    path = project / relative
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def replace_in_spec(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def rows(database: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(query).fetchall()


@pytest.mark.slow
@pytest.mark.parametrize(
    "relative, line, old, new, code, shown",
    [
        pytest.param(
            SPEND,
            118,
            ",78200.0,",
            ",78200000.0,",
            "IX730",
            "asc_gross_expenditure: gross outliers, likely a "
            f"value in the wrong unit: E09000026 2016-17 = 78200000.0 (peers; ascfr_expenditure, {SPEND} line 118)",
            id="spend in pounds, not thousands",
        ),
        pytest.param(
            OUTCOMES,
            1638,
            ",80.5",
            ",0.805",
            "IX730",
            "users_finding_information_easy: gross outliers, likely a "
            f"value in the wrong unit: E09000026 2016-17 = 0.805 (peers; oflog_asc_outcomes, {OUTCOMES} line 1638)",
            id="a fraction for a percentage",
        ),
        # Money is never negative by default (a measure's range, IX710), which the guards check before the smell test.
        pytest.param(
            SPEND,
            118,
            ",78200.0,",
            ",-78200.0,",
            "IX710",
            "asc_gross_expenditure: value(s) outside its range "
            f"(>= 0) in ascfr_expenditure ({SPEND}): E09000026 2016-17 -78200.0",
            id="a negative spend",
        ),
        pytest.param(
            OUTCOMES,
            1638,
            ",80.5",
            ",8050",
            "IX730",
            f"E09000026 2016-17 = 8050.0 (unit_range; oflog_asc_outcomes, {OUTCOMES} line 1638)",
            id="a percentage x100",
        ),
    ],
)
def test_a_value_in_the_wrong_unit_fails_the_run_at_its_file_and_line(
    example_project: Path, relative: str, line: int, old: str, new: str, code: str, shown: str
) -> None:
    # The example's own error audit of this percentage would name it first; the smell test needs no audit.
    replace_in_spec(
        example_project,
        "specs/audits.yaml",
        "information_is_a_percentage\n    severity: error",
        "information_is_a_percentage\n    severity: warn",
    )
    replace_on_line(example_project, relative, line, old, new)
    result = run(example_project)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a diagnostic, not a traceback
    assert f"{code} " in result.stderr
    assert shown in result.stderr
    assert "nothing was" in result.stderr


@pytest.mark.slow
def test_the_real_example_runs_and_lists_what_it_accepts(example_project: Path) -> None:
    result = run(example_project)
    assert result.exit_code == 0, result.output
    assert (
        "IX730" not in result.stderr
        and "IX731" not in result.stderr
        and "IX732" not in result.stderr
    )
    assert (
        "smell tests: accepted in the specs, with a reason: asc_gross_expenditure 1, "
        "disposable_income_per_head 28, households_thousands 63, housing_affordability_ratio 1, "
        # the Isles of Scilly and the City of London in each of four years (8); Slough's 2017-18
        # children's social care; Rutland's public health in two years and Birmingham's in one
        "net_spend_adult_social_care 8, net_spend_childrens_social_care 9, "
        "net_spend_public_health 11, "
        "overweight_children_year_6 1, population 28, population_districts 28, "
        "requests_resulting_in_service 4, short_term_service_success 1"
    ) in result.stderr
    database = example_project / "build" / "indexc.duckdb"
    scilly = rows(
        database,
        "SELECT period, value, test, severity, file, line, accepted_because FROM "
        "indexc_build.smell__population WHERE area_code = 'E06000053' ORDER BY period",
    )
    assert len(scilly) == 14
    assert scilly[0][:6] == (
        "2011-12",
        2224.0,
        "peers",
        "error",
        "examples/data/la_population_mid_year.csv",
        688,
    )
    assert scilly[0][6].startswith("Isles of Scilly")


@pytest.mark.slow
def test_every_row_of_a_source_keeps_the_line_it_was_read_from(example_project: Path) -> None:
    """Checked over the whole of the largest source: the line of each row is the file's (the header is 1)."""
    assert run(example_project).exit_code == 0
    with (example_project / OUTCOMES).open(encoding="utf-8", newline="") as handle:
        written = {
            number: (row[1], row[0], row[5])
            for number, row in enumerate(csv.reader(handle), start=1)
        }
    read = rows(
        example_project / "build" / "indexc.duckdb",
        "SELECT source_line, area_code, period_raw, item FROM indexc_build.source__oflog_asc_outcomes",
    )
    assert len(read) == len(written) - 1
    assert all(written[line] == (area, period, item) for line, area, period, item in read)


@pytest.mark.slow
def test_a_fraction_among_percentages_is_caught_by_its_peers(method_project: Path) -> None:
    replace_on_line(method_project, PERFORMANCE, 21, "X05,2022-23,SAT,79", "X05,2022-23,SAT,0.79")
    result = run(method_project)
    assert result.exit_code == 1, result.output
    assert (
        "specs/inputs.yaml:45:5: IX730 smell test of measure satisfaction: gross outliers, likely a value in the "
        f"wrong unit: X05 2022-23 = 0.79 (peers; performance, {PERFORMANCE} line 21)"
    ) in result.stderr


@pytest.mark.slow
def test_with_too_few_peers_the_same_area_in_other_years_catches_it(method_project: Path) -> None:
    replace_on_line(method_project, PERFORMANCE, 21, "X05,2022-23,SAT,79", "X05,2022-23,SAT,0.79")
    replace_in_spec(
        method_project,
        "specs/inputs.yaml",
        "bindings: [{source: performance, item: SAT}]}",
        "bindings: [{source: performance, item: SAT}], smell: {min_peers: 20}}",
    )
    result = run(method_project)
    assert result.exit_code == 1, result.output
    assert f"X05 2022-23 = 0.79 (over_time; performance, {PERFORMANCE} line 21)" in result.stderr
    assert (
        "X05 2021-22" not in result.stderr and "X05 2023-24" not in result.stderr
    )  # its honest neighbours


@pytest.mark.slow
def test_an_accepted_value_is_listed_a_mild_one_warns_and_a_stale_acceptance_is_said(
    method_project: Path,
) -> None:
    replace_on_line(method_project, PERFORMANCE, 21, "X05,2022-23,SAT,79", "X05,2022-23,SAT,0.79")
    replace_on_line(
        method_project, PERFORMANCE, 63, "X03,2022-23,CARER,8.9", "X03,2022-23,CARER,20"
    )
    replace_in_spec(
        method_project,
        "specs/inputs.yaml",
        "bindings: [{source: performance, item: SAT}]}",
        "bindings: [{source: performance, item: SAT}], smell: {accept: [{area: X05, period: 2022-23, "
        "reason: a survey of twelve people}, {area: X01, reason: looked at in 2024}]}}",
    )
    result = run(method_project)
    assert result.exit_code == 0, result.output
    assert (
        "smell tests: accepted in the specs, with a reason: delayed_discharges 3, population 3, satisfaction 1, "
        "spend 3" in result.stderr
    )
    assert (
        "specs/inputs.yaml:46:5: IX731 warning: smell test of measure carer_support: 1 value(s) far from their "
        "peers (robust z beyond 12): X03 2022-23 = 20 (robust z "
    ) in result.stderr
    assert f"performance, {PERFORMANCE} line 63)" in result.stderr
    assert (
        "IX732 warning: smell test of measure satisfaction: accepted X01 matches no flagged value"
        in result.stderr
    )
    accepted = rows(
        method_project / "build" / "method.duckdb",
        "SELECT area_code, period, value, severity, accepted_because FROM method_index.smell__satisfaction",
    )
    assert accepted == [("X05", "2022-23", 0.79, "error", "a survey of twelve people")]


@pytest.mark.slow
def test_a_measure_can_switch_its_smell_test_off_with_a_reason(method_project: Path) -> None:
    replace_on_line(method_project, PERFORMANCE, 21, "X05,2022-23,SAT,79", "X05,2022-23,SAT,0.79")
    replace_in_spec(
        method_project,
        "specs/inputs.yaml",
        "bindings: [{source: performance, item: SAT}]}",
        "bindings: [{source: performance, item: SAT}], smell: {off: a test of the off switch}}",
    )
    result = run(method_project)
    assert result.exit_code == 0, result.output
    assert "smell__satisfaction" not in {
        r[0]
        for r in rows(
            method_project / "build" / "method.duckdb",
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'method_index'",
        )
    }
