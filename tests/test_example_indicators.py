"""The example's public indicators as published: periods of every kind lined up with the financial
year, district-only data carried to counties, the ICB shares checked; each expected value is worked
out here from the CSVs in examples/data."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the real example, run once per session (conftest.py)


def read_csv(project: Path, name: str) -> list[dict[str, str]]:
    with open(project / "examples" / "data" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def ran(example_run):
    with example_run.connect() as connection:
        yield example_run.project, connection


def test_the_icb_crosswalk_reads_the_council_rows_of_the_real_shares(ran) -> None:
    project, connection = ran
    shares = [r for r in read_csv(project, "icb_to_la_shares.csv") if r["la_level"] == "utla"]
    edges = connection.execute(
        "SELECT from_code, to_code, weight, weight_to FROM indexc_build.area_map__icbs_onto_councils"
    ).fetchall()
    assert sorted((f, t) for f, t, _, _ in edges) == sorted(
        (r["icb_code"], r["la_code"]) for r in shares
    )
    of_icb: dict[str, float] = defaultdict(float)
    of_council: dict[str, float] = defaultdict(float)
    for icb, council, weight, weight_to in edges:
        of_icb[icb] += weight
        of_council[council] += weight_to
    assert len(of_icb) == 42 and len(of_council) == 153
    assert all(abs(total - 1) < 1e-5 for total in [*of_icb.values(), *of_council.values()])
