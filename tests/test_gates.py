"""The code gates, run by the README's test command so CI fails on any of them.

ruff (lint and format) and mypy run with the settings in pyproject.toml, from the test's own
environment (the dev dependencies pin their versions: a new release may find new problems). The
layer contracts are checked in tests/test_layers.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_TREES = ["compiler", "tests", "benchmarks", "scripts"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_finds_no_lint() -> None:
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise", *PYTHON_TREES)
    assert result.returncode == 0, f"ruff check failed:\n{result.stdout}{result.stderr}"


def test_the_tree_is_formatted() -> None:
    result = _run("ruff", "format", "--no-cache", "--check", *PYTHON_TREES)
    assert result.returncode == 0, (
        f"run `.venv/bin/ruff format` on these files:\n{result.stdout}{result.stderr}"
    )


@pytest.mark.slow  # strict mypy over the whole package takes longer than the quick loop allows
def test_mypy_finds_no_type_error() -> None:
    result = _run("mypy")  # files and strictness from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, f"mypy found errors:\n{result.stdout}{result.stderr}"
