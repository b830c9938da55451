"""The regular report of the real example's headline index (top_level), from the shared example run:
its Top 10 and savings as the published tables hold them, and its PDF's pages, A4, as images."""

from __future__ import annotations

import math

import pytest
from chromium import executable
from poppler import page_images, page_sizes
from test_report import A4_POINTS, Report, pounds

from indexc.project import Project

pytestmark = pytest.mark.chromium  # prints the PDF (and so slow: conftest.py)

PUBLISHED = "indexc_published"


def test_the_report_of_the_example_headline_index(example_run, tmp_path) -> None:
    out = tmp_path / "report"
    executable()  # installed first where missing: the command finds it on PATH
    written = Project(example_run.project).write_report("top_level", out)
    assert [p.name for p in written] == ["report.html", "report.pdf"]
    with example_run.connect() as connection:
        period = "2022-23"  # the period top_level publishes (specs/indexes/top_level.yaml)
        top = connection.execute(
            f"SELECT name FROM {PUBLISHED}.index__top_level__top WHERE period = ? "
            "ORDER BY rank, area_code",
            [period],
        ).fetchall()
        amounts = connection.execute(
            f"SELECT amount FROM {PUBLISHED}.index__top_level__savings "
            "WHERE period = ? AND amount IS NOT NULL",
            [period],
        ).fetchall()
    assert len(top) == 10
    page = Report()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert [row[1] for row in page.tables["headline-table"]] == [name for (name,) in top]
    assert page.texts["savings-total"] == pounds(math.fsum(a for (a,) in amounts))
    recency = {row[0] for row in page.tables["recency-table"]}
    assert {"adult_social_care", "health", "housing"} <= recency
    sizes = page_sizes(out / "report.pdf")
    assert len(sizes) >= 3
    assert all(w == pytest.approx(A4_POINTS[0], abs=1) for w, _ in sizes)
    assert all(h == pytest.approx(A4_POINTS[1], abs=1) for _, h in sizes)
    images = page_images(out / "report.pdf", tmp_path / "pages")
    assert len(images) == len(sizes) and all(i.stat().st_size > 0 for i in images)


def test_a_report_for_the_public_holds_only_what_its_views_hold(example_run, tmp_path) -> None:
    """The public audience sees the headline Top 10 (rank, name, score): its report has that table and
    none of the results behind it (savings, lens contributions, recency of the data)."""
    out = tmp_path / "public"
    project = Project(example_run.project)
    relations = project.audience_relations("public")
    assert set(relations) == {"index__top_level__top"}
    project.write_report("top_level", out, audience="public", pdf=False)
    with example_run.connect() as connection:
        names = connection.execute(
            f"SELECT name FROM {relations['index__top_level__top']} ORDER BY rank, area_code"
        ).fetchall()
    page = Report()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert [row[1] for row in page.tables["headline-table"]] == [name for (name,) in names]
    assert len(names) == 10
    assert "savings-total" not in page.texts
    assert "recency-table" not in page.tables
