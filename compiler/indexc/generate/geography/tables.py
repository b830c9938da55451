"""The geography's static tables, the area register and the paths, as typed VALUES.

They come from the specs, not from data; a literal table's column types are
written out, so that they never depend on its rows (an empty register is a
typed empty table, not an untyped NULL).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sqlglot import exp

from indexc.generate.expressions import alias, cast, col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import AggregationEdgesNode, AreasNode, PathsNode

Value = str | float | int | bool | datetime.date | None


def literal(value: Value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, datetime.date):
        return lit(value.isoformat())
    return lit(value)


def typed_values(
    rows: Sequence[Sequence[Value]], name: str, columns: Sequence[tuple[str, str]]
) -> exp.Select:
    """SELECT CAST(c AS type) ... FROM (VALUES ...): a literal table whose column types never depend on its rows."""
    typed = [
        alias(
            cast(col(column), kind)
            if kind != "boolean"
            else exp.Cast(this=col(column), to=exp.DataType(this=exp.DataType.Type.BOOLEAN)),
            column,
        )
        for column, kind in columns
    ]
    if not rows:
        empty = [
            alias(cast(exp.Null(), kind) if kind != "boolean" else exp.Null(), column)
            for column, kind in columns
        ]
        return exp.select(*empty, copy=False).where(
            exp.EQ(this=lit(1), expression=lit(0)), copy=False
        )
    values = exp.Values(
        expressions=[exp.Tuple(expressions=[literal(v) for v in row]) for row in rows],
        alias=exp.TableAlias(
            this=exp.to_identifier(name), columns=[exp.to_identifier(c) for c, _ in columns]
        ),
    )
    return exp.select(*typed, copy=False).from_(values, copy=False)


def areas(node: AreasNode, target: SqlTarget) -> exp.Expression:
    columns = [
        ("area_code", "varchar"),
        ("name", "varchar"),
        ("type", "varchar"),
        ("parent", "varchar"),
        ("valid_from", "date"),
        ("valid_to", "date"),
        ("provisional", "boolean"),
    ]
    return typed_values(
        [
            (a.code, a.name, a.type, a.parent, a.valid_from, a.valid_to, a.provisional)
            for a in node.areas
        ],
        "areas",
        columns,
    )


def paths(node: PathsNode, target: SqlTarget) -> exp.Expression:
    columns = [
        ("path_id", "varchar"),
        ("level", "varchar"),
        ("from_code", "varchar"),
        ("geo_from", "varchar"),
        ("geo_to", "varchar"),
        ("to_code", "varchar"),
        ("weight", "double"),
        ("dynamic", "boolean"),
        ("frozen", "boolean"),
        ("contributors", "int"),
        ("route", "varchar"),
        ("method", "varchar"),
        ("method_rank", "int"),
        ("divided_at", "varchar"),
    ]
    return typed_values(
        [
            (
                p.path_id,
                p.level,
                p.from_code,
                p.geo_from,
                p.geo_to,
                p.to_code,
                p.weight,
                p.dynamic,
                p.frozen,
                p.contributors,
                p.route,
                p.method,
                p.method_rank,
                p.divided_at,
            )
            for p in node.paths
        ],
        "paths",
        columns,
    )


def aggregation_edges(node: AggregationEdgesNode, target: SqlTarget) -> exp.Expression:
    """The columns of an area map's edges (every edge weighs 1 and holds on every day: the data was
    restated onto the geography date's codes first), so the group's SQL aggregates through them."""
    columns = [
        ("from_code", "varchar"),
        ("to_code", "varchar"),
        ("name", "varchar"),
        ("weight", "double"),
        ("weight_to", "double"),
        ("valid_from", "date"),
        ("valid_to", "date"),
    ]
    rows = [(e.from_code, e.to_code, e.name, 1.0, None, None, None) for e in node.edges]
    return typed_values(rows, "edges", columns)
