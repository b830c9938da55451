"""The example CI workflow (.github/workflows/indexc.yml) runs indexc commands that work: each one is
run here against a copy of the example, in a git repository, as the workflow would."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from click.testing import CliRunner
from conftest import REPO
from ruamel.yaml import YAML

from indexc.cli import main

pytestmark = pytest.mark.slow  # validates, builds and diffs the real example

WORKFLOW = REPO / ".github" / "workflows" / "indexc.yml"


def indexc_commands() -> list[list[str]]:
    steps = YAML(typ="safe").load(WORKFLOW)["jobs"]["check"]["steps"]
    commands = []
    for step in steps:
        line = (
            step.get("run", "").split(">", 1)[0].replace('"origin/${{ github.base_ref }}"', "HEAD")
        )
        words = shlex.split(line)
        if words and words[0] == ".venv/bin/indexc":
            commands.append(words[1:])
    return commands


def test_the_workflow_validates_builds_for_snowflake_and_diffs(example_project) -> None:
    commands = indexc_commands()
    assert [c[0] for c in commands] == ["validate", "migrate", "build", "diff"]
    assert "--strict" in commands[0] and "--strict" in commands[2]  # a warning fails CI
    for git in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.email=ci@example.org", "-c", "user.name=ci", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", "-C", str(example_project), *git], check=True, capture_output=True)
    for command in commands:
        result = CliRunner().invoke(main, ["--project", str(example_project), *command])
        assert result.exit_code == 0, f"{command}: {result.output}"
    assert (example_project / "build" / "snowflake" / "manifest.json").is_file()
    assert result.output.startswith("### indexc diff: `HEAD` → working tree (snowflake)")
