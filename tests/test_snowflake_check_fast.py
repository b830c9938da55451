"""The static Snowflake check's shortcuts give exactly the verdicts of the check without them.

Function names looked up by class must equal the names generated node by node, and a verdict
remembered under a statement's hash must be the verdict the check reaches on that text.
"""

from __future__ import annotations

import pytest
import sqlglot
from conftest import FIXTURES
from sqlglot import exp

from indexc.generate import snowflake_check
from indexc.generate.snowflake_check import (
    check_statement,
    function_name,
    generated_name,
    remember_verdicts,
    snowflake_problems,
    statement_key,
    verdicts,
)
from indexc.project import Project

# Written for this test: DuckDB-only functions and types the check must name, one per statement
# and together, with a comment on a function (the one case generated even for a known class).
DUCKDB_ONLY = [
    "SELECT * FROM READ_CSV('x.csv', header = TRUE, all_varchar = TRUE)",
    "SELECT * FROM READ_PARQUET('x.parquet')",
    "SELECT CAST(1 AS HUGEINT), CAST(2 AS UBIGINT), CAST(NULL AS INT[])",
    "SELECT LIST_VALUE(1, 2), STRUCT_PACK(a := 1), QUANTILE_CONT(x, [0.25, 0.75])[1] FROM t",
    "SELECT STRING_SPLIT(a, ','), REGEXP_MATCHES(a, 'x'), MAKE_DATE(2020, 1, 1) FROM t",
    "SELECT ABS(x) /* a note */, ARRAY_AGG(x), EPOCH_MS(1) FROM t",
    "SELECT FROM WHERE (",
    "SELECT 1; SELECT 2",
]


@pytest.mark.slow
def test_every_statement_of_the_example_gets_the_same_verdict_both_ways(example_builds) -> None:
    """On both targets' statements (DuckDB's fail the check: they must fail it alike)."""
    failing = 0
    for target, build in example_builds.items():
        for obj in build.objects:
            fast = check_statement(obj.statement)
            assert fast == check_statement(obj.statement, generate_names=True), (target, obj.name)
            failing += bool(fast)
    assert failing > 0  # the DuckDB statements read files, which Snowflake has no function for


@pytest.mark.parametrize("sql", DUCKDB_ONLY)
def test_duckdb_only_functions_and_types_get_the_same_verdict(sql: str) -> None:
    fast = check_statement(sql)
    assert fast and fast == check_statement(sql, generate_names=True)


def parses(sql: str) -> bool:
    try:
        return len(sqlglot.parse(sql, read="snowflake")) == 1
    except sqlglot.ParseError:
        return False


@pytest.mark.slow
def test_a_name_looked_up_by_class_is_the_generated_name() -> None:
    """Every function node of the tiny fixture's Snowflake build and of the DuckDB-only statements."""
    build = Project(FIXTURES / "tiny").build("snowflake", write=False)
    texts = [o.statement for o in build.objects] + [s for s in DUCKDB_ONLY if parses(s)]
    nodes = [
        node
        for text in texts
        for node in sqlglot.parse_one(text, read="snowflake").find_all(exp.Func)
    ]
    assert len({type(node) for node in nodes}) > 10
    assert [function_name(n) for n in nodes] == [generated_name(n) for n in nodes]


def test_a_class_the_generator_prints_its_own_way_is_generated() -> None:
    """Snowflake prints exp.Pad as LPAD or RPAD: its name is never taken from the class."""
    left = sqlglot.parse_one("SELECT LPAD(a, 3, '0'), RPAD(a, 3, '0')", read="snowflake")
    assert [function_name(p) for p in left.find_all(exp.Pad)] == ["LPAD", "RPAD"]


def test_a_verdict_is_remembered_under_the_statement_and_the_check_version(monkeypatch) -> None:
    sql = DUCKDB_ONLY[0]
    expected = check_statement(sql)
    assert snowflake_problems(sql) == expected
    saved = verdicts()
    assert saved[statement_key(sql)] == expected

    monkeypatch.setattr(snowflake_check, "_VERDICTS", {})

    def no_parsing(sql: str) -> list[str]:
        raise AssertionError("a remembered verdict was checked again")

    remember_verdicts(saved)
    monkeypatch.setattr(snowflake_check, "check_statement", no_parsing)
    assert snowflake_problems(sql) == expected


def test_the_key_changes_with_the_text_and_with_the_check(monkeypatch) -> None:
    key = statement_key("SELECT 1")
    assert statement_key("SELECT 1 ") != key
    monkeypatch.setattr(snowflake_check, "_VERSION", "another version of the check")
    assert statement_key("SELECT 1") != key
    assert sqlglot.__version__ in snowflake_check.check_version()
