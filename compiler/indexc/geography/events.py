"""Lineage events as weighted edges: what each predecessor became, and in what share.

An edge's share is either known when compiling (a merge gives 1, a literal
split its stated share) or apportioned from data: the basis (population, say)
of the territory that moved, taken in the period being restated. Each edge
also knows that territory as a sum of basis terms, which is what lets the
compiler invert an event (restate backward) and what the apportioning SQL reads.
"""

from __future__ import annotations

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
            Edge(event.id, receiver.code, receiver.code, 1.0, _whole(event, receiver.code))
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
                Edge(event.id, s.code, s.code, 1.0, _whole(event, s.code))
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
