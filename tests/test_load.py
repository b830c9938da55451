"""The loader keeps positions of keys and values, and refuses what it cannot read."""

from __future__ import annotations

from pathlib import Path

from indexc.load import load_file


def test_positions_of_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("indexc: 2\nmetrics:\n  - id: one\n    formula: 'x / y'\n")
    spec, diagnostics = load_file(path, tmp_path)
    assert diagnostics == []
    assert spec.location(("metrics", 0, "formula")).col == 14
    assert spec.location(("metrics", 0, "formula"), key=True).col == 5
    assert spec.mark(("metrics", 0, "formula")).style == "'"
    assert spec.location(("metrics", 0, "missing", "deeper")).line == 3  # nearest existing ancestor


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"indexc: 2\nmetrics: [\xff]\n")
    spec, diagnostics = load_file(path, tmp_path)
    assert spec is None and diagnostics[0].code == "IX001" and "UTF-8" in diagnostics[0].message
