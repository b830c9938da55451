"""Which published value serves each financial year (a measure's `align:`), and the recency of values.

A measure's bindings give candidate rows, each with the financial year its own period ends in
(`period`) and its dates (`data_start`, `data_end`). An alignment pairs each candidate with the years
it could serve, keeps the pairs its rule allows, and keeps, per area and year, the one it prefers:

- exact: the year its period ends in, if the period is that year or a point (an ISO 8601 source may
  hold other periods, which are left out); the latest point if several fall in one year;
- latest (max_age N): each year whose end (31 March) is on or after the value's end, and no more than
  N years after it; the most recent value is kept;
- overlap: each year whose midpoint (1 October) the value's period contains; where rolling pooled
  periods all contain it, the one whose own middle is nearest, then the one that ends later.

The years a value can serve are its own year plus 0..K steps, from a VALUES list of K + 1 rows, the
same on both targets. `geography_period` stays the year of the value's own period: it is restated
on the geography in force at the end of its period, not of the year it serves.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    FY_END_DAY,
    FY_END_MONTH,
    FY_START_DAY,
    FY_START_MONTH,
    alias,
    and_all,
    col,
    label_start_year,
    lit,
    period_label,
    try_cast_text,
)
from indexc.generate.periods import MIDPOINT_DAY, MIDPOINT_MONTH, date_text
from indexc.plan.nodes import Alignment

RECENCY = ("data_period", "data_start", "data_end")
CANDIDATES = "candidates"
STEPS = "steps"


def _date(year: exp.Expression, month: int, day: int) -> exp.DateFromParts:
    return exp.DateFromParts(year=year, month=lit(month), day=lit(day))


def _steps(count: int) -> exp.Expression:
    """(VALUES (0), (1), ..., (count - 1)) AS steps(step)."""
    return exp.Values(
        expressions=[exp.Tuple(expressions=[lit(step)]) for step in range(count)],
        alias=exp.TableAlias(this=exp.to_identifier(STEPS), columns=[exp.to_identifier("step")]),
    )


def aligned(
    candidates: exp.Select | exp.Union, rule: Alignment, with_geography: bool
) -> exp.Expression:
    """The candidates' rows that serve a financial year under `rule`, one per area and year."""
    served_year: exp.Expression
    if rule.rule == "overlap":
        served_year = exp.Add(
            this=exp.Sub(this=exp.Year(this=col("data_start", "c")), expression=lit(1)),
            expression=col("step", STEPS),
        )
        steps = rule.span_years + 1
    else:
        served_year = exp.Add(
            this=label_start_year(col("period", "c")), expression=col("step", STEPS)
        )
        steps = (rule.max_age or 0) + 1 if rule.rule == "latest" else 1
    year = col("served_year")
    first, last = (
        _date(year, FY_START_MONTH, FY_START_DAY),
        _date(exp.Add(this=year.copy(), expression=lit(1)), FY_END_MONTH, FY_END_DAY),
    )
    start, end = col("data_start"), col("data_end")
    order: list[exp.Ordered]
    if rule.rule == "exact":
        the_year = exp.and_(
            exp.EQ(this=start.copy(), expression=first), exp.EQ(this=end.copy(), expression=last)
        )
        keep: exp.Expr = exp.or_(the_year, exp.EQ(this=start.copy(), expression=end.copy()))
        order = [exp.Ordered(this=end.copy(), desc=True)]
    elif rule.rule == "latest":
        oldest_end = exp.DateAdd(
            this=last, expression=lit(-(rule.max_age or 0)), unit=exp.var("YEAR")
        )
        keep = exp.GTE(this=end.copy(), expression=oldest_end)
        order = [exp.Ordered(this=end.copy(), desc=True), exp.Ordered(this=start.copy(), desc=True)]
    else:
        midpoint = _date(year.copy(), MIDPOINT_MONTH, MIDPOINT_DAY)
        keep = and_all(
            [
                exp.LTE(this=start.copy(), expression=midpoint),
                exp.GTE(this=end.copy(), expression=midpoint.copy()),
            ]
        )
        off_centre = exp.Abs(
            this=exp.Add(
                this=exp.DateDiff(
                    this=start.copy(), expression=midpoint.copy(), unit=exp.var("DAY")
                ),
                expression=exp.DateDiff(
                    this=end.copy(), expression=midpoint.copy(), unit=exp.var("DAY")
                ),
            )
        )
        order = [exp.Ordered(this=off_centre), exp.Ordered(this=end.copy(), desc=True)]
    paired = (
        exp.select(exp.Star(), alias(served_year, "served_year"), copy=False)
        .from_(exp.to_table(CANDIDATES).as_("c"), copy=False)
        .join(exp.Join(this=_steps(steps), kind="CROSS"), copy=False)
    )
    names = ["area_code", "period", "value", "source", "item", *RECENCY]
    names += ["geography_period", "restate"] if with_geography else []
    kept = [alias(period_label(year.copy()), n) if n == "period" else col(n) for n in names]
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col("area_code"), col("served_year")],
        order=exp.Order(expressions=order),
    )
    ranked = (
        exp.select(*kept, alias(rank, "preference"), copy=False)
        .from_(paired.subquery("paired", copy=False), copy=False)
        .where(keep, copy=False)
    )
    return (
        exp.select(*[col(n) for n in names], copy=False)
        .from_(ranked.subquery("ranked", copy=False), copy=False)
        .where(exp.EQ(this=col("preference"), expression=lit(1)), copy=False)
        .with_(CANDIDATES, as_=candidates, copy=False)
    )


def recency_of_oldest(inputs: list[str]) -> list[exp.Expression]:
    """data_period, data_start and data_end of the input whose data ends first (the oldest behind a
    value); the first such input where several end on the same day."""
    if len(inputs) == 1:
        return [col(name, inputs[0]) for name in RECENCY]
    oldest = exp.Least(
        this=col("data_end", inputs[0]), expressions=[col("data_end", i) for i in inputs[1:]]
    )

    def of_oldest(name: str) -> exp.Expression:
        return exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=col("data_end", i), expression=oldest.copy()),
                    true=col(name, i),
                )
                for i in inputs
            ]
        )

    return [alias(of_oldest(name), name) for name in RECENCY]


def recency_key(table: str) -> exp.Expression:
    """data_end, data_start (YYYY-MM-DD each) and data_period of a row in one text, which sorts by
    end first: the smallest over several rows is the oldest data among them."""
    return exp.Concat(
        expressions=[
            date_text(col("data_end", table)),
            date_text(col("data_start", table)),
            col("data_period", table),
        ]
    )


def oldest_recency(key: exp.Expression) -> list[exp.Expression]:
    """The recency of the row whose data ends first, where rows combine (a merged area, a group): an
    aggregate is as old as its oldest data. Read back from the smallest key, so the three columns
    come from one row."""
    smallest = exp.Min(this=key)
    day = len("YYYY-MM-DD")

    def part(start: int, length: int | None) -> exp.Expression:
        size = exp.Length(this=smallest.copy()) if length is None else lit(length)
        return exp.Substring(this=smallest.copy(), start=lit(start), length=size)

    return [
        alias(part(2 * day + 1, None), "data_period"),
        alias(try_cast_text(part(day + 1, day), "date"), "data_start"),
        alias(try_cast_text(part(1, day), "date"), "data_end"),
    ]
