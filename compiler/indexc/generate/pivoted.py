"""SQL for a pivoted source: one row per area, one column per period headed by the period's label.

Neither target knows the file's columns when compiling (a new period adds one), so each gives the
file cell by cell (`SqlTarget.pivoted_cells`: the line, a name for the cell's column that is the
same on every line, and the cell's text) and everything else is shared SQL over those cells:

- the header row is the first line with a cell reading the area column's name (trimmed, any case);
  lines before it (a title) are never read;
- a line after it whose area cell reads that name again is a repeated header, and is skipped;
- each other heading, but the declared `labels`, is a period: a value cell is read under its
  column's heading, as the source's `period:` says (data_source parses it as for any source).

A missing header row, a heading that does not read as a period, and a value under no heading are
found by the header check (IX749), which stands in for the period check of other layouts.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    col,
    inner_join,
    left_join,
    lit,
    period_label,
    period_start_year,
    read_number,
    table,
    text,
    union_all,
)
from indexc.generate.periods import (
    financial_year_bounds,
    financial_year_of,
    period_bounds,
    unreadable_period,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import PivotedHeaderCheckNode
from indexc.spec.sources import PivotedSource

CELLS = "cells"
HEADER = "header_row"
HEADINGS = "headings"
AREA_CELLS = "area_cells"
SEPARATOR = " | "
NO_HEADER, BAD_PERIOD, NO_HEADING = "no header", "period", "no heading"
"""The kinds of row the header check returns, first in each `KIND | LINE | COLUMN | TEXT`."""


def _lower_trim(expression: exp.Expression) -> exp.Expression:
    return exp.Lower(this=exp.Trim(this=expression))


def _is_area_heading(cell: exp.Expression, source: PivotedSource) -> exp.Expr:
    return exp.EQ(this=_lower_trim(cell), expression=lit(source.columns.not_periods[0]))


def _not_blank(cell: exp.Expression) -> exp.Expr:
    return exp.NEQ(this=exp.Trim(this=cell), expression=lit(""))


def cell_ctes(source: PivotedSource, target: SqlTarget) -> list[tuple[str, exp.Expression]]:
    """The CTEs every query of a pivoted source starts from: its cells, the header row's line, the
    headings by column, and each data line's area code (repeated headers left out)."""
    header = (
        exp.select(alias(exp.Min(this=col("source_line")), "header_line"), copy=False)
        .from_(table(CELLS), copy=False)
        .where(_is_area_heading(col("cell"), source), copy=False)
    )
    on_header = exp.EQ(this=col("source_line", "c"), expression=col("header_line", "h"))
    headings = (
        exp.select(
            col("cell_column", "c"),
            alias(exp.Trim(this=col("cell", "c")), "heading"),
            copy=False,
        )
        .from_(table(CELLS, "c"), copy=False)
        .join(inner_join(table(HEADER, "h"), on_header), copy=False)
        .where(_not_blank(col("cell", "c")), copy=False)
    )
    below_header = exp.GT(this=col("source_line", "c"), expression=col("header_line", "h"))
    in_area_column = exp.EQ(this=col("cell_column", "c"), expression=col("cell_column", "a"))
    areas = (
        exp.select(
            col("source_line", "c"),
            alias(exp.Trim(this=col("cell", "c")), "area_code"),
            copy=False,
        )
        .from_(table(CELLS, "c"), copy=False)
        .join(inner_join(table(HEADER, "h"), below_header), copy=False)
        .join(
            inner_join(
                exp.select(col("cell_column"), copy=False)
                .from_(table(HEADINGS), copy=False)
                .where(_is_area_heading(col("heading"), source), copy=False)
                .subquery("a", copy=False),
                in_area_column,
            ),
            copy=False,
        )
        .where(exp.Not(this=_is_area_heading(col("cell", "c"), source)), copy=False)
    )
    return [
        (CELLS, target.pivoted_cells(source.id)),
        (HEADER, header),
        (HEADINGS, headings),
        (AREA_CELLS, areas),
    ]


def _is_period(heading: exp.Expression, source: PivotedSource) -> exp.Expr:
    listed = [lit(name) for name in source.columns.not_periods]
    return exp.Not(this=exp.In(this=exp.Lower(this=heading), expressions=listed))


def value_cells(source: PivotedSource) -> exp.Select:
    """Each non-blank cell of a data line under a period heading: `source_line`, `area_code`,
    `period_raw` (the heading) and `cell`."""
    same_line = exp.EQ(this=col("source_line", "c"), expression=col("source_line", "a"))
    same_column = exp.EQ(this=col("cell_column", "c"), expression=col("cell_column", "p"))
    return (
        exp.select(
            col("area_code", "a"),
            alias(col("heading", "p"), "period_raw"),
            col("source_line", "c"),
            col("cell", "c"),
            copy=False,
        )
        .from_(table(CELLS, "c"), copy=False)
        .join(inner_join(table(AREA_CELLS, "a"), same_line), copy=False)
        .join(inner_join(table(HEADINGS, "p"), same_column), copy=False)
        .where(
            and_all([_is_period(col("heading", "p"), source), _not_blank(col("cell", "c"))]),
            copy=False,
        )
    )


