"""Plan: turn the resolved catalog into target-neutral nodes in dependency order."""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass
from functools import partial

from indexc.geography import Geography, measure_level
from indexc.plan.aggregation import aggregation_nodes
from indexc.plan.alternative_geography import prefix_of, scenario_geography_nodes
from indexc.plan.area_maps import area_map_nodes
from indexc.plan.audits import audit_nodes
from indexc.plan.cold_starts import cold_starts_nodes
from indexc.plan.contributed import ContributedReads, contributed_nodes, contributes
from indexc.plan.coverage import CoverageCheckNode, coverage_checks
from indexc.plan.geography import RestatedMeasureNode
from indexc.plan.guards import binding_guards, metric_guards, published_measures, range_guards
from indexc.plan.index_reads import IndexReads
from indexc.plan.inputs import (
    measure_node,
    metric_node,
    object_name,
    source_nodes,
    universe_node,
)
from indexc.plan.lifecycle import planned_catalog
from indexc.plan.methodology import index_nodes, index_object
from indexc.plan.nodes import SCHEMA_OBJECT, DataSourceNode, Node, SchemaNode
from indexc.plan.precedence import restated_feeds
from indexc.plan.reconcile import reconcile_nodes
from indexc.plan.refusals import (
    PublishedPeriodCheckNode,
    published_period_check,
    universe_check,
)
from indexc.plan.restatement import (
    AREAS,
    PATHS,
    geography_nodes,
    indicators_node,
    restated_nodes,
)
from indexc.plan.scenarios import deltas_node, scenario_nodes, with_overrides
from indexc.plan.smell import smell_nodes
from indexc.plan.snapshots import snapshot_nodes
from indexc.resolve import Graph
from indexc.spec.indexes import Index, Scenario
from indexc.validate.catalog import Catalog

measure_object = partial(object_name, "measures")
metric_object = partial(object_name, "metrics")
source_object = partial(object_name, "sources")


@dataclass(frozen=True)
class Plan:
    nodes: tuple[Node, ...]

    def levels(self) -> dict[str, int]:
        """Each node's depth: 0 for nodes reading nothing, else one more than its deepest input."""
        level: dict[str, int] = {}
        for node in self.nodes:
            level[node.name] = 1 + max((level[d] for d in node.depends_on), default=-1)
        return level


def build_plan(
    catalog: Catalog,
    graph: Graph,
    geography: Geography | None = None,
    scenario_geographies: dict[str, Geography] | None = None,
    selected: tuple[str, ...] = (),
) -> Plan:
    """Nodes in dependency order; with a geography, measures are restated before metrics read them.

    `scenario_geographies`: for each scenario that applies proposed lineage events, its geography.
    `selected`: the indexes to build by name; without, every index not on hold (lifecycle.py).
    """
    planned = planned_catalog(catalog, selected)
    geographies = {s: g for s, g in (scenario_geographies or {}).items() if s in planned.scenarios}
    return Plan(_dependency_order(_nodes(planned, graph, geography, geographies)))


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
    if geography:
        nodes.extend(geography_nodes(catalog, geography, measure_object))
    restated: list[str] = []
    # known to the scenarios, which share them (alternative_geography.py); planned after the sources' own
    # checks, so that a period that does not parse is reported as such first
    data_sources = {
        node.name: node
        for s in sorted(catalog.sources)
        for node in source_nodes(s, catalog, geography)
        if isinstance(node, DataSourceNode)
    }
    measures = {m: measure_node(m, catalog, with_geography) for m in sorted(catalog.measures)}
    published = published_measures(catalog, graph)
    value_guards = binding_guards(
        [node for m, node in measures.items() if m in published], data_sources
    ) + range_guards(list(measures.values()), catalog, data_sources)
    smells: list[
        Node
    ] = []  # after the guards: a value out of range is named as such, not as an outlier
    for kind, object_id in graph.order():
        if kind == "measures":
            measure = measures.get(object_id) or measure_node(object_id, catalog, with_geography)
            nodes.append(measure)
            smells.extend(smell_nodes(measure, catalog))
            more = (
                restated_nodes(object_id, catalog, geography, measure_object) if geography else []
            )
            restated.extend(n.name for n in more if isinstance(n, RestatedMeasureNode))
            # feeds on different codes are chosen between, and audited, once restated
            feeds = next(
                (
                    restated_feeds(measure, n, catalog)
                    for n in more
                    if isinstance(n, RestatedMeasureNode)
                ),
                None,
            )
            if feeds is None:
                nodes.extend(reconcile_nodes(object_id, catalog))
                nodes.extend(more)
            else:
                nodes.extend(feeds)
                nodes.extend(n for n in more if not isinstance(n, RestatedMeasureNode))
        elif (
            kind == "scenarios"
            and object_id in catalog.scenarios
            and object_id in scenario_geographies
        ):
            nodes.extend(
                _geography_scenario(
                    catalog.scenarios[object_id],
                    catalog,
                    graph,
                    nodes + value_guards + smells,
                    scenario_geographies[object_id],
                )
            )
        else:
            nodes.extend(_object_nodes(kind, object_id, catalog, geography))
    nodes.extend(contributed_nodes(catalog, with_geography, PATHS if geography else None))
    nodes.extend(value_guards)
    nodes.extend(smells)
    if geography:
        if restated:
            levels = {measure_level(m, catalog) for m in catalog.measures}
            nodes.append(
                indicators_node(geography, restated, {lv for lv in levels if lv is not None})
            )
            nodes.extend(cold_starts_nodes(nodes, AREAS))
        nodes.extend(aggregation_nodes(catalog, geography))
        for map_id in sorted(catalog.area_maps):
            nodes.extend(area_map_nodes(map_id, catalog, geography, source_object))
    # last of the checks: a value the guards refuse (an item not found, say) is named as such, not as
    # a lens without a value; and a lens without a value says why before IX741 says nothing scored
    last = (CoverageCheckNode, PublishedPeriodCheckNode)  # the coverage check says why first
    nodes = [n for n in nodes if not isinstance(n, last)] + [
        n for kind in last for n in nodes if isinstance(n, kind)
    ]
    nodes.extend(snapshot_nodes(catalog, nodes))
    return nodes


