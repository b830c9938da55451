"""SQL for the index layers: universe, metric scores, lens scores, index scores, Top N.

Normalisation runs per metric and period over the areas of the universe in
force in that period. Direction is applied once, by orienting every value so
that higher is better, which keeps each normalisation a single formula.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    cast,
    col,
    inner_join,
    is_finite,
    left_join,
    lit,
    safe_divide,
    table,
    union_all,
    valid_in_period,
    values_table,
    window,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import IndexScoresNode, LensScoresNode, MetricScoresNode, PublishNode, UniverseNode

METRIC_PERIOD = ("metric", "period")
COVERAGE_DECIMALS = 9  # coverage sums float weights: 0.1 + 0.2 must reach a threshold of 0.3
HUNDRED = 100


def universe(node: UniverseNode, target: SqlTarget) -> exp.Expression:
    """Areas of the universe's types; on restated geography, those in force on the geography date, every period."""
    if node.geography_date is not None:
        day = cast(lit(node.geography_date.isoformat()), "date")
        in_force = and_all([
            exp.Paren(this=exp.or_(exp.Is(this=col("valid_from"), expression=exp.Null()),
                                   exp.LTE(this=col("valid_from"), expression=day))),
            exp.Paren(this=exp.or_(exp.Is(this=col("valid_to"), expression=exp.Null()),
                                   exp.GTE(this=col("valid_to"), expression=day.copy()))),
            exp.In(this=col("type"), expressions=[lit(t) for t in node.types]),
        ])
        return (
            exp.select(col("area_code"), col("name"), col("type"), alias(cast(exp.Null(), "date"), "valid_from"),
                       alias(cast(exp.Null(), "date"), "valid_to"), copy=False)
            .from_(target.object_table(node.register_object), copy=False)
            .where(in_force, copy=False)
        )
    return (
        exp.select(col("area_code"), col("name"), col("type"), col("valid_from"), col("valid_to"), copy=False)
        .from_(target.object_table(node.register_object), copy=False)
        .where(exp.In(this=col("type"), expressions=[lit(t) for t in node.types]), copy=False)
    )


def _score(normalise: str) -> exp.Expression:
    oriented = col("oriented_value")
    if normalise == "zscore":
        mean = window(exp.Avg(this=oriented.copy()), METRIC_PERIOD)
        spread = window(exp.StddevSamp(this=oriented.copy()), METRIC_PERIOD)
        return safe_divide(exp.Paren(this=exp.Sub(this=oriented, expression=mean)), spread)
    if normalise == "minmax":
        low = window(exp.Min(this=oriented.copy()), METRIC_PERIOD)
        high = window(exp.Max(this=oriented.copy()), METRIC_PERIOD)
        share = safe_divide(exp.Paren(this=exp.Sub(this=oriented, expression=low)),
                            exp.Sub(this=high, expression=low.copy()))
        return exp.Mul(this=lit(HUNDRED), expression=share)
    if normalise == "percentile_rank":
        rank = window(exp.PercentRank(), METRIC_PERIOD, exp.Ordered(this=oriented, desc=False))
        no_spread = exp.EQ(this=window(exp.Min(this=oriented.copy()), METRIC_PERIOD),
                           expression=window(exp.Max(this=oriented.copy()), METRIC_PERIOD))
        return exp.Case(ifs=[exp.If(this=no_spread, true=exp.Null())],
                        default=exp.Mul(this=lit(HUNDRED), expression=rank))
    raise ValueError(f"unknown normalisation {normalise!r}")  # the spec model allows no other value


def metric_scores(node: MetricScoresNode, target: SqlTarget) -> exp.Expression:
    metric_values = union_all([
        exp.select(alias(lit(m.metric_id), "metric"), alias(lit(1 if m.higher_is_better else -1), "polarity"),
                   col("area_code"), col("period"), col("value"), copy=False)
        .from_(target.object_table(m.metric_object), copy=False)
        for m in node.metrics
    ])
    member = (
        exp.select(lit(1), copy=False)
        .from_(target.object_table(node.universe_object, "u"), copy=False)
        .where(and_all([exp.EQ(this=col("area_code", "u"), expression=col("area_code", "v")),
                        valid_in_period("u", col("period", "v"))]), copy=False)
    )
    in_universe = (
        exp.select(col("metric", "v"), col("area_code", "v"), col("period", "v"), col("value", "v"),
                   alias(exp.Mul(this=col("polarity", "v"), expression=col("value", "v")), "oriented_value"), copy=False)
        .from_(table("metric_values", "v"), copy=False)
        .where(and_all([exp.Exists(this=member),
                        is_finite(col("value", "v"))]), copy=False)
    )
    return (
        exp.select(col("metric"), col("area_code"), col("period"), col("value"),
                   alias(_score(node.normalise), "score"), copy=False)
        .from_(table("in_universe"), copy=False)
        .with_("metric_values", as_=metric_values, copy=False)
        .with_("in_universe", as_=in_universe, copy=False)
    )


