"""Guards: checks that stop a run, before anything is published, when data is lost or not believable.

A check is a query that must return no rows (generate/guards.py builds them):
- a binding that finds no value of its item in a period for which its source has rows (IX709), for
  every measure something published reads; elsewhere `indexc run` only warns;
- a value of a measure outside its range (IX710): by default a count, an amount of money or a
  population is never negative (spec/measures.py, `default_range`);
- a metric value that is infinite or not a number although its inputs are finite (IX711).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from indexc.plan.nodes import (
    BindingSelect,
    CheckNode,
    DataSourceNode,
    MeasureNode,
    MetricNode,
    Node,
)
from indexc.resolve import Graph, Ref
from indexc.validate.catalog import Catalog


@dataclass(frozen=True)
class GuardedBinding:
    measure_id: str
    position: int  # 1-based, as the message says it
    binding: BindingSelect


@dataclass(frozen=True, kw_only=True)
class BindingGapCheckNode(CheckNode):
    """Periods in which a source has rows but a binding's item has no value (and is not declared absent).

    One per source, for every binding of a published measure on it, so a source is read once however
    many measures it feeds.
    """

    source: (
        DataSourceNode  # whose table it reads, and whose data it reads for the periods with rows
    )
    bindings: tuple[GuardedBinding, ...]


@dataclass(frozen=True)
class BoundedBinding:
    measure_id: str
    binding: BindingSelect
    valid: tuple[
        tuple[str, float], ...
    ]  # the measure's `valid:`: values outside are blanks, not range errors
    bounds: tuple[tuple[str, float], ...]  # (operator, bound) pairs every other value satisfies


@dataclass(frozen=True, kw_only=True)
class RangeCheckNode(CheckNode):
    """A source's values that are not finite, and bound values outside their measure's range.

    One per data source, so that a source of thousands of measures without bounds is read once.
    """

    source_object: str
    source_id: str
    bounded: tuple[BoundedBinding, ...]


@dataclass(frozen=True, kw_only=True)
class FiniteCheckNode(CheckNode):
    """Values of a computed metric that are infinite or NaN (its inputs are finite: the measures keep no other)."""

    metric_id: str
    metric_object: str


def check_name(object_name: str, what: str) -> str:
    return f"check__{object_name}__{what}"


def published_measures(catalog: Catalog, graph: Graph) -> frozenset[str]:
    """Measures that something published reads: a metric (every metric's view is published), an index, a
    scenario or an audit, directly or through weights, or a lineage event as its apportioning basis.

    Only there can lost data change what is published; a measure nothing published reads only warns.
    """
    reached: set[Ref] = set()
    waiting = [
        ref for ref in graph.edges if ref[0] in ("metrics", "indexes", "scenarios", "audits")
    ]
    while waiting:
        ref = waiting.pop()
        if ref not in reached:
            reached.add(ref)
            waiting.extend(graph.edges.get(ref, ()))
    bases = {event.apportion.by for event in catalog.lineage.values() if event.apportion}
    return frozenset(
        {name for kind, name in reached if kind == "measures"} | (bases & set(catalog.measures))
    )


def binding_guards(measures: list[MeasureNode], sources: dict[str, DataSourceNode]) -> list[Node]:
    """A gap check per source (`sources`: by object name) read by these (published) measures' bindings (IX709)."""
    by_source: dict[tuple[str, str], list[GuardedBinding]] = {}
    for node in measures:
        for position, binding in enumerate(node.bindings, start=1):
            by_source.setdefault((binding.source_object, binding.source_id), []).append(
                GuardedBinding(node.measure_id, position, binding)
            )
    return [
        BindingGapCheckNode(
            name=check_name(source, "bindings"),
            depends_on=(source,),
            spec=("sources", source_id),
            description=f"Periods in which {source} has rows but a binding of a published measure finds no value",
            failure="periods in which a binding finds no value of its item though its source has rows",
            source=sources[source],
            bindings=tuple(bindings),
        )
        for (source, source_id), bindings in sorted(by_source.items())
        if source in sources
    ]


def range_guards(
    measures: list[MeasureNode], catalog: Catalog, sources: dict[str, DataSourceNode]
) -> list[Node]:
    """A value check per data source (IX710), with the bounds of every measure bound to it."""
    bounded: dict[str, list[BoundedBinding]] = {name: [] for name in sources}
    for node in measures:
        value_range = catalog.measures[node.measure_id].value_range()
        bounds = tuple(
            (op, bound)
            for op, bound in ((">=", value_range.min), ("<=", value_range.max))
            if bound is not None
        )
        for binding in node.bindings:
            if bounds and binding.source_object in bounded:
                bounded[binding.source_object].append(
                    BoundedBinding(node.measure_id, binding, node.valid, bounds)
                )
    return [
        RangeCheckNode(
            name=check_name(name, "values"),
            depends_on=(name,),
            spec=source.spec,
            description=f"Values of {name} that are not finite, or outside the range of the measure that binds them",
            failure="values not finite, or outside their measure's range (measure item area period value)",
            source_object=name,
            source_id=source.source.id,
            bounded=tuple(bounded[name]),
        )
        for name, source in sorted(sources.items())
    ]


def metric_guards(node: MetricNode) -> list[Node]:
    """A metric that computes (more than reads one input) can overflow: its values must stay finite."""
    if isinstance(node.formula, exp.Column):
        return []
    return [
        FiniteCheckNode(
            name=check_name(node.name, "finite"),
            depends_on=(node.name,),
            spec=node.spec,
            description=f"Values of metric {node.metric_id} that are infinite or not a number",
            failure="values that are infinite or not a number, computed from finite inputs (area period)",
            metric_id=node.metric_id,
            metric_object=node.name,
        )
    ]
