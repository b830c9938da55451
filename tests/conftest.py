"""Shared fixtures: throw-away copies of real projects, so no test writes into the repository.

Also how the suite is run: in parallel by default (pytest-xdist, one worker per core), with the
markers `slow`, `fakesnow` and `chromium` (registered in pyproject.toml) so that
`pytest -m "not slow"` is the quick loop while editing, and session fixtures that compile and run the
real example once for all the tests that only read what it built.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_PARTS = ("specs", "targets", "examples", "data")
TARGETS = ("duckdb", "snowflake")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """`-n auto --dist loadfile` unless -n was given: in addopts it would break `-p no:xdist`."""
    if not config.pluginmanager.hasplugin("xdist") or "PYTEST_XDIST_WORKER" in os.environ:
        return
    if config.option.numprocesses is None:
        config.option.numprocesses = "auto"
    if config.option.dist == "no":
        # Whole modules to a worker, so that a module's shared fixtures (the commands of test_cli, the
        # method fixture's reference, one fakesnow server) are built once. Not loadgroup: with
        # pytest 9.2, xdist 3.8 cannot tag node ids with their group, so its groups are ignored.
        config.option.dist = "loadfile"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers that follow from what a test uses, so that they cannot be forgotten.

        A test of the fakesnow server (fixture `fakesnow_port`) is `fakesnow`; one of it or of Chromium
        is `slow`, and so is one reading the shared run of the real example (fixture `example_run`) or the
    build of the methodology fixture (`method_build`).
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "fakesnow_port" in fixtures:
            item.add_marker(pytest.mark.fakesnow)
        if "example_run" in fixtures:  # the real example, run once per worker: not quick
            item.add_marker(pytest.mark.slow)
        if "method_build" in fixtures:  # every option of the methodology, built and run: seconds
            item.add_marker(pytest.mark.slow)
        for heavy in ("fakesnow", "chromium"):
            if item.get_closest_marker(heavy):
                item.add_marker(pytest.mark.slow)


def copy_project(source: Path, destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, destination / part)
    return destination


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A copy of the repository's real Adult Social Care project."""
    return copy_project(REPO, tmp_path / "example")


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A copy of the four-council fixture whose results are checked by hand."""
    return copy_project(FIXTURES / "tiny", tmp_path / "tiny")


@pytest.fixture
def geo_project(tmp_path: Path) -> Path:
    """A copy of the made-up country with a split, a merge and a recode, restated by hand in the tests."""
    return copy_project(FIXTURES / "geo", tmp_path / "geo")


@pytest.fixture
def method_project(tmp_path: Path) -> Path:
    """A copy of the made-up country whose indexes use every option of docs/methodology.md."""
    return copy_project(FIXTURES / "method", tmp_path / "method")


@pytest.fixture(scope="session")
def example_builds():
    """The real example compiled once and generated for every target, not written: read it only.

    Built from the repository itself (nothing is written), at the first test that asks, never at
    collection.
    """
    from indexc.project import Project

    project = Project(REPO)
    compilation = project.compile()
    return {t: project.build(t, write=False, compilation=compilation) for t in TARGETS}


@dataclass(frozen=True)
class ExampleRun:
    """A copy of the real example run once on DuckDB: `project` is its root, `rankings` what the run
    returned. Tests read it and never write to it (a test that changes the project copies its own)."""

    project: Path
    rankings: list

    @property
    def database(self) -> Path:
        return self.project / "build" / "indexc.duckdb"

    def connect(self):
        import duckdb

        return duckdb.connect(str(self.database), read_only=True)


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    """The real example run once for the session (once per xdist worker that runs a test using it)."""
    from indexc.project import Project

    project = copy_project(REPO, tmp_path_factory.mktemp("example_run") / "example")
    return ExampleRun(project, Project(project).run())


@pytest.fixture(scope="session")
def fakesnow_port(tmp_path_factory: pytest.TempPathFactory):
    """The port of a fakesnow server started for this test session (see tests/fakesnow_server.py)."""
    from fakesnow_server import server

    with server(tmp_path_factory.mktemp("fakesnow") / "server.log") as port:
        yield port
