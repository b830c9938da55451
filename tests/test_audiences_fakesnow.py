"""The public audience on Snowflake, run through the real connector on a local fakesnow server:
its secure view returns exactly the headline rows and columns, read after the swap.

fakesnow 0.12.1 runs `CREATE SECURE VIEW` (as a plain view: it reports is_secure NO) but parses
neither `CREATE ROLE` nor `GRANT`: the stand-in connection (tests/fakesnow_server.py) records them
without running them, and they are checked here by their text and in test_audiences_sql.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakesnow_server import SWAP
from test_audiences_sql import CREATE_ROLE, tiny_with_audiences
from test_snowflake_fakesnow import (
    plain,
    prepare_fakesnow,
    stand_in_for_snowflake,
    statically_checked,
)

from indexc.engines import snowflake as snowflake_engine
from indexc.project import Project

pytestmark = pytest.mark.fakesnow

HEADLINE_COLUMNS = ["PERIOD", "RANK", "AREA_CODE", "NAME", "SCORE"]


def test_the_public_secure_view_returns_the_headline_rows_after_the_swap(
    fakesnow_port, monkeypatch, tmp_path: Path
) -> None:
    root = tiny_with_audiences(tmp_path / "tiny")
    target, environment = prepare_fakesnow(root, fakesnow_port)
    build = Project(root).build("snowflake", write=False, check=True)
    schemas = {a.audience_id: a.schema for a in build.audiences}
    connection = snowflake_engine.connect(target, environment, network_timeout=60)
    try:
        for schema in schemas.values():  # left by an earlier session's run
            connection.cursor().execute(f'DROP SCHEMA IF EXISTS "TINY"."{schema}" CASCADE')
    finally:
        connection.close()
    made = stand_in_for_snowflake(monkeypatch)
    Project(root, environ=environment).run("snowflake")
    statically_checked(made)
    sent = [sql for c in made for sql in c.sent]
    swapped = next(i for i, sql in enumerate(sent) if SWAP.match(sql))
    secure = [i for i, sql in enumerate(sent) if sql.startswith("CREATE OR REPLACE SECURE VIEW")]
    assert len(secure) == sum(len(a.relations) for a in build.audiences)
    assert min(secure) > swapped, "the audience views are made after the swap"
    roles = [sql for sql in sent if sql.startswith("CREATE ROLE")]
    assert len(roles) == 3 and all(CREATE_ROLE.match(sql) for sql in roles)
    assert sum(sql.startswith("GRANT ") for sql in sent) == sum(
        2 + len(a.relations) for a in build.audiences
    )

    connection = snowflake_engine.connect(target, environment, network_timeout=60)
    try:
        cursor = connection.cursor()
        public = f'"TINY"."{schemas["public"]}"'
        listed = cursor.execute(
            "SELECT table_name FROM TINY.information_schema.views "
            f"WHERE table_schema = '{schemas['public']}'"
        ).fetchall()
        assert listed == [("INDEX__TINY__TOP",)]
        cursor.execute(f'SELECT * FROM {public}."INDEX__TINY__TOP" ORDER BY "RANK"')
        assert [d[0] for d in cursor.description] == HEADLINE_COLUMNS
        got = [tuple(map(plain, row)) for row in cursor.fetchall()]
        expected = [
            tuple(map(plain, row))
            for row in cursor.execute(
                'SELECT "PERIOD", "RANK", "AREA_CODE", "NAME", "SCORE" '
                f'FROM "TINY"."{target.published}"."INDEX__TINY__TOP" '
                'WHERE "PERIOD" = \'2017-18\' ORDER BY "RANK"'
            ).fetchall()
        ]
        assert got == expected
        # hand-checked (test_end_to_end.py): 2017-18, Beta, Gamma, Alpha
        assert [(r[1], r[2]) for r in got] == [(1, "BBB"), (2, "CCC"), (3, "AAA")]
        client = cursor.execute(
            "SELECT COUNT(*) FROM TINY.information_schema.views "
            f"WHERE table_schema = '{schemas['client']}'"
        ).fetchone()
        # scores, top, most_improved, lens and metric scores, metric values, comparisons, trends,
        # sentences, universe
        assert client == (10,)
    finally:
        connection.close()
