"""SQL that restates a measure onto the geography date: one join to the area map, one aggregation.

- `sum`: Σ value × weight. Weights of one code sum to 1, so totals are kept.
- `mean`: with one contributing area the value is copied (a split, a recode);
  with several, the mean is weighted by the weight measure of each
  contributing area in that period, times the share of it that moved.
A value is given only when every area that contributes to it has data, and,
when a share or weight is needed, that share or weight is known: otherwise
the row keeps a NULL value and says how many contributors it found.

Every row says how its value was obtained (`method`, the strongest of its paths' methods,
geography/provenance.py). Where the measure's apportioning is forbidden, a value that needs part
of an area has none: the row is a cold start (`cold_start_from`, the first period of the event that
divided the area), said as such rather than as missing data.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.alignment import RECENCY, oldest_recency, recency_key
from indexc.generate.expressions import (
    alias,
    and_all,
    cast,
    col,
    inner_join,
    left_join,
    lit,
    safe_divide,
    union_all,
)
from indexc.generate.geography.shares import EVERY_PERIOD
from indexc.generate.periods import financial_year_of
from indexc.generate.targets import SqlTarget
from indexc.geography.provenance import AS_PUBLISHED, NOT_AT_ALL
from indexc.plan.geography import CodesCheckNode, RestatedMeasureNode, RestatementCheckNode


def _path_join(level: str) -> exp.Expr:
    """A measure row `m` on a path `p` of its level whose periods include the row's codes."""
    return and_all(
        [
            exp.EQ(this=col("from_code", "p"), expression=col("area_code", "m")),
            exp.EQ(this=col("level", "p"), expression=lit(level)),
            exp.Between(
                this=col("geography_period", "m"), low=col("geo_from", "p"), high=col("geo_to", "p")
            ),
        ]
    )


def _own_period(node: RestatedMeasureNode) -> exp.Expression:
    """The financial year of a value's own period: where its shares and weights are read. For an aligned
    measure a value may serve a later year, whose areas and weights are not those of its data."""
    return financial_year_of(col("data_end", "m")) if node.aligned else col("period", "m")


def _weight(node: RestatedMeasureNode) -> exp.Expression:
    if node.path_weights_object is None:
        return col("weight", "p")
    apportioned = exp.Case(
        ifs=[exp.If(this=col("dynamic", "p"), true=col("weight", "w"))], default=lit(1.0)
    )
    return exp.Mul(this=col("weight", "p"), expression=apportioned)


def _joined(
    node: RestatedMeasureNode,
    target: SqlTarget,
    columns: list[exp.Expression],
    paths: list[exp.Expression],
    weighed: bool,
) -> exp.Select:
    """The measure's rows on the paths that meet `paths`, with the weights of apportioned paths
    looked up (`weighed`) only where the caller reads them: the lookup costs a probe per row."""
    query = (
        exp.select(*columns, copy=False)
        .from_(target.object_table(node.measure_object, "m"), copy=False)
        .join(
            inner_join(
                target.object_table(node.paths_object, "p"),
                and_all([_path_join(node.level), *paths]),
            ),
            copy=False,
        )
    )
    if node.path_weights_object and weighed:
        period = exp.Case(
            ifs=[exp.If(this=col("frozen", "p"), true=lit(EVERY_PERIOD))],
            default=_own_period(node),
        )
        query = query.join(
            left_join(
                target.object_table(node.path_weights_object, "w"),
                and_all(
                    [
                        exp.EQ(this=col("path_id", "w"), expression=col("path_id", "p")),
                        exp.EQ(this=col("period", "w"), expression=period),
                    ]
                ),
            ),
            copy=False,
        )
    return query.where(col("restate", "m"), copy=False)


def _contributors(alone: bool) -> exp.Expression:
    """Paths whose target has one contributor (`alone`) or several."""
    compare = exp.EQ if alone else exp.GT
    return compare(this=col("contributors", "p"), expression=lit(1))


