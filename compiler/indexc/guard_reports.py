"""What a guard (plan/guards.py) found, said in full: the rows behind a failed check, and the run's
warnings about data lost or left undefined where nothing published can change.

A failed build is rolled back, so a failed check is described from the rows it returned (each one text,
generate/guards.py), with what a person needs to put it right: the source and its file, the area, the
period, the value, and for a binding that lost its item, the items its source's data does hold in those
periods (read from the data itself, which the rollback leaves as it is).
"""

from __future__ import annotations

from sqlglot import exp

from indexc.codes import Code
from indexc.compilation import Query
from indexc.errors import Diagnostic, Severity
from indexc.generate import CompiledObject
from indexc.generate.expressions import and_all, col, lit
from indexc.generate.guards import SEPARATOR, binding_gaps, undefined_values
from indexc.generate.inputs import data_source
from indexc.generate.targets import SqlTarget
from indexc.plan.guards import BindingGapCheckNode, FiniteCheckNode, GuardedBinding, RangeCheckNode
from indexc.plan.nodes import (
    BindingSelect,
    DataSourceNode,
    MeasureNode,
    MetricNode,
    Node,
    defined_by,
)
from indexc.spec.sources import ITEM_SEPARATOR
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean

GUARDS = (BindingGapCheckNode, RangeCheckNode, FiniteCheckNode)
SHOWN = 5  # rows listed in a message
ITEMS_SHOWN = 12  # items a source holds, listed beside a lost one


def _listed(texts: list[str], more: bool = False, shown: int = SHOWN) -> str:
    extra = " and more" if more or len(texts) > shown else ""
    return ", ".join(texts[:shown]) + extra


def _periods(binding: BindingSelect) -> str:
    start, end = binding.period_from, binding.period_to
    return (
        f"{start} to {end}"
        if start and end
        else f"from {start}"
        if start
        else f"to {end}"
        if end
        else "any period"
    )


def failed(
    node: Node,
    found: tuple,
    query: Query,
    objects: list[CompiledObject],
    catalog: Catalog,
    target: SqlTarget,
    files: dict[str, str],
) -> list[Diagnostic]:
    """The diagnostics of a guard whose check returned `found` (its first rows); `files`: each source's data."""
    more = len(found) > SHOWN
    if isinstance(node, BindingGapCheckNode):
        return binding_gap_diagnostics(
            node.bindings, [str(f) for f in found[:SHOWN]], more, query, objects, catalog, target
        )
    if isinstance(node, RangeCheckNode):
        return _range_diagnostics(node, [str(f) for f in found], catalog, files)
    if isinstance(node, FiniteCheckNode):
        return [_finite_diagnostic(node, [str(f) for f in found], catalog)]
    raise TypeError(f"{node.name} is not a guard")  # the caller tests isinstance(node, GUARDS)


def binding_gap_diagnostics(
    bindings: tuple[GuardedBinding, ...],
    gaps: list[str],
    more: bool,
    query: Query,
    objects: list[CompiledObject],
    catalog: Catalog,
    target: SqlTarget,
    severity: Severity = Severity.ERROR,
) -> list[Diagnostic]:
    """IX709: one per binding that finds no value of its item in a period in which its source has rows.

    `gaps`: `measure position period` texts, as the check returns them."""
    missing: dict[tuple[str, int], list[str]] = {}
    for gap in gaps:
        measure_id, position_text, period = gap.split(" ")
        missing.setdefault((measure_id, int(position_text)), []).append(period)
    of = {(g.measure_id, g.position): g.binding for g in bindings}
    diagnostics = []
    for (measure_id, position), periods in sorted(missing.items()):
        binding = of[measure_id, position]
        held = _items_held(binding, periods, query, objects, target)
        suggestion = _reordered(binding.item, held) or did_you_mean(binding.item, held)
        outcome = (
            "nothing was published; "
            if severity is Severity.ERROR
            else "nothing published reads this measure; "
        )
        diagnostics.append(
            Diagnostic(
                Code.ITEM_NOT_FOUND,
                f"{measure_id}: binding {position} found no value of item '{binding.item}' in source "
                f"'{binding.source_id}' ({_periods(binding)}) in period(s) in which the source has rows: "
                f"{_listed(periods, more)}; the source's data holds there: "
                f"{_listed(held, shown=ITEMS_SHOWN) or 'no item'}",
                catalog.where("measures", measure_id, "bindings", position - 1),
                f"{suggestion + ' ' if suggestion else ''}{outcome}correct the item (with several item columns, "
                "their order) or the data; if the source publishes no value of it in a period, list the period "
                "under the binding's 'not_published:'",
                severity=severity,
            )
        )
    return diagnostics


def _reordered(item: str, held: list[str]) -> str | None:
    """The held item made of the same parts in another order: item columns listed in another order."""
    parts = sorted(item.split(ITEM_SEPARATOR))
    same = [
        h for h in held if h != item and len(parts) > 1 and sorted(h.split(ITEM_SEPARATOR)) == parts
    ]
    return f"did you mean '{same[0]}' (the item columns in another order)?" if same else None


