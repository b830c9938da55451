"""Property: IX401 is reported exactly for the pairs of bindings that share a financial year.

Checked against brute force over the years themselves, for random effective-
dated bindings including open and backward ranges.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexc.load import SpecFile
from indexc.validate import validate

FIRST, LAST = 2000, 2012
years = st.none() | st.integers(min_value=FIRST, max_value=LAST)


def label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def covered(start: int | None, end: int | None) -> set[int]:
    return set(range(FIRST if start is None else start, (LAST if end is None else end) + 1))


def spec(ranges: list[tuple[int | None, int | None]]) -> SpecFile:
    bindings = []
    for start, end in ranges:
        periods = {}
        if start is not None:
            periods["from"] = label(start)
        if end is not None:
            periods["to"] = label(end)
        bindings.append({"source": "survey", "item": "Q1", "periods": periods})
    data = {
        "indexc": 1,
        "sources": [
            {
                "id": "survey",
                "layout": "long",
                "items": {"Q1": "q"},
                "columns": {"area": "a", "period": "p", "item": "i", "value": "v"},
                "period": {"grain": "financial_year", "format": "YYYY-YY"},
            }
        ],
        "measures": [{"id": "m", "unit": "x", "additivity": "sum", "bindings": bindings}],
    }
    return SpecFile("specs/p.yaml", 1, data, {}, {})


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(years, years), min_size=1, max_size=4))
def test_overlaps_are_the_pairs_sharing_a_year(ranges) -> None:
    _, diagnostics = validate([spec(ranges)])
    reported = sorted(
        tuple(int(n) for n in d.message.split()[1:4:2]) for d in diagnostics if d.code == "IX401"
    )
    expected = sorted(
        (j + 1, i + 1)
        for i in range(len(ranges))
        for j in range(i)
        if covered(*ranges[i]) & covered(*ranges[j])
    )
    assert reported == expected
    backwards = [
        i
        for i, (start, end) in enumerate(ranges)
        if start is not None and end is not None and start > end
    ]
    assert len([d for d in diagnostics if d.code == "IX403"]) == len(backwards)
