"""SQL for registers: a register source's areas, and the check that no code is in force twice at once.

A register is read as written (code, name, type and the dates between which each code was in force);
two rows of one code whose validity overlaps contradict each other, and the run stops (IX702).
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    blank_is_missing,
    cast,
    col,
    inner_join,
    table,
    text,
    window,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.nodes import RegisterCheckNode, RegisterNode


def register(node: RegisterNode, target: SqlTarget) -> exp.Expression:
    """Areas with names, types and the dates between which their code was in force."""
    columns = node.source.columns

    def date_or_null(column: str | None) -> exp.Expression:
        return blank_is_missing(col(column), "date") if column else cast(exp.Null(), "date")

    return exp.select(
        alias(exp.Trim(this=text(col(columns.area))), "area_code"),
        alias(text(col(columns.name)), "name"),
        alias(text(col(columns.type)), "type"),
        alias(date_or_null(columns.valid_from), "valid_from"),
        alias(date_or_null(columns.valid_to), "valid_to"),
        copy=False,
    ).from_(target.source_relation(node.source.id), copy=False)


def register_check(node: RegisterCheckNode, target: SqlTarget) -> exp.Expression:
    """Codes with two rows whose validity overlaps (a missing date is open-ended)."""
    numbered = exp.select(
        col("area_code"),
        col("valid_from"),
        col("valid_to"),
        alias(
            window(exp.RowNumber(), ("area_code",), exp.Ordered(this=col("valid_from"))),
            "row_number",
        ),
        copy=False,
    ).from_(target.object_table(node.register_object), copy=False)

    def open_or(
        bound: exp.Expression, start: exp.Expression, comparison: type[exp.Binary]
    ) -> exp.Expression:
        return exp.Paren(
            this=exp.or_(
                exp.Is(this=bound, expression=exp.Null()),
                exp.Is(this=start, expression=exp.Null()),
                comparison(this=start.copy(), expression=bound.copy()),
            )
        )

    overlap = and_all(
        [
            exp.EQ(this=col("area_code", "a"), expression=col("area_code", "b")),
            exp.LT(this=col("row_number", "a"), expression=col("row_number", "b")),
            open_or(col("valid_to", "a"), col("valid_from", "b"), exp.LTE),
            open_or(col("valid_to", "b"), col("valid_from", "a"), exp.LTE),
        ]
    )
    return (
        exp.select(col("area_code", "a"), copy=False)
        .distinct(copy=False)
        .from_(table("numbered", "a"), copy=False)
        .join(inner_join(table("numbered", "b"), overlap), copy=False)
        .order_by(col("area_code", "a"), copy=False)
        .with_("numbered", as_=numbered, copy=False)
    )
