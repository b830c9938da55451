"""Audits on the tiny fixture, each finding checked against the data by hand.

Spend per head (spend / population): 2016-17 AAA 10, BBB 15, CCC 5, DDD 20; 2017-18 AAA 12, BBB 4,
CCC 10 (DDD is out of force). Satisfaction: 2016-17 AAA 80, BBB 60, CCC 70, DDD blank; 2017-18
AAA 50, BBB 90, CCC 70.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from indexc.cli import main

AUDITS = """indexc: 2
audits:
  - {id: satisfaction_given, severity: warn, universe: councils, not_null: satisfaction}
  - {id: spend_in_range, severity: warn, universe: councils, range: {metric: spend_per_head, min: 5, max: 12}}
  - {id: spend_jumps, severity: warn, universe: councils, change: {metric: spend_per_head, rise: 0.5, fall: 0.5}}
  - id: rescued
    severity: warn
    universe: councils
    opposite: {fell: {metric: spend_per_head, by: 0.5}, rose: {metric: satisfaction, by: 0.4}}
"""


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "run", *args])


def found(project: Path, audit: str) -> list[tuple]:
    with duckdb.connect(str(project / "build" / "tiny.duckdb"), read_only=True) as connection:
        return connection.execute(
            f"SELECT area_code, period, metric, value, previous_value, change, other_metric, other_value, "
            f"other_previous_value, other_change FROM tiny_index.audit__{audit} ORDER BY period, area_code"
        ).fetchall()


@pytest.mark.slow
def test_each_kind_of_audit_finds_what_the_data_shows(tiny_project: Path) -> None:
    (tiny_project / "specs" / "audits.yaml").write_text(AUDITS)
    result = run(tiny_project)
    assert result.exit_code == 0, result.output
    assert found(tiny_project, "satisfaction_given") == [
        ("DDD", "2016-17", "satisfaction", None, None, None, None, None, None, None)
    ]
    assert found(tiny_project, "spend_in_range") == [
        ("BBB", "2016-17", "spend_per_head", 15.0, None, None, None, None, None, None),
        ("DDD", "2016-17", "spend_per_head", 20.0, None, None, None, None, None, None),
        ("BBB", "2017-18", "spend_per_head", 4.0, None, None, None, None, None, None),
    ]
    jumps = found(tiny_project, "spend_jumps")  # AAA rose 20%: within the limits
    assert [(r[0], r[3], r[4]) for r in jumps] == [("BBB", 4.0, 15.0), ("CCC", 10.0, 5.0)]
    assert [r[5] for r in jumps] == pytest.approx([(4 - 15) / 15, 1.0], abs=1e-12)
    rescued = found(
        tiny_project, "rescued"
    )  # BBB: spend per head 15 -> 4 while satisfaction 60 -> 90
    assert [r[:2] + r[6:9] for r in rescued] == [("BBB", "2017-18", "satisfaction", 90.0, 60.0)]
    assert rescued[0][9] == pytest.approx(0.5, abs=1e-12)
    assert "audit spend_in_range found 3: BBB 2016-17, DDD 2016-17, BBB 2017-18" in result.stderr
    assert "specs/audits.yaml:5:5: IX707 warning" in result.stderr
    assert "Alpha" in result.stdout  # warnings do not stop the run


@pytest.mark.slow
def test_an_error_audit_fails_the_run_and_keeps_the_database(tiny_project: Path) -> None:
    assert run(tiny_project, "-q").exit_code == 0
    database = tiny_project / "build" / "tiny.duckdb"
    with duckdb.connect(str(database), read_only=True) as connection:
        before = connection.execute(
            "SELECT * FROM tiny_index.index__tiny__scores ORDER BY ALL"
        ).fetchall()
    (tiny_project / "specs" / "audits.yaml").write_text(
        AUDITS.replace(
            "{id: satisfaction_given, severity: warn,", "{id: satisfaction_given, severity: error,"
        )
    )
    result = run(tiny_project)
    assert result.exit_code == 1
    assert (
        "specs/audits.yaml:3:5: IX707 audit satisfaction_given: the error audit found areas with no value of "
        "satisfaction: 'DDD 2016-17'"
    ) in result.output
    assert "Traceback" not in result.output
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = {
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall()
        }
        after = connection.execute(
            "SELECT * FROM tiny_index.index__tiny__scores ORDER BY ALL"
        ).fetchall()
    assert after == before and not any(t.startswith("audit__") for t in tables)
