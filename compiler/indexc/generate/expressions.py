"""Small constructors for the sqlglot trees every layer builds.

Builders write names in lower case and unquoted; each target normalises and
quotes them when it renders, so the trees themselves stay target-neutral.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Iterable, Sequence

from sqlglot import exp

from indexc.spec.sources import PeriodParsing

FY_START_MONTH, FY_START_DAY = 4, 1
FY_END_MONTH, FY_END_DAY = 3, 31


def col(name: str, table: str | None = None) -> exp.Column:
    if table:  # both parts at once: the most built node of all, and `set` costs a walk to the root
        return exp.Column(this=exp.Identifier(this=name), table=exp.Identifier(this=table))
    return exp.Column(this=exp.Identifier(this=name))


def lit(value: str | int | float) -> exp.Expression:
    if isinstance(value, str):
        return exp.Literal(this=value, is_string=True)
    if not math.isfinite(value):
        raise ValueError(f"indexc never writes the non-finite number {value!r} into SQL")
    number = exp.Literal(this=repr(abs(value)), is_string=False)
    return exp.Neg(this=number) if value < 0 else number


DATA_TYPES = {
    "date": exp.DataType.Type.DATE,
    "double": exp.DataType.Type.DOUBLE,
    "int": exp.DataType.Type.INT,
    "varchar": exp.DataType.Type.VARCHAR,
}


def data_type(name: str) -> exp.DataType:
    return exp.DataType(this=DATA_TYPES[name])


def cast(expression: exp.Expression, to: str) -> exp.Cast:
    return exp.Cast(this=expression, to=data_type(to))


def try_cast_text(text_value: exp.Expression, to: str) -> exp.TryCast:
    """TRY_CAST of a text value: NULL instead of an error (Snowflake allows it on text only)."""
    return exp.TryCast(this=text_value, to=data_type(to), requires_string=True)


def text(expression: exp.Expression) -> exp.Cast:
    return cast(expression, "varchar")


def blank_is_missing(expression: exp.Expression, to: str) -> exp.Cast:
    """CAST(NULLIF(TRIM(CAST(x AS VARCHAR)), '') AS to): a blank cell is a missing value, not a zero."""
    trimmed = exp.Trim(this=text(expression))
    return cast(exp.Nullif(this=trimmed, expression=lit("")), to)


def trimmed_text(expression: exp.Expression) -> exp.Trim:
    return exp.Trim(this=text(expression))


def read_number(cell: exp.Expression, missing: Sequence[str]) -> exp.Expression:
    """A value cell as a double: NULL for a blank, one of the source's `missing` markers, or a text that
    is not a number. TRY_CAST rather than CAST, so that the last reaches a check that names its file,
    line and column (generate/values.py) instead of failing the statement; a marker is compared with
    the trimmed cell exactly (case included) and wins over the cast (a marker `NaN` is missing)."""
    number = try_cast_text(exp.Nullif(this=trimmed_text(cell), expression=lit("")), "double")
    if not missing:
        return number
    is_marker = exp.In(this=trimmed_text(cell.copy()), expressions=[lit(m) for m in missing])
    return exp.Case(ifs=[exp.If(this=is_marker, true=cast(exp.Null(), "double"))], default=number)


def alias(expression: exp.Expr, name: str) -> exp.Alias:
    # alias_ is typed to return any expression; given a column alias (not table=True), it is an Alias
    return typing.cast(exp.Alias, exp.alias_(expression, name, copy=False))


def table(name: str, alias_name: str | None = None) -> exp.Table:
    result = exp.Table(this=exp.to_identifier(name))
    if alias_name:
        result.set("alias", exp.TableAlias(this=exp.to_identifier(alias_name)))
    return result


def and_all(conditions: Iterable[exp.Expr]) -> exp.Expr:
    """c1 AND c2 AND ..., an OR among them in parentheses."""
    result: exp.Expr | None = None
    for condition in conditions:
        condition = exp.Paren(this=condition) if isinstance(condition, exp.Or) else condition
        result = condition if result is None else exp.And(this=result, expression=condition)
    if result is None:  # every caller has at least one condition; none would drop a WHERE silently
        raise ValueError("and_all needs at least one condition")
    return result


def inner_join(relation: exp.Expression, on: exp.Expr) -> exp.Join:
    return exp.Join(this=relation, on=on, kind="INNER")


def left_join(relation: exp.Expression, on: exp.Expr) -> exp.Join:
    return exp.Join(this=relation, on=on, side="LEFT")


def union_all(selects: Sequence[exp.Select]) -> exp.Select | exp.Union:
    result: exp.Select | exp.Union = selects[0]
    for select in selects[1:]:
        result = exp.Union(this=result, expression=select, distinct=False)
    return result


def window(
    function: exp.Expression, partition: Sequence[str], order: exp.Expression | None = None
) -> exp.Window:
    kwargs: dict[str, exp.Expression | list[exp.Column]] = {
        "partition_by": [col(p) for p in partition]
    }
    if order is not None:
        kwargs["order"] = exp.Order(expressions=[order])
    return exp.Window(this=function, **kwargs)


LARGEST_DOUBLE = 1.7976931348623157e308


def is_finite(value: exp.Expr) -> exp.Expression:
    """ABS(x) <= the largest double: false for NULL, infinities and NaN (which sorts above all) alike."""
    return exp.LTE(this=exp.Abs(this=value), expression=lit(LARGEST_DOUBLE))


def safe_divide(numerator: exp.Expression, denominator: exp.Expression) -> exp.Div:
    """x / NULLIF(y, 0): a zero denominator gives a missing value on every engine."""
    return exp.Div(this=numerator, expression=exp.Nullif(this=denominator, expression=lit(0)))


def period_start_year(parsing: PeriodParsing, raw_text: exp.Expression) -> exp.Expression:
    """The year in which the financial year of a trimmed raw period starts, or NULL if it does not parse."""
    if parsing.grain == "financial_year":
        return try_cast_text(exp.Substring(this=raw_text, start=lit(1), length=lit(4)), "int")
    year = try_cast_text(raw_text, "int")
    if parsing.grain == "financial_year_ending":
        return exp.Sub(this=year, expression=lit(1))
    return year  # mid_year: 30 June falls in the financial year starting that April


def period_label(start_year: exp.Expression) -> exp.Expression:
    """The canonical label YYYY-YY of the financial year starting in `start_year`."""
    next_year = exp.Mod(
        this=exp.Paren(this=exp.Add(this=start_year.copy(), expression=lit(1))), expression=lit(100)
    )
    suffix = exp.Pad(this=text(next_year), expression=lit(2), fill_pattern=lit("0"), is_left=True)
    return exp.Concat(expressions=[text(start_year), lit("-"), suffix])


def period_as_written(parsing: PeriodParsing, label: exp.Expression) -> exp.Expr:
    """How a source following `parsing` writes the financial year `label`: the inverse of parsing."""
    start_year = try_cast_text(exp.Substring(this=label, start=lit(1), length=lit(4)), "int")
    if parsing.format == "YYYY-YY":
        return label
    if parsing.format == "YYYY/YY":
        return exp.func("REPLACE", label, lit("-"), lit("/"))
    if parsing.grain == "financial_year_ending":
        return text(exp.Add(this=start_year, expression=lit(1)))
    return text(start_year)


def label_start_year(period: exp.Expr) -> exp.Expression:
    return cast(exp.Substring(this=period, start=lit(1), length=lit(4)), "int")


def period_first_day(period: exp.Expr) -> exp.Expression:
    """1 April of the financial year labelled `period`."""
    return exp.DateFromParts(
        year=label_start_year(period), month=lit(FY_START_MONTH), day=lit(FY_START_DAY)
    )


def valid_in_period(area: str, period: exp.Expr) -> exp.Expr:
    """The area row `area` (valid_from, valid_to) was in force at some time during `period`."""
    start_year = label_start_year(period)
    period_start = period_first_day(period.copy())
    period_end = exp.DateFromParts(
        year=exp.Add(this=start_year.copy(), expression=lit(1)),
        month=lit(FY_END_MONTH),
        day=lit(FY_END_DAY),
    )
    starts_in_time = exp.or_(
        exp.Is(this=col("valid_from", area), expression=exp.Null()),
        exp.LTE(this=col("valid_from", area), expression=period_end),
    )
    lasts_long_enough = exp.or_(
        exp.Is(this=col("valid_to", area), expression=exp.Null()),
        exp.GTE(this=col("valid_to", area), expression=period_start),
    )
    return exp.and_(exp.Paren(this=starts_in_time), exp.Paren(this=lasts_long_enough))
