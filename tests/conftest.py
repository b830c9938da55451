"""Shared fixtures: throw-away copies of real projects, so no test writes into the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_PARTS = ("specs", "targets", "examples", "data")


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
def fakesnow_port(tmp_path_factory: pytest.TempPathFactory):
    """The port of a fakesnow server started for this test session (see tests/fakesnow_server.py)."""
    from fakesnow_server import server

    with server(tmp_path_factory.mktemp("fakesnow") / "server.log") as port:
        yield port
