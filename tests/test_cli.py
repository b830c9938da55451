"""The `indexc` command through click's runner: exit codes, diagnostics, files written and kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result
from conftest import REPO, copy_project

from indexc.cli import main


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


class ExampleCommands:
    """One copy of the example for the tests that only read what a command printed and built: each
    command runs once, when a test first asks for it, and later tests asking for the same command
    read the same result (a run rebuilds the whole example: seconds each)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.results: dict[tuple[str, ...], Result] = {}

    def invoke(self, *args: str) -> Result:
        if args not in self.results:
            self.results[args] = invoke(self.project, *args)
        return self.results[args]


@pytest.fixture(scope="module")
def example_commands(tmp_path_factory: pytest.TempPathFactory) -> ExampleCommands:
    return ExampleCommands(copy_project(REPO, tmp_path_factory.mktemp("commands") / "example"))


def misspell_formula(project: Path) -> None:
    metrics = project / "specs" / "metrics.yaml"
    metrics.write_text(
        metrics.read_text().replace(
            "formula: asc_gross_expenditure * 1000 / population",
            "formula: asc_gross_expenditur * 1000 / population",
        )
    )


def test_validate_reports_ok(example_project: Path) -> None:
    result = invoke(example_project, "validate")
    assert result.exit_code == 0, result.output
    assert (
        "ok: 24 sources, 54 measures, 47 metrics, 6 indexes (1 on hold: not built unless selected); "
        "490 areas, 39 lineage events (36 modelled), restated onto the geography of 2025-04-01"
        in result.output
    )


def test_misspelt_measure_gives_position_code_name_and_suggestion(example_project: Path) -> None:
    misspell_formula(example_project)
    result = invoke(example_project, "validate")
    assert result.exit_code == 1
    assert (
        "specs/metrics.yaml:52:14: IX102 unknown measure or metric 'asc_gross_expenditur'"
        in result.output
    )
    assert "hint: did you mean 'asc_gross_expenditure'?" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # the clean exit, not an escaped exception


def test_json_diagnostics(example_project: Path) -> None:
    misspell_formula(example_project)
    result = invoke(example_project, "validate", "--format", "json")
    assert result.exit_code == 1
    (diagnostic,) = json.loads(result.output)
    assert diagnostic == {
        "code": "IX102",
        "severity": "error",
        "file": "specs/metrics.yaml",
        "line": 52,
        "col": 14,
        "message": "unknown measure or metric 'asc_gross_expenditur' in the formula of metric 'asc_spend_per_head'",
        "hint": "did you mean 'asc_gross_expenditure'?",
    }


@pytest.mark.slow
def test_build_writes_one_file_per_object_and_a_manifest(
    example_project: Path, monkeypatch
) -> None:
    monkeypatch.delenv(
        "SNOWFLAKE_ACCOUNT", raising=False
    )  # building needs no connection or credentials
    result = invoke(example_project, "build", "--target", "snowflake")
    assert result.exit_code == 0, result.output
    out = example_project / "build" / "snowflake"
    manifest = json.loads((out / "manifest.json").read_text())
    files = sorted(p.name for p in out.glob("*.sql"))
    assert files == sorted(o["file"] for o in manifest["objects"])
    position = {o["name"]: i for i, o in enumerate(manifest["objects"])}
    for obj in manifest["objects"]:
        assert all(position[dep] < position[obj["name"]] for dep in obj["depends_on"])
    assert manifest["spec_hash"].startswith("sha256:") and manifest["target"] == "snowflake"
    assert files == sorted(files, key=lambda name: (int(name[:2]), name))
    listed = {
        name: i for i, name in enumerate(files)
    }  # executing the files as listed is a valid order
    file_of = {o["name"]: o["file"] for o in manifest["objects"]}
    for obj in manifest["objects"]:
        assert all(listed[file_of[dep]] < listed[obj["file"]] for dep in obj["depends_on"]), obj[
            "name"
        ]
    assert {o["name"] for o in manifest["objects"] if not o["depends_on"]} == {
        "schema",
        "snapshot_schema",
    }


