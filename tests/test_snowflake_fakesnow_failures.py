"""A failure at any statement of a Snowflake run, on fakesnow, leaves the published layer as it was.

Its own module (the helpers are test_snowflake_fakesnow.py's) so that the parallel suite, which
hands out whole modules, can run it beside the other fakesnow tests: it runs the tiny project
once per statement and is the longest test of the suite.
"""

from __future__ import annotations

import datetime

import pytest
from test_snowflake_fakesnow import (
    POLICY,
    prepare_fakesnow,
    published_state,
    stand_in_for_snowflake,
    statically_checked,
)

from indexc.engines import snowflake as snowflake_engine
from indexc.errors import UserError
from indexc.project import Project


@pytest.mark.fakesnow
def test_a_failure_at_any_statement_leaves_the_published_layer_on_fakesnow(
    tiny_project, fakesnow_port, monkeypatch
) -> None:
    (tiny_project / "specs" / "policies.yaml").write_text(POLICY)
    target, environment = prepare_fakesnow(tiny_project, fakesnow_port)
    made = stand_in_for_snowflake(monkeypatch)
    Project(tiny_project, environ=environment).run("snowflake")
    taken = Project(tiny_project, environ=environment).take_snapshot(
        "snowflake", datetime.date(2017, 3, 31), "first"
    )
    with pytest.raises(UserError, match="exists"):
        Project(tiny_project, environ=environment).take_snapshot(
            "snowflake", datetime.date(2017, 3, 31), "first"
        )
    assert statically_checked(made) > 40
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    cursor = connection.cursor()
    before = published_state(cursor, target)
    assert "INDEX__TINY__SCORES" in before and "INDEXC__PUBLICATION" in before
    assert len(before["snapshots.INDEX__TINY__SCORES"]) == taken.frozen["index__tiny__scores"] > 0
    surfaced = before["CONSUMPTION__LATEST__SNAPSHOTS"]
    assert len(surfaced) == 1 and "'first'" in surfaced[0]
    cursor.execute(
        f'UPDATE {target.database}.RAW.FINANCE SET "spend" = \'1\' || "spend" WHERE "area" = \'AAA\''
    )

    k = 0
    while True:
        k += 1
        made = stand_in_for_snowflake(monkeypatch, fail_at=k)
        try:
            Project(tiny_project, environ=environment).run("snowflake")
        except UserError as err:
            assert err.diagnostics[0].code in ("IX701", "IX708"), err.diagnostics[0].render()
            assert published_state(cursor, target) == before, (
                f"changed by a failure at statement {k}"
            )
            continue
        if made[-1].statements < k:
            break
        pytest.fail(f"statement {k} did not fail the run")
    assert k > 30
    after = published_state(cursor, target)
    connection.close()
    assert after["INDEX__TINY__SCORES"] != before["INDEX__TINY__SCORES"]
