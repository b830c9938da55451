"""Rules IX314 to IX316, IX318 and IX319: every value an index reads is on its universe's areas.

A metric's values are on the level of its measures' sources (ICBs, councils); an index compares the areas
of its universe (councils, combined authorities). When the two differ, the values must come through an
area map that carries the metric from its level onto the universe's areas (a crosswalk of ICBs onto
councils, a group of councils into combined authorities), or the index would validate and then score
nothing. The planner (plan/index_levels.py) reads values through the map chosen here; nothing is guessed:
no map, or several, is an error naming the metric, its level and the universe's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.spec.geography import AreaMap
from indexc.spec.indexes import TYPE_GROUPING, Index, Universe
from indexc.spec.sources import AreaMapSource
from indexc.validate.catalog import Catalog

HINT_LIST = "list it in an area map's metrics"
Kind = Literal["measure", "metric"]


def value_levels(name: str, catalog: Catalog, seen: frozenset[str] = frozenset()) -> set[str]:
    """The levels of the restated data a measure or metric is computed from (none: not restated)."""
    if name in catalog.measures:
        aggregate = catalog.measures[name].aggregate
        if aggregate is not None and aggregate.to in catalog.levels:
            return {aggregate.to}  # metrics read it carried up to that level (plan/aggregation.py)
        return {
            geography.level
            for b in catalog.measures[name].bindings
            if b.restate
            and (geography := getattr(catalog.sources.get(b.source), "geography", None))
        }
    return metric_levels(name, catalog, seen)


def metric_levels(name: str, catalog: Catalog, seen: frozenset[str] = frozenset()) -> set[str]:
    """The levels of the data a metric is computed from."""
    if name not in catalog.metrics or name in seen:
        return set()
    levels: set[str] = set()
    for input_name in catalog.formula(name).inputs:
        levels |= value_levels(input_name, catalog, seen | {name})
    return levels


def map_inputs(area_map: AreaMap, catalog: Catalog) -> tuple[set[str], list[str]]:
    """The measures an area map carries (with their weights) and the metrics it computes, in order."""
    measures: set[str] = set()
    metrics: list[str] = []

    def walk(metric_id: str) -> None:
        for name in catalog.formula(metric_id).inputs:
            if name in catalog.measures:
                measures.add(name)
                weighted_by = catalog.measures[name].weighted_by
                if weighted_by:
                    measures.add(weighted_by)
            elif name in catalog.metrics and name not in metrics:
                walk(name)
        if metric_id not in metrics:
            metrics.append(metric_id)

    for metric_id in area_map.metrics:
        if metric_id in catalog.metrics:
            walk(metric_id)
    return measures, metrics


def mapped_object(map_id: str, name: str, kind: Kind) -> str:
    """The object holding a measure's or metric's values on the areas of an area map."""
    return f"area_map__{map_id}__{kind}__{name}"


def carries(area_map: AreaMap, name: str, kind: Kind, catalog: Catalog) -> bool:
    measures, metrics = map_inputs(area_map, catalog)
    return name in (measures if kind == "measure" else metrics)


def on_universe(level: str, universe: Universe, catalog: Catalog) -> bool:
    """Whether areas of the level are areas of the universe: it names one of the level's types (a
    universe of unitaries is on upper and lower tier alike; one of combined authorities on neither)."""
    known = catalog.levels.get(level)
    return known is not None and bool(set(universe.types) & set(known.types))


def universe_words(universe: Universe, catalog: Catalog) -> str:
    levels = [k for k, level in catalog.levels.items() if set(universe.types) <= set(level.types)]
    where = f"level {' or '.join(sorted(levels))}" if levels else "no level"
    return f"universe '{universe.id}' (types {', '.join(universe.types)}: {where})"


@dataclass(frozen=True)
class Read:
    """One value an index reads: its name, where the index names it, and the map it says to read it via."""

    name: str
    kind: Kind
    location: Location
    via: str | None = None


def _reads(index_id: str, index: Index, catalog: Catalog) -> list[Read]:
    def where(*rel: object) -> Location:
        return catalog.where("indexes", index_id, *rel)

    def value(name: str) -> Kind:  # a measure or a metric: the measure, as in a formula
        return "measure" if name in catalog.measures else "metric"

    reads = [
        Read(entry.metric, "metric", where(*path, "metrics", m), entry.via)
        for path, lens, _ in index.walk()
        for m, entry in enumerate(lens.metrics)
    ]
    reads += [
        Read(p.spend, "metric", where("productivity", i, "spend"))
        for i, p in enumerate(index.productivity)
    ]
    for i, s in enumerate(index.savings):
        reads += [
            Read(s.unit_cost, "metric", where("savings", i, "unit_cost")),
            Read(s.volume, value(s.volume), where("savings", i, "volume")),
        ]
    policy = index.publish.headline_policy
    if policy is not None and policy.population is not None:
        reads.append(
            Read(
                policy.population.measure,
                "measure",
                where("publish", "headline_policy", "population", "measure"),
            )
        )
    neighbours = index.peers.neighbours
    for i, feature in enumerate(neighbours.features if neighbours else ()):
        reads.append(
            Read(feature.metric, value(feature.metric), where("peers", "neighbours", "features", i))
        )
    return [r for r in reads if r.name in catalog.of_kind(f"{r.kind}s")]  # unknown names: IX102


def _vias(reads: list[Read]) -> dict[str, set[str]]:
    vias: dict[str, set[str]] = {}
    for read in reads:
        if read.via is not None:
            vias.setdefault(read.name, set()).add(read.via)
    return vias


def _resolve(
    read: Read, via: str | None, universe: Universe, catalog: Catalog
) -> tuple[str | None, Diagnostic | None]:
    """The area map the value is read through (None: its own object), or why none can be chosen."""
    kind = read.kind
    levels = (
        value_levels(read.name, catalog) if kind == "measure" else metric_levels(read.name, catalog)
    )
    if via is not None:
        area_map = catalog.area_maps.get(via)
        if area_map is None:  # IX102
            return None, None
        if not carries(area_map, read.name, kind, catalog) or area_map.level not in levels:
            return None, Diagnostic(
                Code.AREA_MAP_DOES_NOT_CARRY,
                f"area map '{via}' does not carry {kind} '{read.name}' "
                f"(on level {', '.join(sorted(levels)) or 'none'}): it maps level "
                f"'{area_map.level}' and computes {', '.join(area_map.metrics)}",
                read.location,
                f"{HINT_LIST} ('{via}', level {', '.join(sorted(levels)) or 'of the metric'}), "
                "or remove 'via'",
            )
        return via, None
    if not levels or any(on_universe(level, universe, catalog) for level in levels):
        if len(levels) <= 1:
            return None, None
    if len(levels) > 1:
        return None, Diagnostic(
            Code.VALUE_NOT_ON_UNIVERSE,
            f"{kind} '{read.name}' is computed from data on levels {', '.join(sorted(levels))}, "
            "whose areas never match: it has no value anywhere",
            read.location,
            "compute the metric from measures of one level, and carry it to the other level "
            f"with an area map ({HINT_LIST})",
        )
    (level,) = levels
    maps = sorted(
        map_id
        for map_id, area_map in catalog.area_maps.items()
        if area_map.level == level and carries(area_map, read.name, kind, catalog)
    )
    if not maps:
        return None, Diagnostic(
            Code.VALUE_NOT_ON_UNIVERSE,
            f"{kind} '{read.name}' is on level '{level}', but the index compares the areas of "
            f"{universe_words(universe, catalog)}, and no area map carries it onto them",
            read.location,
            f"{HINT_LIST} (a crosswalk or group from level '{level}')",
        )
    if len(maps) > 1:
        return None, Diagnostic(
            Code.SEVERAL_AREA_MAPS,
            f"{kind} '{read.name}' (level '{level}') is carried by several area maps: "
            f"{', '.join(maps)}; the index must say which it reads",
            read.location,
            f"write the lens entry as {{metric: {read.name}, via: {maps[0]}}}",
        )
    return maps[0], None


def index_maps(index_id: str, catalog: Catalog) -> dict[tuple[Kind, str], str]:
    """Each value the index reads through an area map, with the map (validation made it one)."""
    index = catalog.indexes[index_id]
    universe = catalog.universes.get(index.universe)
    if universe is None or not catalog.areas:
        return {}
    reads = _reads(index_id, index, catalog)
    vias = _vias(reads)
    maps: dict[tuple[Kind, str], str] = {}
    for read in reads:
        via = sorted(vias[read.name])[0] if read.name in vias else None
        chosen, _ = _resolve(read, via, universe, catalog)
        if chosen is not None:
            maps[(read.kind, read.name)] = chosen
    return maps


def _index_levels(index_id: str, index: Index, catalog: Catalog) -> Iterator[Diagnostic]:
    universe = catalog.universes.get(index.universe)
    if universe is None or not any(on_universe(k, universe, catalog) for k in catalog.levels):
        return  # types no level names (IX740 when no area has them): the run's coverage check judges
    reads = _reads(index_id, index, catalog)
    vias = _vias(reads)
    for name, named in sorted(vias.items()):
        if len(named) > 1:
            first = next(r for r in reads if r.name == name and r.via is not None)
            yield Diagnostic(
                Code.CONFLICTING_VIA,
                f"index '{index_id}' reads metric '{name}' via {', '.join(sorted(named))}: "
                "an index holds one value of a metric per area",
                first.location,
                "name one area map in every entry of the metric (or define a metric per map)",
            )
    reported: set[str] = set()
    for read in reads:
        if read.name in reported or len(vias.get(read.name, ())) > 1:
            continue
        via = next(iter(vias[read.name])) if read.name in vias else None
        _, problem = _resolve(read, via, universe, catalog)
        if problem is not None:
            reported.add(read.name)
            yield problem
    yield from _groupings(index_id, index, universe, catalog)


def _groupings(
    index_id: str, index: Index, universe: Universe, catalog: Catalog
) -> Iterator[Diagnostic]:
    """IX318: peer groups, imputation groups and listed neighbours of another level's areas match none."""
    groups: list[tuple[str, tuple[object, ...]]] = [
        (g, ("peers", "groups", i)) for i, g in enumerate(index.peers.groups)
    ]
    groups += [(g, ("ranks", "groups", i)) for i, g in enumerate(index.ranks.groups or ())]
    missing = index.method.missing
    if not isinstance(missing, str):
        groups.append((missing.group, ("method", "missing", "group")))
    for group, path in groups:
        area_map = catalog.area_maps.get(group)
        if group == TYPE_GROUPING or area_map is None:
            continue
        if not on_universe(area_map.level, universe, catalog):
            yield Diagnostic(
                Code.GROUPING_NOT_ON_UNIVERSE,
                f"grouping '{group}' groups areas of level '{area_map.level}', but index "
                f"'{index_id}' compares the areas of {universe_words(universe, catalog)}",
                catalog.where("indexes", index_id, *path),
                "group the universe's own areas ('type', or a group map from their level)",
            )
    neighbours = index.peers.neighbours
    source = catalog.sources.get(neighbours.source) if neighbours and neighbours.source else None
    if isinstance(source, AreaMapSource) and not on_universe(
        source.geography.level, universe, catalog
    ):
        yield Diagnostic(
            Code.GROUPING_NOT_ON_UNIVERSE,
            f"neighbour list '{source.id}' lists areas of level '{source.geography.level}', but "
            f"index '{index_id}' compares the areas of {universe_words(universe, catalog)}",
            catalog.where("indexes", index_id, "peers", "neighbours", "source"),
            "list neighbours of the universe's areas, or compute them from features",
        )