@pytest.mark.slow
def test_a_failed_build_keeps_the_previous_build(example_project: Path) -> None:
    assert invoke(example_project, "build", "--target", "duckdb").exit_code == 0
    out = example_project / "build" / "duckdb"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert Path("audiences/public.sql") in before  # the audiences' files are kept too
    misspell_formula(example_project)
    assert invoke(example_project, "build", "--target", "duckdb").exit_code == 1
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_run_prints_the_top_10_with_names(example_commands: ExampleCommands) -> None:
    result = example_commands.invoke("run", "-q")
    assert result.exit_code == 0, result.output
    for column in ("Productivity", "Savings", "Rank 5-95%", "P(top)"):
        assert column in result.output
    assert "adult_social_care v2026.2: Top 10, 2016-17" in result.output
    assert "Redbridge" in result.output
    assert "top_level v2026.1: Top 10, 2022-23" in result.output
    assert result.output.index("top_level v") < result.output.index("adult_social_care v")
    # five indexes built (High Needs is deferred); combined authorities' codes are E47 and E61
    assert len(re.findall(r"│ E\d{8} │", result.output)) == 50


@pytest.mark.slow
def test_run_reports_values_outside_a_valid_range(example_commands: ExampleCommands) -> None:
    result = example_commands.invoke("run")
    assert result.exit_code == 0, result.output
    assert (
        "specs/measures.yaml:18:12: IX706 warning: service_user_quality_of_life: 5 published value(s) outside "
        "its valid range left out as missing: E06000041 2019-20 0"
    ) in result.output


@pytest.mark.slow
def test_run_with_a_missing_data_file(example_project: Path) -> None:
    (example_project / "examples" / "data" / "population_former_councils.csv").unlink()
    result = invoke(example_project, "run")
    assert result.exit_code == 1
    assert (
        "targets/duckdb.yaml:12:42: IX503 file not found for source 'ons_population_former_councils'"
        in result.output
    )


@pytest.mark.slow
def test_bad_data_fails_cleanly_and_keeps_the_database(example_project: Path) -> None:
    assert invoke(example_project, "run", "-q", "--index", "adult_social_care").exit_code == 0
    database = example_project / "build" / "indexc.duckdb"
    with duckdb.connect(str(database), read_only=True) as connection:
        before = connection.execute(
            "SELECT * FROM indexc_build.index__adult_social_care__scores ORDER BY period, area_code"
        ).fetchall()
    data = example_project / "examples" / "data" / "asc_outcomes_oflog.csv"
    data.write_text(data.read_text().replace(",8.9\n", ",eight point nine\n", 1))
    result = invoke(example_project, "run", "-q", "--index", "adult_social_care")
    assert result.exit_code == 1
    assert "examples/data/asc_outcomes_oflog.csv:" in result.output
    assert "IX717 value 'eight point nine' in column" in result.output
    assert "Traceback" not in result.output
    with duckdb.connect(str(database), read_only=True) as connection:
        after = connection.execute(
            "SELECT * FROM indexc_build.index__adult_social_care__scores ORDER BY period, area_code"
        ).fetchall()
    assert after == before


@pytest.mark.slow
def test_an_object_that_changed_kind_is_replaced_and_a_failed_run_keeps_it(
    example_project: Path,
) -> None:
    """A build from before metric scores became a view holds them as a table: a run replaces it, and a run
    that fails leaves it exactly as it was."""
    assert invoke(example_project, "run", "-q", "--index", "adult_social_care").exit_code == 0
    database = example_project / "build" / "indexc.duckdb"
    scores = "indexc_build.index__adult_social_care__metric_scores"
    kind = (
        "SELECT table_type FROM information_schema.tables WHERE table_schema = 'indexc_build' "
        "AND table_name = 'index__adult_social_care__metric_scores'"
    )
    every_row = f"SELECT * FROM {scores} ORDER BY ALL"
    with duckdb.connect(str(database)) as connection:
        assert connection.execute(kind).fetchone() == ("VIEW",)
        rows = connection.execute(every_row).fetchall()
        connection.execute(f"CREATE TABLE {scores}_was AS SELECT * FROM {scores}")
        connection.execute(f"DROP VIEW {scores}")
        connection.execute(
            f"ALTER TABLE {scores}_was RENAME TO index__adult_social_care__metric_scores"
        )
    data = example_project / "examples" / "data" / "asc_outcomes_oflog.csv"
    good = data.read_text()
    data.write_text(good.replace(",8.9\n", ",eight point nine\n", 1))
    assert invoke(example_project, "run", "-q", "--index", "adult_social_care").exit_code == 1
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute(kind).fetchone() == ("BASE TABLE",)
        assert connection.execute(every_row).fetchall() == rows
    data.write_text(good)
    result = invoke(example_project, "run", "-q", "--index", "adult_social_care")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute(kind).fetchone() == ("VIEW",)
        assert connection.execute(every_row).fetchall() == rows


