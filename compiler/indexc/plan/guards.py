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

from indexc.plan.nodes import BindingSelect, CheckNode, DataSourceNode, MeasureNode, MetricNode, Node
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

    source: DataSourceNode  # whose table it reads, and whose data it reads for the periods with rows
    bindings: tuple[GuardedBinding, ...]


@dataclass(frozen=True, kw_only=True)
class RangeCheckNode(CheckNode):
    """A measure's bound values (those its `valid:` keeps) that are outside its range or not finite."""

    measure_id: str
    bindings: tuple[BindingSelect, ...]
    valid: tuple[tuple[str, float], ...]
    bounds: tuple[tuple[str, float], ...]  # (operator, bound) pairs every value satisfies


@dataclass(frozen=True, kw_only=True)
class FiniteCheckNode(CheckNode):
    """Values of a computed metric that are infinite or NaN (its inputs are finite: the measures keep no other)."""

    metric_id: str
    metric_object: str


def check_name(object_name: str, what: str) -> str:
    return f"check__{object_name}__{what}"


def published_measures(catalog: Catalog, graph: Graph) -> frozenset[str]:
    """Measures an index or scenario reads, directly, through metrics, as weights or as an apportioning basis.

    Only there can lost data change what is published; a measure nothing published reads only warns.
    """
    reached: set[Ref] = set()
    waiting = [ref for ref in graph.edges if ref[0] in ("indexes", "scenarios")]
    while waiting:
        ref = waiting.pop()
        if ref not in reached:
            reached.add(ref)
            waiting.extend(graph.edges.get(ref, ()))
    bases = {event.apportion.by for event in catalog.lineage.values() if getattr(event, "apportion", None)}
    return frozenset({name for kind, name in reached if kind == "measures"} | (bases & set(catalog.measures)))


def binding_guards(measures: list[MeasureNode], sources: dict[str, DataSourceNode]) -> list[Node]:
    """A gap check per source (`sources`: by object name) read by these (published) measures' bindings (IX709)."""
    by_source: dict[tuple[str, str], list[GuardedBinding]] = {}
    for node in measures:
        for position, binding in enumerate(node.bindings, start=1):
            by_source.setdefault((binding.source_object, binding.source_id), []).append(
                GuardedBinding(node.measure_id, position, binding))
    return [BindingGapCheckNode(
        name=check_name(source, "bindings"), depends_on=(source,), spec=("sources", source_id),
        description=f"Periods in which {source} has rows but a binding of a published measure finds no value",
        failure="periods in which a binding finds no value of its item though its source has rows",
        source=sources[source], bindings=tuple(bindings))
        for (source, source_id), bindings in sorted(by_source.items()) if source in sources]


def measure_guards(node: MeasureNode, catalog: Catalog) -> list[Node]:
    """The check of one measure's values: nothing out of range, nothing infinite."""
    measure = catalog.measures[node.measure_id]
    sources = tuple(sorted({b.source_object for b in node.bindings}))
    value_range = measure.value_range()
    bounds = tuple((op, bound) for op, bound in ((">=", value_range.min), ("<=", value_range.max))
                   if bound is not None)
    return [RangeCheckNode(
        name=check_name(node.name, "range"), depends_on=sources, spec=node.spec,
        description=f"Values of measure {node.measure_id} outside its range, or not finite",
        failure="values outside the measure's range, or not finite (source area period value)",
        measure_id=node.measure_id, bindings=node.bindings, valid=node.valid, bounds=bounds)]


def metric_guards(node: MetricNode) -> list[Node]:
    """A metric that computes (more than reads one input) can overflow: its values must stay finite."""
    if isinstance(node.formula, exp.Column):
        return []
    return [FiniteCheckNode(
        name=check_name(node.name, "finite"), depends_on=(node.name,), spec=node.spec,
        description=f"Values of metric {node.metric_id} that are infinite or not a number",
        failure="values that are infinite or not a number, computed from finite inputs (area period)",
        metric_id=node.metric_id, metric_object=node.name)]
