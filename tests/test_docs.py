"""`indexc docs`: the HTML catalogue, rendered by headless Chromium and read back from its DOM."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from chromium import rendered_dom
from click.testing import CliRunner

from indexc.cli import main

pytestmark = pytest.mark.chromium  # and so slow (conftest.py)


class Page(HTMLParser):
    """The text of each element with an id, and of every table row, as the browser built them."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self.rows: list[str] = []
        self.tags: list[str] = []
        self.open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if "id" in attributes or tag == "tr":
            self.open.append((attributes.get("id") or f"row{len(self.rows)}", []))
            self.open[-1][1].append(tag)
        elif self.open:
            self.open[-1][1].append(tag)

    def handle_endtag(self, tag) -> None:
        if self.open and tag == self.open[-1][1][0]:
            name, _ = self.open.pop()
            if name.startswith("row"):
                self.rows.append(self.sections.pop(name, "").strip())

    def handle_data(self, data) -> None:
        for (
            name,
            _,
        ) in self.open:  # a space between the data of neighbouring elements, as a reader sees them
            self.sections[name] = self.sections.get(name, "") + " " + data


def render(project, tmp_path) -> Page:
    result = CliRunner().invoke(main, ["--project", str(project), "docs"])
    assert result.exit_code == 0, result.output
    assert result.output == "wrote build/docs/index.html\n"
    page = Page()
    page.feed(
        rendered_dom(project / "build" / "docs" / "index.html", tmp_path / "chromium-profile")
    )
    return page


def test_the_catalogue_of_the_example_renders_in_chromium(example_project, tmp_path) -> None:
    page = render(example_project, tmp_path)
    index = " ".join(page.sections["index-adult_social_care"].split())
    assert "adult_social_care version 2026.2" in index and "published: Top 10" in index
    metric = " ".join(page.sections["metric-asc_spend_per_head"].split())
    assert "Formula: asc_gross_expenditure * 1000 / population" in metric
    assert "restated onto the geography date through lineage" in metric
    assert "Used in: index adult_social_care" in metric
    assert any(
        row.split()[:3] == ["2021-04-01", "northamptonshire_2021_split", "split"]
        for row in page.rows
    )
    assert any("proposed" in row and "surrey_2027_split" in row for row in page.rows)
    assert "script" not in page.tags


def test_spec_text_is_shown_as_text_never_as_markup(tiny_project, tmp_path) -> None:
    spec = tiny_project / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text().replace(
            "- {id: spend_per_head, version: 1,",
            "- {id: spend_per_head, version: 1, description: '<script>x()</script> & <b>',",
            1,
        )
    )
    page = render(tiny_project, tmp_path)
    assert "<script>x()</script> & <b>" in " ".join(page.sections["metric-spend_per_head"].split())
    assert "script" not in page.tags and "b" not in page.tags
    assert "Used in: index tiny, lens cost." in " ".join(
        page.sections["metric-spend_per_head"].split()
    )