def test_no_specs_directory(tmp_path: Path) -> None:
    result = invoke(tmp_path, "validate")
    assert result.exit_code == 1
    assert "IX005 no 'specs/' directory" in result.output


@pytest.mark.slow
def test_run_a_chosen_period(example_commands: ExampleCommands) -> None:
    result = example_commands.invoke(
        "run", "-q", "--period", "2022-23", "--index", "adult_social_care"
    )
    assert result.exit_code == 0, result.output
    assert (
        "Top 10, 2022-23" in result.output and "1/2" in result.output
    )  # outcomes scored, spend not published


@pytest.mark.slow
def test_run_checks_declared_columns_against_the_csv_header(example_project: Path) -> None:
    sources = example_project / "specs" / "sources.yaml"
    sources.write_text(
        sources.read_text().replace("columns: {area: la_code,", "columns: {area: la_cod,")
    )
    result = invoke(example_project, "run")
    assert result.exit_code == 1
    assert (
        "specs/sources.yaml:10:21: IX504 column 'la_cod' of source 'oflog_asc_outcomes' is not in "
        "examples/data/asc_outcomes_oflog.csv"
    ) in result.output
    assert "did you mean 'la_code'?" in result.output


@pytest.mark.slow
def test_run_refuses_a_period_without_scores(example_commands: ExampleCommands) -> None:
    result = example_commands.invoke(
        "run", "-q", "--period", "2030-31", "--index", "adult_social_care"
    )
    assert result.exit_code == 1
    assert "IX703 index 'adult_social_care' has no scores for period '2030-31'" in result.output
    assert "scored periods: 2015-16, 2016-17" in result.output


@pytest.mark.slow
def test_build_never_replaces_a_directory_that_is_not_a_build(example_project: Path) -> None:
    keep = example_project / "notes"
    keep.mkdir()
    (keep / "mine.txt").write_text("not indexc's")
    result = invoke(example_project, "build", "--target", "duckdb", "--out", str(keep))
    assert result.exit_code == 1 and "IX505" in result.output
    assert (keep / "mine.txt").read_text() == "not indexc's"
    assert (
        invoke(example_project, "build", "--target", "duckdb", "--out", str(keep / "sql")).exit_code
        == 0
    )
    assert (
        invoke(example_project, "build", "--target", "duckdb", "--out", str(keep / "sql")).exit_code
        == 0
    )


@pytest.mark.slow
def test_manifest_hashes_are_of_the_statement_text(example_project: Path) -> None:
    import hashlib

    assert invoke(example_project, "build", "--target", "duckdb").exit_code == 0
    out = example_project / "build" / "duckdb"
    manifest = json.loads((out / "manifest.json").read_text())
    for obj in manifest["objects"]:
        statement = (
            (out / obj["file"])
            .read_text()
            .split(" not this file.\n", 1)[1]
            .rstrip()
            .removesuffix(";")
        )
        assert obj["sql_hash"] == "sha256:" + hashlib.sha256(statement.encode()).hexdigest()


def test_a_failing_check_shows_five_examples_and_says_there_are_more(tiny_project: Path) -> None:
    data = tiny_project / "data" / "outcomes.csv"
    lines = data.read_text().splitlines()
    broken = [lines[0]] + [
        line.replace(",2017,", f",{bad},")
        for line, bad in zip(
            lines[1:], ["", "2017/18", "17", "999", "2017.0", "twenty", "2016-17"], strict=False
        )
    ]
    data.write_text("\n".join(broken) + "\n")
    result = invoke(tiny_project, "run")
    assert result.exit_code == 1
    assert (
        "specs/tiny.yaml:20:5: IX702 outcomes: periods that are missing or not written as YYYY: "
        "'17', '2016-17', '2017.0', '2017/18', '999' and more"
    ) in result.output
    data.write_text("\n".join([lines[0], lines[1].replace(",2017,", ",,")] + lines[2:]) + "\n")
    result = invoke(tiny_project, "run")
    assert result.exit_code == 1
    assert (
        "IX702 outcomes: periods that are missing or not written as YYYY: (blank)\n"
        in result.output
    )


def test_run_refuses_a_period_that_is_not_a_financial_year(example_project: Path) -> None:
    result = invoke(example_project, "run", "--period", "2016")
    assert result.exit_code == 1
    assert "IX703 '2016' is not a financial year" in result.output
    assert not (example_project / "build").exists()  # refused before anything was built


