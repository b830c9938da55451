"""Validation rules, driven by YAML case files (in the manner of sqlfluff's rule fixtures).

Each file under validation_cases/ lists cases: spec files that replace or join
the valid base project in validation_cases/base/, and the exact diagnostics
expected (code, file, line, column, and optionally text the message or hint
must contain). A case passes only if exactly those diagnostics appear.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from indexc.project import Project

CASES_DIR = Path(__file__).resolve().parent / "validation_cases"
BASE = CASES_DIR / "base"


def load_cases() -> list:
    params = []
    for case_file in sorted(CASES_DIR.glob("*.yml")):
        document = YAML(typ="safe").load(case_file.read_text(encoding="utf-8"))
        for case in document["cases"]:
            params.append(pytest.param(case, id=f"{case_file.stem}: {case['name']}"))
    return params


def materialise(case: dict, root: Path) -> Path:
    shutil.copytree(BASE, root)
    for relative, text in (case.get("files") or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relative in case.get("delete") or []:
        (root / relative).unlink()
    return root


def test_base_project_is_valid(tmp_path: Path) -> None:
    compilation, diagnostics = Project(materialise({}, tmp_path / "p")).check()
    assert diagnostics == []
    assert compilation is not None


@pytest.mark.parametrize("case", load_cases())
def test_validation_case(case: dict, tmp_path: Path) -> None:
    _, diagnostics = Project(materialise(case, tmp_path / "p")).check()
    got = sorted((d.code, d.location.file, d.location.line, d.location.col) for d in diagnostics)
    expected = sorted((e["code"], e["file"], e["line"], e["col"]) for e in case["expect"])
    assert got == expected, "\n".join(d.render() for d in diagnostics)
    for want in case["expect"]:
        match = next(
            d
            for d in diagnostics
            if (d.code, d.location.file, d.location.line, d.location.col)
            == (want["code"], want["file"], want["line"], want["col"])
        )
        assert want.get("message", "") in match.message
        assert want.get("hint", "") in (match.hint or "")
