"""Plan: turn the resolved catalog into target-neutral nodes in dependency order."""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass

from sqlglot import exp

from indexc.geography import Geography, calendar, measure_level
from indexc.plan.alternative_geography import prefix_of, scenario_geography_nodes
from indexc.plan.area_maps import area_map_nodes, area_map_source_node
from indexc.plan.audits import audit_nodes
from indexc.plan.geography import RestatedMeasureNode
from indexc.plan.guards import binding_guards, metric_guards, published_measures, range_guards
from indexc.plan.methodology import (
    deltas_node,
    index_nodes,
    index_object,
    scenario_nodes,
    with_overrides,
)
from indexc.plan.nodes import (
    SCHEMA_OBJECT,
    BindingSelect,
    DataSourceNode,
    DuplicateCheckNode,
    MeasureNode,
    MetricNode,
    Node,
    PeriodCheckNode,
    RegisterCheckNode,
    RegisterNode,
    SchemaNode,
    UniverseNode,
)
from indexc.plan.refusals import published_period_check, universe_check
from indexc.plan.restatement import (
    AREAS,
    PATHS,
    geography_nodes,
    indicators_node,
    restated_nodes,
    restated_object,
)
from indexc.plan.smell import smell_nodes
from indexc.plan.snapshots import snapshot_nodes
from indexc.resolve import Graph
from indexc.spec.indexes import Scenario
from indexc.spec.sources import AreaMapSource, RegisterSource
from indexc.validate.catalog import Catalog

OBJECT_PREFIX = {
    "sources": "source",
    "measures": "measure",
    "metrics": "metric",
    "universes": "universe",
}


def object_name(kind: str, object_id: str) -> str:
    return f"{OBJECT_PREFIX[kind]}__{object_id}"


@dataclass(frozen=True)
class Plan:
    nodes: tuple[Node, ...]

    def levels(self) -> dict[str, int]:
        """Each node's depth: 0 for nodes reading nothing, else one more than its deepest input."""
        level: dict[str, int] = {}
        for node in self.nodes:
            level[node.name] = 1 + max((level[d] for d in node.depends_on), default=-1)
        return level


def _source_nodes(source_id: str, catalog: Catalog, geography: Geography | None) -> list[Node]:
    """A source's normalised table, and the check that its rows can be trusted."""
    source = catalog.sources[source_id]
    name, spec = object_name("sources", source_id), ("sources", source_id)
    if isinstance(source, AreaMapSource):
        return [area_map_source_node(source, name, geography)]
    description = source.description or f"Source {source_id}"
    if isinstance(source, RegisterSource):
        return [
            RegisterNode(
                name=name,
                depends_on=(SCHEMA_OBJECT,),
                spec=spec,
                description=description,
                source=source,
            ),
            RegisterCheckNode(
                name=f"check__{source_id}__overlaps",
                depends_on=(name,),
                spec=spec,
                description=f"Codes register {source_id} lists twice for overlapping dates",
                failure="codes listed more than once for overlapping dates",
                register_object=name,
            ),
        ]
    return [
        DataSourceNode(
            name=name,
            depends_on=(SCHEMA_OBJECT,),
            spec=spec,
            description=description,
            source=source,
        ),
        PeriodCheckNode(
            name=f"check__{source_id}__periods",
            depends_on=(name,),
            spec=spec,
            description=f"Periods of source {source_id} that do not read as {source.period.format} "
            f"({source.period.grain})",
            failure=f"periods that are missing or not written as {source.period.format}",
            source_object=name,
            parsing=source.period,
        ),
        DuplicateCheckNode(
            name=f"check__{source_id}__duplicates",
            depends_on=(name,),
            spec=spec,
            description=f"Area, period and item combinations source {source_id} gives twice",
            failure="rows given more than once (area period item)",
            source_object=name,
        ),
    ]


def _codes_of(source_id: str, catalog: Catalog) -> str:
    """'period' when each period's data is on that period's codes, else the period of the codes used."""
    geography = getattr(catalog.sources[source_id], "geography", None)
    if geography is None or geography.codes == "as_published":
        return "period"
    return calendar.period_of(geography.codes)


def _measure_node(measure_id: str, catalog: Catalog, with_geography: bool) -> Node:
    measure = catalog.measures[measure_id]
    bindings = tuple(
        BindingSelect(
            b.source,
            object_name("sources", b.source),
            b.item,
            b.periods.from_,
            b.periods.to,
            _codes_of(b.source, catalog),
            b.restate,
            tuple(sorted(b.not_published)),
        )
        for b in measure.bindings
    )
    return MeasureNode(
        name=object_name("measures", measure_id),
        spec=("measures", measure_id),
        depends_on=tuple(sorted({b.source_object for b in bindings})),
        description=measure.description or f"Measure {measure_id}",
        measure_id=measure_id,
        bindings=bindings,
        with_geography=with_geography,
        valid=tuple(measure.valid.conditions()) if measure.valid else (),
    )