@pytest.mark.slow
def test_build_several_targets_from_one_compile(example_project: Path) -> None:
    result = invoke(example_project, "build", "--target", "duckdb", "--target", "snowflake")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "wrote 862 objects to build/duckdb",
        "wrote 862 objects to build/snowflake",
    ]
    result = invoke(
        example_project, "build", "--target", "duckdb", "--target", "snowflake", "--out", "x"
    )
    assert result.exit_code == 1 and "IX007 --out takes a single --target" in result.output


def test_a_row_given_twice_fails_the_run(tiny_project: Path) -> None:
    data = tiny_project / "data" / "population.csv"
    data.write_text(data.read_text() + "AAA,2016,100\n")
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 1
    assert (
        "IX702 population: rows given more than once (area period item): 'AAA 2016-17 people'"
        in result.output
    )


@pytest.mark.slow
def test_a_database_held_open_elsewhere_is_a_diagnostic(example_project: Path) -> None:
    assert invoke(example_project, "run", "-q", "--index", "adult_social_care").exit_code == 0
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; "
            "c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(30)",
            str(example_project / "build" / "indexc.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        result = invoke(example_project, "run", "-q", "--index", "adult_social_care")
    finally:
        holder.kill()
    assert result.exit_code == 1
    assert (
        "targets/duckdb.yaml: IX704 cannot open the database build/indexc.duckdb" in result.output
    )


def test_names_are_printed_as_text_not_as_terminal_markup(tiny_project: Path) -> None:
    areas = tiny_project / "data" / "areas.csv"
    areas.write_text(areas.read_text().replace("AAA,Alpha,", "AAA,[/] Alpha [bold],"))
    result = invoke(tiny_project, "run", "-q")
    assert result.exit_code == 0, result.output
    assert "[/] Alpha [bold]" in result.output


@pytest.mark.slow
def test_run_progress_names_every_object_with_the_rows_it_wrote(
    example_commands: ExampleCommands,
) -> None:
    result = example_commands.invoke("run", "-v", "--no-cache")  # a full run, whatever ran before
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    database = example_commands.project / "build" / "indexc.duckdb"  # any run builds the same
    with duckdb.connect(str(database), read_only=True) as connection:
        scores = connection.execute(
            "SELECT COUNT(*) FROM indexc_build.index__adult_social_care__scores"
        ).fetchone()[0]
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "'indexc_build' AND table_type = 'BASE TABLE'"
        ).fetchall()
        written = sum(
            connection.execute(f'SELECT COUNT(*) FROM indexc_build."{t}"').fetchone()[0]
            for (t,) in tables
        )
    assert any(
        line.startswith(f"built index__adult_social_care__scores: {scores:,} rows in ")
        for line in lines
    )
    assert any(
        line.startswith("built index__adult_social_care__metric_scores (view) in ")
        for line in lines
    )
    assert any(line.startswith("checked check__oflog_asc_outcomes__periods in ") for line in lines)
    *objects, summary = [line for line in lines if line.startswith(("built ", "checked "))]
    assert summary == lines[-1]
    assert len(objects) == 862
    assert re.fullmatch(
        rf"built {len(objects)} objects on duckdb in [0-9.]+s, {written:,} rows written", summary
    ), summary


@pytest.mark.slow
def test_run_progress_in_a_log_names_only_slow_objects_and_nothing_with_quiet(
    example_commands: ExampleCommands,
) -> None:
    # --no-cache: a run of the same copy before this one would leave nothing to build
    plain = example_commands.invoke("run", "--no-cache")
    assert plain.exit_code == 0
    slow = [
        line
        for line in plain.stderr.splitlines()
        if line.startswith(("built index", "built source"))
    ]
    assert all(float(line.rsplit(" in ", 1)[1].rstrip("s")) >= 1.0 for line in slow)
    assert plain.stderr.splitlines()[-1].startswith("built 862 objects on duckdb in ")
    quiet = example_commands.invoke("run", "-q")
    assert quiet.exit_code == 0
    assert not [
        line for line in quiet.stderr.splitlines() if line.startswith("built ")
    ]  # no progress, no summary
    assert "IX706 warning" in quiet.stderr and quiet.stderr.endswith(
        "0 error(s), 15 warning(s)\n"
    )  # warnings stay
    assert "Redbridge" in quiet.stdout


def test_the_manifest_names_the_language_version_the_specs_were_read_as(tiny_project: Path) -> None:
    from indexc.migrate import CURRENT_VERSION

    assert CURRENT_VERSION == 2
    assert invoke(tiny_project, "build", "--target", "duckdb").exit_code == 0
    manifest = json.loads((tiny_project / "build" / "duckdb" / "manifest.json").read_text())
    assert manifest["language_version"] == 2  # the specs are version 2 (it said 1)
