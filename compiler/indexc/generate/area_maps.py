"""SQL for area maps (groups and crosswalks): the same join and aggregation as lineage.

An area map's edges are read from a source, their from-codes restated onto
the geography date through the lineage paths (a member recoded since the file
was published still counts), then restated measures are carried through them:
summed, or weighted by the restated weight measure. A mapped area gets a
value only when every member in force in the period has one.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.alignment import oldest_recency, recency_key
from indexc.generate.expressions import (
    alias,
    and_all,
    blank_is_missing,
    cast,
    col,
    inner_join,
    left_join,
    lit,
    safe_divide,
    text,
    union_all,
    valid_in_period,
)
from indexc.generate.targets import SqlTarget
from indexc.geography.provenance import AGGREGATED
from indexc.plan.geography import (
    AggregatedMeasureNode,
    AreaMapCheckNode,
    AreaMapEdgesNode,
    MappedMeasureNode,
)
from indexc.plan.nodes import AreaMapSourceNode

WEIGHT_TOLERANCE = 1e-5
"""Crosswalk shares are published rounded (to 6 decimal places in icb_to_la_shares.csv): an ICB of a
dozen councils sums to 1 within 1e-5, and a real error (a missing council) is far larger."""


def area_map_source(node: AreaMapSourceNode, target: SqlTarget) -> exp.Expression:
    columns = node.source.columns

    def optional(column: str | None, kind: str, default: exp.Expression) -> exp.Expression:
        return blank_is_missing(col(column), kind) if column else cast(default, kind)

    query = exp.select(
        alias(exp.Trim(this=text(col(columns.from_))), "from_code"),
        alias(exp.Trim(this=text(col(columns.to))), "to_code"),
        alias(text(col(columns.name)) if columns.name else cast(exp.Null(), "varchar"), "name"),
        alias(optional(columns.weight, "double", lit(1.0)), "weight"),
        alias(optional(columns.weight_to, "double", exp.Null()), "weight_to"),
        alias(optional(columns.valid_from, "date", exp.Null()), "valid_from"),
        alias(optional(columns.valid_to, "date", exp.Null()), "valid_to"),
        alias(lit(node.geography_period), "geography_period"),
        copy=False,
    ).from_(target.source_relation(node.source.id), copy=False)
    selected = [
        exp.In(this=exp.Trim(this=text(col(column))), expressions=[lit(v) for v in values])
        for column, values in node.source.row_values().items()
    ]
    return query.where(and_all(selected), copy=False) if selected else query


def _paths_on(node: AreaMapEdgesNode | AreaMapCheckNode) -> exp.Expr:
    return and_all(
        [
            exp.EQ(this=col("from_code", "p"), expression=col("from_code", "e")),
            exp.EQ(this=col("level", "p"), expression=lit(node.level)),
            exp.Between(
                this=col("geography_period", "e"), low=col("geo_from", "p"), high=col("geo_to", "p")
            ),
            exp.Not(this=col("dynamic", "p")),
        ]
    )


def area_map_edges(node: AreaMapEdgesNode, target: SqlTarget) -> exp.Expression:
    return (
        exp.select(
            alias(col("to_code", "p"), "from_code"),
            col("to_code", "e"),
            col("name", "e"),
            alias(exp.Mul(this=col("weight", "e"), expression=col("weight", "p")), "weight"),
            alias(exp.Mul(this=col("weight_to", "e"), expression=col("weight", "p")), "weight_to"),
            col("valid_from", "e"),
            col("valid_to", "e"),
            copy=False,
        )
        .from_(target.object_table(node.source_object, "e"), copy=False)
        .join(inner_join(target.object_table(node.paths_object, "p"), _paths_on(node)), copy=False)
    )


def area_map_check(node: AreaMapCheckNode, target: SqlTarget) -> exp.Expression:
    """Members of the level that reach no area of the geography date without apportioning (they would be
    left out), and, for a crosswalk, areas whose weights over edges in force together do not sum to 1."""
    static_path = (
        exp.select(lit(1), copy=False)
        .from_(target.object_table(node.paths_object, "p"), copy=False)
        .where(_paths_on(node), copy=False)
    )
    in_level = exp.In(this=col("type", "a"), expressions=[lit(t) for t in node.level_types])
    unknown = exp.Is(this=col("area_code", "a"), expression=exp.Null())
    reason = exp.Case(
        ifs=[exp.If(this=unknown, true=lit(": not in the area register"))],
        default=lit(": not carried onto the geography date without apportioning"),
    )
    unmapped = (
        exp.select(
            alias(exp.Concat(expressions=[col("from_code", "e"), reason]), "problem"), copy=False
        )
        .from_(target.object_table(node.source_object, "e"), copy=False)
        .join(
            left_join(
                target.object_table(node.areas_object, "a"),
                exp.EQ(this=col("area_code", "a"), expression=col("from_code", "e")),
            ),
            copy=False,
        )
        .where(
            exp.or_(unknown.copy(), exp.and_(in_level, exp.Not(this=exp.Exists(this=static_path)))),
            copy=False,
        )
    )
    edges = target.object_table(node.edges_object)
    merged = (  # members on old codes that became one area: its edge would count once per old code
        exp.select(
            alias(
                exp.Concat(
                    expressions=[
                        col("from_code"),
                        lit(
                            ": reached by several members' codes; list "
                            "the code in force on the geography date"
                        ),
                    ]
                ),
                "problem",
            ),
            copy=False,
        )
        .from_(edges, copy=False)
        .group_by(col("from_code"), col("to_code"), col("valid_from"), col("valid_to"), copy=False)
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=lit(1)), copy=False)
    )
    checks = [unmapped, merged]
    if node.weighted:
        checks.append(_weights_not_above_zero(node, target, "weight"))
    if node.weighted_to:
        checks.append(_weights_not_above_zero(node, target, "weight_to"))
    if node.map_type == "crosswalk":
        checks.append(_weights_not_summing_to_one(node, target))
    return (
        exp.select(col("problem"), copy=False)
        .distinct(copy=False)
        .from_(union_all(checks).subquery("problems", copy=False), copy=False)
        .order_by(col("problem"), copy=False)
    )


def _weights_not_above_zero(node: AreaMapCheckNode, target: SqlTarget, column: str) -> exp.Select:
    """Edges weighted 0 or below, as read from the source: a negative crosswalk weight can sum to 1 with
    another above 1 and move data that was never there; a zero weight is an edge that carries nothing.
    `column`: `weight`, or `weight_to` (the share of the area mapped onto, which weights a mean)."""
    problem = exp.Concat(
        expressions=[
            col("from_code"),
            lit(" -> "),
            col("to_code"),
            lit(f": {column} "),
            text(col(column)),
        ]
    )
    return (
        exp.select(alias(problem, "problem"), copy=False)
        .from_(target.object_table(node.source_object), copy=False)
        .where(
            exp.or_(
                exp.LTE(this=col(column), expression=lit(0.0)),
                exp.Is(this=col(column), expression=exp.Null()),
            )
            if column == "weight_to"
            else exp.LTE(this=col(column), expression=lit(0.0)),
            copy=False,
        )
    )


def _weights_not_summing_to_one(node: AreaMapCheckNode, target: SqlTarget) -> exp.Select:
    """Weights from one area that do not sum to 1 on some day: each day an edge starts, or one ends."""
    edges = target.object_table(node.edges_object, "e")
    starts = exp.select(col("from_code"), alias(col("valid_from"), "day"), copy=False).from_(
        target.object_table(node.edges_object), copy=False
    )
    ends = (
        exp.select(
            col("from_code"),
            alias(exp.DateAdd(this=col("valid_to"), expression=lit(1), unit=exp.var("DAY")), "day"),
            copy=False,
        )
        .from_(target.object_table(node.edges_object), copy=False)
        .where(exp.Not(this=exp.Is(this=col("valid_to"), expression=exp.Null())), copy=False)
    )
    days = exp.union(starts, ends, distinct=True)
    in_force = and_all(
        [
            exp.EQ(this=col("from_code", "e"), expression=col("from_code", "d")),
            exp.Paren(
                this=exp.or_(
                    exp.Is(this=col("valid_from", "e"), expression=exp.Null()),
                    exp.Is(this=col("day", "d"), expression=exp.Null()),
                    exp.LTE(this=col("valid_from", "e"), expression=col("day", "d")),
                )
            ),
            exp.Paren(
                this=exp.or_(
                    exp.Is(this=col("valid_to", "e"), expression=exp.Null()),
                    exp.And(
                        this=exp.Not(this=exp.Is(this=col("day", "d"), expression=exp.Null())),
                        expression=exp.GTE(this=col("valid_to", "e"), expression=col("day", "d")),
                    ),
                )
            ),
        ]
    )
    total = exp.Sum(this=col("weight", "e"))
    off = exp.GT(
        this=exp.Abs(this=exp.Sub(this=total, expression=lit(1.0))),
        expression=lit(WEIGHT_TOLERANCE),
    )
    return (
        exp.select(
            alias(
                exp.Concat(
                    expressions=[
                        col("from_code", "d"),
                        lit(": weights sum to "),
                        text(exp.Round(this=total.copy(), decimals=lit(12))),
                    ]
                ),
                "problem",
            ),
            copy=False,
        )
        .from_(days.subquery("d", copy=False), copy=False)
        .join(inner_join(edges, in_force), copy=False)
        .group_by(col("from_code", "d"), col("day", "d"), copy=False)
        .having(off, copy=False)
    )


def _aggregation_method() -> exp.Expression:
    """How an aggregated value was obtained: an area that is its own only member (a unitary) keeps its
    restated value's method; any other is aggregated from its districts."""
    itself = and_all(
        [
            exp.EQ(
                this=exp.Min(this=col("from_code", "d")),
                expression=exp.Max(this=col("to_code", "d")),
            ),
            exp.EQ(
                this=exp.Max(this=col("from_code", "d")),
                expression=exp.Max(this=col("to_code", "d")),
            ),
        ]
    )
    return exp.Case(
        ifs=[exp.If(this=itself, true=exp.Max(this=col("method", "d")))], default=lit(AGGREGATED)
    )


