"""Two targets built side by side after a small change (project/together.py) write what one after the
other would, and fail as one after the other would.

Each test builds the small real fixture (tests/fixtures/tiny) for both targets, changes one formula,
and builds again: the second target (Snowflake) is then built in a forked process. A failure is made
by replacing a target's static check, in this process before the fork (so the child has it too).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc.cli import main
from indexc.generate.targets import DuckDBSql, SnowflakeSql
from indexc.project import GeneratorBug, together

pytestmark = pytest.mark.skipif(not together.can_fork(), reason="needs fork")

BOTH = ("--target", "duckdb", "--target", "snowflake")


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "build", *BOTH, *args])


def on_disk(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(directory).as_posix(): (path.read_bytes(), path.stat().st_ino)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    result = invoke(project)
    assert result.exit_code == 0, result.output
    specs = project / "specs" / "tiny.yaml"
    specs.write_text(
        specs.read_text().replace("formula: spend / population", "formula: spend * 2 / population")
    )
    return project


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The second targets started in a forked process."""
    started: list[int] = []
    second = together._Second.__init__

    def counted(self: together._Second, *args: object) -> None:
        second(self, *args)
        started.append(self.pid)

    monkeypatch.setattr(together._Second, "__init__", counted)
    return started


@pytest.mark.slow
def test_side_by_side_writes_what_one_after_the_other_writes(
    tiny: Path, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = copy_project(tiny, tmp_path / "alone")
    result = invoke(tiny)
    assert result.exit_code == 0, result.output
    assert len(forks) == 1
    lines = result.output.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "wrote 49 objects to build/duckdb",
        "wrote 49 objects to build/snowflake",
    ]
    assert all("generated, the others from the cache" in line for line in lines)
    cold = CliRunner().invoke(main, ["--project", str(alone), "build", *BOTH, "--no-cache"])
    assert cold.exit_code == 0, cold.output
    for target in ("duckdb", "snowflake"):
        ours = {name: data for name, (data, _) in on_disk(tiny / "build" / target).items()}
        theirs = {name: data for name, (data, _) in on_disk(alone / "build" / target).items()}
        assert ours == theirs
    again = invoke(tiny)
    assert [line.endswith("is up to date (49 objects)") for line in again.output.splitlines()] == [
        True,
        True,
    ]  # the second target's record, written by the forked process, holds


@pytest.mark.slow
def test_a_first_target_that_fails_leaves_the_second_unwritten(
    tiny: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = on_disk(tiny / "build" / "snowflake")
    monkeypatch.setattr(DuckDBSql, "static_problems", lambda self, statement: ["refused"])
    result = invoke(tiny)
    assert isinstance(result.exception, GeneratorBug)
    assert len(forks) == 1
    assert on_disk(tiny / "build" / "snowflake") == before  # the same bytes, the same files
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # the forked process has ended and been reaped


@pytest.mark.slow
def test_a_second_target_that_fails_raises_after_the_first_is_reported(
    tiny: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    duckdb = on_disk(tiny / "build" / "duckdb")
    snowflake = on_disk(tiny / "build" / "snowflake")
    monkeypatch.setattr(SnowflakeSql, "static_problems", lambda self, statement: ["refused"])
    result = invoke(tiny)
    assert isinstance(result.exception, GeneratorBug)
    assert len(forks) == 1
    assert "indexc emitted SQL that snowflake would reject" in str(result.exception)
    assert any(
        "in the process that built the second target" in note for note in result.exception.__notes__
    )
    assert result.output.startswith("wrote 49 objects to build/duckdb (")
    assert on_disk(tiny / "build" / "duckdb") != duckdb
    assert on_disk(tiny / "build" / "snowflake") == snowflake


@pytest.mark.slow
def test_a_second_process_that_dies_is_replaced_by_building_here(
    tiny: Path, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = os.getpid()
    check = SnowflakeSql.static_problems

    def dies_in_a_child(self: SnowflakeSql, statement: str) -> list[str]:
        if os.getpid() != here:
            os._exit(3)
        return check(self, statement)

    monkeypatch.setattr(SnowflakeSql, "static_problems", dies_in_a_child)
    result = invoke(tiny)
    assert result.exit_code == 0, result.output
    assert len(forks) == 1
    alone = copy_project(tiny, tmp_path / "alone")
    cold = CliRunner().invoke(main, ["--project", str(alone), "build", *BOTH, "--no-cache"])
    assert cold.exit_code == 0, cold.output
    ours = {name: data for name, (data, _) in on_disk(tiny / "build" / "snowflake").items()}
    theirs = {name: data for name, (data, _) in on_disk(alone / "build" / "snowflake").items()}
    assert ours == theirs
