"""Bad inputs at run time, driven by YAML case files (as validation_cases/ drives validation rules).

Each file under run_cases/ names a small fixture project and lists cases: files
written into a copy of it, text replaced in its files, the command, and the
exact diagnostics expected (code, file, line, column, and text the message or
hint must contain), with exit code 1 unless the case says otherwise. A case may
run commands before its own (`before`, each of which must succeed), set environment variables for
its command (`env`, such as an empty PATH), and list text that must never be printed (the content of a file a target
should not have pointed at). The command runs for real: DuckDB executes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project
from ruamel.yaml import YAML

from indexc.cli import main

CASES_DIR = Path(__file__).resolve().parent / "run_cases"


def load_cases() -> list:
    params = []
    for case_file in sorted(CASES_DIR.glob("*.yml")):
        document = YAML(typ="safe").load(case_file.read_text(encoding="utf-8"))
        for case in document["cases"]:
            marks = [pytest.mark.slow] if case.get("slow") else []  # a second or more
            params.append(
                pytest.param(
                    document["fixture"], case, id=f"{case_file.stem}: {case['name']}", marks=marks
                )
            )
    return params


def materialise(fixture: str, case: dict, root: Path) -> Path:
    copy_project(FIXTURES / fixture, root)
    for relative, text in (case.get("files") or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    for relative, pairs in (case.get("replace") or {}).items():
        path = root / relative
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"{old!r} is not in {relative}"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("fixture, case", load_cases())
def test_run_case(fixture: str, case: dict, tmp_path: Path) -> None:
    root = materialise(fixture, case, tmp_path / fixture)
    for before in case.get("before") or []:
        done = CliRunner().invoke(main, ["--project", str(root), *before], catch_exceptions=False)
        assert done.exit_code == 0, done.output
    args = [a.replace("{root}", str(root)) for a in case["args"]]
    result = CliRunner(env=case.get("env")).invoke(
        main, ["--project", str(root), *args, "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == case.get("exit", 1), result.output
    diagnostics = json.loads(result.stderr) if result.stderr.strip() else []
    got = sorted((d["code"], d["file"], d["line"], d["col"]) for d in diagnostics)
    expected = sorted((e["code"], e["file"], e["line"], e["col"]) for e in case["expect"])
    assert got == expected, result.stderr
    for want in case["expect"]:
        match = next(
            d
            for d in diagnostics
            if (d["code"], d["file"], d["line"], d["col"])
            == (want["code"], want["file"], want["line"], want["col"])
        )
        assert want.get("message", "") in match["message"]
        assert want.get("hint", "") in (match["hint"] or "")
    for secret in case.get("never_printed") or []:
        assert secret not in result.output and secret not in result.stderr
