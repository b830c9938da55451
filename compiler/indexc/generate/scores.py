"""SQL for a universe: the areas an index compares. The index's own objects are templates
(generate/templates), rendered by `template_node`.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.alignment import RECENCY
from indexc.generate.expressions import (
    alias,
    and_all,
    cast,
    col,
    is_finite,
    lit,
    union_all,
)
from indexc.generate.literal_tables import literal_table
from indexc.generate.targets import SqlTarget
from indexc.generate.templating import render
from indexc.plan.nodes import TemplateNode, UniverseNode
from indexc.plan.template_params import (
    LiteralTableParams,
    MetricObject,
    MetricValuesParams,
    TemplateParams,
)


def universe(node: UniverseNode, target: SqlTarget) -> exp.Expression:
    """Areas of the universe's types; on restated geography, those in force on the geography date, every period."""
    if node.geography_date is not None:
        day = cast(lit(node.geography_date.isoformat()), "date")
        in_force = and_all(
            [
                exp.Paren(
                    this=exp.or_(
                        exp.Is(this=col("valid_from"), expression=exp.Null()),
                        exp.LTE(this=col("valid_from"), expression=day),
                    )
                ),
                exp.Paren(
                    this=exp.or_(
                        exp.Is(this=col("valid_to"), expression=exp.Null()),
                        exp.GTE(this=col("valid_to"), expression=day.copy()),
                    )
                ),
                exp.In(this=col("type"), expressions=[lit(t) for t in node.types]),
            ]
        )
        return (
            exp.select(
                col("area_code"),
                col("name"),
                col("type"),
                alias(cast(exp.Null(), "date"), "valid_from"),
                alias(cast(exp.Null(), "date"), "valid_to"),
                copy=False,
            )
            .from_(target.object_table(node.register_object), copy=False)
            .where(in_force, copy=False)
        )
    return (
        exp.select(
            col("area_code"),
            col("name"),
            col("type"),
            col("valid_from"),
            col("valid_to"),
            copy=False,
        )
        .from_(target.object_table(node.register_object), copy=False)
        .where(exp.In(this=col("type"), expressions=[lit(t) for t in node.types]), copy=False)
    )


def template_node(node: TemplateNode, target: SqlTarget) -> exp.Expression:
    params = node.params
    if isinstance(params, LiteralTableParams):  # its rows are built, not written by the template
        return literal_table(params, target)
    return render(f"{params.template}.sql.j2", target, _trees(params, target), **params.context())


def _trees(params: TemplateParams, target: SqlTarget) -> dict[str, exp.Expression]:
    """The parts of an index's templates that grow with its metrics, built rather than parsed."""
    if isinstance(params, MetricValuesParams) and params.metrics:
        return {"metric_views": metric_views(params.metrics, target)}
    return {}


def metric_views(metrics: list[MetricObject], target: SqlTarget) -> exp.Expression:
    """The finite values of each metric view, one SELECT per metric, stacked: (metric, area_code, period,
    value) and the value's recency (data_period, data_start, data_end)."""
    return union_all(
        [
            exp.select(
                alias(lit(m["id"]), "metric"),
                col("area_code", "v"),
                col("period", "v"),
                alias(cast(col("value", "v"), "double"), "value"),
                *[col(name, "v") for name in RECENCY],
                copy=False,
            )
            .from_(target.object_table(m["object"], "v"), copy=False)
            .where(is_finite(col("value", "v")), copy=False)
            for m in metrics
        ]
    )
