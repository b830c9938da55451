"""Every mistake on the command line is a coded diagnostic with exit code 1, in text and JSON; help still works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexc.cli import main

CASES = [
    # (arguments after --project, code, text the message must contain, text the hint must contain)
    (
        ["--geography-date", "2020-02-30", "validate"],
        "IX008",
        "invalid value for '--geography-date': '2020-02-30' is not a date that exists",
        "YYYY-MM-DD",
    ),
    (
        ["--geography-date", "1/4/2020", "validate"],
        "IX008",
        "'1/4/2020' is not a date written YYYY-MM-DD",
        "YYYY-MM-DD",
    ),
    (
        ["snapshot", "take", "--as-of", "2025-02-30"],
        "IX008",
        "invalid value for '--as-of': '2025-02-30' is not a date that exists",
        "such as 2020-02-29",
    ),
    (
        ["build", "--target", "duckdb", "--out", "{project}/a_file.txt"],
        "IX008",
        "invalid value for '--out'",
        "not of a file",
    ),
    (
        ["--project", "{project}/a_file.txt", "validate"],
        "IX008",
        "invalid value for '--project'",
        "give the path of a directory, not of a file",
    ),
    (
        ["build", "--target", "oracle"],
        "IX008",
        "'oracle' is not one of 'duckdb', 'snowflake'",
        "choose one of: duckdb, snowflake",
    ),
    (
        ["impact", "--source", "finance", "--structure", "{project}/specs"],
        "IX008",
        "invalid value for '--structure'",
        "not of a directory",
    ),
    (
        ["build"],
        "IX007",
        "missing option '--target'. Choose from: duckdb, snowflake",
        "indexc build --help",
    ),
    (["run", "--bogus"], "IX007", "no such option '--bogus'", "indexc run --help"),
    (["bild"], "IX007", "no such command 'bild'. Did you mean 'build'?", "indexc --help"),
    (["lineage"], "IX007", "missing argument 'CODE'", "indexc lineage --help"),
    (
        ["validate", "extra"],
        "IX007",
        "got unexpected extra argument (extra)",
        "indexc validate --help",
    ),
    (
        ["build", "--target", "duckdb", "--target", "snowflake", "--out", "x"],
        "IX007",
        "--out takes a single --target",
        "indexc build --help",
    ),
    (
        ["run", "--strict", "--publish-as-live"],
        "IX007",
        "--strict and --publish-as-live",
        "indexc run --help",
    ),
]


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


@pytest.mark.parametrize(
    "args, code, message, hint", CASES, ids=[" ".join(case[0]) for case in CASES]
)
def test_a_usage_error_is_a_coded_diagnostic(tiny_project: Path, args, code, message, hint) -> None:
    (tiny_project / "a_file.txt").write_text("not a directory\n")
    args = [arg.format(project=tiny_project) for arg in args]
    result = CliRunner().invoke(
        main, ["--project", str(tiny_project), *args], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    assert f"command line: {code} " in result.output and message in result.output
    [hint_line] = [line for line in result.output.splitlines() if line.startswith("  hint: ")]
    assert hint in hint_line
    assert "Usage:" not in result.output and not (tiny_project / "build").exists()


def test_a_usage_error_is_json_with_format_json(tiny_project: Path) -> None:
    result = invoke(tiny_project, "snapshot", "take", "--as-of", "2025-02-30", "--format", "json")
    assert result.exit_code == 1
    [diagnostic] = json.loads(result.output)
    assert diagnostic["code"] == "IX008" and diagnostic["file"] == "command line"
    assert (
        diagnostic["severity"] == "error"
        and "2025-02-30" in diagnostic["message"]
        and diagnostic["hint"]
    )


@pytest.mark.parametrize(
    "args", [["--help"], ["run", "--help"], ["snapshot", "take", "--help"], ["--version"]]
)
def test_help_and_version_still_exit_0(tiny_project: Path, args) -> None:
    result = invoke(tiny_project, *args)
    assert result.exit_code == 0 and "IX00" not in result.output


@pytest.mark.slow  # starts a Python process: over three seconds
def test_python_dash_m_indexc_is_the_same_command(tiny_project: Path) -> None:
    """`python -m indexc` (indexc/__main__.py) runs the command line, diagnostics and exit code alike."""
    import subprocess
    import sys

    from indexc import __version__

    ran = subprocess.run(
        [sys.executable, "-m", "indexc", "--version"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert ran.returncode == 0 and __version__ in ran.stdout, ran.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "indexc", "--project", str(tiny_project), "run", "--period", "2016"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert refused.returncode == 1 and "IX703 '2016' is not a financial year" in refused.stderr
