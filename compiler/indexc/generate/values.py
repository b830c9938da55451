"""SQL for the checks on how a source's values read: cells that are not numbers, and values outside
their own confidence limits (plan/nodes.py ValueCheckNode, LimitCheckNode).

A source's table reads each value cell with TRY_CAST (expressions.read_number), so a cell such as
`n/a` does not stop the statement with an engine error that names neither its line nor its column;
this check reads the source's rows again and returns each such cell, as one text per cell, which
run_failures.py turns into a diagnostic at the file, line and column.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate import pivoted
from indexc.generate.expressions import (
    alias,
    and_all,
    col,
    lit,
    read_number,
    table,
    text,
    trimmed_text,
    union_all,
)
from indexc.generate.inputs import item_key
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import LimitCheckNode, ValueCheckNode
from indexc.spec.sources import LongSource, PivotedSource

SEPARATOR = " | "  # between the parts of a check's text; the last part may hold anything
ROWS = "rows"


def _joined(parts: list[exp.Expression]) -> exp.Expression:
    """The parts as one text, a missing part (no line on a table) as ''."""
    pieces: list[exp.Expression] = []
    for part in parts:
        pieces += [lit(SEPARATOR)] if pieces else []
        if isinstance(part, exp.Literal):
            pieces.append(part)
            continue
        shown = part if isinstance(part, exp.Trim) else text(part)
        pieces.append(exp.Coalesce(this=shown, expressions=[lit("")]))
    return exp.Concat(expressions=pieces)


def _value_columns(node: ValueCheckNode) -> list[str]:
    source = node.source
    if isinstance(source, LongSource):
        return list(source.columns.value_columns.values())
    return sorted(source.items)


def value_check(node: ValueCheckNode, target: SqlTarget) -> exp.Expression:
    """`LINE | COLUMN | CELL`: each value cell that is not blank, not a missing marker and not a number.

    A long source's rows of items it does not declare are never read, so are not checked either; a
    pivoted source's column is its period's heading (generate/pivoted.py)."""
    source = node.source
    if isinstance(source, PivotedSource):
        parts = [col("source_line"), col("period_raw"), trimmed_text(col("cell"))]
        return pivoted.value_check(source, target, _joined(parts))
    rows = exp.select(exp.Star(), copy=False).from_(target.numbered_source(source.id), copy=False)
    if isinstance(source, LongSource):
        declared = exp.In(
            this=item_key(source.columns.item_columns),
            expressions=[lit(item) for item in sorted(source.items)],
        )
        rows = rows.where(declared, copy=False)
    selects = []
    for position, column in enumerate(_value_columns(node)):
        cell = trimmed_text(col(column))
        conditions: list[exp.Expr] = [exp.NEQ(this=cell, expression=lit(""))]
        if source.missing_markers:
            markers = [lit(marker) for marker in source.missing_markers]
            conditions.append(exp.Not(this=exp.In(this=cell.copy(), expressions=markers)))
        conditions.append(exp.Is(this=read_number(col(column), ()), expression=exp.Null()))
        unread = and_all(conditions)
        selects.append(
            exp.select(
                alias(_joined([col("source_line"), lit(column), cell.copy()]), "found"),
                col("source_line"),
                alias(lit(position), "position"),
                copy=False,
            )
            .from_(table(ROWS), copy=False)
            .where(unread, copy=False)
        )
    return (
        exp.select(col("found"), copy=False)
        .from_(union_all(selects).subquery("found", copy=False), copy=False)
        .order_by(col("source_line"), col("position"), col("found"), copy=False)
        .with_(ROWS, as_=rows, copy=False)
    )


def limit_check(node: LimitCheckNode, target: SqlTarget) -> exp.Expression:
    """`LINE | AREA | PERIOD | LCI | VALUE | UCI | ITEM`: rows whose value, with both limits present, is
    below its lower or above its upper confidence limit."""
    present = [
        exp.Not(this=exp.Is(this=col(c), expression=exp.Null())) for c in ("value", "lci", "uci")
    ]
    outside = exp.or_(
        exp.GT(this=col("lci"), expression=col("value")),
        exp.GT(this=col("value"), expression=col("uci")),
    )
    parts = ["source_line", "area_code", "period", "lci", "value", "uci", "item"]
    return (
        exp.select(alias(_joined([col(p) for p in parts]), "found"), copy=False)
        .from_(target.object_table(node.source_object), copy=False)
        .where(and_all([*present, outside]), copy=False)
        .order_by(col("source_line"), col("area_code"), col("period"), col("item"), copy=False)
    )


__all__ = ["limit_check", "value_check"]