def _alone(node: RestatedMeasureNode, target: SqlTarget) -> list[exp.Select]:
    """Rows alone on their path, copied (times their share, for a sum).

    Most rows are, so this is most of the statement's work, and it reads no more than it needs:
    a mean's copied value reads no weight, and a sum looks up the weights of apportioned paths
    only on those paths' rows (a second, narrower select), not a probe per row of every path.
    Each path has at most one weight per period, so no lookup left out drops or repeats a row.
    The method is the path's own label: a path alone is never several areas summed, the one label
    a mean words differently (`for_additivity`), so it is the label its rank names, read without a
    CASE per row.
    """
    divided = col("divided_at", "p")

    def select(value: exp.Expression, paths: list[exp.Expression], weighed: bool) -> exp.Select:
        if node.forbidden:
            value = _unless_divided(value, divided.copy())
        columns = [
            alias(col("to_code", "p"), "area_code"),
            col("period", "m"),
            alias(value, "value"),
            alias(lit(1), "contributors_found"),
            alias(lit(1), "contributors_expected"),
            *[col(name, "m") for name in RECENCY],
            *_provenance(node, col("method", "p"), divided.copy()),
        ]
        return _joined(node, target, columns, [_contributors(alone=True), *paths], weighed)

    if node.additivity != "sum":
        return [select(col("value", "m"), [], weighed=False)]
    shared = exp.Mul(this=col("value", "m"), expression=col("weight", "p"))
    if node.path_weights_object is None:
        return [select(shared, [], weighed=False)]
    dynamic = col("dynamic", "p")
    return [
        select(shared, [exp.Not(this=dynamic)], weighed=False),
        select(exp.Mul(this=shared.copy(), expression=col("weight", "w")), [dynamic.copy()], True),
    ]


def restated_measure(node: RestatedMeasureNode, target: SqlTarget) -> exp.Expression:
    """Rows alone on their path are copied (times their share, for a sum); the rest are aggregated.

    Most areas have one contributor in every period, so they skip the aggregation (and, for a
    mean, the lookup of the weight measure), which keeps restating close to a plain scan.
    """
    contributions = _joined(
        node,
        target,
        [
            alias(col("to_code", "p"), "area_code"),
            col("period", "m"),
            alias(col("area_code", "m"), "from_code"),
            col("value", "m"),
            alias(_weight(node), "weight"),
            col("contributors", "p"),
            alias(recency_key("m"), "recency"),
            col("method_rank", "p"),
            col("divided_at", "p"),
        ],
        [_contributors(alone=False)],
        weighed=True,
    )
    if node.weight_object:
        contributions = contributions.select(alias(col("value", "b"), "basis"), copy=False).join(
            left_join(
                target.object_table(node.weight_object, "b"),
                and_all(
                    [
                        exp.EQ(this=col("area_code", "b"), expression=col("area_code", "m")),
                        exp.EQ(this=col("period", "b"), expression=_own_period(node)),
                    ]
                ),
            ),
            copy=False,
        )

    rows = exp.Count(this=exp.Star())
    complete = exp.EQ(this=rows, expression=exp.Max(this=col("contributors")))
    if node.additivity == "sum":
        known = exp.EQ(this=exp.Count(this=col("weight")), expression=rows.copy())
        value = exp.Case(
            ifs=[
                exp.If(
                    this=and_all([complete, known]),
                    true=exp.Sum(this=exp.Mul(this=col("value"), expression=col("weight"))),
                )
            ]
        )
    else:
        one_area = exp.EQ(
            this=exp.Min(this=col("from_code")), expression=exp.Max(this=col("from_code"))
        )
        copied_whole = exp.If(this=exp.and_(complete, one_area), true=exp.Max(this=col("value")))
        value = exp.Case(ifs=[copied_whole, *_weighted_mean(node, complete, rows)])
    last_divided = exp.Max(this=col("divided_at"))
    if node.forbidden:
        value = exp.Case(
            ifs=[exp.If(this=exp.Is(this=last_divided.copy(), expression=exp.Null()), true=value)]
        )
    combined = (
        exp.select(
            col("area_code"),
            col("period"),
            alias(value, "value"),
            alias(rows.copy(), "contributors_found"),
            alias(exp.Max(this=col("contributors")), "contributors_expected"),
            *oldest_recency(col("recency")),
            *_provenance(
                node, _ranked_method(node, exp.Max(this=col("method_rank"))), last_divided.copy()
            ),
            copy=False,
        )
        .from_(contributions.subquery("contributions", copy=False), copy=False)
        .group_by(col("area_code"), col("period"), copy=False)
    )
    return union_all([*_alone(node, target), combined])


def _unless_divided(value: exp.Expression, divided: exp.Expression) -> exp.Expression:
    """A forbidden measure's value, only where no path divided an area to give it."""
    return exp.Case(ifs=[exp.If(this=exp.Is(this=divided, expression=exp.Null()), true=value)])


def _ranked_method(node: RestatedMeasureNode, rank: exp.Expression) -> exp.Expression:
    """The label of a method rank, as the measure's additivity words it."""
    return (
        exp.Case(this=rank, ifs=[exp.If(this=lit(r), true=lit(label)) for r, label in node.methods])
        if node.methods
        else lit(AS_PUBLISHED)
    )


