"""Every statement indexc emits for Snowflake parses as Snowflake SQL and uses only Snowflake's functions."""

from __future__ import annotations

import datetime
import re

import pytest
import sqlglot
from conftest import FIXTURES

from indexc.generate.snowflake_check import snowflake_problems
from indexc.geography import GeographyOptions
from indexc.project import Project


@pytest.mark.parametrize(
    "project_name",
    [
        pytest.param("example", marks=pytest.mark.slow),
        "tiny",
        pytest.param("geo", marks=pytest.mark.slow),
        pytest.param("geo restated backward", marks=pytest.mark.slow),
        pytest.param("method", marks=pytest.mark.slow),
    ],
)
def test_written_build_files_parse_statement_by_statement(
    project_name, example_project, tiny_project, geo_project, method_project
) -> None:
    project = {"example": example_project, "tiny": tiny_project, "method": method_project}.get(
        project_name, geo_project
    )
    backward = (
        GeographyOptions(date=datetime.date(2018, 4, 1)) if "backward" in project_name else None
    )
    build = Project(project, backward).build("snowflake")
    files = sorted(build.path.glob("*.sql"))
    assert len(files) == len(build.objects) > 10
    for path in files:
        text = path.read_text()
        assert snowflake_problems(text) == [], path.name
        assert len([s for s in sqlglot.parse(text, read="snowflake") if s is not None]) == 1


def test_the_check_rejects_duckdb_only_functions_and_types() -> None:
    problems = snowflake_problems(
        "SELECT READ_CSV('x.csv'), CAST(1 AS HUGEINT), LIST_VALUE(1), STRUCT_PACK(a := 1)"
    )
    assert any("READ_CSV" in p for p in problems)
    assert any("LIST_VALUE" in p for p in problems)
    assert any("type" in p for p in problems)


def test_the_duckdb_build_would_not_pass_as_snowflake() -> None:
    build = Project(FIXTURES / "tiny").build("duckdb", write=False)
    sources = [o for o in build.objects if o.name.startswith("source__")]
    assert sources and all(
        any("READ_CSV" in p for p in snowflake_problems(o.statement)) for o in sources
    )


def test_the_check_rejects_sql_that_does_not_parse() -> None:
    assert snowflake_problems("SELECT FROM WHERE (")[0].startswith("does not parse")


@pytest.mark.slow
def test_every_publishing_statement_passes_the_snowflake_check(example_project) -> None:
    """fakesnow cannot run `ALTER SCHEMA ... SWAP WITH` (tests/fakesnow_server.py stands in for it), so
    its text is held here to Snowflake's documented form: ALTER SCHEMA [IF EXISTS] <name> SWAP WITH <name>."""
    from indexc.generate import sql_target
    from indexc.generate.publish import (
        Publication,
        frozen_names,
        publish_statements,
        reset_build_schema,
    )

    build = Project(example_project).build("snowflake", write=False)
    target = sql_target(build.target)
    statements = publish_statements(
        target,
        build.objects,
        Publication("sha256:0", datetime.date(2025, 4, 1), "snowflake"),
        set(frozen_names(build.compilation.catalog.indexes)),
    )
    *others, swap = statements
    assert (
        swap.sql
        == 'ALTER SCHEMA "INDEXC"."INDEX_PUBLISHED__SWAP" SWAP WITH "INDEXC"."INDEX_PUBLISHED"'
    )
    assert [s.sql.split(" (", 1)[0] for s in others[:3]] == [
        'CREATE SCHEMA IF NOT EXISTS "INDEXC"."INDEX_PUBLISHED"',
        'DROP SCHEMA IF EXISTS "INDEXC"."INDEX_PUBLISHED__SWAP" CASCADE',
        'CREATE SCHEMA "INDEXC"."INDEX_PUBLISHED__SWAP"',
    ]
    for statement in [*others, reset_build_schema(target)]:
        sql = statement if isinstance(statement, str) else statement.sql
        assert snowflake_problems(sql) == [], sql
    assert sum(" CLONE " in s.sql for s in others) > 10  # tables are cloned, not copied
    created = [s.sql for s in others if s.sql.startswith("CREATE")]
    assert all(
        re.match(r'CREATE (TABLE|VIEW|SCHEMA)( IF NOT EXISTS)? "INDEXC"\."INDEX_PUBLISHED', sql)
        for sql in created
    )
