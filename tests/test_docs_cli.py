"""docs/cli.md says what the command line does: every command is in its table, the `validate`
example prints what the tool prints for the repository's specs, and `run --help` says what `-q`
hides (progress and summaries, never a warning or an error)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import REPO

from indexc.cli import main

CLI_DOC = REPO / "docs" / "cli.md"


def command_table() -> list[str]:
    """The commands of the table that opens cli.md, each linked to its section."""
    table = CLI_DOC.read_text(encoding="utf-8").split("| Command |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| \[`([a-z]+)`\]\(#\1\) \|", table, flags=re.MULTILINE)


def test_the_command_table_lists_every_command_once() -> None:
    assert sorted(command_table()) == sorted(main.commands)
    assert len(command_table()) == len(set(command_table()))


@pytest.mark.slow
def test_the_validate_example_is_what_validate_prints_for_the_repository() -> None:
    section = (
        CLI_DOC.read_text(encoding="utf-8").split("\n## validate\n", 1)[1].split("\n## ", 1)[0]
    )
    example = section.split("```console\n$ indexc validate\n", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(main, ["--project", str(REPO), "validate"])
    assert result.exit_code == 0, result.output
    assert result.output == example


def test_run_help_says_quiet_hides_progress_and_summaries_never_diagnostics() -> None:
    result = CliRunner().invoke(main, ["run", "--help"], terminal_width=200)
    [quiet] = [line for line in result.output.splitlines() if "--quiet" in line]
    assert "progress" in quiet and "summary" in quiet
    assert "warnings and errors are always printed" in quiet