def _provenance(
    node: RestatedMeasureNode, method: exp.Expression, divided: exp.Expression
) -> list[exp.Expression]:
    """`method` (the label of the value's strongest path) and `cold_start_from` (NULL unless the
    measure's apportioning is forbidden and an area was divided to give the value)."""
    if not node.forbidden:
        return [alias(method, "method"), alias(cast(exp.Null(), "varchar"), "cold_start_from")]
    cold = exp.Not(this=exp.Is(this=divided.copy(), expression=exp.Null()))
    method = exp.Case(ifs=[exp.If(this=cold, true=lit(NOT_AT_ALL))], default=method)
    return [alias(method, "method"), alias(divided, "cold_start_from")]


def _weighted_mean(
    node: RestatedMeasureNode, complete: exp.Expression, rows: exp.Expression
) -> list[exp.If]:
    """Several areas combined into one: a mean weighted by its weight measure times the share that moved.

    A measure without a weight measure (`additivity: none`, which validation allows only where no
    code it holds was reorganised) is never combined: it has no such branch and no `basis` column.
    """
    if node.weight_object is None:
        return []
    share = exp.Mul(this=col("weight"), expression=col("basis"))
    known = exp.EQ(this=exp.Count(this=share.copy()), expression=rows.copy())
    weighted = safe_divide(
        exp.Sum(this=exp.Mul(this=col("value"), expression=share.copy())),
        exp.Sum(this=share.copy()),
    )
    return [exp.If(this=exp.and_(complete.copy(), known), true=weighted)]


def codes_check(node: CodesCheckNode, target: SqlTarget) -> exp.Expression:
    """Codes unknown to the register, or of the measure's level but not in force in their period."""
    mapped = (
        exp.select(lit(1), copy=False)
        .from_(target.object_table(node.paths_object, "p"), copy=False)
        .where(_path_join(node.level), copy=False)
    )
    in_level = exp.In(this=col("type", "a"), expressions=[lit(t) for t in node.level_types])
    unknown = exp.Is(this=col("area_code", "a"), expression=exp.Null())
    problem = exp.Concat(
        expressions=[
            col("area_code", "m"),
            lit(" "),
            col("period", "m"),
            lit(" "),
            col("source", "m"),
        ]
    )
    outside = (
        exp.select(alias(problem, "problem"), copy=False)
        .from_(target.object_table(node.measure_object, "m"), copy=False)
        .join(
            left_join(
                target.object_table(node.areas_object, "a"),
                exp.EQ(this=col("area_code", "a"), expression=col("area_code", "m")),
            ),
            copy=False,
        )
        .where(
            exp.or_(unknown, exp.and_(in_level, exp.Not(this=exp.Exists(this=mapped)))), copy=False
        )
    )
    twice = (  # two bindings giving one area and period (a back-cast and a former-councils file, say)
        exp.select(
            alias(
                exp.Concat(
                    expressions=[col("area_code"), lit(" "), col("period"), lit(" given twice")]
                ),
                "problem",
            ),
            copy=False,
        )
        .from_(target.object_table(node.measure_object), copy=False)
        .group_by(col("area_code"), col("period"), copy=False)
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=lit(1)), copy=False)
    )
    return (
        exp.select(col("problem"), copy=False)
        .distinct(copy=False)
        .from_(union_all([outside, twice]).subquery("problems", copy=False), copy=False)
        .order_by(col("problem"), copy=False)
    )


def restatement_check(node: RestatementCheckNode, target: SqlTarget) -> exp.Expression:
    """Complete contributions whose value is still unknown (a share or a weight was missing), and more
    contributions than paths (data given twice for one area and period, which would count twice)."""
    complete = exp.EQ(this=col("contributors_found"), expression=col("contributors_expected"))
    too_many = exp.GT(this=col("contributors_found"), expression=col("contributors_expected"))
    unknown = [exp.Is(this=col("value"), expression=exp.Null())]
    if node.cold_starts:  # a declared cold start has no value by design
        unknown.append(exp.Is(this=col("cold_start_from"), expression=exp.Null()))
    return (
        exp.select(
            alias(exp.Concat(expressions=[col("area_code"), lit(" "), col("period")]), "problem"),
            copy=False,
        )
        .from_(target.object_table(node.restated_object), copy=False)
        .where(
            exp.or_(and_all([complete, *unknown]), too_many),
            copy=False,
        )
        .order_by(col("problem"), copy=False)
    )