def lens_scores(node: LensScoresNode, target: SqlTarget) -> exp.Expression:
    members = values_table([(m.lens_id, m.metric_id, m.weight) for m in node.members],
                           "lens_members", ("lens", "metric", "weight"))
    sizes = (exp.select(col("lens"), alias(exp.Count(this=exp.Star()), "metrics_total"), copy=False)
             .from_(table("lens_members"), copy=False).group_by(col("lens"), copy=False))
    weighted = exp.Sum(this=exp.Mul(this=col("weight", "m"), expression=col("score", "s")))
    return (
        exp.select(
            col("lens", "m"), col("area_code", "s"), col("period", "s"),
            alias(exp.Div(this=weighted, expression=exp.Sum(this=col("weight", "m"))), "score"),
            alias(exp.Count(this=exp.Star()), "metrics_used"),
            col("metrics_total", "z"), copy=False,
        )
        .from_(table("lens_members", "m"), copy=False)
        .join(inner_join(target.object_table(node.metric_scores_object, "s"),
                         exp.EQ(this=col("metric", "s"), expression=col("metric", "m"))), copy=False)
        .join(inner_join(table("lens_sizes", "z"),
                         exp.EQ(this=col("lens", "z"), expression=col("lens", "m"))), copy=False)
        .where(exp.Not(this=exp.Is(this=col("score", "s"), expression=exp.Null())), copy=False)
        .group_by(col("lens", "m"), col("area_code", "s"), col("period", "s"), col("metrics_total", "z"), copy=False)
        .with_("lens_members", as_=members, copy=False)
        .with_("lens_sizes", as_=sizes, copy=False)
    )


def index_scores(node: IndexScoresNode, target: SqlTarget) -> exp.Expression:
    weights = values_table(list(node.lens_weights), "lens_weights", ("lens", "weight"))
    total_weight = sum(weight for _, weight in node.lens_weights)
    weighted = exp.Sum(this=exp.Mul(this=col("weight", "w"), expression=col("score", "s")))
    combined = (
        exp.select(col("area_code", "s"), col("period", "s"),
                   alias(exp.Div(this=weighted, expression=exp.Sum(this=col("weight", "w"))), "score"),
                   alias(exp.Count(this=exp.Star()), "lenses_used"),
                   alias(exp.Round(this=exp.Div(this=exp.Sum(this=col("weight", "w")), expression=lit(total_weight)),
                                   decimals=lit(COVERAGE_DECIMALS)), "coverage"), copy=False)
        .from_(table("lens_weights", "w"), copy=False)
        .join(inner_join(target.object_table(node.lens_scores_object, "s"),
                         exp.EQ(this=col("lens", "s"), expression=col("lens", "w"))), copy=False)
        .group_by(col("area_code", "s"), col("period", "s"), copy=False)
    )
    by_score = exp.Ordered(this=col("score"), desc=True)
    if node.min_coverage:
        enough = exp.GTE(this=col("coverage"), expression=lit(node.min_coverage))
        rank: exp.Expression = exp.Case(ifs=[exp.If(this=col("ranked"), true=window(
            exp.Rank(), ("period", "ranked"), by_score))])
        ranked = exp.select(exp.Star(), alias(enough, "ranked"), copy=False).from_(table("combined"), copy=False)
        source = "eligible"
    else:
        rank, ranked, source = window(exp.Rank(), ("period",), by_score), None, "combined"
    query = (
        exp.select(col("area_code"), col("period"), col("score"), alias(rank, "rank"), col("lenses_used"),
                   alias(lit(len(node.lens_weights)), "lenses_total"), col("coverage"), copy=False)
        .from_(table(source), copy=False)
        .with_("lens_weights", as_=weights, copy=False)
        .with_("combined", as_=combined, copy=False)
    )
    return query.with_("eligible", as_=ranked, copy=False) if ranked is not None else query


def publish(node: PublishNode, target: SqlTarget) -> exp.Expression:
    """The Top N, named after the register row in force latest in the period (names change on renames)."""
    latest_name_first = window(exp.RowNumber(), ("period", "area_code"),
                               exp.Ordered(this=col("valid_from", "u"), desc=True, nulls_first=False))
    latest_name_first.set("partition_by", [col("period", "s"), col("area_code", "s")])
    return (
        exp.select(col("period", "s"), col("rank", "s"), col("area_code", "s"), col("name", "u"),
                   col("score", "s"), col("lenses_used", "s"), col("lenses_total", "s"), col("coverage", "s"), copy=False)
        .from_(target.object_table(node.scores_object, "s"), copy=False)
        .join(left_join(target.object_table(node.universe_object, "u"), and_all([
            exp.EQ(this=col("area_code", "u"), expression=col("area_code", "s")),
            valid_in_period("u", col("period", "s")),
        ])), copy=False)
        .where(exp.LTE(this=col("rank", "s"), expression=lit(node.top)), copy=False)
        .qualify(exp.EQ(this=latest_name_first, expression=lit(1)), copy=False)
    )