def _input_object(name: str, catalog: Catalog, with_geography: bool) -> str:
    if name not in catalog.measures:
        return object_name("metrics", name)
    if with_geography and measure_level(name, catalog) is not None:
        return restated_object(name)
    return object_name("measures", name)


def _direct_bindings(metric_id: str, catalog: Catalog, with_geography: bool) -> list[dict] | None:
    """The source rows of a metric that is one measure read as it is published, else None.

    An index reads such metrics straight from their sources, in one scan per source, rather than
    through one view per metric stacked in a union: with thousands of metrics that union, not the
    methodology, would cost most of the build.
    """
    formula = catalog.formula(metric_id).expression
    if not isinstance(formula, exp.Column) or formula.name not in catalog.measures:
        return None
    measure_id = formula.name
    if _input_object(measure_id, catalog, with_geography) != object_name("measures", measure_id):
        return None  # restated, or otherwise not the measure view
    if catalog.measures[measure_id].valid:
        return None  # its view leaves out values outside the valid range
    return [
        {
            "source": object_name("sources", b.source),
            "item": b.item,
            "period_from": b.periods.from_,
            "period_to": b.periods.to,
        }
        for b in catalog.measures[measure_id].bindings
    ]


def _metric_node(metric_id: str, catalog: Catalog, with_geography: bool) -> Node:
    metric = catalog.metrics[metric_id]
    formula = catalog.formula(metric_id)
    inputs = tuple((name, _input_object(name, catalog, with_geography)) for name in formula.inputs)
    return MetricNode(
        name=object_name("metrics", metric_id),
        spec=("metrics", metric_id),
        depends_on=tuple(sorted({obj for _, obj in inputs})),
        description=f"{metric.description or metric_id} (v{metric.version}): {metric.formula}",
        metric_id=metric_id,
        formula=formula.expression,
        inputs=inputs,
    )


def _universe_node(universe_id: str, catalog: Catalog, geography: Geography | None) -> Node:
    universe = catalog.universes[universe_id]
    on_date = universe.register_ is None and geography is not None
    register = AREAS if universe.register_ is None else object_name("sources", universe.register_)
    return UniverseNode(
        name=object_name("universes", universe_id),
        spec=("universes", universe_id),
        depends_on=(register,),
        description=universe.description or f"Universe {universe_id}",
        register_object=register,
        types=tuple(universe.types),
        geography_date=geography.date if on_date else None,
    )


def build_plan(
    catalog: Catalog,
    graph: Graph,
    geography: Geography | None = None,
    scenario_geographies: dict[str, Geography] | None = None,
) -> Plan:
    """Nodes in dependency order; with a geography, measures are restated before metrics read them.

    `scenario_geographies`: for each scenario that applies proposed lineage events, its geography.
    """
    return Plan(_dependency_order(_nodes(catalog, graph, geography, scenario_geographies or {})))


