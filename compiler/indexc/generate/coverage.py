"""SQL of the coverage check of an index (plan/coverage.py): one row per lens, metric or measure with no
value for any area of the universe in the published period, with the reason as the data shows it."""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, col, left_join, lit, text, union_all
from indexc.generate.targets import SqlTarget
from indexc.plan.coverage import SEPARATOR, CoverageCheckNode, CoverageItem


def _listed(expression: exp.Expression) -> exp.GroupConcat:
    """Distinct values, sorted, as one text ('a, b')."""
    return exp.GroupConcat(
        this=exp.Order(
            this=exp.Distinct(expressions=[expression]),
            expressions=[exp.Ordered(this=expression.copy())],
        ),
        separator=lit(", "),
    )


def _period(node: CoverageCheckNode, target: SqlTarget) -> exp.Expression:
    if node.period is not None:
        return lit(node.period)
    latest = exp.select(exp.Max(this=col("period")), copy=False).from_(
        target.object_table(node.scores_object), copy=False
    )
    return exp.Subquery(this=latest)


def _item(
    node: CoverageCheckNode, position: int, item: CoverageItem, target: SqlTarget
) -> exp.Select:
    found = [
        exp.EQ(this=col("period"), expression=_period(node, target)),
        exp.Not(
            this=exp.Is(this=col("score" if item.reads_index else "value"), expression=exp.Null())
        ),
    ]
    if item.reads_index:  # a lens reading another index: a score of that index (or of its lens)
        if item.of_lens is not None:
            found.append(exp.EQ(this=col("lens"), expression=lit(item.of_lens)))
    elif (
        item.kind == "lens"
    ):  # data for a lens is a value of a metric under it: a lens left without a
        # score by its method (every area alike, say) has data, and IX741 speaks for the index
        found.append(exp.In(this=col("metric"), expressions=[lit(m) for m in item.metrics]))
    values = (
        exp.select(col("area_code"), copy=False)
        .distinct(copy=False)
        .from_(target.object_table(item.object), copy=False)
        .where(and_all(found), copy=False)
    )
    universe = (
        exp.select(col("area_code"), copy=False)
        .distinct(copy=False)
        .from_(target.object_table(node.universe_object), copy=False)
    )
    register = (
        exp.select(col("area_code"), alias(exp.Max(this=col("type")), "type"), copy=False)
        .from_(target.object_table(node.register_object), copy=False)
        .group_by(col("area_code"), copy=False)
    )
    of_types = exp.In(this=col("type", "a"), expressions=[lit(t) for t in node.universe_types])
    counts = (
        exp.select(
            alias(exp.Count(this=col("area_code", "v")), "found"),
            alias(exp.Count(this=col("area_code", "u")), "covered"),
            alias(exp.Count(this=col("area_code", "a")), "known"),
            alias(exp.Count(this=exp.Case(ifs=[exp.If(this=of_types, true=lit(1))])), "of_types"),
            alias(_listed(col("type", "a")), "types"),
            alias(_listed(col("area_code", "v")), "codes"),
            copy=False,
        )
        .from_(values.subquery("v", copy=False), copy=False)
        .join(
            left_join(
                universe.subquery("u", copy=False),
                exp.EQ(this=col("area_code", "u"), expression=col("area_code", "v")),
            ),
            copy=False,
        )
        .join(
            left_join(
                register.subquery("a", copy=False),
                exp.EQ(this=col("area_code", "a"), expression=col("area_code", "v")),
            ),
            copy=False,
        )
    )
    period = text(_period(node, target))
    never_in_force = exp.or_(
        exp.GT(this=col("of_types"), expression=lit(0)),
        exp.LT(this=col("known"), expression=col("found")),
    )
    reason = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=col("found"), expression=lit(0)),
                true=exp.Concat(expressions=[lit("no data in "), period]),
            ),
            exp.If(
                this=never_in_force,
                true=exp.Concat(
                    expressions=[
                        lit("codes never in force: in "),
                        period.copy(),
                        lit(
                            " only on codes not in force on the universe's date or unknown to "
                            "the register ("
                        ),
                        col("codes"),
                        lit(")"),
                    ]
                ),
            ),
        ],
        default=exp.Concat(
            expressions=[
                lit("wrong level: in "),
                period.copy(),
                lit(" only on areas of type "),
                col("types"),
                lit(f", not of the universe's types ({', '.join(node.universe_types)})"),
            ]
        ),
    )
    prefix = lit(f"{item.kind}{SEPARATOR}{item.id}{SEPARATOR}")
    scored = exp.Exists(
        this=exp.select(lit(1), copy=False)
        .from_(target.object_table(node.scores_object), copy=False)
        .where(exp.EQ(this=col("period"), expression=_period(node, target)), copy=False)
    )
    # with no score at all in the period, no data there is IX741's to report (with the periods scored)
    reported = exp.or_(exp.GT(this=col("found"), expression=lit(0)), scored)
    select = (
        exp.select(
            alias(exp.Concat(expressions=[prefix, reason]), "problem"),
            alias(lit(position), "position"),
            copy=False,
        )
        .from_(counts.subquery("s", copy=False), copy=False)
        .where(exp.and_(exp.EQ(this=col("covered"), expression=lit(0)), reported), copy=False)
    )
    if node.period is None:  # publishing the latest period scored: none scored is IX741's
        select = select.where(
            exp.Not(this=exp.Is(this=_period(node, target), expression=exp.Null())), copy=False
        )
    return select


def coverage_check(node: CoverageCheckNode, target: SqlTarget) -> exp.Expression:
    """In the order of the spec (a lens's measures, then its metrics, then the lens), so the first row
    reported is the first cause."""
    items = union_all([_item(node, i, item, target) for i, item in enumerate(node.items)])
    return (
        exp.select(col("problem"), copy=False)
        .from_(items.subquery("items", copy=False), copy=False)
        .order_by(col("position"), copy=False)
    )
