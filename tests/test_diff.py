"""`indexc diff`: two git revisions of a fixture project, one kind of change at a time, classified as a
reviewer would: cosmetic, definition, rank-affecting, geography; and the version-bump warning."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexc.cli import main
from indexc.errors import UserError
from indexc.project import Project


def commit_all(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(root), *args],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )

    if not (root / ".git").exists():
        git("init", "-q")
    git("add", "-A")
    git("-c", "user.email=indexc@example.org", "-c", "user.name=indexc", "commit", "-qm", "base")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


TINY_METRIC = (
    "- {id: spend_per_head, version: 1, formula: spend / population, direction: lower_is_better"
)


UNVERSIONED = (
    "index tiny: a rank-affecting change ({}) keeps version 1: give it a new version, so a ranking "
    "published under one version always means one thing"
)


@pytest.mark.parametrize(
    "old, new, expected, objects_changed, warned",
    [
        (
            "- {id: spend, unit: gbp,",
            "- {id: spend, description: Spend in pounds, unit: gbp,",
            [("cosmetic", "changed", "measures", "spend", ("description",))],
            0,
            None,
        ),
        (  # a metric's description names it in its indexes' sentences: their text changes
            TINY_METRIC,
            TINY_METRIC.replace("version: 1,", "version: 1, description: Spend per resident,"),
            [("definition", "changed", "metrics", "spend_per_head", ("description",))],
            1,
            None,
        ),
        (
            TINY_METRIC,
            TINY_METRIC.replace(
                "version: 1, formula: spend / population",
                "version: 2, formula: spend / population / 1000",
            ),
            [("definition", "changed", "metrics", "spend_per_head", ("formula", "version"))],
            None,
            None,
        ),
        (
            "{id: outcome, weight: 3,",
            "{id: outcome, weight: 2,",
            [("rank-affecting", "changed", "indexes", "tiny", ("lenses",))],
            None,
            "indexes/tiny",
        ),
        (
            TINY_METRIC,
            TINY_METRIC.replace("lower_is_better", "higher_is_better"),
            [("rank-affecting", "changed", "metrics", "spend_per_head", ("direction",))],
            None,
            "metrics/spend_per_head",
        ),
        (
            "direction: higher_is_better, unit: percent",
            "direction: lower_is_better, unit: percent",  # read from its source
            [("rank-affecting", "changed", "metrics", "satisfaction", ("direction",))],
            None,
            "metrics/satisfaction",
        ),
    ],
)
def test_each_kind_of_change_is_classified(
    tiny_project, old, new, expected, objects_changed, warned
) -> None:
    commit_all(tiny_project)
    edit(tiny_project / "specs" / "tiny.yaml", old, new)
    found = Project(tiny_project).diff("HEAD")
    assert [(c.category, c.status, c.kind, c.id, c.fields) for c in found.specs] == expected
    assert found.warnings == ([UNVERSIONED.format(warned)] if warned else [])
    if objects_changed is not None:
        assert len(found.changed) == objects_changed
    else:
        assert found.changed  # a change that is not cosmetic shows in the SQL


def test_a_changed_formula_under_the_same_version_is_warned_about(tiny_project) -> None:
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml",
        "formula: spend / population,",
        "formula: spend / population / 1000,",
    )
    found = Project(tiny_project).diff("HEAD")
    assert found.warnings == [
        "metric spend_per_head: formula changed but version is still 1: give it a new version"
    ]
    assert list(found.changed) == ["metric__spend_per_head"]
    assert (
        '-  CAST("spend"."value" / NULLIF("population"."value", 0) AS DOUBLE) AS "value"'
        in found.changed["metric__spend_per_head"]
    )


@pytest.mark.slow
def test_a_lineage_change_is_a_geography_change(geo_project) -> None:
    commit_all(geo_project)
    geography = geo_project / "specs" / "geography.yaml"
    # a merge apportions nothing: this edit changes no SQL, and is cosmetic
    edit(
        geography,
        "    from: [M1, M2]\n    to: [M3]\n    apportion: {by: population}",
        "    from: [M1, M2]\n    to: [M3]\n    apportion: {by: spend}",
    )
    found = Project(geo_project).diff("HEAD")
    assert [(c.category, c.kind, c.id, c.fields) for c in found.specs] == [
        ("cosmetic", "lineage", "m_merge", ("apportion",))
    ]
    assert not found.changed
    commit_all(geo_project)
    # a split's basis decides every apportioned share of history
    edit(
        geography,
        "      - {code: U2, districts: [D2]}\n    apportion: {by: population}",
        "      - {code: U2, districts: [D2]}\n    apportion: {by: spend}",
    )
    found = Project(geo_project).diff("HEAD")
    assert [(c.category, c.kind, c.id, c.fields) for c in found.specs] == [
        ("geography", "lineage", "c1_split", ("apportion",))
    ]
    assert found.changed


@pytest.mark.slow  # compiles tiny at two revisions: over a second
def test_added_and_removed_spec_objects_and_the_markdown_comment(tiny_project) -> None:
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml",
        "  - {id: satisfaction, version: 1,",
        "  - {id: spend_per_person, version: 1, formula: spend / population, direction: lower_is_better, "
        "unit: gbp_per_head}\n  - {id: satisfaction, version: 1,",
    )
    result = CliRunner().invoke(
        main, ["--project", str(tiny_project), "diff", "--base", "HEAD", "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert "| definition | added | `metrics/spend_per_person` |  |" in result.output
    assert "- added `metric__spend_per_person`" in result.output
    unchanged = CliRunner().invoke(
        main, ["--project", str(tiny_project), "diff", "--base", "HEAD~0"]
    )
    assert (
        "2 added, 0 removed, 0 changed" in unchanged.output
    )  # the metric and the check of its values


def test_a_base_that_cannot_be_read_is_a_clear_error(tiny_project) -> None:
    with pytest.raises(UserError) as outside:
        Project(tiny_project).diff("HEAD")
    assert outside.value.diagnostics[0].code == "IX901"
    commit_all(tiny_project)
    result = CliRunner().invoke(
        main, ["--project", str(tiny_project), "diff", "--base", "no-such-branch"]
    )
    assert result.exit_code == 1
    assert "IX901 'no-such-branch' is not a commit of this repository" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_base_written_in_language_version_1_diffs_against_its_migration(tmp_path: Path) -> None:
    """The base revision is read through the in-memory upgrade: migrating changes no SQL and no spec."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "example_v1", root)
    commit_all(root)
    assert len(Project(root).migrate()) == 32
    found = Project(root).diff("HEAD")
    assert found.specs == [] and not found.changed and found.warnings == []
    edit(
        root / "specs" / "measures.yaml",
        "    weighted_by: population\n    bindings:\n"
        "      - {source: oflog_asc_outcomes, item: ASC1,",
        "    weighted_by: population\n    bindings:\n"
        "      - {source: oflog_asc_outcomes, item: ASC2,",
    )
    found = Project(root).diff("HEAD")
    assert [(c.category, c.kind, c.id) for c in found.specs] == [
        ("definition", "measures", "carer_quality_of_life")
    ]


