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
CANDIDATE_COLUMNS = ("area_code", "period", "value", "lci", "uci", "source", "item", *RECENCY)
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


def _code_ends(areas: exp.Table) -> exp.Select:
    """Each code's last day in force (9999-12-31 while it is in force)."""
    last = exp.Coalesce(this=col("valid_to"), expressions=[_date(lit(9999), 12, 31)])
    return (
        exp.select(col("area_code"), alias(exp.Max(this=last), "last_day"), copy=False)
        .from_(areas, copy=False)
        .group_by(col("area_code"), copy=False)
    )


def _still_in_force(served_year: exp.Expression) -> exp.Expr:
    """Whether a value on as-published codes serves the year on a code still in force on its first
    day (or serves its own year). A value of an ended code serves a later year only where the source
    published nothing newer that could serve it: then its successors' own values speak for the year,
    and both restated onto one area would count twice (a district abolished in March beside its
    successor's figures for the next year); where nothing newer exists, the old value, restated, is
    the latest there is. A code the register does not know is left to the codes check."""
    own_year = exp.EQ(this=served_year.copy(), expression=label_start_year(col("period", "c")))
    first_day = _date(served_year.copy(), FY_START_MONTH, FY_START_DAY)
    return exp.or_(
        exp.Not(this=col("as_published", "c")),
        own_year,
        exp.Is(this=col("last_day", "e"), expression=exp.Null()),
        exp.GTE(this=col("last_day", "e"), expression=first_day),
    )


def aligned(
    candidates: exp.Select | exp.Union,
    rule: Alignment,
    with_geography: bool,
    areas: exp.Table | None = None,
) -> exp.Expression:
    """The candidates' rows that serve a financial year under `rule`, one per area and year; with
    `areas` (the register), a value on as-published codes serves no year after its code ended."""
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
    if areas is not None:
        on = exp.EQ(this=col("area_code", "e"), expression=col("area_code", "c"))
        paired = exp.select(
            *[col(n, "c") for n in CANDIDATE_COLUMNS],
            *([col(n, "c") for n in ("geography_period", "restate")] if with_geography else []),
            alias(served_year.copy(), "served_year"),
            copy=False,
        ).from_(exp.to_table(CANDIDATES).as_("c"), copy=False)
        paired = paired.join(exp.Join(this=_steps(steps), kind="CROSS"), copy=False)
        paired = paired.join(
            exp.Join(this=_code_ends(areas).subquery("e", copy=False), kind="LEFT", on=on),
            copy=False,
        )
        paired = paired.select(alias(_still_in_force(served_year), "in_force"), copy=False)
    names = list(CANDIDATE_COLUMNS)
    names += ["geography_period", "restate"] if with_geography else []
    kept = [alias(period_label(year.copy()), n) if n == "period" else col(n) for n in names]
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col("area_code"), col("served_year")],
        order=exp.Order(expressions=order),
    )
    extra = []
    if areas is not None:  # the newest period that may serve each year, of any area
        newest = exp.Window(this=exp.Max(this=end.copy()), partition_by=[col("served_year")])
        extra = [col("in_force"), alias(newest, "newest")]
    ranked = (
        exp.select(*kept, alias(rank, "preference"), *extra, copy=False)
        .from_(paired.subquery("paired", copy=False), copy=False)
        .where(keep, copy=False)
    )
    chosen: exp.Expr = exp.EQ(this=col("preference"), expression=lit(1))
    if areas is not None:  # an ended code's value serves only where nothing newer was published
        newest_or_in_force = exp.or_(
            col("in_force"), exp.EQ(this=col("data_end"), expression=col("newest"))
        )
        chosen = exp.and_(chosen, exp.Paren(this=newest_or_in_force))
    return (
        exp.select(*[col(n) for n in names], copy=False)
        .from_(ranked.subquery("ranked", copy=False), copy=False)
        .where(chosen, copy=False)
        .with_(CANDIDATES, as_=candidates, copy=False)
    )


def recency_of_oldest(inputs: list[str]) -> list[exp.Expression]:
    """data_period, data_start and data_end of the input whose data ends first (the oldest behind a
    value); the first such input where several end on the same day."""
    if len(inputs) == 1:
        return [col(name, inputs[0]) for name in RECENCY]

    def oldest() -> exp.Least:  # built anew for each use: cheaper than copying one
        return exp.Least(
            this=col("data_end", inputs[0]), expressions=[col("data_end", i) for i in inputs[1:]]
        )

    def of_oldest(name: str) -> exp.Expression:
        return exp.Case(
            ifs=[
                exp.If(this=exp.EQ(this=col("data_end", i), expression=oldest()), true=col(name, i))
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
