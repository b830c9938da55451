"""Rule IX102 for indexes and scenarios: every metric, lens, grouping and measure they name exists.

An index names objects in many places (lens trees, overrides, productivity,
peers, savings, scenarios); a typo in any of them would otherwise surface as
a missing column or an empty table at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.spec.indexes import NEIGHBOURS, TYPE_GROUPING, Index
from indexc.spec.sources import AreaMapSource
from indexc.validate.catalog import Catalog
from indexc.validate.references import UnknownReporter

Where = Callable[..., Location]  # the location of a key of the index being checked


def group_maps(catalog: Catalog) -> set[str]:
    return {map_id for map_id, area_map in catalog.area_maps.items() if area_map.type == "group"}


def _index(
    index_id: str, index: Index, catalog: Catalog, report: UnknownReporter
) -> Iterator[Diagnostic]:
    where = lambda *rel, key=False: catalog.where("indexes", index_id, *rel, key=key)  # noqa: E731
    context = f"index '{index_id}'"
    for part in (_lens_metrics, _method, _peers, _productivity, _savings):
        yield from part(index, catalog, report, where, context)


def _lenses(index: Index) -> set[str]:
    return {lens.id for _, lens, _ in index.walk()}


def _groupings(catalog: Catalog) -> set[str]:
    return {TYPE_GROUPING} | group_maps(catalog)


def _values(catalog: Catalog) -> set[str]:
    return set(catalog.metrics) | set(catalog.measures)


def _lens_metrics(
    index: Index, catalog: Catalog, report: UnknownReporter, where: Where, context: str
) -> Iterator[Diagnostic]:
    for path, lens, _ in index.walk():
        for m, entry in enumerate(lens.metrics):
            if entry.metric not in catalog.metrics:
                yield from report.unknown(
                    ("metrics",),
                    "metric",
                    entry.metric,
                    catalog.metrics,
                    where(*path, "metrics", m),
                    f"lens '{lens.id}' of {context}",
                )
            if entry.via is not None and entry.via not in catalog.area_maps:
                yield from report.unknown(
                    ("area_maps",),
                    "area map",
                    entry.via,
                    catalog.area_maps,
                    where(*path, "metrics", m, "via"),
                    f"lens '{lens.id}' of {context}",
                )


def _method(
    index: Index, catalog: Catalog, report: UnknownReporter, where: Where, context: str
) -> Iterator[Diagnostic]:
    metrics = set(index.metric_ids())
    for metric_id in index.method.overrides:
        if metric_id not in metrics:
            yield from report.unknown(
                (),
                "metric of the index",
                metric_id,
                metrics,
                where("method", "overrides", metric_id, key=True),
                f"the overrides of {context}",
            )
    groupings = _groupings(catalog)
    if not isinstance(index.method.missing, str) and index.method.missing.group not in groupings:
        yield from report.unknown(
            ("area_maps",),
            "grouping",
            index.method.missing.group,
            groupings,
            where("method", "missing", "group"),
            f"the imputation of {context}",
        )


def _peers(
    index: Index, catalog: Catalog, report: UnknownReporter, where: Where, context: str
) -> Iterator[Diagnostic]:
    groupings = _groupings(catalog)
    for g, grouping in enumerate(index.peers.groups):
        if grouping not in groupings:
            yield from report.unknown(
                ("area_maps",),
                "grouping",
                grouping,
                groupings,
                where("peers", "groups", g),
                f"the peer groups of {context}",
            )
    for g, grouping in enumerate(index.ranks.groups or ()):
        if grouping not in groupings:
            yield from report.unknown(
                ("area_maps",),
                "grouping",
                grouping,
                groupings,
                where("ranks", "groups", g),
                f"the rank groups of {context}",
            )
    values = _values(catalog)
    if index.peers.neighbours and index.peers.neighbours.source:
        maps = {k for k, source in catalog.sources.items() if isinstance(source, AreaMapSource)}
        if index.peers.neighbours.source not in maps:
            yield from report.unknown(
                ("sources",),
                "area-map source",
                index.peers.neighbours.source,
                maps,
                where("peers", "neighbours", "source"),
                f"the neighbours of {context}",
            )
    if index.peers.neighbours:
        for f, feature in enumerate(index.peers.neighbours.features):
            if feature.metric not in values:
                yield from report.unknown(
                    ("metrics", "measures"),
                    "metric or measure",
                    feature.metric,
                    values,
                    where("peers", "neighbours", "features", f),
                    f"the neighbours of {context}",
                )


def _productivity(
    index: Index, catalog: Catalog, report: UnknownReporter, where: Where, context: str
) -> Iterator[Diagnostic]:
    lenses = _lenses(index)
    for p, productivity in enumerate(index.productivity):
        if productivity.lens not in lenses:
            yield from report.unknown(
                (), "lens", productivity.lens, lenses, where("productivity", p, "lens"), context
            )
        if productivity.spend not in catalog.metrics:
            yield from report.unknown(
                ("metrics",),
                "metric",
                productivity.spend,
                catalog.metrics,
                where("productivity", p, "spend"),
                f"the productivity of {context}",
            )


def _savings(
    index: Index, catalog: Catalog, report: UnknownReporter, where: Where, context: str
) -> Iterator[Diagnostic]:
    lenses = _lenses(index)
    values = _values(catalog)
    peers = set(index.peers.groups) | ({NEIGHBOURS} if index.peers.neighbours else set())
    for s, saving in enumerate(index.savings):
        if saving.lens not in lenses:
            yield from report.unknown(
                (), "lens", saving.lens, lenses, where("savings", s, "lens"), context
            )
        if saving.unit_cost not in catalog.metrics:
            yield from report.unknown(
                ("metrics",),
                "metric",
                saving.unit_cost,
                catalog.metrics,
                where("savings", s, "unit_cost"),
                f"saving '{saving.id}'",
            )
        if saving.volume not in values:
            yield from report.unknown(
                ("metrics", "measures"),
                "metric or measure",
                saving.volume,
                values,
                where("savings", s, "volume"),
                f"saving '{saving.id}'",
            )
        if saving.peers not in peers:
            hint = (
                "declare it under peers: groups (or peers: neighbours) of the index"
                if peers
                else "the index declares no peers: add 'peers:' with groups or neighbours"
            )
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"saving '{saving.id}' compares with peers '{saving.peers}', which {context} "
                "does not declare",
                where("savings", s, "peers"),
                hint,
            )


def _scenario(scenario_id: str, catalog: Catalog, report: UnknownReporter) -> Iterator[Diagnostic]:
    scenario = catalog.scenarios[scenario_id]
    index = catalog.indexes.get(scenario.index)
    if index is None:
        yield from report.unknown(
            ("indexes",),
            "index",
            scenario.index,
            catalog.indexes,
            catalog.where("scenarios", scenario_id, "index"),
            f"scenario '{scenario_id}'",
        )
        return
    lenses = {lens.id for _, lens, _ in index.walk()}
    metrics = set(index.metric_ids())
    known = (
        lenses
        | metrics
        | {f"{lens.id}/{entry.metric}" for _, lens, _ in index.walk() for entry in lens.metrics}
    )
    for key in scenario.weights:
        if key in lenses and key in metrics:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"'{key}' in the weights of scenario '{scenario_id}' is both a lens and a metric",
                catalog.where("scenarios", scenario_id, "weights", key, key=True),
                f"write '{key}/METRIC' for a metric of lens {key}, or 'LENS/{key}' for the metric",
            )
        elif key not in known:
            yield from report.unknown(
                (),
                "lens, metric or lens/metric",
                key,
                known,
                catalog.where("scenarios", scenario_id, "weights", key, key=True),
                f"the weights of scenario '{scenario_id}'",
            )
    for p, event_id in enumerate(scenario.proposed):
        event = catalog.lineage.get(event_id)
        if event is None or event.status != "proposed":
            proposed = {e for e, ev in catalog.lineage.items() if ev.status == "proposed"}
            yield Diagnostic(
                Code.NOT_A_PROPOSED_EVENT,
                f"'{event_id}' in scenario '{scenario_id}' is not a proposed lineage event",
                catalog.where("scenarios", scenario_id, "proposed", p),
                f"proposed events: {', '.join(sorted(proposed))}"
                if proposed
                else "no lineage event has status: proposed",
            )
    if (
        scenario.savings.quantile is not None or scenario.savings.improvement is not None
    ) and not index.savings:
        yield Diagnostic(
            Code.UNKNOWN_REFERENCE,
            f"scenario '{scenario_id}' changes savings, but index '{scenario.index}' declares none",
            catalog.where("scenarios", scenario_id, "savings"),
            "remove 'savings:' from the scenario, or declare savings in the index",
        )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    report = UnknownReporter(catalog)
    for index_id, index in catalog.indexes.items():
        yield from _index(index_id, index, catalog, report)
    for scenario_id in catalog.scenarios:
        yield from _scenario(scenario_id, catalog, report)
