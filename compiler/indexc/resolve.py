"""Resolve references into a dependency graph: cycles, and a deterministic order.

The graph runs sources <- measures <- metrics <- indexes, plus the edges that
can loop back: metrics built from other metrics, and measures weighted by
other measures. Order is topological with ties broken by (kind, id), so the
compiled output never depends on file order.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog

Ref = tuple[str, str]  # (kind, id), kind being a catalog attribute such as "metrics"


@dataclass(frozen=True)
class Graph:
    edges: dict[Ref, tuple[Ref, ...]]  # object -> what it depends on

    def order(self) -> list[Ref]:
        """Dependencies first; among independent objects, sorted by (kind, id)."""
        waiting = {ref: len(deps) for ref, deps in self.edges.items()}
        users: dict[Ref, list[Ref]] = {ref: [] for ref in self.edges}
        for ref, deps in self.edges.items():
            for dep in deps:
                users[dep].append(ref)
        ready = [ref for ref, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        result: list[Ref] = []
        while ready:
            ref = heapq.heappop(ready)
            result.append(ref)
            for user in users[ref]:
                waiting[user] -= 1
                if waiting[user] == 0:
                    heapq.heappush(ready, user)
        return result

    def cycles(self) -> list[list[Ref]]:
        """Each strongly connected set of objects that reaches itself, as a closed path."""
        found: list[list[Ref]] = []
        index: dict[Ref, int] = {}
        low: dict[Ref, int] = {}
        stack: list[Ref] = []
        on_stack: set[Ref] = set()
        counter = 0
        for root in sorted(self.edges):
            if root in index:
                continue
            work = [(root, iter(sorted(self.edges[root])))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                child = next(children, None)
                if child is not None:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted(self.edges[child]))))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in self.edges[node]:
                        found.append(self._closed_path(sorted(component)))
        return sorted(found)

    def _closed_path(self, component: list[Ref]) -> list[Ref]:
        members = set(component)
        path = [component[0]]
        while True:
            step = next(dep for dep in sorted(self.edges[path[-1]]) if dep in members)
            if step in path:
                return path[path.index(step) :] + [step]
            path.append(step)


def build_graph(catalog: Catalog) -> Graph:
    edges: dict[Ref, set[Ref]] = {}
    for source_id in catalog.sources:
        edges[("sources", source_id)] = set()
    for measure_id, measure in catalog.measures.items():
        deps = {("sources", b.source) for b in measure.bindings}
        if measure.weighted_by:
            deps.add(("measures", measure.weighted_by))
        edges[("measures", measure_id)] = deps
    for metric_id in catalog.metrics:
        edges[("metrics", metric_id)] = {
            ("measures" if name in catalog.measures else "metrics", name)
            for name in catalog.formula(metric_id).inputs
        }
    for universe_id, universe in catalog.universes.items():
        edges[("universes", universe_id)] = (
            {("sources", universe.register_)} if universe.register_ else set()
        )
    for index_id, index in catalog.indexes.items():
        deps = {("universes", index.universe)}
        deps.update(("metrics", metric_id) for metric_id in index.metric_ids())
        deps.update(("metrics", p.spend) for p in index.productivity)
        for name in (
            [s.unit_cost for s in index.savings]
            + [s.volume for s in index.savings]
            + index.publish.headline_measures()
            + (
                [f.metric for f in index.peers.neighbours.features]
                if index.peers.neighbours
                else []
            )
        ):
            deps.add(("measures" if name in catalog.measures else "metrics", name))
        if index.peers.neighbours and index.peers.neighbours.source:
            deps.add(("sources", index.peers.neighbours.source))
        deps.update(
            ("indexes", read.id)
            for _, _, read in index.index_inputs()
            if read.id in catalog.indexes
        )
        edges[("indexes", index_id)] = deps
    for scenario_id, scenario in catalog.scenarios.items():
        edges[("scenarios", scenario_id)] = {("indexes", scenario.index)}
    for audit_id, audit in catalog.audits.items():
        edges[("audits", audit_id)] = {("universes", audit.universe)} | {
            ("metrics", m) for m, _ in audit.metrics()
        }
    return Graph({ref: tuple(sorted(deps)) for ref, deps in edges.items()})


def _index_cycle(catalog: Catalog, cycle: list[Ref]) -> Diagnostic:
    """IX325: indexes reading each other's scores, at the lens of the first that reads the next."""
    (_, first), (_, second) = cycle[0], cycle[1]
    path = next(p for p, _, read in catalog.indexes[first].index_inputs() if read.id == second)
    return Diagnostic(
        Code.INDEX_CYCLE,
        f"indexes read each other's scores in a cycle: {' -> '.join(name for _, name in cycle)}",
        catalog.where("indexes", first, *path, "index", "id"),
        "an index cannot read its own score, directly or through other indexes: "
        "read the metrics of one of them instead",
    )


def resolve(catalog: Catalog) -> tuple[Graph, list[Diagnostic]]:
    """The graph of a catalog whose references are valid, and a diagnostic per cycle."""
    graph = build_graph(catalog)
    diagnostics = []
    for cycle in graph.cycles():
        kind, first = cycle[0]
        path = " -> ".join(name for _, name in cycle)
        if kind == "indexes":
            diagnostics.append(_index_cycle(catalog, cycle))
            continue
        if kind == "metrics":
            at, hint = (
                ("formula",),
                "a metric cannot be computed from itself, directly or through other metrics",
            )
        else:
            at, hint = (
                ("weighted_by",),
                "a measure cannot be weighted by itself, directly or through other weights",
            )
        diagnostics.append(
            Diagnostic(
                Code.REFERENCE_CYCLE,
                f"reference cycle: {path}",
                catalog.where(kind, first, *at),
                hint,
            )
        )
    return graph, diagnostics
