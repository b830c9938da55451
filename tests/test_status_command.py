"""`indexc status` through click's runner: every index, built or not, and what the database holds of it.

The tiny project's data has years 2016-17 and 2017-18 (see tests/fixtures/tiny), so a run scores both;
a project never run has no database, and status must neither fail nor create one.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result
from test_index_lifecycle import CONTEXTUAL_LENSES, ON_HOLD_INDEXES, edit_tiny

from indexc.cli import main

DATABASE = Path("build") / "tiny.duckdb"
PUBLISHED = "tiny_index_published"


def invoke(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(project), *args])


def statuses(project: Path) -> dict[str, dict]:
    result = invoke(project, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    return {entry["id"]: entry for entry in json.loads(result.output)}


@pytest.fixture
def portfolio(tiny_project: Path) -> Path:
    return edit_tiny(tiny_project, CONTEXTUAL_LENSES, ON_HOLD_INDEXES)


def test_status_of_a_project_never_built_says_not_built_and_creates_nothing(
    portfolio: Path,
) -> None:
    result = invoke(portfolio, "status")
    assert result.exit_code == 0, result.output
    assert not (portfolio / DATABASE).exists()
    lines = result.output.splitlines()
    row = next(line for line in lines if "high_needs v0" in line)
    assert "deferred: SEND reforms pending" in row and "not built (on hold)" in row
    row = next(line for line in lines if "tiny v1" in line)
    assert "active" in row and "not built" in row and "never" in row
    assert "  later (0 metrics), awaiting data, no weight: no council-level data yet" in lines
    assert (
        "  context (2 metrics; 1 framework, 1 ours), contextual, no weight: reported beside the "
        "index, as the framework does <https://example.org/outcomes/context>"
    ) in lines


def test_status_as_json_lists_every_index_and_lens(portfolio: Path) -> None:
    found = statuses(portfolio)
    assert sorted(found) == ["high_needs", "tiny", "waiting"]
    assert (found["high_needs"]["status"], found["high_needs"]["until"]) == (
        "deferred",
        "SEND reforms white paper published",
    )
    assert (found["waiting"]["status"], found["waiting"]["until"]) == ("contingent", "2027-04-01")
    lenses = {lens["id"]: lens for lens in found["tiny"]["lenses"]}
    assert [
        (i, lenses[i]["metrics"], lenses[i]["status"], lenses[i]["weight"]) for i in lenses
    ] == [
        ("cost", 1, None, 1.0),
        ("outcome", 1, None, 3.0),
        ("context", 2, "contextual", None),
        ("later", 0, "awaiting_data", None),
    ]
    assert (lenses["context"]["framework_metrics"], lenses["context"]["our_metrics"]) == (1, 1)
    assert lenses["context"]["link"] == "https://example.org/outcomes/context"
    for entry in found.values():
        assert (entry["built"], entry["periods"], entry["latest"], entry["published_at"]) == (
            False,
            [],
            None,
            None,
        )


def test_status_without_a_target_file_lists_the_specs(portfolio: Path) -> None:
    (portfolio / "targets" / "duckdb.yaml").unlink()
    assert statuses(portfolio)["tiny"]["built"] is False


def test_status_counts_the_universe_on_the_geography_date(geo_project: Path) -> None:
    # on 2020-04-01, the latest event's date, the unitaries in force are U1, U2, M3, R2 and S
    assert statuses(geo_project)["value"]["areas"] == 5


@pytest.mark.slow
def test_status_of_a_built_project_reads_periods_publication_and_snapshot(portfolio: Path) -> None:
    run = invoke(portfolio, "run", "-q")
    assert run.exit_code == 0, run.output
    with duckdb.connect(str(portfolio / DATABASE), read_only=True) as db:
        published_at = str(
            db.execute(
                f"SELECT published_at FROM {PUBLISHED}.indexc__published_indexes "
                "WHERE index_id = 'tiny'"
            ).fetchall()[0][0]
        )
    found = statuses(portfolio)
    tiny = found["tiny"]
    assert (tiny["built"], tiny["periods"], tiny["latest"]) == (
        True,
        ["2016-17", "2017-18"],
        "2017-18",
    )
    assert (tiny["published_at"], tiny["published_scope"], tiny["snapshot"]) == (
        published_at[:19],
        "index",
        None,
    )
    assert (found["high_needs"]["built"], found["high_needs"]["published_at"]) == (False, None)

    taken = invoke(portfolio, "snapshot", "take", "--as-of", "2024-03-31", "--label", "budget")
    assert taken.exit_code == 0, taken.output
    assert statuses(portfolio)["tiny"]["snapshot"] == {
        "snapshot_id": 1,
        "as_of": "2024-03-31",
        "label": "budget",
    }

    # a publication made before indexes were recorded one by one: the last run's time, project-wide
    with duckdb.connect(str(portfolio / DATABASE)) as db:
        db.execute(f"DROP TABLE {PUBLISHED}.indexc__published_indexes")
    tiny = statuses(portfolio)["tiny"]
    assert (tiny["published_at"], tiny["published_scope"]) == (published_at[:19], "project")

    text = invoke(portfolio, "status").output
    row = next(line for line in text.splitlines() if "tiny v1" in line)
    assert "latest 2017-18; 2 from 2016-17" in row
    assert "2024-03-31" in text and "(budget)" in text  # the snapshot, in the published column


def test_validate_says_how_many_indexes_are_on_hold(portfolio: Path) -> None:
    result = invoke(portfolio, "validate")
    assert result.exit_code == 0, result.output
    assert "3 indexes (2 on hold: not built unless selected)" in result.output
