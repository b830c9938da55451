"""The example's data files are the ones their provenance describes, byte for byte.

`examples/data/SHA256SUMS` records each file's hash when it was copied from the reference data
set; a file edited by hand, truncated or replaced fails here rather than quietly moving results.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "examples" / "data"
REFERENCE = Path(__file__).parent.parent.parent / "shared" / "data"
DERIVED = {"population_former_councils.csv", "salt_structured_asc_2021_23.csv"}
"""Collected or re-laid out for the example (examples/data/SOURCES.md): no reference copy."""


def _sums() -> dict[str, str]:
    lines = (DATA / "SHA256SUMS").read_text().splitlines()
    return {name.strip(): digest for digest, name in (line.split("  ", 1) for line in lines)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_data_file_is_listed_with_its_hash() -> None:
    sums = _sums()
    assert sorted(sums) == sorted(p.name for p in DATA.glob("*.csv"))
    mismatched = [name for name, digest in sums.items() if _sha256(DATA / name) != digest]
    assert mismatched == []


def test_every_data_file_has_provenance() -> None:
    provenance = (DATA / "SOURCES.md").read_text()
    assert [name for name in _sums() if f"`{name}`" not in provenance] == []


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the reference data set is not beside the clone")
def test_copies_are_the_reference_files_unedited() -> None:
    copied = [name for name in _sums() if name not in DERIVED]
    assert [name for name in copied if _sha256(DATA / name) != _sha256(REFERENCE / name)] == []
