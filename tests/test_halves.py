"""Work split between two processes (generate/halves.py) gives the serial result, or its error.

A target's objects are generated half in a forked child at scale; the objects, their order and
any error must be those of generating them one after another in one process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from indexc.generate import generate, halves, snowflake_check, sql_target
from indexc.project import Project

needs_fork = pytest.mark.skipif(not halves.can_fork(), reason="no safe fork here")


def _square_and_pid(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


@needs_fork
def test_the_childs_items_are_worked_in_a_child_and_come_back_in_order() -> None:
    items = list(range(11))
    results = halves.in_two(_square_and_pid, items, min_items=2)
    assert [value for value, _ in results] == [item * item for item in items]
    here = os.getpid()
    assert {pid for (_, pid), i in zip(results, items, strict=True) if not halves.theirs(i)} == {
        here
    }
    assert here not in {pid for (_, pid), i in zip(results, items, strict=True) if halves.theirs(i)}


@pytest.mark.parametrize("period", [2, 3, 4, 5, 7])
def test_each_process_gets_about_half_of_every_kind(period: int) -> None:
    """A plan that lists kinds in a cycle (a smell test, then its check) is split within each kind."""
    for kind in range(period):
        positions = range(kind, 4000, period)
        share = sum(halves.theirs(p) for p in positions) / len(positions)
        assert 0.45 < share < 0.55


def test_a_short_list_is_worked_here() -> None:
    assert {pid for _, pid in halves.in_two(_square_and_pid, [1, 2, 3])} == {os.getpid()}


def _fails_at(bad: set[int]):
    def work(item: int) -> int:
        if item in bad:
            raise ValueError(f"item {item}")
        return item

    return work


@needs_fork
@pytest.mark.parametrize("bad", [{3}, {4}, {3, 6}, {6, 3}, {2, 5}])
def test_an_error_in_either_half_is_the_serial_one(bad: set[int]) -> None:
    """Whichever process meets them: the first failing item's error, as in a serial run."""
    assert any(halves.theirs(i) for i in range(8)) and not all(halves.theirs(i) for i in range(8))
    with pytest.raises(ValueError, match=f"item {min(bad)}$"):
        halves.in_two(_fails_at(bad), list(range(8)), min_items=2)


@needs_fork
def test_a_child_that_dies_is_worked_again_here() -> None:
    parent = os.getpid()

    def work(item: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return item + 1

    assert halves.in_two(work, list(range(6)), min_items=2) == list(range(1, 7))


@pytest.mark.slow
@needs_fork
@pytest.mark.parametrize("target", ["duckdb", "snowflake"])
def test_a_target_generated_in_two_processes_is_the_serial_one(monkeypatch, target) -> None:
    """The tiny fixture's objects (synthetic specs), generated serially and then split, with
    the static check's verdicts reached as it goes; the verdicts are found without checking again."""
    project = Project(FIXTURES / "tiny")
    compilation = project.compile()
    build = project.build(target, write=False, compilation=compilation)
    target_sql = sql_target(build.target)
    serial = generate(compilation.plan, target_sql)

    monkeypatch.setattr(halves, "MIN_ITEMS", 2)
    monkeypatch.setattr(snowflake_check, "_VERDICTS", {})
    target_sql.precheck = True
    split = generate(compilation.plan, target_sql)
    assert [(o.name, o.level, o.statement) for o in split] == [
        (o.name, o.level, o.statement) for o in serial
    ]
    if target == "snowflake":
        remembered = snowflake_check.verdicts()
        assert {snowflake_check.statement_key(o.statement) for o in split} <= set(remembered)
        assert all(not problems for problems in remembered.values())


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
@needs_fork
@pytest.mark.parametrize("use_cache", [False, True])
def test_files_written_in_two_processes_are_the_serial_ones(
    monkeypatch, tmp_path, use_cache
) -> None:
    """The tiny fixture's build directory (synthetic specs), written serially and then split;
    with the cache on, what the split build recorded finds the next build up to date."""
    shutil.copytree(FIXTURES / "tiny", tmp_path / "serial")
    shutil.copytree(FIXTURES / "tiny", tmp_path / "split")

    def build(root: Path) -> None:  # as `indexc build --target duckdb` does
        project = Project(root)
        project.use_cache = use_cache
        inputs, _ = project.fresh_builds(("duckdb",), None, check=True, indexes=())
        project.build("duckdb", check=True, inputs=inputs["duckdb"])

    build(tmp_path / "serial")
    monkeypatch.setattr(halves, "MIN_ITEMS", 2)
    build(tmp_path / "split")
    out = Path("build", "duckdb")
    assert _files(tmp_path / "split" / out) == _files(tmp_path / "serial" / out)
    if use_cache:
        _, fresh = Project(tmp_path / "split").fresh_builds(
            ("duckdb",), None, check=True, indexes=()
        )
        assert "duckdb" in fresh
