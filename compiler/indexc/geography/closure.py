"""The closure of lineage onto one geography date: every code of every period, mapped.

Events are applied date by date, composing chains (a 2009 district becomes a
2009 unitary which a later event may change again), forward for periods
before the geography date and inverted for periods after it. The result is a
set of paths `from_code -> to_code` per level and range of periods, each with
a weight known when compiling times any factors that must be apportioned from
data in SQL. Every code's weights sum to 1, so restating conserves totals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from indexc.geography import calendar
from indexc.geography.events import Edge, date_edges
from indexc.geography.register import Register
from indexc.spec.geography import LineageEvent


@dataclass(frozen=True, order=True)
class Factor:
    """A share that depends on data: edge `from_code -> to_code` of an event, forward or inverted."""

    event_id: str
    direction: str  # "forward" | "backward"
    from_code: str
    to_code: str


@dataclass(frozen=True, order=True)
class Path:
    level: str
    from_code: str
    geo_from: (
        str | None
    )  # first period (inclusive) whose codes this path maps; None: from the beginning
    geo_to: str | None  # last period (inclusive); None: open
    to_code: str
    weight: float
    factors: tuple[Factor, ...]
    route: tuple[str, ...]  # the events crossed, in order
    contributors: int = 1  # paths reaching to_code from the same periods: a value needs all of them
    via: tuple[
        str, ...
    ] = ()  # the codes passed through, in order: two routes may cross the same events


@dataclass(frozen=True)
class Unmappable:
    """A code whose data cannot reach the geography date: nothing says what it became."""

    level: str
    code: str
    reason: str
    event_id: str | None = None


@dataclass
class Closure:
    date: datetime.date
    paths: list[Path] = field(default_factory=list)
    problems: list[Unmappable] = field(default_factory=list)
    edges: dict[str, list[Edge]] = field(default_factory=dict)  # event id -> its edges in any level

    def edges_of(self, event_id: str) -> list[Edge]:
        return self.edges.get(event_id, [])


@dataclass(frozen=True)
class _Partial:
    code: str
    weight: float
    factors: tuple[Factor, ...]
    route: tuple[str, ...]
    via: tuple[str, ...] = ()

    def step(self, edge: Edge, to: str, weight: float, factor: Factor | None = None) -> _Partial:
        return _Partial(
            to,
            weight,
            self.factors + ((factor,) if factor else ()),
            self.route + (edge.event_id,),
            self.via + (self.code,),
        )


def _forward(partials: list[_Partial], moves: dict[str, list[Edge]]) -> list[_Partial]:
    result = []
    for p in partials:
        for edge in moves.get(p.code, ()):
            if edge.share is not None:
                result.append(p.step(edge, edge.to_code, p.weight * edge.share))
            else:
                factor = Factor(edge.event_id, "forward", edge.from_code, edge.to_code)
                result.append(p.step(edge, edge.to_code, p.weight, factor))
        if p.code not in moves:
            result.append(p)
    return result


def _backward(
    partials: list[_Partial],
    arrivals: dict[str, list[Edge]],
    level: str,
    problems: list[Unmappable],
) -> list[_Partial]:
    """Invert one date's events: an area returns to the areas its territory came from.

    With one contributor the whole value goes back to it; with several, each
    gets the share its territory's basis had, which needs the event's basis.
    """
    result = []
    for p in partials:
        contributors = arrivals.get(p.code)
        if not contributors:
            result.append(p)
            continue
        if len(contributors) == 1:
            edge = contributors[0]
            result.append(p.step(edge, edge.from_code, p.weight))
            continue
        for edge in contributors:
            if edge.part is None:
                problems.append(
                    Unmappable(
                        level,
                        p.code,
                        "restating it backward needs the basis of each territory that formed it",
                        edge.event_id,
                    )
                )
                break
            factor = Factor(edge.event_id, "backward", edge.to_code, edge.from_code)
            result.append(p.step(edge, edge.from_code, p.weight, factor))
    return result


def _moves(
    events: list[LineageEvent], level: str, register: Register, closure: Closure
) -> tuple[dict[str, list[Edge]], dict[str, list[Edge]]]:
    by_from: dict[str, list[Edge]] = defaultdict(list)
    by_to: dict[str, list[Edge]] = defaultdict(list)
    kept = date_edges(events, level, register)  # a receiving area's own territory counted once
    for event in events:
        found = [e for e in kept if e.event_id == event.id]
        for edge in found:
            by_from[edge.from_code].append(edge)
            by_to[edge.to_code].append(edge)
        closure.edges.setdefault(event.id, []).extend(
            e for e in found if e not in closure.edges[event.id]
        )
    return by_from, by_to


def close(events: list[LineageEvent], register: Register, date: datetime.date) -> Closure:
    """Paths for every level, onto the geography in force on `date`, from the active `events`."""
    closure = Closure(date)
    # epochs start at every event and wherever a code starts or stops, so that the codes of an epoch
    # are in force for all of it (a code starting within one would otherwise map periods before it)
    starts = {a.valid_from for a in register.areas.values() if a.valid_from}
    stops = {a.valid_to + datetime.timedelta(days=1) for a in register.areas.values() if a.valid_to}
    dates = sorted({e.effective for e in events} | starts | stops)
    by_date: dict[datetime.date, list[LineageEvent]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.id):
        by_date[event.effective].append(event)
    bounds: list[datetime.date | None] = [None, *dates, None]
    current = sum(1 for d in dates if d <= date)  # the epoch the geography date falls in
    for level in sorted(code for code, declared in register.levels.items() if declared.tiles):
        moves = {d: _moves(by_date[d], level, register, closure) for d in dates}
        for epoch in range(len(dates) + 1):
            start, end = bounds[epoch], bounds[epoch + 1]
            geo_from = calendar.first_period_from(start) if start else None
            geo_to = calendar.previous(calendar.first_period_from(end)) if end else None
            if geo_from and geo_to and geo_from > geo_to:
                continue  # two events within one year: no period starts between them
            epoch_paths: list[Path] = []
            for code in register.codes_overlapping(level, start, end):
                partials = [_Partial(code, 1.0, (), ())]
                if epoch < current:
                    for d in dates[epoch:current]:
                        partials = _forward(partials, moves[d][0])
                else:
                    for d in reversed(dates[current:epoch]):
                        partials = _backward(partials, moves[d][1], level, closure.problems)
                for p in partials:
                    if not register.valid_on(p.code, date):
                        closure.problems.append(
                            Unmappable(
                                level, code, f"it reaches {p.code}, which is not in force on {date}"
                            )
                        )
                epoch_paths.extend(
                    Path(
                        level,
                        code,
                        geo_from,
                        geo_to,
                        p.code,
                        p.weight,
                        p.factors,
                        p.route,
                        via=p.via,
                    )
                    for p in partials
                )
            arriving: dict[str, int] = defaultdict(int)
            for path in epoch_paths:
                arriving[path.to_code] += 1
            closure.paths.extend(
                Path(
                    p.level,
                    p.from_code,
                    p.geo_from,
                    p.geo_to,
                    p.to_code,
                    p.weight,
                    p.factors,
                    p.route,
                    arriving[p.to_code],
                    p.via,
                )
                for p in epoch_paths
            )
    closure.paths = _merge_epochs(closure.paths)
    return closure


def _merge_epochs(paths: list[Path]) -> list[Path]:
    """Join a code's consecutive period ranges that map the same way, so the map stays small."""
    by_code: dict[tuple[str, str], dict[tuple, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        by_code[(path.level, path.from_code)][(path.geo_from or "", path.geo_to or "~")].append(
            path
        )
    merged: list[Path] = []
    for _level_and_code, ranges in sorted(by_code.items()):
        previous_key: list[tuple] | None = None
        previous_paths: list[Path] = []
        for key in sorted(ranges):
            shape = sorted(
                (p.to_code, p.weight, p.factors, p.route, p.contributors, p.via)
                for p in ranges[key]
            )
            if previous_paths and previous_key == shape:
                previous_paths = [
                    Path(
                        p.level,
                        p.from_code,
                        p.geo_from,
                        ranges[key][0].geo_to,
                        p.to_code,
                        p.weight,
                        p.factors,
                        p.route,
                        p.contributors,
                        p.via,
                    )
                    for p in previous_paths
                ]
            else:
                merged.extend(previous_paths)
                previous_paths = sorted(ranges[key])
            previous_key = shape
        merged.extend(previous_paths)
    return sorted(
        merged, key=lambda p: (p.level, p.from_code, p.geo_from or "", p.to_code, p.route, p.via)
    )
