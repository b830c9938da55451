"""A literal table (an index's bindings, rules, lens edges) reads back the rows the compiler wrote, in
either form: VALUES, or on DuckDB from SPLIT_FROM rows, one split string per column
(generate/literal_tables.py). Both forms are executed on DuckDB and compared row by row."""

from __future__ import annotations

import duckdb
import pytest

from indexc.generate.literal_tables import SEPARATORS, SPLIT_FROM, literal_table
from indexc.generate.targets import DuckDBSql, SnowflakeSql
from indexc.plan.template_params import LiteralTableParams
from indexc.spec.targets import DuckDBTarget, SnowflakeTarget

DUCKDB = DuckDBSql(DuckDBTarget.model_validate({"target": "duckdb"}))
SNOWFLAKE = SnowflakeSql(
    SnowflakeTarget.model_validate(
        {"target": "snowflake", "database": "DB", "connection": {"name": "ci"}}
    )
)
COLUMNS = [
    {"name": "name", "type": "varchar"},
    {"name": "rank", "type": "int"},
    {"name": "weight", "type": "double"},
]
AWKWARD = [  # quotes, every first-choice separator, accents, nothing at all; negative, tiny, huge and inexact numbers
    ["O'Brien", -1, 0.1],
    ["a|b", 0, 1e-07],
    ["Ynys Môn", 2147483647, 1 / 3],
    ["", -2147483647, -2.5],
    ["tab\there", 7, 1e16],
    ["new\nline", 8, 0.30000000000000004],
]


def _table(rows: list[list], columns: list[dict] = COLUMNS) -> LiteralTableParams:
    return LiteralTableParams(columns=columns, rows=rows)


def _rows(target, table: LiteralTableParams) -> tuple[str, list[tuple]]:
    sql = target.render(literal_table(table, target))
    return sql, duckdb.connect().execute(sql).fetchall()


def _many(rows: list[list]) -> list[list]:
    return [
        [f"{row[0]}#{i}", row[1], row[2]]
        for i in range(SPLIT_FROM // len(rows) + 1)
        for row in rows
    ]


def test_a_long_table_on_duckdb_is_split_and_reads_back_every_row_exactly() -> None:
    rows = _many(AWKWARD)
    sql, got = _rows(DUCKDB, _table(rows))
    assert "STR_SPLIT" in sql and "VALUES" not in sql
    assert got == [tuple(row) for row in rows]
    assert "'~'" in sql  # '|' is in a name, so that column is split at the next separator


def test_a_short_table_and_snowflake_keep_values_that_read_the_same() -> None:
    short = AWKWARD[:3]
    sql, got = _rows(DUCKDB, _table(short))
    assert "VALUES" in sql and got == [tuple(row) for row in short]
    snowflake = SNOWFLAKE.render(literal_table(_table(_many(AWKWARD)), SNOWFLAKE))
    assert "VALUES" in snowflake and "SPLIT" not in snowflake


@pytest.mark.parametrize(
    "why, rows",
    [
        ("a column uses every separator", [["".join(SEPARATORS), 1, 1.0]]),
        ("a value is missing", [[None, 1, 1.0]]),
    ],
)
def test_a_table_the_split_cannot_carry_stays_values(why: str, rows: list[list]) -> None:
    rows = rows + _many(AWKWARD[:1])
    sql, got = _rows(DUCKDB, _table(rows))
    assert "VALUES" in sql and "STR_SPLIT" not in sql, why
    assert got == [tuple(row) for row in rows]
