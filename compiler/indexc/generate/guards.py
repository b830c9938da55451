"""SQL for the guards (plan/guards.py): queries that must return no rows, and what they report.

Each check returns one text column, in words a message can quote: a failed build is rolled back, so
the facade (guard_reports.py) describes what was found from these texts alone.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, col, is_finite, lit, table, text, union_all
from indexc.generate.inputs import (
    COMPARISONS,
    bound_rows,
    periods_with_rows,
    valid_value,
)
from indexc.generate.literal_tables import literal_table
from indexc.generate.targets import SqlTarget
from indexc.plan.guards import BindingGapCheckNode, FiniteCheckNode, GuardedBinding, RangeCheckNode
from indexc.plan.nodes import DataSourceNode
from indexc.plan.template_params import Column, LiteralTableParams
from indexc.spec.sources import LongSource

SEPARATOR = " | "  # between the parts of a value check's text; an item (last) may hold anything
HELD = "held"
WITH_ROWS = "with_rows"
BINDINGS: list[Column] = [
    {"name": "label", "type": "varchar"},  # 'measure position ', as the gap is reported
    {"name": "item", "type": "varchar"},
    {"name": "period_from", "type": "varchar"},
    {"name": "period_to", "type": "varchar"},
]
NOT_NULL = lambda name: exp.Not(this=exp.Is(this=col(name), expression=exp.Null()))  # noqa: E731


def binding_gaps(
    source: DataSourceNode, bindings: tuple[GuardedBinding, ...], target: SqlTarget
) -> exp.Expression:
    """`measure position period`: each period of a binding's range in which its source has a value of some
    item (a long source's undeclared items too) but none of the binding's item, except the periods it
    declares `not_published`.

    One join of the bindings (a literal table) with the source's periods, not one EXCEPT per binding:
    thousands of branches over the two shared tables cost DuckDB minutes to plan."""
    held = (
        exp.select(col("item"), col("period"), copy=False)
        .distinct(copy=False)
        .from_(target.object_table(source.name), copy=False)
        .where(and_all([NOT_NULL("period"), NOT_NULL("value")]), copy=False)
    )
    with_rows = (
        periods_with_rows(source.source, target)
        if isinstance(source.source, LongSource)
        else exp.select(col("period"), copy=False)
        .distinct(copy=False)
        .from_(table(HELD), copy=False)
    )
    declared = literal_table(
        LiteralTableParams(
            columns=BINDINGS,
            rows=[
                [
                    f"{guarded.measure_id} {guarded.position} ",
                    guarded.binding.item,
                    guarded.binding.period_from,
                    guarded.binding.period_to,
                ]
                for guarded in bindings
            ],
        ),
        target,
    )
    in_range = [
        exp.Not(this=exp.Is(this=col("period", "w"), expression=exp.Null())),
        *(
            exp.Or(
                this=exp.Is(this=col(bound, "b"), expression=exp.Null()),
                expression=comparison(this=col("period", "w"), expression=col(bound, "b")),
            )
            for bound, comparison in (("period_from", exp.GTE), ("period_to", exp.LTE))
        ),
    ]
    held_by_item = exp.Exists(
        this=exp.select(lit(1), copy=False)
        .from_(table(HELD, "h"), copy=False)
        .where(
            and_all(
                [
                    exp.EQ(this=col("item", "h"), expression=col("item", "b")),
                    exp.EQ(this=col("period", "h"), expression=col("period", "w")),
                ]
            ),
            copy=False,
        )
    )
    gaps = [exp.Not(this=held_by_item)]
    for guarded in bindings:  # the periods a binding declares not published are no gap
        if guarded.binding.not_published:
            absent = exp.In(
                this=col("period", "w"),
                expressions=[lit(period) for period in guarded.binding.not_published],
            )
            label = exp.EQ(
                this=col("label", "b"), expression=lit(f"{guarded.measure_id} {guarded.position} ")
            )
            gaps.append(exp.Not(this=exp.Paren(this=exp.and_(label, absent))))
    shown = exp.Concat(expressions=[col("label", "b"), col("period", "w")])
    return (
        exp.select(alias(shown, "gap"), copy=False)
        .distinct(copy=False)
        .from_(
            exp.Subquery(this=declared, alias=exp.TableAlias(this=exp.to_identifier("b"))),
            copy=False,
        )
        .join(table(WITH_ROWS, "w"), on=and_all(in_range), copy=False)
        .where(and_all(gaps), copy=False)
        .order_by(col("gap"), copy=False)
        .with_(HELD, as_=held, copy=False)
        .with_(WITH_ROWS, as_=with_rows, copy=False)
    )


def binding_gap_check(node: BindingGapCheckNode, target: SqlTarget) -> exp.Expression:
    return binding_gaps(node.source, node.bindings, target)


def range_check(node: RangeCheckNode, target: SqlTarget) -> exp.Expression:
    """`MEASURE | AREA | PERIOD | VALUE | ITEM`: each value of the source that is not finite (infinite or NaN, measure
    `*`: a value, not a blank, that no arithmetic can use), and each bound value that its measure's `valid:`
    keeps but that lies outside the measure's range."""
    source = target.object_table(node.source_object)

    def found(measure: str, conditions: list[exp.Expr]) -> exp.Select:
        parts = [col("area_code"), col("period"), text(col("value")), col("item")]
        shown = exp.Concat(
            expressions=[lit(measure)]
            + [
                part
                for column in parts
                for part in (lit(SEPARATOR), exp.Coalesce(this=column, expressions=[lit("")]))
            ]
        )
        return (
            exp.select(alias(shown, "found"), copy=False)
            .from_(source.copy(), copy=False)
            .where(and_all([NOT_NULL("value"), *conditions]), copy=False)
        )

    selects = [found("*", [exp.Not(this=is_finite(col("value")))])]
    for guarded in node.bounded:
        conditions = bound_rows(guarded.binding) + [is_finite(col("value"))]
        if guarded.valid:
            conditions.append(exp.Paren(this=valid_value(col("value"), guarded.valid)))
        in_range = and_all(
            COMPARISONS[op](this=col("value"), expression=lit(bound))
            for op, bound in guarded.bounds
        )
        selects.append(
            found(guarded.measure_id, conditions + [exp.Not(this=exp.Paren(this=in_range))])
        )
    return (
        exp.select(exp.Star(), copy=False)
        .from_(union_all(selects).subquery("found", copy=False), copy=False)
        .order_by(col("found"), copy=False)
    )


def finite_check(node: FiniteCheckNode, target: SqlTarget) -> exp.Expression:
    """`area period value`: metric values that are infinite or NaN."""
    shown = exp.Concat(
        expressions=[col("area_code"), lit(" "), col("period"), lit(" "), text(col("value"))]
    )
    return (
        exp.select(alias(shown, "found"), copy=False)
        .from_(target.object_table(node.metric_object), copy=False)
        .where(and_all([NOT_NULL("value"), exp.Not(this=is_finite(col("value")))]), copy=False)
        .order_by(col("found"), copy=False)
    )


def undefined_values(metric_object: str, target: SqlTarget) -> exp.Expression:
    """(area_code, period): where every input of a metric has a value but its formula is undefined
    (a division by zero, say), which the metric leaves missing."""
    return (
        exp.select(col("area_code"), col("period"), copy=False)
        .from_(target.object_table(metric_object), copy=False)
        .where(exp.Is(this=col("value"), expression=exp.Null()), copy=False)
        .order_by(col("period"), col("area_code"), copy=False)
    )


__all__ = ["binding_gap_check", "binding_gaps", "finite_check", "range_check", "undefined_values"]
