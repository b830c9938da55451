"""A build directory is updated where it is: kept files are not touched, and a failed write leaves the
last build exactly as it was.

project/update.py renames the directory aside, moves the files that go into a backup, lets the build
write, and renames it back; on any error it puts everything back. These tests build a small real
project (tests/fixtures/tiny), change a formula, and check what is on disk byte for byte.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc import emit
from indexc.cli import main
from indexc.emit import MANIFEST
from indexc.project import outputs, update

BOTH = ("--target", "duckdb", "--target", "snowflake")


def build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project), "build", *BOTH, *args])
    return result.exit_code, result.output


def on_disk(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry under `directory`: a file's bytes and inode, a directory's marker."""
    return {
        path.relative_to(directory).as_posix(): (path.read_bytes(), path.stat().st_ino)
        if path.is_file()
        else (b"<dir>", 0)
        for path in sorted(directory.rglob("*"))
    }


def change_formula(project: Path) -> None:
    specs = project / "specs" / "tiny.yaml"
    text = specs.read_text()
    assert text.count("formula: spend / population") == 1
    specs.write_text(text.replace("formula: spend / population", "formula: spend * 2 / population"))


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    code, output = build(project)
    assert code == 0, output
    return project


@pytest.mark.slow
def test_a_failed_write_leaves_the_last_build_as_it_was(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = on_disk(tiny / "build")
    change_formula(tiny)
    written: list[str] = []
    write_data = emit.write_data

    def counted(path: str, data: bytes) -> None:
        written.append(path)
        write_data(path, data)

    def failing(path: Path, text: str) -> str:
        assert path.name == MANIFEST  # the only file written after the objects' files
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(emit, "write_data", counted)
    monkeypatch.setattr(outputs, "_write", failing)
    code, output = build(tiny)
    assert code == 1, output
    assert "cannot write the build" in output and "No space left on device" in output
    assert "Traceback" not in output
    assert written  # the failure came after new files had been written
    assert on_disk(tiny / "build") == before  # same bytes, same inodes, nothing left over
    assert sorted(p.name for p in (tiny / "build").iterdir()) == ["duckdb", "snowflake"]
    monkeypatch.undo()
    code, output = build(tiny)  # and the next build, with nothing failing, goes through
    assert code == 0, output


@pytest.mark.slow
def test_kept_files_stay_the_same_files_and_anything_else_goes(tiny: Path) -> None:
    before = on_disk(tiny / "build" / "duckdb")
    (tiny / "build" / "duckdb" / "99_stray.sql").write_text("SELECT 1;\n")
    (tiny / "build" / "duckdb" / "notes").mkdir()
    (tiny / "build" / "duckdb" / "notes" / "todo.txt").write_text("a user's file\n")
    change_formula(tiny)
    code, output = build(tiny)
    assert code == 0, output
    after = on_disk(tiny / "build" / "duckdb")
    assert "99_stray.sql" not in after and "notes" not in after and "notes/todo.txt" not in after
    kept = [name for name in after if name in before and after[name] == before[name]]
    changed = [name for name in after if name in before and after[name][0] != before[name][0]]
    assert kept and changed and MANIFEST in changed
    # a file whose bytes did not change is the very same file (same inode), not a copy or a link
    assert all(after[name][1] == before[name][1] for name in after if name in kept)
    leftovers = [p.name for p in (tiny / "build").iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.slow
def test_a_directory_left_by_a_killed_build_is_cleared_and_the_build_written_whole(
    tiny: Path, tmp_path: Path
) -> None:
    expected = on_disk(tiny / "build" / "duckdb")
    # as a build killed midway leaves it: the directory renamed aside, half updated
    out = tiny / "build" / "duckdb"
    out.rename(out.with_name(".duckdb.updating"))
    (out.with_name(".duckdb.updating") / "01_half_written.sql").write_text("SELECT")
    code, output = build(tiny)
    assert code == 0, output
    assert not out.with_name(".duckdb.updating").exists()
    assert {name: data for name, (data, _) in on_disk(out).items()} == {
        name: data for name, (data, _) in expected.items()
    }


@pytest.mark.slow
def test_a_kept_file_edited_while_the_build_writes_is_found_by_the_next_build(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_formula(tiny)
    write_files = outputs.write_files
    edited: list[Path] = []

    def editing(directory: str, objects: list, target: str) -> list[bytes]:
        written = write_files(directory, objects, target)
        if not edited:  # a file this build keeps, edited by someone while the build runs
            names = {obj.file_name for obj in objects}
            kept = sorted(p for p in Path(directory).glob("*.sql") if p.name not in names)
            some = kept[0]
            text = some.read_text()
            some.write_text(text.replace("--", "- ", 1))
            edited.append(Path(directory).name)
        return written

    monkeypatch.setattr(outputs, "write_files", editing)
    code, output = build(tiny)
    assert code == 0, output
    assert edited == [".duckdb.updating"]  # the DuckDB build, while it was renamed aside
    monkeypatch.undo()
    code, output = build(tiny)
    assert code == 0, output
    assert "is up to date" not in output.splitlines()[0]  # the edited file is written again


def _waiting_for_a_lock(pid: int) -> bool:
    """Whether process `pid` waits for a flock (a `->` line of /proc/locks names its waiters)."""
    return any(
        "->" in line and line.split()[5] == str(pid)
        for line in Path("/proc/locks").read_text().splitlines()
        if len(line.split()) > 5
    )


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_a_second_build_into_the_same_directory_waits_for_the_first(tiny: Path) -> None:
    before = on_disk(tiny / "build")
    change_formula(tiny)
    command = [sys.executable, "-m", "indexc", "--project", str(tiny), "build", *BOTH]
    with update.exclusive(tiny / "build" / "duckdb"):  # as a first build holds it while it writes
        second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock(second.pid) and second.poll() is None:
            assert time.monotonic() < deadline, "the second build never reached the lock"
            time.sleep(0.05)
        assert second.poll() is None, second.communicate()[0]
        assert on_disk(tiny / "build") == before  # it waits, touching nothing
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    assert on_disk(tiny / "build") != before
