"""Plan the geography layers: from the resolved closure to register, paths, shares and restated measures."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable

from indexc.geography import Geography, calendar, measure_level
from indexc.geography.closure import Closure, Path
from indexc.geography.events import date_edges
from indexc.geography.provenance import PathMethod, for_additivity, path_method, ranked_labels
from indexc.plan.alignment import alignment
from indexc.plan.geography import (
    AreaRow,
    AreasNode,
    BasisCheckNode,
    CodesCheckNode,
    FactorRow,
    HistoryRow,
    IndicatorsNode,
    PartRow,
    PathRow,
    PathsNode,
    PathWeightsNode,
    RestatedMeasureNode,
    RestatementCheckNode,
    SharesNode,
)
from indexc.plan.nodes import Node
from indexc.spec.base import OPEN_END, OPEN_START
from indexc.validate.apportionment import apportion_policy
from indexc.validate.catalog import Catalog

AREAS, PATHS, SHARES, PATH_WEIGHTS, INDICATORS = (
    "geography__areas",
    "geography__paths",
    "geography__shares",
    "geography__path_weights",
    "geography__indicators",
)


def restated_object(measure_id: str) -> str:
    return f"restated__{measure_id}"


def path_id(path: Path) -> str:
    """Stable whatever else changes: a new event changes the rows it touches, not every id in the map."""
    key = "|".join(
        (
            path.level,
            path.from_code,
            path.geo_from or OPEN_START,
            path.to_code,
            *path.route,
            *path.via,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# the methods of the latest closure asked for: computed once per compile, not once per measure
_METHODS: dict[int, tuple[Closure, list[PathMethod]]] = {}


def path_methods(geography: Geography) -> list[PathMethod]:
    """How each path of the closure carries its data, in the closure's order."""
    closure = geography.closure
    known = _METHODS.get(id(closure))
    if known is None or known[0] is not closure:
        events = {e.id: e for e in geography.events}
        known = (closure, [path_method(p, closure, events) for p in closure.paths])
        _METHODS.clear()  # only the latest closure is asked again
        _METHODS[id(closure)] = known
    return known[1]


def _level_methods(
    geography: Geography, level: str, additivity: str
) -> tuple[tuple[int, str], ...]:
    """(rank, label) of the methods of the level's paths, labelled for the measure's additivity; the
    ranks are those of the paths table, which ranks every level's methods together."""
    methods = path_methods(geography)
    ranks = ranked_labels(methods)
    here = {
        m.label for p, m in zip(geography.closure.paths, methods, strict=True) if p.level == level
    }
    return tuple(sorted((ranks[label], for_additivity(label, additivity)) for label in here))


def _path_rows(geography: Geography) -> tuple[PathRow, ...]:
    paths = geography.closure.paths
    methods = path_methods(geography)
    ranks = ranked_labels(methods)
    return tuple(
        PathRow(
            path_id(p),
            p.level,
            p.from_code,
            p.geo_from or OPEN_START,
            p.geo_to or OPEN_END,
            p.to_code,
            p.weight,
            bool(p.factors),
            any(f.direction == "backward" for f in p.factors),
            p.contributors,
            " > ".join(p.route),
            m.label,
            ranks[m.label],
            m.divided_at,
        )
        for p, m in zip(paths, methods, strict=True)
    )


def _history(paths: list[Path]) -> tuple[HistoryRow, ...]:
    """For each area and run of periods, the codes whose data it is restated from."""
    by_area: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path in paths:
        by_area[(path.level, path.to_code)].append(path)
    rows: list[HistoryRow] = []
    for (level, code), arriving in sorted(by_area.items()):
        cuts = sorted(
            {p.geo_from or OPEN_START for p in arriving}
            | {
                calendar.label(calendar.start_year(p.geo_to) + 1)
                for p in arriving
                if p.geo_to and p.geo_to != OPEN_END
            }
        )
        spans: list[tuple[str, str, list[str]]] = []  # (from, to, codes) runs of periods
        for i, start in enumerate(cuts):
            end = calendar.previous(cuts[i + 1]) if i + 1 < len(cuts) else OPEN_END
            codes = sorted(
                {
                    p.from_code
                    for p in arriving
                    if (p.geo_from or OPEN_START) <= start and end <= (p.geo_to or OPEN_END)
                }
            )
            if spans and spans[-1][2] == codes:
                spans[-1] = (spans[-1][0], end, codes)
            else:
                spans.append((start, end, codes))
        rows.extend(
            HistoryRow(level, code, start, end, ", ".join(codes))
            for start, end, codes in spans
            if codes
        )
    return tuple(rows)


