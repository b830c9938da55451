"""Errors point at the cause: a file that fails to load comes first and its follow-ons are counted, not listed;
a spec path that cannot be read is an error at that path, never skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexc.cli import main
from indexc.project import Project


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def indent_one_line_wrongly(project: Path) -> None:
    """The slip from issue 15: one key of a metric indented two spaces too far."""
    metrics = project / "specs" / "metrics.yaml"
    lines = metrics.read_text().splitlines(keepends=True)
    assert lines[12] == "    version: 1\n"
    lines[12] = "      version: 1\n"
    metrics.write_text("".join(lines))


def test_indentation_slip_reports_its_cause_first_and_counts_the_follow_ons(
    example_project: Path,
) -> None:
    indent_one_line_wrongly(example_project)
    result = invoke(example_project, "validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        lines[0]
        == "specs/metrics.yaml:13:14: IX001 YAML syntax error: mapping values are not allowed in this context"
    )
    assert "IX102" not in result.output
    assert (
        "specs/metrics.yaml: IX010 note: 19 further errors in files that refer to specs/metrics.yaml, "
        "not shown"
    ) in lines
    assert lines[-1] == "1 error(s), 0 warning(s), 19 further error(s) not shown"


def test_indentation_slip_in_json_gives_the_count_as_a_note(example_project: Path) -> None:
    indent_one_line_wrongly(example_project)
    result = invoke(example_project, "validate", "--format", "json")
    entries = json.loads(result.stderr)
    assert [(e["code"], e["severity"]) for e in entries] == [("IX001", "error"), ("IX010", "note")]
    assert entries[1]["count"] == 19 and entries[1]["file"] == "specs/metrics.yaml"


def test_an_error_that_does_not_stem_from_the_failed_file_is_still_shown(
    example_project: Path,
) -> None:
    indent_one_line_wrongly(example_project)
    index = example_project / "specs" / "indexes" / "adult_social_care.yaml"
    index.write_text(index.read_text().replace("universe: upper_tier", "universe: upper_teir", 1))
    result = invoke(example_project, "validate")
    assert "IX102 unknown universe 'upper_teir' in index 'adult_social_care'" in result.output
    assert "19 further errors in files that refer to specs/metrics.yaml, not shown" in result.output


def codes_at(project: Path) -> list[tuple[str, str, str]]:
    _, diagnostics = Project(project).check()
    return [(d.code, d.location.file, d.message) for d in diagnostics]


def test_a_dangling_symbolic_link_is_an_error_at_its_path(tiny_project: Path) -> None:
    (tiny_project / "specs" / "extra.yaml").symlink_to(tiny_project / "specs" / "moved_away.yaml")
    assert codes_at(tiny_project) == [
        (
            "IX001",
            "specs/extra.yaml",
            "cannot read the file: it is a symbolic link to "
            f"'{tiny_project / 'specs' / 'moved_away.yaml'}', which does not exist",
        )
    ]


def test_a_directory_named_like_a_spec_file_is_an_error_at_its_path(tiny_project: Path) -> None:
    (tiny_project / "specs" / "more.yaml").mkdir()
    assert codes_at(tiny_project) == [
        ("IX001", "specs/more.yaml", "cannot read the file: it is a directory")
    ]


def test_a_file_without_read_permission_is_an_error_at_its_path(tiny_project: Path) -> None:
    locked = tiny_project / "specs" / "locked.yaml"
    locked.write_text("indexc: 2\n")
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        pytest.skip("this user (root) can read a file without read permission")
    assert codes_at(tiny_project) == [
        ("IX001", "specs/locked.yaml", "cannot read the file: permission denied")
    ]


def test_a_symbolic_link_to_itself_is_an_error_at_its_path(tiny_project: Path) -> None:
    looped = tiny_project / "specs" / "looped.yaml"
    looped.symlink_to(looped)
    assert codes_at(tiny_project) == [
        ("IX001", "specs/looped.yaml", "cannot read the file: too many levels of symbolic links")
    ]


def test_a_file_that_cannot_be_read_at_all_may_define_any_missing_id(tiny_project: Path) -> None:
    """Its text is unknown, so an unknown reference elsewhere is counted as its follow-on, not listed."""
    (tiny_project / "specs" / "extra.yaml").symlink_to(tiny_project / "specs" / "moved_away.yaml")
    tiny = tiny_project / "specs" / "tiny.yaml"
    tiny.write_text(
        tiny.read_text().replace("metrics: [satisfaction]", "metrics: [satisfaction_rate]")
    )
    _, diagnostics = Project(tiny_project).check()
    assert [(d.code, d.severity.value, d.message) for d in diagnostics][1:] == [
        ("IX010", "note", "1 further error in files that refer to specs/extra.yaml, not shown")
    ]


def test_no_permission_is_worded_as_such(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads a file without read permission, so the refusal is simulated where the file is read."""
    locked = tiny_project / "specs" / "locked.yaml"
    locked.write_text("indexc: 2\n")
    read_text = Path.read_text

    def refuse(path: Path, *args, **kwargs) -> str:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return read_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    _, diagnostics = Project(tiny_project).check()
    assert [(d.code, str(d.location), d.message, d.hint) for d in diagnostics] == [
        (
            "IX001",
            "specs/locked.yaml",
            "cannot read the file: permission denied",
            "make the file readable by the user running indexc",
        )
    ]
