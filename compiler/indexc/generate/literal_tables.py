"""The query of a literal table (an index's bindings, rules, lens edges): a VALUES list, or on DuckDB,
for a long table, each column written as one string and split.

DuckDB plans a VALUES list at about 19 µs a row: 38 ms for 2,000 rows of four columns, the most
costly statement of a national index after the three that read every value. Split strings
(`CAST(UNNEST(STR_SPLIT('a|b', '|')) AS type)`, one per column, unnested in step) take 2 ms. A table
under SPLIT_FROM rows stays a VALUES list, which a reviewer reads row by row; so do a table with a
value the split form cannot carry (NULL, a non-finite number) and one whose column uses every
separator. Snowflake keeps VALUES: it has no split that unnests columns in step.
"""

from __future__ import annotations

import math

from sqlglot import exp

from indexc.generate.expressions import alias, cast, lit
from indexc.generate.targets import SqlTarget
from indexc.generate.templating import render
from indexc.plan.template_params import Cell, Column, LiteralTableParams

SPLIT_FROM = 100
SEPARATORS = ("|", "~", "^", ";", "#", "!", "`")


def literal_table(params: LiteralTableParams, target: SqlTarget) -> exp.Expression:
    columns, rows = params.columns, params.rows
    if target.name == "duckdb" and len(rows) >= SPLIT_FROM:
        split = split_columns(columns, rows)
        if split is not None:
            return split
    values = exp.Values(
        expressions=[
            exp.Tuple(expressions=[exp.Null() if v is None else lit(v) for v in row])
            for row in rows
        ]
    )
    return render("literal_table.sql.j2", target, {"rows": values}, columns=columns)


def split_columns(columns: list[Column], rows: list[list[Cell]]) -> exp.Select | None:
    """SELECT CAST(UNNEST(STR_SPLIT('<column's values>', '<separator>')) AS <type>) AS <name>, ... or None
    when a column cannot be written so."""
    selects = []
    for position, column in enumerate(columns):
        texts = [t for t in (_as_text(row[position]) for row in rows) if t is not None]
        if len(texts) < len(rows):
            return None
        separator = next((s for s in SEPARATORS if not any(s in t for t in texts)), None)
        if separator is None:
            return None
        parts = exp.Explode(
            this=exp.Split(this=lit(separator.join(texts)), expression=lit(separator))
        )
        selects.append(alias(cast(parts, column["type"]), column["name"]))
    return exp.select(*selects, copy=False)


def _as_text(value: Cell) -> str | None:
    """The text a cast reads back as the same value: a float's repr round-trips; None where none does."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return str(value)
