"""DuckDB's quantiles of one column in one SELECT share one sort (generate/targets.py), with the same
values as separate quantiles; windowed quantiles and Snowflake's SQL are left as written."""

from __future__ import annotations

import duckdb
import sqlglot
from sqlglot.dialects.dialect import Dialect

from indexc.generate.targets import Printer

QUERY = """
SELECT g, QUANTILE_CONT(v, 0.5) AS median, QUANTILE_CONT(v, 0.05) AS low, QUANTILE_CONT(v, 0.95) AS high,
       QUANTILE_CONT(w, 0.5) AS other, (SELECT QUANTILE_CONT(v, 0.9) FROM t) AS nested
FROM t GROUP BY g ORDER BY g
"""


def _duckdb(sql: str) -> str:
    return Printer(Dialect.get_or_raise("duckdb"), str.lower, True).render(
        sqlglot.parse_one(sql, read="duckdb")
    )


def test_quantiles_of_one_column_share_a_list_and_give_the_same_values() -> None:
    shared = _duckdb(QUERY)
    assert 'QUANTILE_CONT("v", [0.05, 0.5, 0.95])[2] AS "median"' in shared
    assert 'QUANTILE_CONT("v", [0.05, 0.5, 0.95])[1] AS "low"' in shared
    assert 'QUANTILE_CONT("w", 0.5) AS "other"' in shared  # alone in its column
    assert 'QUANTILE_CONT("v", 0.9)' in shared  # another SELECT
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT i % 7 AS g, (i * 7919) % 1000 / 7.0 AS v, i / 3.0 AS w "
        "FROM range(10000) AS r(i)"
    )
    assert con.execute(shared).fetchall() == con.execute(QUERY).fetchall()


def test_windowed_quantiles_and_snowflake_are_left_alone() -> None:
    windowed = "SELECT QUANTILE_CONT(v, 0.1) OVER (PARTITION BY g) AS a, QUANTILE_CONT(v, 0.9) OVER () AS b FROM t"
    assert "[" not in _duckdb(windowed)
    snowflake = Printer(Dialect.get_or_raise("snowflake"), str.upper).render(
        sqlglot.parse_one(QUERY, read="duckdb")
    )
    assert snowflake.count("PERCENTILE_CONT(") == 5 and "[" not in snowflake
