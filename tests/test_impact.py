"""`indexc impact`: a restructured source, and what it would break, worked out by hand on the tiny
fixture (satisfaction is read from outcomes' SAT to 2016-17 and SURVEY2 from 2017-18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_project

from indexc.cli import main
from indexc.errors import UserError
from indexc.project import Project

RESTRUCTURED = """indexc: 2
# from 2026 one column per item, and SURVEY2 renamed
source:
  layout: wide
  columns: {area: code, period: fy_ending}
  period: {grain: financial_year_ending, format: "YYYY"}
  items: {SAT: Satisfaction (%), SATISFACTION_2026: Satisfaction (%) in the 2026 survey}
"""


def impact(project, structure: str, source: str = "outcomes"):
    (project / "new.yaml").write_text(structure)
    return CliRunner().invoke(
        main,
        [
            "--project",
            str(project),
            "impact",
            "--source",
            source,
            "--structure",
            str(project / "new.yaml"),
        ],
    )


def test_a_renamed_item_breaks_its_binding_and_everything_downstream(tiny_project) -> None:
    result = impact(tiny_project, RESTRUCTURED)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "impact of the proposed structure of source outcomes",
        "the source's declaration changes (edit its spec):",
        "  layout: long -> wide",
        "  columns.item: measure -> (none)",
        "  columns.value: val -> (none)",
        "new items, bound by no measure yet: SATISFACTION_2026",
        "items no longer published: OTHER, SURVEY2",
        "1 binding(s) break:",
        "  measure satisfaction: item SURVEY2, 2017-18 onward; data lost",
        "measures that lose data: satisfaction",
        "metrics that lose data: satisfaction",
        "lenses that lose data: tiny/outcome",
        "indexes that lose data: tiny",
    ]


def test_a_structure_that_keeps_every_bound_item_breaks_nothing(tiny_project) -> None:
    result = impact(tiny_project, RESTRUCTURED.replace("SATISFACTION_2026", "SURVEY2"))
    assert result.exit_code == 0, result.output
    assert "no binding breaks: every item bound is still published" in result.output


def test_mistakes_in_the_request_are_diagnostics(tiny_project) -> None:
    unknown = impact(tiny_project, RESTRUCTURED, source="outcome")
    assert unknown.exit_code == 1 and "IX102 unknown source 'outcome'" in unknown.output
    assert "outcomes" in unknown.output
    bad = impact(
        tiny_project, RESTRUCTURED.replace("grain: financial_year_ending", "grain: fiscal_year")
    )
    assert bad.exit_code == 1 and "new.yaml:6:" in bad.output and "IX003" in bad.output
    assert "Traceback" not in bad.output + unknown.output


@pytest.mark.slow
def test_a_proposed_item_missing_one_of_its_columns_is_an_error_at_the_item(tmp_path: Path) -> None:
    project = copy_project(REPO, tmp_path / "example")
    structure = tmp_path / "salt.yaml"
    structure.write_text(
        "indexc: 2\nsource:\n  layout: long\n"
        "  columns: {area: ONS_Code, period: FY_Ending, item: [SALT_Table, Measure_Type], value: Measure_Value}\n"
        '  period: {grain: financial_year_ending, format: "YYYY"}\n'
        "  geography: {level: upper_tier, codes: as_published}\n"
        "  items:\n    STS002a/Outcome: fine\n    STS001: no measure type\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as raised:
        Project(project).impact("salt_asc_measures", structure)
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.col) == ("IX003", 9, 5)
    assert (
        "item 'STS001' of source 'salt_asc_measures' must give a value for each of the 2 item columns"
        in diagnostic.message
    )


def test_changed_keys_of_the_declaration_are_yaml_never_python_reprs(tiny_project) -> None:
    result = impact(
        tiny_project,
        RESTRUCTURED.replace("layout: wide", "layout: long")
        .replace(
            "columns: {area: code, period: fy_ending}",
            "columns: {area: code, period: fy_ending, item: [measure, kind], value: val}",
        )
        .replace(
            "SAT: Satisfaction (%), SATISFACTION_2026: Satisfaction (%) in the 2026 survey",
            "SAT/all: Satisfaction (%)",
        )
        + "  geography: {level: upper_tier, codes: as_published}\n",
    )
    assert result.exit_code == 0, result.output
    changes = (
        result.output.split("(edit its spec):\n", 1)[1].split("\nnew items", 1)[0].splitlines()
    )
    assert changes == [
        "  columns.item: measure -> [measure, kind]",
        "  geography: null -> {level: upper_tier, codes: as_published}",
    ]


def test_a_structure_of_another_source_is_refused_at_its_id(tiny_project) -> None:
    result = impact(tiny_project, RESTRUCTURED.replace("source:\n", "source:\n  id: finance\n"))
    assert result.exit_code == 1
    assert result.output.startswith(
        "new.yaml:4:7: IX902 the structure file is of source 'finance', not of --source outcomes\n"
    )
    assert "Traceback" not in result.output
    same = impact(tiny_project, RESTRUCTURED.replace("source:\n", "source:\n  id: outcomes\n"))
    assert same.exit_code == 0, same.output
