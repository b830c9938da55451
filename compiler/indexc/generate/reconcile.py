"""SQL of the reconciliation audit (plan/reconcile.py): where two overlapping feeds of a measure
disagree, per area and period, in the periods both cover.

- `differs`: both give a value for one area and one published period (the same `data_end`) and
  they differ by more than the tolerance (`absolute`, or `relative` to the preferred value; exact
  agreement when none is declared);
- `only_preferred` / `only_other`: in a period in which both feeds have rows, one has an area the
  other has no value for (`only_other` rows are the gaps the other feed fills).
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, cast, col, lit, table, union_all
from indexc.generate.inputs import binding_periods, has_value
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import BindingSelect
from indexc.plan.reconcile import FeedPair, ReconcileNode

SIDES = ("preferred", "other")


def _rows(
    binding: BindingSelect, pair: FeedPair, node: ReconcileNode, target: SqlTarget
) -> exp.Select:
    """A feed's values in the periods both bindings cover."""
    common = BindingSelect("", "", "", pair.period_from, pair.period_to)
    if node.restated:  # a restated feed: its rows with a value (one per area and period)
        return (
            exp.select(
                col("area_code"),
                col("period"),
                col("value"),
                col("data_period"),
                col("data_end"),
                copy=False,
            )
            .from_(target.object_table(binding.source_object), copy=False)
            .where(
                and_all(
                    [exp.Not(this=exp.Is(this=col("value"), expression=exp.Null()))]
                    + binding_periods(common)
                ),
                copy=False,
            )
        )
    valid = node.valid
    return (
        exp.select(
            col("area_code"),
            col("period"),
            col("value"),
            alias(col("period_raw"), "data_period"),
            alias(col("period_end"), "data_end"),
            copy=False,
        )
        .from_(target.object_table(binding.source_object), copy=False)
        .where(and_all(has_value(binding, valid) + binding_periods(common)), copy=False)
    )


def _tolerance(pair: FeedPair) -> tuple[exp.Expression, str]:
    """The largest difference allowed for a row, and the tolerance in words."""
    if pair.relative is not None:
        allowed = exp.Mul(this=lit(pair.relative), expression=exp.Abs(this=col("value", "p")))
        return allowed, f"relative {pair.relative:g}"
    if pair.absolute is not None:
        return lit(pair.absolute), f"absolute {pair.absolute:g}"
    return lit(0.0), "exact"


def _side(
    name: str, pair: FeedPair, present: bool, alias_name: str | None = None
) -> list[exp.Expression]:
    """The columns of one feed: its source, item, data period and value (NULL when it lacks the row)."""
    binding = pair.preferred if name == "preferred" else pair.other
    short = alias_name or name[0]
    return [
        alias(lit(binding.source_id), f"{name}_source"),
        alias(lit(binding.item), f"{name}_item"),
        alias(
            col("data_period", short) if present else cast(exp.Null(), "varchar"),
            f"{name}_period",
        ),
        alias(
            cast(col("value", short), "double") if present else cast(exp.Null(), "double"),
            f"{name}_value",
        ),
    ]


def _findings(
    n: int, pair: FeedPair, node: ReconcileNode, target: SqlTarget
) -> tuple[list[tuple[str, exp.Select]], exp.Select | exp.Union]:
    """The CTEs of one pair and the union of its three kinds of findings."""
    names = {side: f"{side}_{n}" for side in SIDES}
    ctes = [
        (names["preferred"], _rows(pair.preferred, pair, node, target)),
        (names["other"], _rows(pair.other, pair, node, target)),
    ]
    allowed, words = _tolerance(pair)
    difference = exp.Sub(this=col("value", "o"), expression=col("value", "p"))
    same_area = [
        exp.EQ(this=col("area_code", "o"), expression=col("area_code", "p")),
        exp.EQ(this=col("period", "o"), expression=col("period", "p")),
    ]
    differs = (
        exp.select(
            alias(lit("differs"), "finding"),
            col("area_code", "p"),
            col("period", "p"),
            *_side("preferred", pair, True),
            *_side("other", pair, True),
            alias(cast(difference, "double"), "difference"),
            alias(lit(words), "tolerance"),
            copy=False,
        )
        .from_(table(names["preferred"], "p"), copy=False)
        .join(
            table(names["other"], "o"),
            # restated, a value may combine several published periods: compared per period
            on=and_all(
                same_area
                if node.restated
                else [
                    *same_area,
                    exp.EQ(this=col("data_end", "o"), expression=col("data_end", "p")),
                ]
            ),
            copy=False,
        )
        .where(exp.GT(this=exp.Abs(this=difference.copy()), expression=allowed), copy=False)
    )
    return ctes, union_all(
        [
            differs,
            _only(pair, names, "preferred", words),
            _only(pair, names, "other", words),
        ]
    )


def _only(pair: FeedPair, names: dict[str, str], side: str, words: str) -> exp.Select:
    """Rows of one feed, in a period in which the other has rows, for an area it has no value for."""
    mine, theirs = (names["preferred"], names["other"])[:: 1 if side == "preferred" else -1]
    periods = exp.select(col("period"), copy=False).from_(table(theirs), copy=False)
    lacking = exp.Exists(
        this=exp.select(lit(1), copy=False)
        .from_(table(theirs, "t"), copy=False)
        .where(
            and_all(
                [
                    exp.EQ(this=col("area_code", "t"), expression=col("area_code", "m")),
                    exp.EQ(this=col("period", "t"), expression=col("period", "m")),
                ]
            ),
            copy=False,
        )
    )
    return (
        exp.select(
            alias(lit(f"only_{side}"), "finding"),
            col("area_code", "m"),
            col("period", "m"),
            *_side("preferred", pair, side == "preferred", "m"),
            *_side("other", pair, side == "other", "m"),
            alias(cast(exp.Null(), "double"), "difference"),
            alias(lit(words), "tolerance"),
            copy=False,
        )
        .from_(table(mine, "m"), copy=False)
        .where(
            and_all(
                [
                    exp.In(this=col("period", "m"), query=periods.subquery(copy=False)),
                    exp.Not(this=lacking),
                ]
            ),
            copy=False,
        )
    )


def reconciliation(node: ReconcileNode, target: SqlTarget) -> exp.Expression:
    """Every finding of every pair of overlapping feeds, ordered for reading."""
    ctes: list[tuple[str, exp.Select]] = []
    findings = []
    for n, pair in enumerate(node.pairs):
        more, rows = _findings(n, pair, node, target)
        ctes.extend(more)
        findings.append(rows.subquery(copy=False))
    stacked = union_all([exp.select(exp.Star(), copy=False).from_(f, copy=False) for f in findings])
    query = (
        exp.select(exp.Star(), copy=False)
        .from_(stacked.subquery("findings", copy=False), copy=False)
        .order_by(col("finding"), col("period"), col("area_code"), col("other_source"), copy=False)
    )
    for name, cte in ctes:
        query = query.with_(name, as_=cte, copy=False)
    return query
