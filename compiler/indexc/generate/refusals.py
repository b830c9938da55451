"""SQL of the checks that refuse an empty result (plan/refusals.py): one row, what exists instead, when empty."""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.refusals import PublishedPeriodCheckNode, UniverseCheckNode


def _listed(column: str, source: exp.Expression) -> exp.Select:
    """The distinct values of a column, sorted, as one text ('a, b'); NULL when there are none."""
    values = exp.GroupConcat(
        this=exp.Order(
            this=exp.Distinct(expressions=[col(column)]),
            expressions=[exp.Ordered(this=col(column))],
        ),
        separator=lit(", "),
    )
    return exp.select(alias(values, "found"), copy=False).from_(source, copy=False)


def _when_empty(listed: exp.Select, empty: exp.Expression) -> exp.Select:
    return (
        exp.select(col("found"), copy=False)
        .from_(
            exp.Subquery(this=listed, alias=exp.TableAlias(this=exp.to_identifier("listed"))),
            copy=False,
        )
        .where(empty, copy=False)
    )


def universe_check(node: UniverseCheckNode, target: SqlTarget) -> exp.Expression:
    """The register's types, when the universe holds no area."""
    holds_none = exp.Not(
        this=exp.Exists(
            this=exp.select(lit(1), copy=False).from_(
                target.object_table(node.universe_object), copy=False
            )
        )
    )
    return _when_empty(_listed("type", target.object_table(node.register_object)), holds_none)


def published_period_check(node: PublishedPeriodCheckNode, target: SqlTarget) -> exp.Expression:
    """The periods scored, when none is the published period (or, publishing the latest, when there is none)."""
    scores = exp.select(lit(1), copy=False).from_(
        target.object_table(node.scores_object), copy=False
    )
    if node.period is not None:
        scores = scores.where(exp.EQ(this=col("period"), expression=lit(node.period)), copy=False)
    listed = _listed("period", target.object_table(node.scores_object))
    return _when_empty(listed, exp.Not(this=exp.Exists(this=scores)))


def listed_when_found(column: str, source: exp.Expression) -> exp.Select:
    """The distinct values of a column as one text, one row only when there are any."""
    return (
        exp.select(col("found"), copy=False)
        .from_(
            exp.Subquery(
                this=_listed(column, source), alias=exp.TableAlias(this=exp.to_identifier("listed"))
            ),
            copy=False,
        )
        .where(exp.Not(this=exp.Is(this=col("found"), expression=exp.Null())), copy=False)
    )


__all__ = ["listed_when_found", "published_period_check", "universe_check"]