def _object_nodes(
    kind: str, object_id: str, catalog: Catalog, geography: Geography | None
) -> list[Node]:
    """The nodes of one spec object other than a measure or a scenario on its own geography."""
    with_geography = geography is not None
    if kind == "sources":
        return source_nodes(object_id, catalog, geography)
    if kind == "metrics":
        metric = metric_node(object_id, catalog, with_geography)
        return [metric, *metric_guards(metric)]
    if kind == "universes":
        universe = universe_node(object_id, catalog, geography)
        return [
            universe,
            universe_check(object_id, catalog, universe.name, universe.register_object),
        ]
    if kind == "audits":
        audit = catalog.audits[object_id]
        return audit_nodes(
            object_id, catalog, object_name("universes", audit.universe), metric_object
        )
    if kind == "indexes" and object_id in catalog.indexes:
        # an index published with contributed data (`publish: {contributed: true}`) reads it here
        included = catalog.indexes[object_id].publish.contributed and contributes(
            object_id, catalog
        )
        reads = (ContributedReads if included else IndexReads)(object_id, catalog, with_geography)
        universe_object = object_name("universes", catalog.indexes[object_id].universe)
        return [
            *index_nodes(
                object_id,
                catalog,
                universe_object,
                reads.metric_object,
                reads.value_object,
                PATHS if geography else None,
                reads.direct,
                provenance=bool(included),
            ),
            published_period_check(object_id, catalog),
            *coverage_checks(object_id, catalog, universe_object, reads),
        ]
    if kind == "scenarios" and object_id in catalog.scenarios:
        scenario = catalog.scenarios[object_id]
        reads = IndexReads(scenario.index, catalog, with_geography)
        return scenario_nodes(
            scenario,
            catalog,
            object_name("universes", catalog.indexes[scenario.index].universe),
            reads.metric_object,
            reads.value_object,
        )
    return []  # an index or scenario not in the catalog: a scenario's own plan holds its index alone


def _geography_scenario(
    scenario: Scenario, catalog: Catalog, graph: Graph, baseline: list[Node], geography: Geography
) -> list[Node]:
    """The index rebuilt on the scenario's geography (with its weights and savings), beside the baseline."""
    index = with_overrides(catalog.indexes[scenario.index], scenario)
    # with the indexes it reads, which are rebuilt on the scenario's geography too
    alone = dataclasses.replace(
        catalog, indexes={**_read_indexes(index, catalog), scenario.index: index}, scenarios={}
    )

    def plan_on(other: Geography) -> list[Node]:
        return _nodes(alone, graph, other, {})

    nodes = scenario_geography_nodes(scenario, baseline, plan_on, geography)
    built = {node.name for node in nodes}

    def own(part: str) -> str:
        """The scenario's object, or the baseline's when nothing differs (the run already models the events)."""
        renamed = prefix_of(scenario) + index_object(scenario.index, part)
        return renamed if renamed in built else index_object(scenario.index, part)

    return nodes + [
        deltas_node(scenario, index, own("scores"), own("savings") if index.savings else None)
    ]


def _read_indexes(index: Index, catalog: Catalog) -> dict[str, Index]:
    """The indexes whose scores an index's lenses read, directly or through others."""
    found: dict[str, Index] = {}
    waiting = [read.id for _, _, read in index.index_inputs()]
    while waiting:
        index_id = waiting.pop()
        if index_id not in found:
            found[index_id] = catalog.indexes[index_id]
            waiting += [read.id for _, _, read in found[index_id].index_inputs()]
    return found


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