@pytest.mark.slow  # compiles tiny at two revisions: over a second
def test_spec_changes_are_stated_field_by_field(tiny_project) -> None:
    commit_all(tiny_project)
    tiny = tiny_project / "specs" / "tiny.yaml"
    edit(
        tiny,
        "{id: outcome, weight: 3, metrics: [satisfaction]}",
        "{id: outcome, weight: 2, metrics: [{metric: satisfaction, weight: 2}, spend_per_head]}",
    )
    edit(tiny, "method: {normalise: zscore}", "method: {normalise: rank}")
    edit(
        tiny,
        TINY_METRIC,
        TINY_METRIC.replace(
            "version: 1, formula: spend / population",
            "version: 2, formula: spend / population / 1000",
        ),
    )
    found = Project(tiny_project).diff("HEAD")
    details = {(c.kind, c.id): c.details for c in found.specs}
    assert details[("metrics", "spend_per_head")] == (
        "version: 1 -> 2",
        "formula: spend / population -> spend / population / 1000",
    )
    assert details[("indexes", "tiny")] == (
        "method.normalise.method: zscore -> rank",
        "lens outcome: weight 3 -> 2",
        "lens outcome > metric satisfaction: weight 1 -> 2",
        "lens outcome > metric spend_per_head: added",
    )
    text = (
        CliRunner().invoke(main, ["--project", str(tiny_project), "diff", "--base", "HEAD"]).output
    )
    assert "      lens outcome: weight 3 -> 2\n" in text and "{'" not in text


