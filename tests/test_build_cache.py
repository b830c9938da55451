"""Incremental builds: the cache under .indexc/cache never changes what a build writes or a run publishes.

Every build that reuses the cache is compared byte for byte with a cold build (`--no-cache`) of the
same specs in a fresh copy: after nothing changed, after a metric's formula, a lineage event, the
target file or the toolchain changed, and with the cache truncated, garbled or written by another
version. The run's state is tested the same way: a second run with nothing changed publishes nothing
and prints the same Top N; a changed data file or a missing database runs in full.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

import indexc.cache
from indexc.cache import CACHE_DIR, Store
from indexc.cache.fingerprint import Fingerprints, Unknown
from indexc.cli import main
from indexc.load import read_file
from indexc.load.marks import Marks
from indexc.project import TARGET_MODELS, TARGET_NAMES, builds
from indexc.project.outputs import manifest_text

BOTH = ("--target", "duckdb", "--target", "snowflake")


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def build(project: Path, *args: str) -> list[str]:
    result = invoke(project, "build", *BOTH, *args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def cold(project: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build with no cache writes for the project's specs as they are now."""
    fresh = tmp_path / f"cold{len(list(tmp_path.glob('cold*')))}"
    for part in ("specs", "targets"):
        (fresh / part).parent.mkdir(parents=True, exist_ok=True)
        copy_tree(project / part, fresh / part)
    build(fresh, "--no-cache")
    assert not (fresh / CACHE_DIR).exists()  # --no-cache writes no cache either
    return files_of(fresh / "build")


def copy_tree(source: Path, destination: Path) -> None:
    for path in source.rglob("*"):
        if path.is_file():
            (destination / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            (destination / path.relative_to(source)).write_bytes(path.read_bytes())


def mtimes(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.rglob("*") if p.is_file()}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "tiny", tmp_path / "tiny")


# --- fast: the store, the fingerprint, the names ----------------------------------------------


def test_the_target_names_the_cli_offers_are_the_targets_indexc_models() -> None:
    assert TARGET_NAMES == tuple(sorted(TARGET_MODELS))