def _items_held(
    binding: BindingSelect,
    periods: list[str],
    query: Query,
    objects: list[CompiledObject],
    target: SqlTarget,
) -> list[str]:
    """The items a source's data holds a value of in these periods, declared or not."""
    source = next(o.node for o in objects if o.name == binding.source_object)
    assert isinstance(source, DataSourceNode), source
    rows = data_source(source, target, declared_only=False).subquery("raw", copy=False)
    held = (
        exp.select(col("item"), copy=False)
        .distinct(copy=False)
        .from_(rows, copy=False)
        .where(
            and_all(
                [
                    exp.Not(this=exp.Is(this=col("value"), expression=exp.Null())),
                    exp.In(this=col("period"), expressions=[lit(p) for p in periods]),
                ]
            ),
            copy=False,
        )
        .order_by(col("item"), copy=False)
    )
    return [row["item"] for row in query(target.render(held)) if row["item"] is not None]


def _range_diagnostics(
    node: RangeCheckNode, found: list[str], catalog: Catalog, files: dict[str, str]
) -> list[Diagnostic]:
    """IX710, one per measure (and one for values not finite), from `MEASURE | AREA | PERIOD | VALUE | ITEM`."""
    by_measure: dict[str, list[str]] = {}
    for text in found:
        measure_id, area, period, value, item = text.split(SEPARATOR, 4)
        shown = f"{area} {period} {value}" + (f" (item {item})" if measure_id == "*" else "")
        by_measure.setdefault(measure_id, []).append(shown)
    where = f"in {node.source_id} ({files.get(node.source_id, 'no file')})"
    more = len(found) > SHOWN
    diagnostics = []
    for measure_id, values in sorted(by_measure.items()):
        if measure_id == "*":
            diagnostics.append(
                Diagnostic(
                    Code.VALUE_OUT_OF_RANGE,
                    f"source '{node.source_id}': value(s) not finite {where}: {_listed(values, more)}",
                    catalog.where(*defined_by(node)),
                    "nothing was published; a value is a number or a blank cell: correct "
                    "the data (a missing value is written as a blank)",
                )
            )
            continue
        measure = catalog.measures[measure_id]
        bounds = next(b.bounds for b in node.bounded if b.measure_id == measure_id)
        declared = measure.range is not None
        diagnostics.append(
            Diagnostic(
                Code.VALUE_OUT_OF_RANGE,
                f"{measure_id}: value(s) outside its range ({' and '.join(f'{op} {b:g}' for op, b in bounds)}) "
                f"{where}: {_listed(values, more)}",
                catalog.where("measures", measure_id, "range" if declared else "unit"),
                "nothing was published; correct the data. "
                + (
                    "If such values are real, widen 'range:'"
                    if declared
                    else f"The range is the default of unit '{measure.unit}'; if such values are real, "
                    "declare 'range:' (docs/spec-language.md, measures)"
                )
                + "; a published blank written as a number belongs under 'valid:'",
            )
        )
    return diagnostics


def _finite_diagnostic(node: FiniteCheckNode, found: list[str], catalog: Catalog) -> Diagnostic:
    """IX711, from `area period value` texts."""
    return Diagnostic(
        Code.METRIC_NOT_FINITE,
        f"{node.metric_id}: value(s) infinite or not a number, computed from finite inputs: "
        f"{_listed(found)}",
        catalog.where(*defined_by(node), "formula"),
        "nothing was published; an input too large for the formula (a value in the wrong unit, say) overflows: "
        "check the inputs of these areas and periods",
    )


def after_run(
    query: Query, objects: list[CompiledObject], catalog: Catalog, target: SqlTarget
) -> list[Diagnostic]:
    """Warnings: data lost by measures nothing published reads (IX709), and undefined metric values (IX712)."""
    guarded = {
        (g.measure_id, g.position)
        for o in objects
        if isinstance(o.node, BindingGapCheckNode)
        for g in o.node.bindings
    }
    unguarded: dict[str, list[GuardedBinding]] = {}
    warnings = []
    for obj in objects:
        if isinstance(obj.node, MeasureNode):
            for position, binding in enumerate(obj.node.bindings, start=1):
                if (obj.node.measure_id, position) not in guarded:
                    unguarded.setdefault(binding.source_object, []).append(
                        GuardedBinding(obj.node.measure_id, position, binding)
                    )
        elif isinstance(obj.node, MetricNode) and _can_be_undefined(obj.node.formula):
            warnings += _undefined(obj.node, query, catalog, target)
    sources = {o.name: o.node for o in objects if isinstance(o.node, DataSourceNode)}
    for source, bindings in sorted(unguarded.items()):
        if source not in sources:
            continue  # an area-map or register source: its bindings are checked as it is read
        gaps = [
            row["gap"]
            for row in query(target.render(binding_gaps(sources[source], tuple(bindings), target)))
        ]
        warnings += binding_gap_diagnostics(
            tuple(bindings), gaps, False, query, objects, catalog, target, Severity.WARNING
        )
    return warnings


def _can_be_undefined(formula: exp.Expression) -> bool:
    return any(True for _ in formula.find_all(exp.Div, exp.Sqrt, exp.Ln))


def _undefined(
    node: MetricNode, query: Query, catalog: Catalog, target: SqlTarget
) -> list[Diagnostic]:
    """IX712 (warning): values left missing because the formula is undefined there (a division by zero)."""
    rows = query(target.render(undefined_values(node.name, target)))
    if not rows:
        return []
    found = [f"{r['area_code']} {r['period']}" for r in rows]
    return [
        Diagnostic(
            Code.METRIC_UNDEFINED,
            f"{node.metric_id}: {len(rows)} value(s) undefined (a division by zero, or the root or "
            f"logarithm of a number outside its domain) left missing: {_listed(found)}",
            catalog.where(*defined_by(node), "formula"),
            "every input has a value there but the formula has none; an error 'not_null' audit of the metric "
            "fails the run instead",
            severity=Severity.WARNING,
        )
    ]