def _parts(geography: Geography, levels: set[tuple[str, str]]) -> tuple[PartRow, ...]:
    """The basis terms of every edge of each (event, level) that some path apportions."""
    events = {e.id: e for e in geography.events}
    rows: list[PartRow] = []
    for event_id, level in sorted(levels):
        event = events[event_id]
        same_day = date_edges(
            (other for other in geography.events if other.effective == event.effective),
            level,
            geography.register,
        )
        for edge in (e for e in same_day if e.event_id == event_id):
            if edge.part is None:
                continue
            forward = sum(
                1 for e in same_day if e.event_id == event_id and e.from_code == edge.from_code
            )
            backward = sum(1 for e in same_day if e.to_code == edge.to_code)
            first = calendar.first_period_from(event.effective)
            rows.extend(
                PartRow(
                    level,
                    event.effective.isoformat(),
                    first,
                    calendar.previous(first),
                    event_id,
                    edge.from_code,
                    edge.to_code,
                    edge.part.measure,
                    code,
                    scale,
                    len(edge.part.terms),
                    forward,
                    backward,
                )
                for code, scale in edge.part.terms
            )
    return tuple(rows)


def geography_nodes(
    catalog: Catalog, geography: Geography, measure_object: Callable[[str], str]
) -> list[Node]:
    """Register, paths and (when any edge is apportioned from data) shares and path weights."""
    # the register as the modelled events leave it: a proposed event ends its predecessors, so they leave
    # the universes of its geography date as an enacted one's do
    register = {**catalog.areas, **geography.register.areas}
    nodes: list[Node] = [
        AreasNode(
            name=AREAS,
            depends_on=("schema",),
            spec=None,
            description="The area register of the specs",
            areas=tuple(
                AreaRow(a.code, a.name, a.type, a.parent, a.valid_from, a.valid_to, a.provisional)
                for _, a in sorted(register.items())
            ),
        )
    ]
    paths = geography.closure.paths
    nodes.append(
        PathsNode(
            name=PATHS,
            depends_on=("schema",),
            spec=None,
            geography_date=geography.date,
            paths=_path_rows(geography),
            description=f"Every code of every period mapped onto the geography of {geography.date} "
            f"({len(geography.events)} lineage events), per level",
        )
    )
    # shares are computed, and their bases checked, only for the levels some data is restated in
    used = {measure_level(m, catalog) for m in catalog.measures} | {
        a.level for a in catalog.area_maps.values()
    }
    factors = [(path_id(p), p) for p in paths if p.factors and p.level in used]
    if not factors:
        return nodes
    needed = {(f.event_id, f.direction) for _, p in factors for f in p.factors}
    parts = _parts(geography, {(f.event_id, p.level) for _, p in factors for f in p.factors})
    measures = sorted({part.measure for part in parts})
    nodes.append(
        SharesNode(
            name=SHARES,
            depends_on=tuple(sorted({"schema", *(measure_object(m) for m in measures)})),
            spec=None,
            description="Shares of apportioned lineage edges per period, from the basis of the territory moved",
            parts=parts,
            basis_objects=tuple((m, measure_object(m)) for m in measures),
        )
    )
    nodes.append(
        PathWeightsNode(
            name=PATH_WEIGHTS,
            depends_on=(SHARES,),
            spec=None,
            shares_object=SHARES,
            description="Per period, the product of each path's apportioned shares",
            factors=tuple(
                FactorRow(
                    number,
                    position,
                    len(p.factors),
                    p.level,
                    f.event_id,
                    f.direction,
                    f.from_code,
                    f.to_code,
                )
                for number, p in factors
                for position, f in enumerate(p.factors, start=1)
            ),
        )
    )
    for event_id in sorted({event_id for event_id, _ in needed}):
        mine = [part for part in parts if part.event_id == event_id]
        divided = {(part.from_code, part.to_code) for part in mine}
        apportioned = {
            (e.from_code, e.to_code)
            for e in geography.closure.edges_of(event_id)
            if e.share is None
        }
        nodes.append(
            BasisCheckNode(
                name=f"check__lineage__{event_id}__basis",
                depends_on=(SHARES,),
                spec=("lineage", event_id),
                description=f"Periods in which a territory of lineage event {event_id} has no basis value",
                failure="a territory has no basis value where the event is apportioned (period territories)",
                event_id=event_id,
                shares_object=SHARES,
                first_period=mine[0].first_period,
                forward_origins=tuple(sorted({f for f, _ in apportioned})),
                forward_expected=len(apportioned) if (event_id, "forward") in needed else 0,
                backward_expected=len(divided) if (event_id, "backward") in needed else 0,
            )
        )
    return nodes