def test_a_damaged_or_foreign_cache_entry_is_a_miss(tmp_path: Path) -> None:
    store = Store(tmp_path, "test")
    store.dump("entry", {"a": 1})
    assert store.load("entry") == {"a": 1}
    path = tmp_path / CACHE_DIR / "test" / "entry"
    whole = path.read_bytes()
    path.write_bytes(whole[:-3])  # truncated
    assert store.load("entry") is None
    path.write_bytes(b"garbage")
    assert store.load("entry") is None
    path.write_bytes(whole.replace(indexc.cache.toolchain().encode(), b"0" * 64))  # another indexc
    assert store.load("entry") is None
    flipped = bytearray(whole)
    flipped[-1] ^= 0xFF  # one bit of the payload
    path.write_bytes(bytes(flipped))
    assert store.load("entry") is None
    assert Store(tmp_path, "test", enabled=False).load("entry") is None
    assert (tmp_path / ".indexc" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_fingerprints_tell_types_and_sets_apart_and_refuse_what_they_cannot_read() -> None:
    of = Fingerprints().of
    assert of((1, "a")) == of((1, "a"))
    assert of(1) != of(1.0) != of("1") and of(True) != of(1)
    assert of((1, 2)) != of([1, 2])
    assert of(frozenset({"x", "y", "z"})) == Fingerprints().of(frozenset({"z", "y", "x"}))
    assert of({"a": 1, "b": 2}) != of({"a": 1, "b": 3})
    with pytest.raises(Unknown):
        of(lambda: 1)


def test_the_manifest_written_from_known_entries_is_the_one_json_writes() -> None:
    data = {
        "target": "duckdb",
        "objects": [{"name": "a", "depends_on": []}, {"name": "b", "depends_on": ["a"]}],
        "audiences": [{"id": "x", "views": ["a"]}],
    }
    expected = json.dumps(data, indent=2) + "\n"
    objects = data["objects"]
    made: list[Any] = []

    def entry(item: Any) -> Any:
        made.append(item)
        return item

    header = data | {"objects": []}
    text, entries = manifest_text(header, objects, entry, ["ka", None], {})
    assert text == expected and set(entries) == {"ka"} and made == objects
    made.clear()
    assert manifest_text(header, objects, entry, ["ka", "kb"], entries)[0] == expected
    assert made == [objects[1]]  # a known entry is not made again
    empty = {"target": "duckdb", "objects": []}
    assert manifest_text(empty, [], entry, [], {})[0] == json.dumps(empty, indent=2) + "\n"
    # an entry of a damaged record that is not text is written again
    known = {"ka": 3}
    assert manifest_text(header, objects, entry, ["ka", None], known)[0] == expected  # type: ignore[arg-type]


def test_a_file_read_back_from_the_cache_has_every_mark_of_the_file_as_parsed(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "specs" / "a.yaml"  # synthetic: keys, quoted and plain scalars, a list
    spec.parent.mkdir()
    spec.write_text(
        "indexc: 2\nmetrics:\n  - id: m\n    formula: 'a / b'\n"
        '    description: "two\n      lines"\n    tags: [x, y]\n'
    )
    store = Store(tmp_path, "yaml")
    parsed, problems = read_file(spec, tmp_path)
    assert parsed is not None and read_file(spec, tmp_path, store) == (parsed, problems)
    cached, again = read_file(spec, tmp_path, store)
    assert cached is not None and again == problems
    assert isinstance(cached.values, Marks) and isinstance(cached.keys, Marks)
    assert dict(cached.values) == dict(parsed.values) and dict(cached.keys) == dict(parsed.keys)
    assert list(cached.values) == list(parsed.values) and len(cached.keys) == len(parsed.keys)
    for path in [*parsed.values, ("metrics", 0, "missing"), ("nowhere",)]:
        assert cached.location(path) == parsed.location(path)
        assert cached.location(path, key=True) == parsed.location(path, key=True)
    spec.write_text(spec.read_text().replace("a / b", "a / c"))  # a changed file is parsed again
    changed, _ = read_file(spec, tmp_path, store)
    assert changed is not None and changed.data["metrics"][0]["formula"] == "a / c"


def wait_for_the_clock(directory: Path, clock: Any = builds._clock) -> None:
    """Until the file system's clock, read as `builds.settled` reads it, is past every file below."""
    last = max(p.stat().st_ctime_ns for p in directory.rglob("*") if p.is_file())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = clock(directory)
        assert now is not None
        if now[1] > last:
            return
        time.sleep(0.01)
    raise AssertionError("the file system's clock did not move on")


def test_a_file_settles_once_the_file_systems_clock_has_left_its_last_change_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "build" / "duckdb"
    out.mkdir(parents=True)
    (out / "00_schema.sql").write_text("SELECT 1;\n")
    changed = (out / "00_schema.sql").stat()
    wait_for_the_clock(out.parent)
    assert set(builds.settled(out)) == {"00_schema.sql"}
    assert not list(out.parent.glob(".indexc-clock*"))  # the file read for the clock is gone
    # changed in the very tick the clock reads: a later change could keep its status, so not settled
    monkeypatch.setattr(builds, "_clock", lambda _: (changed.st_dev, changed.st_ctime_ns))
    assert builds.settled(out) == {}
    # no clock to read beside the directory: only a file changed RACY_NS ago is settled
    monkeypatch.setattr(builds, "_clock", lambda _: None)
    assert builds.settled(out) == {}
    monkeypatch.setattr(builds.time, "time_ns", lambda: changed.st_ctime_ns + builds.RACY_NS + 1)
    assert set(builds.settled(out)) == {"00_schema.sql"}


# --- builds --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_build_with_nothing_changed_writes_nothing_and_is_what_a_cold_build_writes(
    tiny: Path, tmp_path: Path
) -> None:
    assert build(tiny) == [
        "wrote 49 objects to build/duckdb",
        "wrote 49 objects to build/snowflake",
    ]
    before = mtimes(tiny / "build")
    assert build(tiny) == [
        "build/duckdb is up to date (49 objects)",
        "build/snowflake is up to date (49 objects)",
    ]
    assert mtimes(tiny / "build") == before
    assert files_of(tiny / "build") == cold(tiny, tmp_path)


@pytest.mark.slow
def test_a_changed_formula_regenerates_its_objects_only_and_matches_a_cold_build(
    tiny: Path, tmp_path: Path
) -> None:
    build(tiny)
    before = mtimes(tiny / "build")
    specs = tiny / "specs" / "tiny.yaml"
    specs.write_text(
        specs.read_text().replace("formula: spend / population", "formula: spend * 2 / population")
    )
    lines = build(tiny)
    generated = [int(line.split("(")[1].split(" generated")[0]) for line in lines]
    assert all(0 < count < 49 for count in generated), lines
    assert files_of(tiny / "build") == cold(tiny, tmp_path)
    after = mtimes(tiny / "build")
    kept = [name for name in after if after[name] == before.get(name)]
    assert kept and len(kept) < len(after)  # unchanged files were not written again


@pytest.mark.slow
def test_the_target_file_a_lineage_event_and_the_toolchain_each_invalidate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    geo = copy_project(FIXTURES / "geo", tmp_path / "geo")
    build(geo)
    target = geo / "targets" / "snowflake.yaml"
    assert "build_schema: GEO\n" in target.read_text()
    target.write_text(target.read_text().replace("build_schema: GEO\n", "build_schema: GEO2\n"))
    assert "up to date" not in "\n".join(build(geo))
    assert files_of(geo / "build") == cold(geo, tmp_path)
    geography = geo / "specs" / "geography.yaml"
    text = geography.read_text()
    event = "  - id: r_recode\n"
    assert text.count(event) == 1
    geography.write_text(text.replace(event, event + "    description: renamed in the register\n"))
    assert "up to date" not in "\n".join(build(geo))
    assert files_of(geo / "build") == cold(geo, tmp_path)
    assert "up to date" in build(geo)[0]
    # another sqlglot (or indexc) reads nothing of the cache its predecessor wrote
    version = indexc.cache.metadata.version
    monkeypatch.setattr(
        indexc.cache.metadata,
        "version",
        lambda name: "0.0.0-other" if name == "sqlglot" else version(name),
    )
    indexc.cache.toolchain.cache_clear()
    try:
        lines = build(geo)
    finally:
        monkeypatch.undo()
        indexc.cache.toolchain.cache_clear()
    assert lines[0].startswith("wrote ") and "generated" not in lines[0]  # a cold build


@pytest.mark.slow
def test_a_damaged_cache_or_an_edited_build_is_never_trusted(tiny: Path, tmp_path: Path) -> None:
    build(tiny)
    expected = cold(tiny, tmp_path)
    entries = [p for p in (tiny / CACHE_DIR).rglob("*") if p.is_file()]
    assert {p.parent.name for p in entries} == {"builds", "sql", "yaml"}
    for damage in (
        lambda b: b[: len(b) // 2],
        lambda b: b"garbage",
        lambda b: b.replace(b"\n", b"\r\n", 2),
    ):
        for entry in entries:
            entry.write_bytes(damage(entry.read_bytes()))
        assert "up to date" not in "\n".join(build(tiny))
        assert files_of(tiny / "build") == expected
        entries = [p for p in (tiny / CACHE_DIR).rglob("*") if p.is_file()]
    some = sorted((tiny / "build" / "duckdb").glob("*.sql"))[3]
    some.write_text(some.read_text() + "-- edited\n")
    (tiny / "build" / "snowflake" / "99_extra.sql").write_text("SELECT 1;\n")
    assert "up to date" not in "\n".join(build(tiny))
    assert files_of(tiny / "build") == expected
    sorted((tiny / "build" / "duckdb").glob("*.sql"))[5].unlink()
    lines = build(tiny)
    assert lines[0].startswith("wrote") and lines[1].endswith("is up to date (49 objects)")
    assert files_of(tiny / "build") == expected


@pytest.mark.slow
def test_files_kept_by_a_build_are_not_read_again_yet_an_edit_right_after_is_found(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tiny)
    specs = tiny / "specs" / "tiny.yaml"
    specs.write_text(
        specs.read_text().replace("formula: spend / population", "formula: spend * 2 / population")
    )
    clock = builds._clock

    def later(directory: Path) -> tuple[int, int] | None:
        wait_for_the_clock(directory, clock)  # as when writing the build took a tick or more
        return clock(directory)

    with monkeypatch.context() as patched:
        patched.setattr(builds, "_clock", later)
        build(tiny)  # writes the changed files, keeps the others where they are
    read: list[str] = []
    checksum = builds._checksum

    def counted(path: str) -> str | None:
        read.append(path)
        return checksum(path)

    monkeypatch.setattr(builds, "_checksum", counted)
    assert build(tiny)[0] == "build/duckdb is up to date (49 objects)"
    assert read == []  # every file of both builds was told unchanged by its status
    # an edit right after a build, keeping the size and modification time, is still found
    some = sorted((tiny / "build" / "duckdb").glob("*.sql"))[4]
    stat = some.stat()
    text = some.read_text()
    some.write_text(text.replace("--", "- ", 1) if "--" in text else text.upper())
    os.utime(some, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert some.stat().st_size == stat.st_size
    assert build(tiny)[0].startswith("wrote ")
    assert files_of(tiny / "build") == cold(tiny, tmp_path)


@pytest.mark.slow
def test_a_spec_error_is_reported_as_a_cold_build_reports_it_from_a_changed_or_a_cached_file(
    tiny: Path,
) -> None:
    # a second spec file (synthetic, for this test) whose metric reads a measure of tiny.yaml
    extra = tiny / "specs" / "extra.yaml"
    extra.write_text(
        "indexc: 2\nmetrics:\n  - {id: spend_twice, version: 1, formula: spend * 2 / population,"
        " direction: lower_is_better, unit: gbp_per_head}\n"
    )
    build(tiny)
    specs = tiny / "specs" / "tiny.yaml"
    text = specs.read_text()

    def same_failure_as_cold(missing: str, where: str) -> None:
        warm = invoke(tiny, "build", *BOTH)
        coldly = invoke(tiny, "build", *BOTH, "--no-cache")
        assert warm.exit_code == coldly.exit_code == 1
        assert warm.output == coldly.output
        assert missing in warm.output and f"{where}:" in warm.output, warm.output
        assert "Traceback" not in warm.output
        assert invoke(tiny, "validate").output == invoke(tiny, "validate").output == warm.output

    # the changed file now reads a measure no file defines
    specs.write_text(text.replace("formula: spend / population", "formula: spent / population"))
    same_failure_as_cold("spent", "specs/tiny.yaml:38")
    # the changed file no longer defines what the unchanged, cached file reads
    specs.write_text(
        text.replace("{id: spend, unit", "{id: spend_total, unit").replace(
            "formula: spend / population", "formula: spend_total / population"
        )
    )
    same_failure_as_cold("spend", "specs/extra.yaml:3")
    specs.write_text(text)  # as at the last build that succeeded
    assert all(" is up to date (" in line for line in build(tiny))


@pytest.mark.slow
def test_only_the_statements_of_changed_nodes_are_checked_again(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexc.generate.targets import SnowflakeSql
    from indexc.project import together

    checked: list[str] = []
    problems = SnowflakeSql.static_problems

    def counted(self: SnowflakeSql, statement: str) -> list[str]:
        checked.append(statement)
        return problems(self, statement)

    monkeypatch.setattr(SnowflakeSql, "static_problems", counted)
    # one target after the other, in this process, where the checks are counted (after a small
    # change, the second target is otherwise built in a forked process: project/together.py)
    monkeypatch.setattr(together, "MIN_ITEMS", 0)
    build(tiny)
    # counted once each: a statement generated in a build that checks is asked as it is generated
    # (generate/halves.py) and again by the check, which then finds its verdict
    audiences = len(set(checked)) - 49  # the audiences' statements are checked at every build
    checked.clear()
    specs = tiny / "specs" / "tiny.yaml"
    specs.write_text(
        specs.read_text().replace("formula: spend / population", "formula: spend * 2 / population")
    )
    lines = build(tiny)
    generated = int(lines[1].split("(")[1].split(" generated")[0])
    assert 0 < generated < 49 and len(set(checked)) == generated + audiences
    after = files_of(tiny / "build" / "snowflake")
    changed = {text for name, text in after.items() if name.endswith(".sql")}
    assert all(any(s.encode() in text for text in changed) for s in checked[:generated])
    assert files_of(tiny / "build") == cold(tiny, tmp_path)


@pytest.mark.slow
def test_a_build_with_nothing_to_do_loads_neither_sqlglot_nor_pydantic(tiny: Path) -> None:
    command = [sys.executable, "-X", "importtime", "-m", "indexc", "--project", str(tiny), "build"]
    command += BOTH
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    loaded = {line.split("|")[-1].strip() for line in first.stderr.splitlines() if "|" in line}
    assert not loaded & {"duckdb", "rich", "matplotlib", "indexc.report", "indexc.diff"}
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "up to date" in second.stdout
    loaded = {line.split("|")[-1].strip() for line in second.stderr.splitlines() if "|" in line}
    assert not loaded & {"sqlglot", "pydantic", "ruamel", "jinja2", "duckdb", "indexc.generate"}


# --- runs ----------------------------------------------------------------------------------------


def top_n(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("│")]


@pytest.mark.slow
def test_a_run_with_nothing_changed_publishes_nothing_and_shows_the_same_results(
    tiny: Path,
) -> None:
    first = invoke(tiny, "run")
    assert first.exit_code == 0, first.output
    assert "built 49 objects on duckdb" in first.output
    second = invoke(tiny, "run")
    assert second.exit_code == 0, second.output
    assert "nothing built or published" in second.output and "built 49" not in second.output
    assert top_n(second.output) == top_n(first.output) and top_n(first.output)
    data = tiny / "data" / "population.csv"
    stat = data.stat()
    lines = data.read_text().splitlines()
    changed = lines[-1].rsplit(",", 1)
    # the same size and modification time: only the content tells the change
    data.write_text("\n".join(lines[:-1] + [f"{changed[0]},{int(changed[1]) + 1}"]) + "\n")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    third = invoke(tiny, "run")
    assert third.exit_code == 0 and "built 49 objects on duckdb" in third.output
    assert "nothing built" in invoke(tiny, "run").output
    (tiny / "build" / "tiny.duckdb").unlink()
    assert "built 49 objects on duckdb" in invoke(tiny, "run").output
    assert "built 49 objects on duckdb" in invoke(tiny, "run", "--no-cache").output
