"""Printing a tree (targets.Printer) leaves it as it was, so it prints alike again, for either target.

The printer folds and quotes identifiers, puts VALUES rows on one line and shares DuckDB's
quantiles by changing the tree before sqlglot's stock generator prints it; it must undo all of it.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from indexc.generate.targets import Printer

# Written for this test: every construct the printer changes, in one statement.
QUERY = """
SELECT Area, QUANTILE_CONT(Score, 0.25) AS Low, QUANTILE_CONT(Score, 0.75) AS "High",
       QUANTILE_CONT(Score, 0.5) OVER () AS Windowed
FROM (VALUES ('E06000001', 1.5), ('E06000002', 2.5)) AS Scores(Area, Score)
GROUP BY Area
"""


def _printers() -> tuple[Printer, Printer]:
    return (
        Printer(Dialect.get_or_raise("duckdb"), str.lower, True),
        Printer(Dialect.get_or_raise("snowflake"), str.upper),
    )


def test_printing_leaves_the_tree_as_it_was() -> None:
    tree = sqlglot.parse_one(QUERY, read="duckdb")
    before = repr(tree)
    duckdb, snowflake = _printers()
    first = duckdb.render(tree)
    assert repr(tree) == before
    assert duckdb.render(tree) == first


def test_one_tree_prints_for_each_target_as_a_fresh_one_does() -> None:
    """DuckDB first: sqlglot's Snowflake generator itself rewrites a quantile in the tree it prints
    (WITHIN GROUP), as it did before the printer; the printer undoes only its own changes."""
    duckdb, snowflake = _printers()
    shared = sqlglot.parse_one(QUERY, read="duckdb")
    in_turn = [duckdb.render(shared), snowflake.render(shared)]
    fresh = [
        duckdb.render(sqlglot.parse_one(QUERY, read="duckdb")),
        snowflake.render(sqlglot.parse_one(QUERY, read="duckdb")),
    ]
    assert in_turn == fresh
    assert '"area"' in fresh[0] and '"AREA"' in fresh[1] and '"High"' in fresh[1]
    assert "('E06000001', 1.5)" in fresh[0]  # a VALUES row on one line
    assert "[0.25, 0.75]" in fresh[0] and "[" not in fresh[1]


def test_a_node_shared_by_two_trees_is_folded_for_each_target() -> None:
    """A column object reused in two trees (builders may share one) prints in each target's case."""
    column = exp.column("Score")
    duckdb, snowflake = _printers()
    assert duckdb.render(exp.select(column, copy=False)).endswith('"score"')
    assert snowflake.render(exp.select(column, copy=False)).endswith('"SCORE"')
