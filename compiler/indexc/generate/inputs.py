"""SQL for the input layers: source normalisation, measure values and metric values.

Every source, whatever its layout, becomes (area_code, period, item, value) with
periods as financial-year labels; measures select their items per binding; a
metric evaluates its formula where all of its inputs have a value.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    blank_is_missing,
    cast,
    col,
    lit,
    period_label,
    period_start_year,
    table,
    text,
    union_all,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import DataSourceNode, MeasureNode, MetricNode, RegisterNode
from indexc.spec.sources import LongSource

PARSED = "parsed"


def data_source(node: DataSourceNode, target: SqlTarget) -> exp.Expression:
    """Read the physical relation once, parse its periods and stack its items."""
    source = node.source
    columns = source.columns
    parsed_columns = [
        alias(text(col(columns.area)), "area_code"),
        alias(period_start_year(source.period, col(columns.period)), "period_start_year"),
    ]
    period = alias(period_label(col("period_start_year")), "period")
    if isinstance(source, LongSource):
        parsed_columns += [alias(text(col(columns.item)), "item"),
                           alias(blank_is_missing(col(columns.value), "double"), "value")]
        parsed = exp.select(*parsed_columns).from_(target.source_relation(source.id))
        final = (
            exp.select(col("area_code"), period, col("item"), col("value"))
            .from_(table(PARSED))
            .where(exp.In(this=col("item"), expressions=[lit(item) for item in sorted(source.items)]))
        )
        return final.with_(PARSED, as_=parsed, copy=False)
    item_columns = sorted(source.items)
    parsed_columns += [col(name) for name in item_columns]
    parsed = exp.select(*parsed_columns).from_(target.source_relation(source.id))
    stacked = union_all([
        exp.select(col("area_code"), period.copy(), alias(lit(name), "item"),
                   alias(blank_is_missing(col(name), "double"), "value")).from_(table(PARSED))
        for name in item_columns
    ])
    return stacked.with_(PARSED, as_=parsed, copy=False)


def register(node: RegisterNode, target: SqlTarget) -> exp.Expression:
    """Areas with names, types and the dates between which their code was in force."""
    columns = node.source.columns

    def date_or_null(column: str | None) -> exp.Expression:
        return blank_is_missing(col(column), "date") if column else cast(exp.Null(), "date")

    return exp.select(
        alias(text(col(columns.area)), "area_code"),
        alias(text(col(columns.name)), "name"),
        alias(text(col(columns.type)), "type"),
        alias(date_or_null(columns.valid_from), "valid_from"),
        alias(date_or_null(columns.valid_to), "valid_to"),
    ).from_(target.source_relation(node.source.id))


def measure(node: MeasureNode, target: SqlTarget) -> exp.Expression:
    """One SELECT per binding; a blank value is a missing value and is left out."""
    selects = []
    for binding in node.bindings:
        conditions = [exp.EQ(this=col("item"), expression=lit(binding.item))]
        if binding.period_from:
            conditions.append(exp.GTE(this=col("period"), expression=lit(binding.period_from)))
        if binding.period_to:
            conditions.append(exp.LTE(this=col("period"), expression=lit(binding.period_to)))
        conditions.append(exp.Not(this=exp.Is(this=col("value"), expression=exp.Null())))
        selects.append(
            exp.select(col("area_code"), col("period"), col("value"),
                       alias(lit(binding.source_id), "source"), col("item"))
            .from_(target.object_table(binding.source_object))
            .where(and_all(conditions))
        )
    return union_all(selects)


def _formula_sql(formula: exp.Expression) -> exp.Expression:
    """Point each id at its input's value column and make every division safe."""
    tree = formula.copy()
    if isinstance(tree, exp.Column):
        return col("value", tree.name)
    for column in list(tree.find_all(exp.Column)):
        column.replace(col("value", column.name))
    for division in list(tree.find_all(exp.Div)):
        division.set("expression", exp.Nullif(this=division.expression, expression=lit(0)))
    return tree


def metric(node: MetricNode, target: SqlTarget) -> exp.Expression:
    """The formula over inputs joined on area and period (an area lacking any input has no value)."""
    (first_name, first_object), *others = node.inputs
    query = exp.select(
        col("area_code", first_name),
        col("period", first_name),
        alias(cast(_formula_sql(node.formula), "double"), "value"),
    ).from_(target.object_table(first_object, first_name))
    for name, object_name in others:
        on = and_all([
            exp.EQ(this=col("area_code", name), expression=col("area_code", first_name)),
            exp.EQ(this=col("period", name), expression=col("period", first_name)),
        ])
        query = query.join(target.object_table(object_name, name), on=on, join_type="inner")
    return query
