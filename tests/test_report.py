"""`indexc report`: the regular report, rendered by headless Chromium and read back from its DOM, its
screenshot, and its PDF's pages as images (pdftoppm); the same tables give the same bytes.

The project is the `method` fixture (made-up country, tests/fixtures/method/README.md), run once for the
module; every expected figure is computed here from its published tables or its data files, not taken
from the report's code.
"""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from chromium import RENDER_SECONDS, executable, rendered_dom
from click.testing import CliRunner
from conftest import FIXTURES, copy_project
from poppler import page_images, page_sizes

from indexc.cli import main
from indexc.project import Project

pytestmark = pytest.mark.slow  # every test reads a run of the method fixture

PUBLISHED = "method_index_published"
PERIOD = "2023-24"  # care publishes 2023-24
A4_POINTS = (595.28, 841.89)


class Report(HTMLParser):
    """The cells of each table's body rows by table id, and the text of each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self.tags: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False
        self._open: list[tuple[str, str]] = []  # (tag, id) of open elements with an id

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if attributes.get("id"):
            self._open.append((tag, attributes["id"]))
            self.texts.setdefault(attributes["id"], "")
        if tag == "table":
            self._table = attributes.get("id")
            self.tables.setdefault(self._table or "", [])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table or ""].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, element_id in self._open:
            self.texts[element_id] += data


def read_dom(page: Path, profile: Path) -> Report:
    report = Report()
    report.feed(rendered_dom(page, profile))
    return report


def write_report(project: Path, out: Path, *options: str) -> list[str]:
    result = CliRunner().invoke(
        main,
        ["--project", str(project), "report", "--index", "care", "--out", str(out), *options],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


@pytest.fixture(scope="module")
def method_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(FIXTURES / "method", tmp_path_factory.mktemp("report") / "method")
    Project(project).run()
    return project


def query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "build" / "method.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def area_names(project: Path) -> dict[str, str]:
    with open(project / "data" / "areas.csv", encoding="utf-8") as handle:
        return {row["code"]: row["area_name"] for row in csv.DictReader(handle)}


def pounds(amount: float) -> str:
    return f"£{amount:,.0f}"


@pytest.mark.chromium
def test_the_report_renders_in_chromium_with_the_published_figures(method_run, tmp_path) -> None:
    assert write_report(method_run, tmp_path / "out", "--no-pdf") == [
        f"wrote {tmp_path / 'out' / 'report.html'}"
    ]
    dom = read_dom(tmp_path / "out" / "report.html", tmp_path / "profile")
    names = area_names(method_run)
    top = query(
        method_run,
        f"SELECT area_code, rank FROM {PUBLISHED}.index__care__scores "
        f"WHERE period = '{PERIOD}' AND ranked ORDER BY rank, area_code LIMIT 5",
    )
    headline = dom.tables["headline-table"]
    assert [row[1] for row in headline] == [names[code] for code, _ in top]  # names first, in order
    assert [(row[0], row[2]) for row in headline] == [(str(rank), code) for code, rank in top]
    # savings: the national total and each council's, summed here from the published rows
    rows = query(
        method_run,
        f"SELECT area_code, amount FROM {PUBLISHED}.index__care__savings "
        f"WHERE period = '{PERIOD}' AND amount IS NOT NULL",
    )
    by_area: dict[str, list[float]] = {}
    for code, amount in rows:
        by_area.setdefault(code, []).append(amount)
    total = math.fsum(amount for _, amount in rows)
    assert dom.texts["savings-total"] == pounds(total)
    expected = sorted(
        ((names[c], c, pounds(math.fsum(a))) for c, a in by_area.items() if math.fsum(a) > 0),
        key=lambda r: -math.fsum(by_area[r[1]]),
    )
    assert [tuple(row) for row in dom.tables["savings-table"]] == expected
    # the contributions of the arithmetic mean add up to each council's score
    for row in dom.tables["contributions-table"]:
        parts = [float(cell) for cell in row[1:-1] if cell != "-"]
        assert sum(parts) == pytest.approx(float(row[-1]), abs=0.02)
    assert "the live published schema method_index_published" in dom.texts["drawn-from"]
    assert "script" not in dom.tags and "svg" in dom.tags  # charts inline, nothing to run


def _png_size(png: Path) -> tuple[int, int]:
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@pytest.mark.chromium
def test_a_screenshot_and_the_pdf_pages_of_the_report(method_run, tmp_path) -> None:
    out = tmp_path / "out"
    browser = executable()  # installed first where missing: the command finds it on PATH
    written = write_report(method_run, out)
    assert written == [f"wrote {out / 'report.html'}", f"wrote {out / 'report.pdf'}"]
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1000,1400",
            (out / "report.html").resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=RENDER_SECONDS,
    )
    assert shot.stat().st_size > 10_000 and _png_size(shot) == (1000, 1400)
    from PIL import Image  # matplotlib's own dependency

    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text and chart drawn, not a blank page
    sizes = page_sizes(out / "report.pdf")
    assert 2 <= len(sizes) <= 8
    for width, height in sizes:
        assert width == pytest.approx(A4_POINTS[0], abs=1) and height == pytest.approx(
            A4_POINTS[1], abs=1
        )
    pages = page_images(out / "report.pdf", tmp_path / "pages")
    assert len(pages) == len(sizes)
    for page in pages:
        assert page.stat().st_size > 0 and _png_size(page) == (595, 842)


def test_the_same_tables_give_the_same_html_to_the_byte(method_run, tmp_path) -> None:
    write_report(method_run, tmp_path / "one", "--no-pdf")
    write_report(method_run, tmp_path / "two", "--no-pdf")
    first = (tmp_path / "one" / "report.html").read_bytes()
    assert first == (tmp_path / "two" / "report.html").read_bytes()
    assert b"<svg" in first and b"http" not in first.split(b"<svg", 1)[0]  # no resource to fetch


def test_a_snapshot_report_reads_the_frozen_rows_not_the_live_ones(method_run, tmp_path) -> None:
    project = tmp_path / "method"
    shutil.copytree(method_run, project)
    taken = CliRunner().invoke(
        main, ["--project", str(project), "snapshot", "take", "--as-of", "2024-03-31"]
    )
    assert taken.exit_code == 0, taken.output
    with duckdb.connect(str(project / "build" / "method.duckdb")) as connection:
        [(leader,)] = connection.execute(
            f"SELECT name FROM {PUBLISHED}.index__care__top WHERE period = '{PERIOD}' "
            "ORDER BY rank, area_code LIMIT 1"
        ).fetchall()
        for sql in (  # the live Top N changes after the snapshot (a made-up name; it is a view)
            "CREATE TABLE main.changed AS SELECT * REPLACE ('Renamed after the snapshot' AS name) "
            f"FROM {PUBLISHED}.index__care__top",
            f"DROP VIEW {PUBLISHED}.index__care__top",
            f"CREATE TABLE {PUBLISHED}.index__care__top AS SELECT * FROM main.changed",
        ):
            connection.execute(sql)
    write_report(project, tmp_path / "live", "--no-pdf")
    write_report(project, tmp_path / "frozen", "--no-pdf", "--snapshot", "1")
    live = (tmp_path / "live" / "report.html").read_text(encoding="utf-8")
    frozen = (tmp_path / "frozen" / "report.html").read_text(encoding="utf-8")
    assert "Renamed after the snapshot" in live and "Renamed after the snapshot" not in frozen
    assert f'<td class="council">{leader}</td>' in frozen
    assert "Drawn from snapshot 1 in" in frozen and "<dd>2024-03-31</dd>" in frozen
    assert "Drawn from the live published schema" in live


def test_a_headline_policy_and_the_sentences_reach_the_report(method_run, tmp_path) -> None:
    """A copy whose headline policy keeps the 2023-24 leader out: the report's Top N is the next five,
    numbered from 1, the leader is a caveat with its reason, and the published sentences are shown."""
    [(first_code, first_name, first_rank)] = query(
        method_run,
        f"SELECT area_code, name, rank FROM {PUBLISHED}.index__care__top WHERE period = '{PERIOD}' "
        "ORDER BY rank, area_code LIMIT 1",
    )
    project = copy_project(FIXTURES / "method", tmp_path / "method")
    indexes = project / "specs" / "indexes.yaml"
    policy = f"headline_policy: {{exclude: [{{area: {first_code}, reason: a test's reason}}]}}"
    text = indexes.read_text().replace(
        "publish: {top: 5, period: 2023-24}", f"publish: {{top: 5, period: 2023-24, {policy}}}"
    )
    indexes.write_text(text)
    Project(project).run()
    names = area_names(project)
    expected = [
        names[code]
        for (code,) in query(
            project,
            f"SELECT area_code FROM {PUBLISHED}.index__care__scores WHERE period = '{PERIOD}' AND "
            f"area_code <> '{first_code}' AND rank IS NOT NULL ORDER BY rank, area_code LIMIT 5",
        )
    ]
    sentences = query(
        project,
        f"SELECT sentence FROM {PUBLISHED}.index__care__sentences WHERE period = '{PERIOD}' "
        "ORDER BY area_code, position",
    )
    write_report(project, tmp_path / "out", "--no-pdf")
    page = Report()
    page.feed((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    headline = page.tables["headline-table"]
    assert [row[0] for row in headline] == ["1", "2", "3", "4", "5"]
    assert [row[1] for row in headline] == expected  # the full ranking without the leader
    caveats = page.texts["caveats"]
    assert f"{first_name} ({first_code}, rank {first_rank}): a test's reason" in caveats
    assert sentences and any(sentence in page.texts["comparisons"] for (sentence,) in sentences)
