"""Lineage events as weighted edges: what each predecessor became, and in what share.

An edge's share is either known when compiling (a merge gives 1, a literal
split its stated share) or apportioned from data: the basis (population, say)
of the territory that moved, taken in the period being restated. Each edge
also knows that territory as a sum of basis terms, which is what lets the
compiler invert an event (restate backward) and what the apportioning SQL reads.

An area that receives territory and continues (a transfer's receiver, a boundary
change's) keeps its own territory through an edge onto itself. Several events of
one date may each say so of the same area (two neighbours each give it part of
their territory), or another event of the date may divide that area (two areas
exchange territory): `date_edges` keeps that edge once, and not at all when
another edge of the date already says what became of the area, so no territory
is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from indexc.geography.register import Register
from indexc.spec.geography import LineageEvent


@dataclass(frozen=True)
class Part:
    """The basis of the territory that went from one area to another: Σ scale × basis(code)."""

    measure: str
    terms: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Edge:
    event_id: str
    from_code: str
    to_code: str
    share: float | None  # a share known when compiling; None when apportioned from data
    part: Part | None  # None when the event names no basis measure
    continues: bool = False  # a receiving area keeping its own territory, whole


def _whole(event: LineageEvent, code: str, scale: float = 1.0) -> Part | None:
    return Part(event.apportion.by, ((code, scale),)) if event.apportion else None


def edges(event: LineageEvent) -> list[Edge]:
    """Every edge of an event, whatever the level; a rename moves nothing and has none."""
    if event.type == "rename":
        return []
    if event.type in ("merge", "recode"):
        (successor,) = event.to
        return [
            Edge(event.id, code, successor.code, 1.0, _whole(event, code)) for code in event.from_
        ]
    (origin,) = event.from_
    if event.type == "transfer":
        (receiver,) = event.to
        if receiver.share is not None:
            moved = [
                Edge(
                    event.id,
                    origin,
                    receiver.code,
                    receiver.share,
                    _whole(event, origin, receiver.share),
                ),
                Edge(
                    event.id,
                    origin,
                    origin,
                    1.0 - receiver.share,
                    _whole(event, origin, 1.0 - receiver.share),
                ),
            ]
        else:
            by = event.apportion.by if event.apportion else ""
            districts = receiver.territory()
            moved = [
                Edge(
                    event.id,
                    origin,
                    receiver.code,
                    None,
                    Part(by, tuple((d, 1.0) for d in districts)),
                ),
                Edge(
                    event.id,
                    origin,
                    origin,
                    None,
                    Part(by, ((origin, 1.0), *((d, -1.0) for d in districts))),
                ),
            ]
        # the receiving area continues: its own territory is one of the contributors to what it becomes
        return moved + [
            Edge(event.id, receiver.code, receiver.code, 1.0, _whole(event, receiver.code), True)
        ]
    if event.literal_shares():
        moved = [
            Edge(event.id, origin, s.code, s.share, _whole(event, origin, s.share or 0.0))
            for s in event.to
        ]
        if (
            event.type == "boundary_change"
        ):  # areas receiving territory continue, like a transfer's receiver
            moved += [
                Edge(event.id, s.code, s.code, 1.0, _whole(event, s.code), True)
                for s in event.to
                if s.code != origin
            ]
        return moved
    by = event.apportion.by if event.apportion else ""
    return [
        Edge(event.id, origin, s.code, None, Part(by, tuple((code, 1.0) for code in s.territory())))
        for s in event.to
    ]


def level_edges(event: LineageEvent, level: str, register: Register) -> list[Edge]:
    """The edges between areas of one level: a county split is upper tier, a district merger lower tier."""
    return [
        e
        for e in edges(event)
        if register.in_level(e.from_code, level) and register.in_level(e.to_code, level)
    ]


def date_edges(events: Iterable[LineageEvent], level: str, register: Register) -> list[Edge]:
    """The edges of one date's events in a level, each area's own territory counted once."""
    ordered = sorted(events, key=lambda e: e.id)
    return counted_once([e for event in ordered for e in level_edges(event, level, register)])


def counted_once(found: list[Edge]) -> list[Edge]:
    """Edges of one date without a receiving area's own territory counted twice.

    A receiving area's edge onto itself is kept once (the first found) and dropped when
    another edge of the date leaves the area: that edge already divides all of it.
    """
    divided = {e.from_code for e in found if not e.continues}
    kept: list[Edge] = []
    continuing: set[str] = set()
    for edge in found:
        if edge.continues:
            if edge.from_code in divided or edge.from_code in continuing:
                continue
            continuing.add(edge.from_code)
        kept.append(edge)
    return kept