def test_a_new_version_of_the_index_silences_the_rank_warning(tiny_project) -> None:
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml", "{id: outcome, weight: 3,", "{id: outcome, weight: 2,"
    )
    edit(tiny_project / "specs" / "tiny.yaml", 'version: "1"', 'version: "2"')
    found = Project(tiny_project).diff("HEAD")
    assert found.warnings == []
    assert [c.details for c in found.specs] == [("version: 1 -> 2", "lens outcome: weight 3 -> 2")]


@pytest.mark.slow  # compiles tiny at two revisions: over a second
def test_objects_are_listed_in_build_order_and_hunks_are_separated(tiny_project) -> None:
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml", "{id: outcome, weight: 3,", "{id: outcome, weight: 2,"
    )
    edit(
        tiny_project / "specs" / "tiny.yaml",
        "formula: spend / population,",
        "formula: spend / population / 1000,",
    )
    project = Project(tiny_project)
    found = project.diff("HEAD")
    files = {o.name: o.file_name for o in project.build("duckdb", write=False).objects}
    assert len(found.changed) >= 2
    assert list(found.changed) == sorted(found.changed, key=files.__getitem__)
    assert list(found.changed) != sorted(
        found.changed
    )  # dependency order is not the order of the names
    text = (
        CliRunner().invoke(main, ["--project", str(tiny_project), "diff", "--base", "HEAD"]).output
    )
    assert (
        text.count("--- HEAD/") == text.count("\n\n--- HEAD/") == len(found.changed)
    )  # a blank line before each


@pytest.mark.slow
def test_an_added_object_shows_its_sql(tiny_project) -> None:
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml",
        "  - {id: satisfaction, version: 1,",
        "  - {id: spend_per_person, version: 1, formula: spend / population, direction: lower_is_better, "
        "unit: gbp_per_head}\n  - {id: satisfaction, version: 1,",
    )
    project = Project(tiny_project)
    [added] = [
        o
        for o in project.build("duckdb", write=False).objects
        if o.name == "metric__spend_per_person"
    ]
    text = (
        CliRunner().invoke(main, ["--project", str(tiny_project), "diff", "--base", "HEAD"]).output
    )
    shown = text.split(f"--- /dev/null\n+++ working tree/{added.file_name}\n", 1)[1]
    shown = shown.split("\n--- ", 1)[
        0
    ]  # up to the next file's header: the metric's finite check is added too
    body = [line[1:] for line in shown.splitlines() if line.startswith("+")]
    assert body == added.statement.splitlines()
    markdown = (
        CliRunner()
        .invoke(
            main, ["--project", str(tiny_project), "diff", "--base", "HEAD", "--format", "markdown"]
        )
        .output
    )
    assert "<summary><code>metric__spend_per_person</code> (added)</summary>" in markdown


def test_a_changed_last_line_is_removed_and_added_on_lines_of_its_own(tiny_project) -> None:
    """The statement's last line has no newline; its old and new versions once printed as one line."""
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml",
        "metrics: [satisfaction]}",
        "metrics: [{metric: satisfaction, weight: 2}]}",
    )
    found = Project(tiny_project).diff("HEAD")
    hunk = found.changed["index__tiny__metric_edges"].splitlines()
    assert hunk[-2:] == [
        '-  (1, \'outcome\', \'satisfaction\', 1.0)) AS "t"("depth", "lens", "metric", "weight")',
        '+  (1, \'outcome\', \'satisfaction\', 2.0)) AS "t"("depth", "lens", "metric", "weight")',
    ]
    assert [c.details for c in found.specs] == [
        ("lens outcome > metric satisfaction: weight 1 -> 2",)
    ]


def test_the_markdown_comment_keeps_spec_text_inside_its_table_cell(tiny_project) -> None:
    """A pipe would end the cell and a backtick the code span; neither may."""
    commit_all(tiny_project)
    edit(
        tiny_project / "specs" / "tiny.yaml",
        TINY_METRIC,
        TINY_METRIC.replace("version: 1,", 'version: 1, description: "per | head `x`",'),
    )
    result = CliRunner().invoke(
        main, ["--project", str(tiny_project), "diff", "--base", "HEAD", "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert (
        '| definition | changed | `metrics/spend_per_head` | `` description: "" -> per \\| head `x` `` |'
        in result.output.splitlines()
    )


@pytest.mark.slow
def test_a_scenario_is_a_what_if_and_asks_no_index_for_a_new_version(method_project) -> None:
    commit_all(method_project)
    edit(
        method_project / "specs" / "indexes.yaml",
        "weights: {outcomes: 5, staff_turnover: 3}",
        "weights: {outcomes: 4, staff_turnover: 3}",
    )
    found = Project(method_project).diff("HEAD")
    assert [(c.category, c.kind, c.id, c.details) for c in found.specs] == [
        ("rank-affecting", "scenarios", "outcomes_first", ("weights.outcomes: 5 -> 4",))
    ]
    assert found.changed and found.warnings == []
