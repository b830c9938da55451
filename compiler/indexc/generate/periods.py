"""Periods of every kind as dates: how a raw label becomes (start, end), and how it is written back.

The grains indexc has always read (financial years, years ending, mid-year points) keep the SQL they
had, so their builds change only by the added columns. The other grains are parsed here into their
first and last days; anything that does not parse gives NULL, never an engine error (month parts are
tested before a date is built, text is read with TRY_CAST), and reaches the period check, which
compares the raw label with the label the parsed period would be written as.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    FY_END_DAY,
    FY_END_MONTH,
    FY_START_DAY,
    FY_START_MONTH,
    cast,
    col,
    lit,
    period_as_written,
    period_label,
    text,
    try_cast_text,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import PeriodCheckNode
from indexc.spec.sources import LONGEST_INTERVAL_MONTHS, PeriodParsing

MIDPOINT_MONTH, MIDPOINT_DAY = 10, 1
"""1 October: the day `align: overlap` looks for in a value's period (183 days into the year)."""


def _substr(raw: exp.Expression, start: int, length: int | exp.Expression) -> exp.Substring:
    return exp.Substring(
        this=raw.copy(), start=lit(start), length=lit(length) if isinstance(length, int) else length
    )


LATEST_YEAR = 9000
"""Years outside 1..9000 are unreadable labels: a date built from them could be out of an engine's range
(DuckDB refuses year 2147483646), and a label must fail the period check, not the build."""


def _known(year: exp.Expression) -> exp.Expression:
    return _when(exp.Between(this=year.copy(), low=lit(1), high=lit(LATEST_YEAR)), year)


def _year(raw: exp.Expression) -> exp.Expression:
    return _known(try_cast_text(_substr(raw, 1, 4), "int"))


def _date(year: exp.Expression, month: int | exp.Expression, day: int) -> exp.DateFromParts:
    return exp.DateFromParts(
        year=year, month=lit(month) if isinstance(month, int) else month, day=lit(day)
    )


def _plus(date: exp.Expression, amount: int | exp.Expression, unit: str) -> exp.Expression:
    """date + amount units, as a DATE on both engines (DuckDB's date + interval is a timestamp)."""
    step = lit(amount) if isinstance(amount, int) else amount
    return cast(exp.DateAdd(this=date, expression=step, unit=exp.var(unit)), "date")


def _last_day(start: exp.Expression, months: int | exp.Expression) -> exp.Expression:
    """The day before `start` + `months`: the last day of a period of that many months."""
    return _plus(_plus(start, months, "MONTH"), -1, "DAY")


def _when(condition: exp.Expr, value: exp.Expr) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=condition, true=value)])


def _in(value: exp.Expression, options: tuple[int, ...]) -> exp.In:
    return exp.In(this=value, expressions=[lit(option) for option in options])


def _iso_months(raw: exp.Expression) -> exp.Expression:
    """The months of an ISO 8601 duration /PnY or /PnM after a 10-character date, else NULL."""
    number = try_cast_text(
        _substr(raw, 13, exp.Sub(this=exp.Length(this=raw.copy()), expression=lit(13))), "int"
    )
    unit = exp.Right(this=raw.copy(), expression=lit(1))
    months = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=unit.copy(), expression=lit("Y")),
                true=exp.Mul(this=number.copy(), expression=lit(12)),
            ),
            exp.If(this=exp.EQ(this=unit, expression=lit("M")), true=number),
        ]
    )
    shaped = exp.and_(
        exp.EQ(this=_substr(raw, 11, 2), expression=lit("/P")),
        exp.Between(this=months.copy(), low=lit(1), high=lit(LONGEST_INTERVAL_MONTHS)),
    )
    return _when(shaped, months)


def financial_year_bounds(
    parsing: PeriodParsing, start_year: exp.Expression
) -> tuple[exp.Expr, exp.Expr]:
    """The first and last days of a period of the grains read before issue 17, from the start year of
    its financial year (expressions.period_start_year): the year itself, or 30 June for mid-year."""
    start_year = _known(start_year)
    if parsing.grain == "mid_year":
        return _date(start_year, 6, 30), _date(start_year.copy(), 6, 30)
    return _date(start_year, FY_START_MONTH, FY_START_DAY), _date(
        exp.Add(this=start_year.copy(), expression=lit(1)), FY_END_MONTH, FY_END_DAY
    )


def period_bounds(parsing: PeriodParsing, raw: exp.Expression) -> tuple[exp.Expr, exp.Expr]:
    """The first and last days of the period a trimmed raw label names (NULL if it does not parse)."""
    grain, year = parsing.grain, _year(raw)
    if grain == "financial_years":
        return _date(year, FY_START_MONTH, FY_START_DAY), _date(
            exp.Add(this=year.copy(), expression=lit(parsing.years or 1)), FY_END_MONTH, FY_END_DAY
        )
    if grain in ("calendar_year", "calendar_years"):
        span = parsing.years or 1
        last = exp.Add(this=year.copy(), expression=lit(span - 1)) if span > 1 else year.copy()
        return _date(year, 1, 1), _date(last, 12, 31)
    if grain == "academic_year":
        return _date(year, 9, 1), _date(exp.Add(this=year.copy(), expression=lit(1)), 8, 31)
    if grain == "quarter":
        if parsing.format == "YYYY-MM":
            month = try_cast_text(_substr(raw, 6, 2), "int")
            first_month: exp.Expression = exp.Sub(this=month.copy(), expression=lit(2))
            known = _in(month, (3, 6, 9, 12))
        else:  # YYYY-QN
            number = try_cast_text(_substr(raw, 7, 1), "int")
            first_month = exp.Sub(
                this=exp.Mul(this=number.copy(), expression=lit(3)), expression=lit(2)
            )
            known = _in(number, (1, 2, 3, 4))
        first = _when(known, _date(year, first_month, 1))
        return first, _last_day(first.copy(), 3)
    # iso_interval: YYYY-MM-DD (a point) or YYYY-MM-DD/PnY, YYYY-MM-DD/PnM
    start = try_cast_text(_substr(raw, 1, 10), "date")
    point = exp.EQ(this=exp.Length(this=raw.copy()), expression=lit(10))
    end = exp.Case(
        ifs=[exp.If(this=point, true=start.copy())],
        default=_last_day(start.copy(), _iso_months(raw)),
    )
    return start, end