def _crosswalk_means(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX317: a mean carried through a crosswalk is weighted by each council's share in each ICB
    (`weight_to`), or else by the edge's share times the weighted_by measure of the area mapped from;
    a weighted_by on another level finds no value there, and the mean would be left unknown everywhere."""
    for map_id, area_map in sorted(catalog.area_maps.items()):
        source = catalog.sources.get(area_map.source)
        if area_map.type != "crosswalk" or not isinstance(source, AreaMapSource):
            continue
        if source.columns.weight_to is not None:
            continue
        measures, _ = map_inputs(area_map, catalog)
        for measure_id in sorted(measures):
            measure = catalog.measures[measure_id]
            if measure.additivity != "mean" or measure.weighted_by not in catalog.measures:
                continue
            if area_map.level in value_levels(measure.weighted_by, catalog):
                continue
            yield Diagnostic(
                Code.CROSSWALK_MEAN_UNWEIGHTED,
                f"crosswalk '{map_id}' carries mean '{measure_id}', weighted by "
                f"'{measure.weighted_by}', which has no value on level '{area_map.level}'",
                catalog.where("area_maps", map_id, "source"),
                f"add 'weight_to' to the columns of source '{source.id}': the share of each "
                "mapped-onto area's population in each area mapped from",
            )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    if not catalog.areas:  # without a register, nothing is restated and levels are not known
        return
    yield from _crosswalk_means(catalog)
    for index_id, index in sorted(catalog.indexes.items()):
        yield from _index_levels(index_id, index, catalog)
