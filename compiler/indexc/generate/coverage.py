"""SQL of the coverage check of an index (plan/coverage.py): one row per lens, metric or measure with no
value for any area of the universe in the published period, with the reason as the data shows it.

An index at scale has thousands of items (2,013 at 1,000 metrics). Each contributes only the areas with
a value, as (position, area_code); the published period is computed once, and the joins to the universe
and the register, the counts and the reasons are written once over the union of all items, grouped by
position. The items themselves are a literal table (position, kind, id), joined on the left so that an
item with no value at all still reports.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    col,
    left_join,
    lit,
    table,
    text,
    union_all,
)
from indexc.generate.literal_tables import literal_table
from indexc.generate.targets import SqlTarget
from indexc.plan.coverage import SEPARATOR, CoverageCheckNode, CoverageItem
from indexc.plan.template_params import Column, LiteralTableParams

PUBLISHED = "published"  # the one-row table of the published period
ITEMS: list[Column] = [
    {"name": "position", "type": "int"},
    {"name": "kind", "type": "varchar"},
    {"name": "id", "type": "varchar"},
]


def _listed(expression: exp.Expression) -> exp.GroupConcat:
    """Distinct values, sorted, as one text ('a, b')."""
    return exp.GroupConcat(
        this=exp.Order(
            this=exp.Distinct(expressions=[expression]),
            expressions=[exp.Ordered(this=expression.copy())],
        ),
        separator=lit(", "),
    )


def _published(node: CoverageCheckNode, target: SqlTarget) -> exp.Select:
    """The period the index publishes: as its spec names it, or the latest period scored."""
    if node.period is not None:
        return exp.select(alias(lit(node.period), "period"), copy=False)
    return exp.select(alias(exp.Max(this=col("period")), "period"), copy=False).from_(
        target.object_table(node.scores_object), copy=False
    )


def _period(node: CoverageCheckNode) -> exp.Expression:
    """The published period where a query reads it: the literal, or the one row of PUBLISHED."""
    if node.period is not None:
        return lit(node.period)
    return exp.Subquery(
        this=exp.select(col("period"), copy=False).from_(table(PUBLISHED), copy=False)
    )


def _found(
    node: CoverageCheckNode, position: int, item: CoverageItem, target: SqlTarget
) -> exp.Select:
    """The areas with a value of the item in the published period, each once, with the item's position."""
    found = [
        exp.EQ(this=col("period"), expression=_period(node)),
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
    return (
        exp.select(alias(lit(position), "position"), col("area_code"), copy=False)
        .distinct(copy=False)
        .from_(target.object_table(item.object), copy=False)
        .where(and_all(found), copy=False)
    )


def _counts(node: CoverageCheckNode, target: SqlTarget) -> exp.Select:
    """Per item with any value: the areas found, those in the universe, those the register knows, those of
    the universe's types, and the types and codes found."""
    values = union_all([_found(node, i, item, target) for i, item in enumerate(node.items)])
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
    return (
        exp.select(
            col("position", "v"),
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
        .group_by(col("position", "v"), copy=False)
    )


def _reason(node: CoverageCheckNode, found: exp.Expression) -> exp.Case:
    period = text(col("period", "p"))
    never_in_force = exp.or_(
        exp.GT(this=col("of_types", "s"), expression=lit(0)),
        exp.LT(this=col("known", "s"), expression=col("found", "s")),
    )
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=found, expression=lit(0)),
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
                        col("codes", "s"),
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
                col("types", "s"),
                lit(f", not of the universe's types ({', '.join(node.universe_types)})"),
            ]
        ),
    )


def coverage_check(node: CoverageCheckNode, target: SqlTarget) -> exp.Expression:
    """In the order of the spec (a lens's measures, then its metrics, then the lens), so the first row
    reported is the first cause."""
    items = literal_table(
        LiteralTableParams(
            columns=ITEMS,
            rows=[[i, item.kind, item.id] for i, item in enumerate(node.items)],
        ),
        target,
    )

    def counted(name: str) -> exp.Expression:  # an item with no value has no row of counts
        return exp.Coalesce(this=col(name, "s"), expressions=[lit(0)])

    separator = lit(SEPARATOR)
    problem = exp.Concat(
        expressions=[
            col("kind", "i"),
            separator,
            col("id", "i"),
            separator.copy(),
            _reason(node, counted("found")),
        ]
    )
    scored = exp.Exists(
        this=exp.select(lit(1), copy=False)
        .from_(target.object_table(node.scores_object), copy=False)
        .where(exp.EQ(this=col("period"), expression=_period(node)), copy=False)
    )
    # with no score at all in the period, no data there is IX741's to report (with the periods scored)
    reported = [
        exp.EQ(this=counted("covered"), expression=lit(0)),
        exp.or_(exp.GT(this=counted("found"), expression=lit(0)), scored),
    ]
    if node.period is None:  # publishing the latest period scored: none scored is IX741's
        reported.append(exp.Not(this=exp.Is(this=col("period", "p"), expression=exp.Null())))
    return (
        exp.select(alias(problem, "problem"), copy=False)
        .with_(PUBLISHED, as_=_published(node, target), copy=False)
        .from_(
            exp.Subquery(this=items, alias=exp.TableAlias(this=exp.to_identifier("i"))), copy=False
        )
        .join(exp.Join(this=table(PUBLISHED, "p"), kind="CROSS"), copy=False)
        .join(
            left_join(
                _counts(node, target).subquery("s", copy=False),
                exp.EQ(this=col("position", "s"), expression=col("position", "i")),
            ),
            copy=False,
        )
        .where(and_all(reported), copy=False)
        .order_by(col("position", "i"), copy=False)
    )