def _two_digits(number: exp.Expression) -> exp.Expression:
    return exp.Pad(this=text(number), expression=lit(2), fill_pattern=lit("0"), is_left=True)


def _joined(*parts: exp.Expression) -> exp.Expression:
    return exp.Concat(expressions=list(parts))


def date_text(date: exp.Expression) -> exp.Expression:
    """YYYY-MM-DD, built from its parts so no session's date format can change it."""
    year = exp.Pad(
        this=text(exp.Year(this=date.copy())),
        expression=lit(4),
        fill_pattern=lit("0"),
        is_left=True,
    )
    return _joined(
        year,
        lit("-"),
        _two_digits(exp.Month(this=date.copy())),
        lit("-"),
        _two_digits(exp.Day(this=date.copy())),
    )


def period_written(
    parsing: PeriodParsing, raw: exp.Expression, start: exp.Expression, end: exp.Expression
) -> exp.Expression:
    """How the source writes the period (start, end): the raw label must read back as exactly this."""
    grain, sep = parsing.grain, "/" if parsing.format == "YYYY/YY" else "-"
    start_year = text(exp.Year(this=start.copy()))
    end_suffix = _two_digits(exp.Mod(this=exp.Year(this=end.copy()), expression=lit(100)))
    if grain == "calendar_year":
        return start_year
    if grain in ("academic_year", "calendar_years", "financial_years"):
        return _joined(start_year, lit(sep), end_suffix)
    if grain == "quarter":
        if parsing.format == "YYYY-MM":
            return _joined(
                text(exp.Year(this=end.copy())), lit("-"), _two_digits(exp.Month(this=end.copy()))
            )
        quarter = exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=exp.Month(this=end.copy()), expression=lit(month)),
                    true=lit(str(month // 3)),
                )
                for month in (3, 6, 9, 12)
            ]
        )
        return _joined(text(exp.Year(this=end.copy())), lit("-Q"), quarter)
    if grain == "iso_interval":
        duration = _joined(
            lit("/P"),
            text(
                try_cast_text(
                    _substr(raw, 13, exp.Sub(this=exp.Length(this=raw.copy()), expression=lit(13))),
                    "int",
                )
            ),
            exp.Right(this=raw.copy(), expression=lit(1)),
        )
        point = exp.EQ(this=exp.Length(this=raw.copy()), expression=lit(10))
        return _joined(
            date_text(start), exp.Case(ifs=[exp.If(this=point, true=lit(""))], default=duration)
        )
    raise ValueError(f"grain {grain} keeps its own read-back (expressions.period_as_written)")


def financial_year_of(date: exp.Expr) -> exp.Expression:
    """The label YYYY-YY of the financial year the date falls in."""
    before_april = exp.LT(this=exp.Month(this=date.copy()), expression=lit(FY_START_MONTH))
    start_year = exp.Sub(
        this=exp.Year(this=date.copy()),
        expression=exp.Case(ifs=[exp.If(this=before_april, true=lit(1))], default=lit(0)),
    )
    return period_label(start_year)


def unreadable_period(parsing: PeriodParsing) -> exp.Expr:
    """A row's `period_raw` is missing, does not parse, or does not read back as written (2016-18),
    from its `period`, `period_start` and `period_end` as a source's table holds them.

    A label is YYYY-YY, seven characters; a shorter or longer one came from a year
    that is not four digits, and is caught before it is read back. Periods of the other grains are
    read back from their parsed start and end dates (generate/periods.py).
    """
    read_back: exp.Expr
    if not parsing.within_financial_year:
        start, end = col("period_start"), col("period_end")
        read_back = period_written(parsing, col("period_raw"), start, end)
        conditions = [
            exp.Is(this=start.copy(), expression=exp.Null()),
            exp.Is(this=end.copy(), expression=exp.Null()),
            exp.Is(this=read_back.copy(), expression=exp.Null()),
            exp.NEQ(this=col("period_raw"), expression=read_back),
        ]
    else:
        label = col("period")
        read_back = period_as_written(parsing, label.copy())
        conditions = [
            exp.Is(this=label.copy(), expression=exp.Null()),
            exp.NEQ(this=exp.Length(this=label.copy()), expression=lit(len("YYYY-YY"))),
        ]
        if read_back != label:  # the year is read back through a cast, which may itself give NULL
            conditions.append(exp.Is(this=read_back.copy(), expression=exp.Null()))
        conditions.append(exp.NEQ(this=col("period_raw"), expression=read_back))
    return exp.or_(*conditions)


def period_check(node: PeriodCheckNode, target: SqlTarget) -> exp.Expression:
    """Raw periods that are missing, do not parse, or do not read back as written (e.g. 2016-18)."""
    return (
        exp.select(col("period_raw"), copy=False)
        .distinct(copy=False)
        .from_(target.object_table(node.source_object), copy=False)
        .where(unreadable_period(node.parsing), copy=False)
        .order_by(col("period_raw"), copy=False)
    )
