"""`indexc readiness`: before proposed events take effect, can every measure's history be produced?

For each council the proposed events create or change, and each measure with values on a level
of that council, the answer comes from the closure with those events modelled (history.py): a
measure aggregated from districts is answered on the level it is aggregated to, since that is
what metrics read. The measures that lose history (any council "not at all") or rely on
apportionment are then followed through the dependency graph to the metrics, lenses, indexes,
scenarios and audits that read them, as `indexc impact` follows a broken binding. The sources
whose data is on a level that is aggregated up (districts) are listed too: they are what
district aggregation can be built from. Everything is read from the specs; nothing is run.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from indexc.geography import Geography, measure_level
from indexc.reorganisation.history import How, Lookup, Paths, period_before, periods_of_data
from indexc.resolve import Graph
from indexc.spec.geography import LineageEvent
from indexc.validate.catalog import Catalog

CONTINUING = ("transfer", "boundary_change", "rename")  # the area in `from` keeps its code

LOSE = "lose history"
APPORTIONED = "rely on apportionment"
LARGER_AREA = "carry a larger area's mean"
CONCERNS = (LOSE, APPORTIONED, LARGER_AREA)
KINDS = ("measures", "metrics", "lenses", "indexes", "scenarios", "audits")


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    change: str  # "created" or "changed"
    events: tuple[str, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    council: str
    measure: str
    level: str
    how: How


@dataclass(frozen=True)
class DistrictSource:
    source: str
    level: str
    measures: tuple[tuple[str, str | None], ...]  # (measure, the level it is aggregated to)


@dataclass
class Readiness:
    events: tuple[str, ...]
    date: datetime.date
    councils: list[Council] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    # concern -> kind -> ids; measures carry why in `causes`
    affected: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    district_sources: list[DistrictSource] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # code -> name, of every code shown


def _councils(geography: Geography, events: list[LineageEvent]) -> list[Council]:
    """The successors of the events, and the areas a transfer or boundary change continues."""
    register = geography.register
    change: dict[str, str] = {}
    by: dict[str, set[str]] = defaultdict(set)
    for event in events:
        day_before = event.effective - datetime.timedelta(days=1)
        codes = [s.code for s in event.to] + (list(event.from_) if event.type in CONTINUING else [])
        for code in codes:
            change.setdefault(code, "changed" if register.valid_on(code, day_before) else "created")
            by[code].add(event.id)
    levels = sorted(code for code, level in register.levels.items() if level.tiles)
    return [
        Council(
            code,
            register.name(code),
            change[code],
            tuple(sorted(by[code])),
            tuple(lv for lv in levels if register.in_level(code, lv)),
        )
        for code in sorted(change)
    ]


def _answer(lookup: Lookup, measure_id: str, council: Council, before: str) -> Answer | None:
    catalog = lookup.catalog
    level = measure_level(measure_id, catalog)
    if level is None:
        return None
    periods = periods_of_data(catalog, measure_id, before)
    aggregate = catalog.measures[measure_id].aggregate
    if aggregate is not None and aggregate.to in council.levels:
        how = lookup.aggregated(measure_id, council.code, level, aggregate.to, periods)
        return Answer(council.code, measure_id, aggregate.to, how)
    if level in council.levels:
        return Answer(
            council.code,
            measure_id,
            level,
            lookup.on_level(measure_id, council.code, level, periods),
        )
    return None


def _users(graph: Graph) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Who reads each object, leaving out a mean's weight: it is read as published, not restated."""
    users: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for ref, deps in graph.edges.items():
        for dep in deps:
            if not (ref[0] == "measures" and dep[0] == "measures"):
                users[dep].add(ref)
    return users


def affected(catalog: Catalog, graph: Graph, measures: set[str]) -> dict[str, list[str]]:
    """The objects that read `measures`, directly or through others, by kind; lenses as index/lens."""
    users = _users(graph)
    found = {("measures", m) for m in measures}
    stack = list(found)
    while stack:
        for user in users.get(stack.pop(), ()):
            if user not in found:
                found.add(user)
                stack.append(user)
    by_kind: dict[str, list[str]] = {}
    for kind, object_id in sorted(found):
        by_kind.setdefault(kind, []).append(object_id)
    metrics, indexes = set(by_kind.get("metrics", [])), set(by_kind.get("indexes", []))
    lenses = sorted(
        f"{index_id}/{lens.id}"
        for index_id in indexes
        for _, lens, _ in catalog.indexes[index_id].walk()
        if any(entry.metric in metrics for entry in lens.metrics)
        or (lens.index is not None and lens.index.id in indexes)
    )
    if lenses:
        by_kind["lenses"] = lenses
    return {kind: by_kind[kind] for kind in KINDS if by_kind.get(kind)}


def district_sources(catalog: Catalog, geography: Geography) -> list[DistrictSource]:
    """Sources on a level some area of which has a parent on another level: districts, whose data
    can be aggregated to the councils above them; with the measures bound to each."""
    register = geography.register
    lower = {
        level
        for code, area in register.areas.items()
        if area.parent
        for level, declared in register.levels.items()
        if declared.tiles
        and register.in_level(code, level)
        and not register.in_level(area.parent, level)
    }
    found = []
    for source_id, source in sorted(catalog.sources.items()):
        source_geography = getattr(source, "geography", None)
        if source_geography is None or source_geography.level not in lower:
            continue
        measures = tuple(
            (m, measure.aggregate.to if measure.aggregate else None)
            for m, measure in sorted(catalog.measures.items())
            if any(b.source == source_id for b in measure.bindings)
        )
        found.append(DistrictSource(source_id, source_geography.level, measures))
    return found


def analyse(
    catalog: Catalog, graph: Graph, geography: Geography, proposed: tuple[str, ...]
) -> Readiness:
    """The readiness of the specs for the `proposed` events, modelled in `geography`."""
    events = [e for e in geography.events if e.id in proposed]
    result = Readiness(tuple(sorted(proposed)), geography.date)
    result.councils = _councils(geography, events)
    lookup = Lookup(catalog, Paths(geography))
    first = {c.code: min(e.effective for e in events if e.id in c.events) for c in result.councils}
    for council in result.councils:
        before = period_before(first[council.code])
        for measure_id in sorted(catalog.measures):
            answer = _answer(lookup, measure_id, council, before)
            if answer is not None:
                result.answers.append(answer)
    flagged: dict[str, set[str]] = {concern: set() for concern in CONCERNS}
    for answer in result.answers:
        if answer.how.lost:
            flagged[LOSE].add(answer.measure)
        elif answer.how.larger_area:  # a mean copied onto part of its area: said apart
            flagged[LARGER_AREA].add(answer.measure)
        elif answer.how.apportioned:
            flagged[APPORTIONED].add(answer.measure)
    result.affected = {
        concern: affected(catalog, graph, measures) for concern, measures in flagged.items()
    }
    result.district_sources = district_sources(catalog, geography)
    shown = {c.code for c in result.councils} | {s for a in result.answers for s in a.how.sources}
    result.names = {code: geography.register.name(code) for code in sorted(shown)}
    return result