def mapped_measure(node: MappedMeasureNode, target: SqlTarget) -> exp.Expression:
    in_force = valid_in_period("e", col("period", "r"))
    data = (
        exp.select(
            col("to_code", "e"),
            col("name", "e"),
            col("period", "r"),
            col("value", "r"),
            col("weight", "e"),
            col("weight_to", "e"),
            alias(recency_key("r"), "recency"),
            copy=False,
        )
        .from_(target.object_table(node.restated_object, "r"), copy=False)
        .join(
            inner_join(
                target.object_table(node.edges_object, "e"),
                and_all(
                    [exp.EQ(this=col("from_code", "e"), expression=col("area_code", "r")), in_force]
                ),
            ),
            copy=False,
        )
        .where(exp.Not(this=exp.Is(this=col("value", "r"), expression=exp.Null())), copy=False)
    )
    if node.weight_object:
        data = data.select(alias(col("value", "b"), "basis"), copy=False).join(
            left_join(
                target.object_table(node.weight_object, "b"),
                and_all(
                    [
                        exp.EQ(this=col("area_code", "b"), expression=col("area_code", "r")),
                        exp.EQ(this=col("period", "b"), expression=col("period", "r")),
                    ]
                ),
            ),
            copy=False,
        )
    aggregated = isinstance(node, AggregatedMeasureNode)
    if aggregated:
        data = data.select(col("from_code", "e"), col("method", "r"), copy=False)
    periods = (
        exp.select(col("period"), copy=False)
        .distinct(copy=False)
        .from_(target.object_table(node.restated_object), copy=False)
    )
    members = (
        exp.select(
            col("to_code", "e"),
            col("period", "r"),
            alias(exp.Count(this=exp.Star()), "expected"),
            copy=False,
        )
        .from_(target.object_table(node.edges_object, "e"), copy=False)
        .join(exp.Join(this=periods.subquery("r", copy=False), kind="CROSS"), copy=False)
        .where(in_force.copy(), copy=False)
        .group_by(col("to_code", "e"), col("period", "r"), copy=False)
    )
    found = exp.Count(this=exp.Star())
    value: exp.Expression
    if node.additivity == "sum":
        value = exp.Sum(this=exp.Mul(this=col("value", "d"), expression=col("weight", "d")))
        known = found
    elif node.by_weight_to:  # the mean over the areas mapped from, by their share of this area
        value = safe_divide(
            exp.Sum(this=exp.Mul(this=col("value", "d"), expression=col("weight_to", "d"))),
            exp.Sum(this=col("weight_to", "d")),
        )
        known = exp.Count(this=col("weight_to", "d"))
    else:
        share = exp.Mul(this=col("weight", "d"), expression=col("basis", "d"))
        value = safe_divide(
            exp.Sum(this=exp.Mul(this=col("value", "d"), expression=share)),
            exp.Sum(this=share.copy()),
        )
        known = exp.Count(this=share.copy())
    complete = and_all(
        [
            exp.EQ(this=found.copy(), expression=exp.Max(this=col("expected", "x"))),
            exp.EQ(this=known.copy(), expression=found.copy()),
        ]
    )
    return (
        exp.select(
            alias(col("to_code", "d"), "area_code"),
            alias(exp.Max(this=col("name", "d")), "name"),
            col("period", "d"),
            alias(exp.Case(ifs=[exp.If(this=complete, true=value)]), "value"),
            alias(found.copy(), "members_found"),
            alias(exp.Max(this=col("expected", "x")), "members_expected"),
            *oldest_recency(col("recency", "d")),
            *([alias(_aggregation_method(), "method")] if aggregated else []),
            copy=False,
        )
        .from_(data.subquery("d", copy=False), copy=False)
        .join(
            inner_join(
                members.subquery("x", copy=False),
                and_all(
                    [
                        exp.EQ(this=col("to_code", "x"), expression=col("to_code", "d")),
                        exp.EQ(this=col("period", "x"), expression=col("period", "d")),
                    ]
                ),
            ),
            copy=False,
        )
        .group_by(col("to_code", "d"), col("period", "d"), copy=False)
    )