def restated_nodes(
    measure_id: str, catalog: Catalog, geography: Geography, measure_object: Callable[[str], str]
) -> list[Node]:
    level = measure_level(measure_id, catalog)
    if level is None:
        return []
    measure = catalog.measures[measure_id]
    spec = ("measures", measure_id)
    dynamic = any(p.factors and p.level == level for p in geography.closure.paths)
    raw = measure_object(measure_id)
    weight = measure_object(measure.weighted_by) if measure.weighted_by else None
    restated = RestatedMeasureNode(
        name=restated_object(measure_id),
        spec=spec,
        depends_on=tuple(
            sorted(
                {raw, PATHS, *([PATH_WEIGHTS] if dynamic else []), *([weight] if weight else [])}
            )
        ),
        description=f"Measure {measure_id} ({measure.additivity}) restated onto the {level} areas of "
        f"{geography.date}",
        measure_id=measure_id,
        measure_object=raw,
        additivity=measure.additivity,
        level=level,
        paths_object=PATHS,
        path_weights_object=PATH_WEIGHTS if dynamic else None,
        weight_object=weight,
        aligned=alignment(measure_id, catalog) is not None,
        methods=_level_methods(geography, level, measure.additivity),
        forbidden=apportion_policy(catalog, measure_id) == "forbidden",
    )
    types = tuple(geography.register.levels[level].types)
    return [
        restated,
        CodesCheckNode(
            name=f"check__{measure_id}__codes",
            depends_on=tuple(sorted((raw, AREAS, PATHS))),
            spec=spec,
            description=f"Data of measure {measure_id} on codes unknown, or not in force in the period",
            failure="data on codes the register does not know, not in force in the period "
            "(code period source), or given twice",
            measure_object=raw,
            areas_object=AREAS,
            paths_object=PATHS,
            level=level,
            level_types=types,
        ),
        RestatementCheckNode(
            name=f"check__{measure_id}__restatement",
            depends_on=(restated.name,),
            spec=spec,
            description=f"Values of measure {measure_id} that could not be restated",
            failure="values that cannot be restated: a share or a weight is missing (area period)",
            restated_object=restated.name,
            cold_starts=restated.forbidden,
        ),
    ]


def indicators_node(geography: Geography, restated: list[str], levels: set[str]) -> Node:
    history = tuple(h for h in _history(geography.closure.paths) if h.level in levels)
    return IndicatorsNode(
        name=INDICATORS,
        depends_on=tuple(sorted({AREAS, *restated})),
        spec=None,
        description=f"Per area and period: new or terminated on the geography of {geography.date}, "
        "and the codes its history comes from",
        history=history,
        areas_object=AREAS,
        restated_objects=tuple(sorted(restated)),
    )
