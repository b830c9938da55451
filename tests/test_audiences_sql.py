"""The audiences' SQL, read as text: snapshots of the example's audience files, and what each
Snowflake role is granted, checked statically (fakesnow runs no GRANT nor CREATE ROLE).

A role must be granted USAGE on its database and on its own audience schema, and SELECT on views of
that schema, and nothing else: never the published, build or snapshot schema, never another
audience's schema. Every other statement passes the Snowflake static check.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlglot
from conftest import FIXTURES, copy_project
from sqlglot import exp
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from indexc.emit import audience_file_text
from indexc.generate.publish import CommandStatement, Prune
from indexc.generate.snowflake_check import snowflake_problems
from indexc.project import Project

AUDIENCES = """indexc: 2
audiences:
  - {id: public, sees: headline}
  - {id: client, sees: results}
  - {id: internal, sees: everything}
"""
CREATE_ROLE = re.compile(r'^CREATE ROLE IF NOT EXISTS "[A-Z][A-Z0-9_]*"$')
"""Snowflake's documented form: CREATE [ OR REPLACE ] ROLE [ IF NOT EXISTS ] <name>."""


class SqlSnapshot(SingleFileSnapshotExtension):
    file_extension = "sql"
    _write_mode = WriteMode.TEXT


def tiny_with_audiences(root: Path) -> Path:
    copy_project(FIXTURES / "tiny", root)
    spec = root / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace("publish: {top: 3}", "publish: {top: 3, headline: true}")
    )
    (root / "specs" / "audiences.yaml").write_text(AUDIENCES)
    return root


def grants_of(sql: str) -> exp.Grant | None:
    parsed = sqlglot.parse_one(sql, read="snowflake")
    return parsed if isinstance(parsed, exp.Grant) else None


def name(node: exp.Expression) -> str:
    return node.sql(dialect="snowflake").replace('"', "")


def test_each_role_is_granted_its_own_schema_only(tmp_path: Path) -> None:
    build = Project(tiny_with_audiences(tmp_path / "tiny")).build("snowflake", write=False)
    schemas = {a.audience_id: a.schema for a in build.audiences}
    assert schemas == {
        "client": "TINY_INDEX_PUBLISHED__AUDIENCE__CLIENT",
        "internal": "TINY_INDEX_PUBLISHED__AUDIENCE__INTERNAL",
        "public": "TINY_INDEX_PUBLISHED__AUDIENCE__PUBLIC",
    }
    for audience in build.audiences:
        role = audience.role
        assert role == f"TINY_{audience.audience_id.upper()}"
        own = f"TINY.{audience.schema}"
        granted = []
        for statement in audience.statements:
            if isinstance(statement, CommandStatement):
                assert CREATE_ROLE.match(statement.sql) and role in statement.sql
                continue
            assert snowflake_problems(statement.sql) == [], statement.sql
            others = [s for a, s in schemas.items() if a != audience.audience_id]
            assert not any(other in statement.sql for other in others)
            grant = grants_of(statement.sql)
            if grant is None:
                continue
            assert [(p.args["kind"], name(p.this)) for p in grant.args["principals"]] == [
                ("ROLE", role)
            ]
            assert [p.sql(dialect="snowflake") for p in grant.args["privileges"]] in (
                ["USAGE"],
                ["SELECT"],
            )
            granted.append((grant.args["kind"], name(grant.args["securable"])))
        assert granted[:2] == [("DATABASE", "TINY"), ("SCHEMA", own)]
        assert sorted(granted[2:]) == sorted(
            ("VIEW", f"{own}.{view.upper()}") for view in audience.relations
        )


def test_views_are_secure_on_snowflake_and_plain_on_duckdb(tmp_path: Path) -> None:
    project = Project(tiny_with_audiences(tmp_path / "tiny"))
    for target, secure in (("snowflake", True), ("duckdb", False)):
        [public] = [a for a in project.build(target, write=False).audiences if a.sees == "headline"]
        [view] = [s.sql for s in public.statements if s.sql.startswith("CREATE OR REPLACE")]
        assert view.startswith(
            "CREATE OR REPLACE SECURE VIEW" if secure else "CREATE OR REPLACE VIEW"
        )
        assert [s for s in public.statements if isinstance(s, Prune)], "the schema is pruned"


def test_the_audience_files_are_written_and_listed(tmp_path: Path) -> None:
    root = tiny_with_audiences(tmp_path / "tiny")
    build = Project(root).build("snowflake")
    files = sorted(p.name for p in (build.path / "audiences").glob("*.sql"))
    assert files == ["client.sql", "internal.sql", "public.sql"]
    text = (build.path / "audiences" / "public.sql").read_text()
    assert text.count("GRANT ") == 3 and "CREATE ROLE IF NOT EXISTS" in text

    manifest = json.loads((build.path / "manifest.json").read_text())
    assert [a["file"] for a in manifest["audiences"]] == [
        "audiences/client.sql",
        "audiences/internal.sql",
        "audiences/public.sql",
    ]


@pytest.mark.slow  # compiles the example for both targets
def test_the_example_audience_files(example_builds, snapshot) -> None:
    """The example's audience files per target, snapshotted like the objects' SQL."""
    snapshot_sql = snapshot.use_extension(SqlSnapshot)
    mismatched = [
        f"{target}-audience-{audience.audience_id}"
        for target, build in example_builds.items()
        for audience in build.audiences
        if not audience_file_text(audience, target)
        == snapshot_sql(name=f"{target}-audience-{audience.audience_id}")
    ]
    assert mismatched == []
    assert sorted(a.audience_id for a in example_builds["snowflake"].audiences) == [
        "client",
        "internal",
        "public",
    ]
