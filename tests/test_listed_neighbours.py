"""Neighbours listed in a file follow lineage: a terminated neighbour is replaced by its successors.

The geo fixture's list is on the codes of 2018; expectations are worked out by hand from its events
(C1 split into U1 and U2, M1 and M2 merged into M3, R1 recoded to R2)."""

from __future__ import annotations

import duckdb

from indexc.project import Project

EXPECTED = {
    "S": ["M3", "U1", "U2"],  # S listed C1 (now U1 and U2) and M1 (now M3)
    "U1": ["R2", "S"],  # both successors of C1 inherit its list: S and R1 (now R2)
    "U2": ["R2", "S"],
    "M3": ["R2", "S"],  # the union of M1's (S) and M2's (R1) lists
    "R2": ["M3", "U1", "U2"],  # R1 listed M2 and C1
}


def test_listed_neighbours_are_carried_onto_the_councils_of_the_geography_date(geo_project) -> None:
    Project(geo_project).run()
    with duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT period, area_code, list(neighbour_code ORDER BY neighbour_code), list(neighbour_rank ORDER BY "
            "neighbour_code) FROM geo_index.index__value__neighbours GROUP BY ALL ORDER BY 1, 2"
        ).fetchall()
    periods = sorted({period for period, *_ in rows})
    assert periods == ["2018-19", "2019-20", "2020-21"]
    for period in periods:
        got = {area: neighbours for p, area, neighbours, _ in rows if p == period}
        assert got == EXPECTED, period
    assert all(ranks == list(range(1, len(ranks) + 1)) for *_, ranks in rows)
