"""Ranks within groups for the index and every lens (`group_ranks`), checked against ranks computed here.

The made-up country (tests/fixtures/geo) ranks its `value` index within the register's types and within
the group area map `groups`; the ranks are recomputed in Python from the scores the run wrote and each
area's group, as competition ranks ("1224") on scores rounded to 9 decimals.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, copy_project

from indexc.geography import GeographyOptions
from indexc.project import Project

Key = tuple[str, str, str, str]  # grouping, group, lens, period


def competition_ranks(scores: dict[str, float]) -> dict[str, int]:
    rounded = {area: round(score, 9) for area, score in scores.items()}
    return {
        area: 1 + sum(1 for s in rounded.values() if s > mine) for area, mine in rounded.items()
    }


def expected_ranks(connection) -> dict[tuple[str, str, str, str, str], tuple[int, int]]:
    """(grouping, group, lens, area, period) -> (rank, areas ranked in the group)."""
    scores = connection.execute(
        "SELECT '*', area_code, period, score FROM geo_index.index__value__scores WHERE ranked "
        "UNION ALL SELECT lens, area_code, period, score FROM geo_index.index__value__lens_scores "
        "WHERE score IS NOT NULL"
    ).fetchall()
    types = dict(
        connection.execute(
            "SELECT area_code, MAX(type) FROM geo_index.universe__unitaries GROUP BY area_code"
        ).fetchall()
    )
    members = dict(
        connection.execute(
            "SELECT from_code, MIN(to_code) FROM geo_index.area_map__groups GROUP BY from_code"
        ).fetchall()
    )
    grouped: dict[Key, dict[str, float]] = defaultdict(dict)
    for lens, area, period, score in scores:
        grouped["type", types[area], lens, period][area] = score
        if area in members:
            grouped["groups", members[area], lens, period][area] = score
    expected = {}
    for (grouping, group, lens, period), in_group in grouped.items():
        for area, rank in competition_ranks(in_group).items():
            expected[grouping, group, lens, area, period] = (rank, len(in_group))
    return expected


@pytest.mark.slow
def test_group_ranks_of_every_lens_match_ranks_computed_from_the_scores(
    geo_project: Path,
) -> None:
    spec = geo_project / "specs" / "data.yaml"
    spec.write_text(
        spec.read_text().replace(
            "    peers: {neighbours: {source: neighbours}}\n",
            "    peers: {neighbours: {source: neighbours}}\n    ranks: {groups: [type, groups]}\n",
        )
    )
    Project(geo_project, GeographyOptions()).run(publish_as_live=True)
    with duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT grouping, group_code, lens, area_code, period, rank, areas_ranked "
            "FROM geo_index.index__value__group_ranks"
        ).fetchall()
        expected = expected_ranks(connection)
    got = {(g, c, lens, a, p): (rank, of) for g, c, lens, a, p, rank, of in rows}
    assert got == expected
    assert {lens for _, _, lens, _, _ in got} == {"*", "cost", "outcome"}
    assert {grouping for grouping, *_ in got} == {"type", "groups"}
    assert any(of > 1 for _, of in got.values())  # some group ranks more than one area


def test_group_ranks_default_to_the_peer_groups_and_are_absent_without_groups(
    tmp_path: Path,
) -> None:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    compilation, _ = Project(project).check()
    assert compilation is not None
    assert "index__tiny__group_ranks" not in {n.name for n in compilation.plan.nodes}
    spec = project / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace(
            "    publish: {top: 3}", "    peers: {groups: [type]}\n    publish: {top: 3}"
        )
    )
    compilation, diagnostics = Project(project).check()
    assert diagnostics == [] and compilation is not None
    node = next(n for n in compilation.plan.nodes if n.name == "index__tiny__group_ranks")
    assert [g["id"] for g in node.params.groupings] == ["type"]  # type: ignore[attr-defined]
