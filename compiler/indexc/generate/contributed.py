"""SQL of contributed data (plan/contributed.py): the recency overlay, the club views and the check
that a contribution holds its council's rows only."""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, cast, col, is_finite, lit, table, union_all
from indexc.generate.inputs import valid_value
from indexc.generate.refusals import listed_when_found
from indexc.generate.targets import SqlTarget
from indexc.plan.contributed import (
    ClubNode,
    ContributedMeasureNode,
    Contribution,
    ContributionCheckNode,
)

RECENCY = ("data_period", "data_start", "data_end")


def _rows(
    c: Contribution, valid: tuple[tuple[str, float], ...], item_column: str | None = None
) -> list[exp.Expr]:
    """A contribution's own rows: its council's, of its item, in its periods, with a finite value."""
    conditions: list[exp.Expr] = [
        exp.EQ(this=col("item"), expression=lit(c.item)),
        exp.EQ(this=col("area_code"), expression=lit(c.contributed_by)),
        is_finite(col("value")),
    ]
    if c.period_from:
        conditions.append(exp.GTE(this=col("period"), expression=lit(c.period_from)))
    if c.period_to:
        conditions.append(exp.LTE(this=col("period"), expression=lit(c.period_to)))
    if valid:
        conditions.append(valid_value(col("value"), valid))
    return conditions


def contributed_measure(node: ContributedMeasureNode, target: SqlTarget) -> exp.Expression:
    """The public values, but where the area's contributor gives its own for the period: then its own.

    A contributed row supersedes the public row of the same area and period; every row says which it
    is (`provenance`) and who contributed it (`contributed_by`, NULL for public data).
    """
    contributed = union_all(
        [
            exp.select(
                col("area_code"),
                col("period"),
                alias(cast(col("value"), "double"), "value"),
                alias(col("period_raw"), "data_period"),
                alias(col("period_start"), "data_start"),
                alias(col("period_end"), "data_end"),
                alias(lit("contributed"), "provenance"),
                alias(lit(c.contributed_by), "contributed_by"),
                copy=False,
            )
            .from_(target.object_table(c.source_object), copy=False)
            .where(and_all(_rows(c, node.valid)), copy=False)
            for c in node.contributions
        ]
    )
    superseded = exp.Exists(
        this=exp.select(lit(1), copy=False)
        .from_(table("contributed", "c"), copy=False)
        .where(
            and_all(
                [
                    exp.EQ(this=col("area_code", "c"), expression=col("area_code", "p")),
                    exp.EQ(this=col("period", "c"), expression=col("period", "p")),
                ]
            ),
            copy=False,
        )
    )
    public = (
        exp.select(
            col("area_code", "p"),
            col("period", "p"),
            alias(cast(col("value", "p"), "double"), "value"),
            *(col(name, "p") for name in RECENCY),
            alias(lit("public"), "provenance"),
            alias(cast(exp.Null(), "varchar"), "contributed_by"),
            copy=False,
        )
        .from_(target.object_table(node.public_object, "p"), copy=False)
        .where(exp.Not(this=superseded), copy=False)
    )
    everything = exp.union(
        public,
        exp.select(exp.Star(), copy=False).from_(table("contributed"), copy=False),
        distinct=False,
    )
    return everything.with_("contributed", as_=contributed, copy=False)


def club_view(node: ClubNode, target: SqlTarget) -> exp.Expression:
    """Per period, the club's aggregates of a measure; a period with fewer councils than the club's
    minimum has no row at all (HAVING), so nothing below it is ever stored or read."""
    values = union_all(
        [
            exp.select(col("area_code"), col("period"), col("value"), copy=False)
            .from_(target.object_table(c.source_object), copy=False)
            .where(and_all(_rows(c, node.valid)), copy=False)
            for c in node.contributions
        ]
    )
    councils = exp.Count(this=exp.Distinct(expressions=[col("area_code")]))
    return (
        exp.select(
            alias(lit(node.measure_id), "measure"),
            col("period"),
            alias(councils, "councils"),
            alias(exp.Avg(this=col("value")), "mean"),
            alias(exp.Min(this=col("value")), "min"),
            alias(exp.Max(this=col("value")), "max"),
            copy=False,
        )
        .from_(values.subquery("contributed", copy=False), copy=False)
        .group_by(col("period"), copy=False)
        .having(exp.GTE(this=councils.copy(), expression=lit(node.min_councils)), copy=False)
    )


def contribution_check(node: ContributionCheckNode, target: SqlTarget) -> exp.Expression:
    """The codes of other councils a contributed source holds, as one text, when it holds any."""
    others = (
        exp.select(col("area_code"), copy=False)
        .from_(target.object_table(node.source_object), copy=False)
        .where(exp.NEQ(this=col("area_code"), expression=lit(node.contributed_by)), copy=False)
    )
    return listed_when_found("area_code", others.subquery("others", copy=False))