def _nodes(
    catalog: Catalog,
    graph: Graph,
    geography: Geography | None,
    scenario_geographies: dict[str, Geography],
) -> list[Node]:
    with_geography = geography is not None and geography.enabled
    geography = geography if with_geography else None
    nodes: list[Node] = [
        SchemaNode(
            name=SCHEMA_OBJECT,
            depends_on=(),
            spec=None,
            description="The schema every indexc object lives in",
        )
    ]
    measure_object = lambda m: object_name("measures", m)  # noqa: E731
    if geography:
        nodes.extend(geography_nodes(catalog, geography, measure_object))
    restated: list[str] = []
    # known to the scenarios, which share them (alternative_geography.py); planned after the sources' own
    # checks, so that a period that does not parse is reported as such first
    data_sources = {
        node.name: node
        for s in sorted(catalog.sources)
        for node in _source_nodes(s, catalog, geography)
        if isinstance(node, DataSourceNode)
    }
    measures = {m: _measure_node(m, catalog, with_geography) for m in sorted(catalog.measures)}
    published = published_measures(catalog, graph)
    value_guards = binding_guards(
        [node for m, node in measures.items() if m in published], data_sources
    ) + range_guards(list(measures.values()), catalog, data_sources)
    smells: list[
        Node
    ] = []  # after the guards: a value out of range is named as such, not as an outlier
    for kind, object_id in graph.order():
        if kind == "sources":
            nodes.extend(_source_nodes(object_id, catalog, geography))
        elif kind == "measures":
            measure_node = _measure_node(object_id, catalog, with_geography)
            nodes.append(measure_node)
            smells.extend(smell_nodes(measure_node, catalog))
            if geography:
                more = restated_nodes(object_id, catalog, geography, measure_object)
                restated.extend(n.name for n in more if isinstance(n, RestatedMeasureNode))
                nodes.extend(more)
        elif kind == "metrics":
            nodes.append(_metric_node(object_id, catalog, with_geography))
            nodes.extend(metric_guards(nodes[-1]))
        elif kind == "universes":
            universe_node = _universe_node(object_id, catalog, geography)
            nodes += [
                universe_node,
                universe_check(
                    object_id, catalog, universe_node.name, universe_node.register_object
                ),
            ]
        elif kind == "audits":
            audit = catalog.audits[object_id]
            metric_object = lambda m: object_name("metrics", m)  # noqa: E731
            nodes.extend(
                audit_nodes(
                    object_id, catalog, object_name("universes", audit.universe), metric_object
                )
            )
        elif (kind == "indexes" and object_id not in catalog.indexes) or (
            kind == "scenarios" and object_id not in catalog.scenarios
        ):
            continue  # a scenario's own plan holds its index alone
        elif kind == "scenarios" and object_id in scenario_geographies:
            nodes.extend(
                _geography_scenario(
                    catalog.scenarios[object_id],
                    catalog,
                    graph,
                    nodes + value_guards + smells,
                    scenario_geographies[object_id],
                )
            )
        elif kind in ("indexes", "scenarios"):
            index = catalog.indexes[
                object_id if kind == "indexes" else catalog.scenarios[object_id].index
            ]
            universe = object_name("universes", index.universe)
            metric_object = lambda m: object_name("metrics", m)  # noqa: E731
            value_object = lambda n: _input_object(n, catalog, with_geography)  # noqa: E731
            if kind == "indexes":
                direct = lambda m: _direct_bindings(m, catalog, with_geography)  # noqa: E731
                nodes.extend(
                    index_nodes(
                        object_id,
                        catalog,
                        universe,
                        metric_object,
                        value_object,
                        PATHS if geography else None,
                        direct,
                    )
                )
                nodes.append(published_period_check(object_id, catalog))
            else:
                nodes.extend(
                    scenario_nodes(
                        catalog.scenarios[object_id], catalog, universe, metric_object, value_object
                    )
                )
    nodes.extend(value_guards)
    nodes.extend(smells)
    if geography:
        if restated:
            levels = {measure_level(m, catalog) for m in catalog.measures} - {None}
            nodes.append(indicators_node(geography, restated, levels))
        for map_id in sorted(catalog.area_maps):
            nodes.extend(
                area_map_nodes(map_id, catalog, geography, lambda s: object_name("sources", s))
            )
    nodes.extend(snapshot_nodes(catalog, nodes))
    return nodes


def _geography_scenario(
    scenario: Scenario, catalog: Catalog, graph: Graph, baseline: list[Node], geography: Geography
) -> list[Node]:
    """The index rebuilt on the scenario's geography (with its weights and savings), beside the baseline."""
    index = with_overrides(catalog.indexes[scenario.index], scenario)
    alone = dataclasses.replace(catalog, indexes={scenario.index: index}, scenarios={})
    plan_on = lambda g: _nodes(alone, graph, g, {})  # noqa: E731
    nodes = scenario_geography_nodes(scenario, baseline, plan_on, geography)
    built = {node.name for node in nodes}

    def own(part: str) -> str:
        """The scenario's object, or the baseline's when nothing differs (the run already models the events)."""
        renamed = prefix_of(scenario) + index_object(scenario.index, part)
        return renamed if renamed in built else index_object(scenario.index, part)

    return nodes + [
        deltas_node(scenario, index, own("scores"), own("savings") if index.savings else None)
    ]


def _dependency_order(nodes: list[Node]) -> tuple[Node, ...]:
    """Keep the planned order, except that a node never comes before what it reads."""
    position = {node.name: i for i, node in enumerate(nodes)}
    waiting = {node.name: sum(1 for d in node.depends_on if d in position) for node in nodes}
    users: dict[str, list[str]] = {node.name: [] for node in nodes}
    for node in nodes:
        for dep in node.depends_on:
            if dep in users:
                users[dep].append(node.name)
    ready = [position[name] for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        ordered.append(node)
        for user in users[node.name]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, position[user])
    if len(ordered) != len(nodes):
        raise RuntimeError(
            "plan nodes depend on each other in a cycle"
        )  # resolve reports cycles before planning
    return tuple(ordered)