def parsed_rows(source: PivotedSource, numbers: list[exp.Alias]) -> exp.Select:
    """data_source's `parsed` rows (area_code, period_raw, source_line, item, value, lci, uci) from
    the value cells (after the CTEs of `cell_ctes`), `numbers` reading `cell`; a blank cell gives no
    row, as a Snowflake table's empty cell is absent from its row's object."""
    rows = value_cells(source).subquery("value_cells", copy=False)
    parsed = exp.select(
        col("area_code"),
        col("period_raw"),
        col("source_line"),
        alias(lit(source.item), "item"),
        *numbers,
        copy=False,
    ).from_(rows, copy=False)
    return parsed


def _parsed_headings(source: PivotedSource) -> exp.Select:
    """Each period heading with the columns the period check reads (`period`, `period_start`,
    `period_end`), parsed as data_source parses a period."""
    parsing, raw = source.period, col("heading")
    if parsing.within_financial_year:
        year = period_start_year(parsing, raw)
        start, end = financial_year_bounds(parsing, year)
        label: exp.Expression = period_label(year.copy())
    else:
        start, end = period_bounds(parsing, raw)
        label = financial_year_of(end.copy())
    return (
        exp.select(
            col("cell_column"),
            alias(col("heading"), "period_raw"),
            alias(label, "period"),
            alias(start, "period_start"),
            alias(end, "period_end"),
            copy=False,
        )
        .from_(table(HEADINGS), copy=False)
        .where(_is_period(col("heading"), source), copy=False)
    )


def _found(kind: str, *parts: exp.Expression) -> exp.Alias:
    pieces: list[exp.Expression] = [lit(kind)]
    for part in parts:
        pieces += [lit(SEPARATOR), exp.Coalesce(this=text(part), expressions=[lit("")])]
    return alias(exp.Concat(expressions=pieces), "found")


def header_check(source: PivotedSource, target: SqlTarget) -> exp.Expression:
    """`KIND | LINE | COLUMN | TEXT`: no header row; a period heading that does not read as the
    source's format; a value in a data line under no heading (its column lost on the header row)."""
    missing = (
        exp.select(_found(NO_HEADER, lit(""), lit(""), lit("")), alias(lit(0), "line"), copy=False)
        .from_(table(HEADER), copy=False)
        .where(exp.Is(this=col("header_line"), expression=exp.Null()), copy=False)
    )
    unreadable = (
        exp.select(
            _found(BAD_PERIOD, col("header_line"), col("cell_column"), col("period_raw")),
            alias(col("header_line"), "line"),
            copy=False,
        )
        .from_(_parsed_headings(source).subquery("periods", copy=False), copy=False)
        .join(exp.Join(this=table(HEADER), kind="CROSS"), copy=False)
        .where(unreadable_period(source.period), copy=False)
    )
    same_line = exp.EQ(this=col("source_line", "c"), expression=col("source_line", "a"))
    same_column = exp.EQ(this=col("cell_column", "c"), expression=col("cell_column", "p"))
    headless = (
        exp.select(
            _found(
                NO_HEADING,
                col("source_line", "c"),
                col("cell_column", "c"),
                exp.Trim(this=col("cell", "c")),
            ),
            alias(col("source_line", "c"), "line"),
            copy=False,
        )
        .from_(table(CELLS, "c"), copy=False)
        .join(inner_join(table(AREA_CELLS, "a"), same_line), copy=False)
        .join(left_join(table(HEADINGS, "p"), same_column), copy=False)
        .where(
            and_all(
                [
                    exp.Is(this=col("heading", "p"), expression=exp.Null()),
                    _not_blank(col("cell", "c")),
                ]
            ),
            copy=False,
        )
    )
    query = (
        exp.select(col("found"), copy=False)
        .from_(union_all([missing, unreadable, headless]).subquery("found", copy=False), copy=False)
        .order_by(col("line"), col("found"), copy=False)
    )
    for name, cte in cell_ctes(source, target):
        query = query.with_(name, as_=cte, copy=False)
    return query


def header_check_node(node: PivotedHeaderCheckNode, target: SqlTarget) -> exp.Expression:
    return header_check(node.source, target)


def value_check(source: PivotedSource, target: SqlTarget, joined: exp.Expression) -> exp.Select:
    """values.value_check's rows for a pivoted source: each value cell, `LINE | HEADING | CELL`
    (`joined` builds the text), that is not blank, not a missing marker and not a number."""
    cell = exp.Trim(this=text(col("cell")))
    conditions: list[exp.Expr] = []
    if source.missing_markers:
        markers = [lit(marker) for marker in source.missing_markers]
        conditions.append(exp.Not(this=exp.In(this=cell.copy(), expressions=markers)))
    conditions.append(exp.Is(this=read_number(col("cell"), ()), expression=exp.Null()))
    query = (
        exp.select(alias(joined, "found"), copy=False)
        .from_(value_cells(source).subquery("value_cells", copy=False), copy=False)
        .where(and_all(conditions), copy=False)
        .order_by(col("source_line"), col("period_raw"), copy=False)
    )
    for name, cte in cell_ctes(source, target):
        query = query.with_(name, as_=cte, copy=False)
    return query
