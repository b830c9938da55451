"""The worked example of a source that changes structure: from 2021-22 the example reads its two
SALT-derived measures from a SALT-structured source (another period format, other column names,
an item named by two columns) while the measures, metrics, lenses and history stay.

The SALT-structured file holds Oflog's own values for those years (scripts/relayout_salt_structure.py),
so the index read through the move must equal the index read from the Oflog file alone; and a value
changed in the SALT file must reach exactly the council and year it belongs to, which shows those
years really are read from the new source.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import REPO, copy_project

from indexc.cli import main
from indexc.project import Project

pytestmark = pytest.mark.slow  # runs the real example, restructured, several times

MOVED = {"short_term_service_success": "STS002a", "requests_resulting_in_service": "STS001"}
SALT_FILE = Path("examples/data/salt_structured_asc_2021_23.csv")


def _query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "build" / "indexc.duckdb"), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def _measure(project: Path, measure: str) -> dict[tuple[str, str], float]:
    rows = _query(project, f"select area_code, period, value from indexc_build.restated__{measure}")
    return {(area, period): value for area, period, value in rows}


def _scores(project: Path) -> dict[tuple[str, str], tuple]:
    rows = _query(
        project,
        "select area_code, period, score, rank from "
        "indexc_published.index__adult_social_care__scores",
    )
    return {(area, period): (score, rank) for area, period, score, rank in rows}


def _oflog_only(project: Path) -> None:
    """The example as it was before the move: both measures bound to the Oflog file for every year."""
    measures = project / "specs" / "measures.yaml"
    text = measures.read_text(encoding="utf-8")
    text, moved = re.subn(r"\n +- \{source: salt_asc_measures, item: [^}]+\}\}", "", text)
    text = text.replace(", periods: {to: 2020-21}}", "}")
    assert moved == 2
    measures.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    moved = copy_project(REPO, tmp_path_factory.mktemp("moved") / "example")
    Project(moved).run()
    before = copy_project(REPO, tmp_path_factory.mktemp("before") / "example")
    _oflog_only(before)
    Project(before).run()
    return moved, before


def test_the_measures_keep_their_history_across_the_move(runs) -> None:
    moved, before = runs
    for measure in MOVED:
        read_through_move, read_from_oflog = _measure(moved, measure), _measure(before, measure)
        assert read_through_move == read_from_oflog
        periods = {period for _, period in read_through_move}
        assert {"2016-17", "2020-21", "2021-22", "2022-23"} <= periods
        assert (
            len([v for (_, p), v in read_through_move.items() if p == "2022-23" and v is not None])
            >= 150
        )


def test_the_index_is_the_same_whichever_source_holds_the_later_years(runs) -> None:
    moved, before = runs
    through_move, from_oflog = _scores(moved), _scores(before)
    assert through_move.keys() == from_oflog.keys() and len(through_move) > 1000
    for key, (score, rank) in through_move.items():
        other_score, other_rank = from_oflog[key]
        assert rank == other_rank, key
        assert (score is None and other_score is None) or abs(score - other_score) <= 1e-9, key


def test_the_later_years_are_read_from_the_salt_structured_source(runs, tmp_path: Path) -> None:
    moved, _ = runs
    project = copy_project(REPO, tmp_path / "example")
    path = project / SALT_FILE
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    # Hartlepool, 2022-23 (written 2023), short-term service outcome: a value no council has
    changed = next(
        i for i, r in enumerate(body) if r[:2] == ["2023", "E06000001"] and r[3] == "STS002a"
    )
    original = float(body[changed][5])
    body[changed][5] = "12.5"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *body])
    Project(project).run()
    edited, unchanged = (
        _measure(project, "short_term_service_success"),
        _measure(moved, "short_term_service_success"),
    )
    differing = {key for key in edited if edited[key] != unchanged[key]}
    assert differing == {("E06000001", "2022-23")}
    assert (
        unchanged[("E06000001", "2022-23")] == original and edited[("E06000001", "2022-23")] == 12.5
    )
    assert _measure(project, "requests_resulting_in_service") == _measure(
        moved, "requests_resulting_in_service"
    )


def test_a_missing_item_column_is_reported_at_its_declaration(tmp_path: Path) -> None:
    project = copy_project(REPO, tmp_path / "example")
    path = project / SALT_FILE
    path.write_text(
        path.read_text(encoding="utf-8").replace(",Measure_Type,", ",Type,", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["--project", str(project), "run"])
    assert result.exit_code == 1
    declaration = next(
        i
        for i, line in enumerate((project / "specs" / "sources.yaml").read_text().splitlines(), 1)
        if "item: [SALT_Table, Measure_Type]" in line
    )
    assert f"specs/sources.yaml:{declaration}:" in result.output and "IX504" in result.output
    assert "Measure_Type" in result.output and "Traceback" not in result.output


def test_item_columns_in_another_order_fail_the_run_not_silently_empty(tmp_path: Path) -> None:
    """A published measure's binding that finds nothing is an error (issue 15), naming the items there."""
    project = copy_project(REPO, tmp_path / "example")
    sources = project / "specs" / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "item: [SALT_Table, Measure_Type]", "item: [Measure_Type, SALT_Table]"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--project", str(project), "run"])
    assert result.exit_code == 1, result.output
    assert (
        "IX709 short_term_service_success: binding 2 found no value of item 'STS002a/Outcome' in source "
        "'salt_asc_measures' (from 2021-22) in period(s) in which the source has rows: 2021-22, 2022-23; the "
        "source's data holds there: Outcome/STS001, Outcome/STS002a"
    ) in result.output
    assert "did you mean 'Outcome/STS002a' (the item columns in another order)?" in result.output


def test_the_catalogue_shows_both_sources_of_a_moved_measure(tmp_path: Path) -> None:
    project = copy_project(REPO, tmp_path / "example")
    page = Project(project).write_docs(tmp_path / "docs").read_text(encoding="utf-8")
    section = page[page.index('id="metric-short_term_service_success"') :]
    section = section[: section.index("</section>")]
    assert "oflog_asc_outcomes" in section and "salt_asc_measures" in section
    assert "STS002a/Outcome" in section and "2021-22" in section
