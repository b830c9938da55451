"""Language versions: version 1 files compile through the in-memory upgrade, and `indexc migrate`
rewrites them in place keeping every comment, the order and the layout.

`fixtures/example_v1/` is the example project exactly as it was committed in language version 1
(before `weight` became `weighted_by` and `schema` became `build_schema`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from indexc.cli import main
from indexc.errors import Severity
from indexc.project import Project

V1_EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "example_v1"
EXAMPLE_DATA = Path(__file__).resolve().parents[1] / "examples"


def _v1_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(V1_EXAMPLE, root)
    return root


def _texts(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def _sql(root: Path) -> tuple[dict[tuple[str, str], str], str]:
    project = Project(root)
    compilation = project.compile()
    statements = {}
    for target in ("duckdb", "snowflake"):
        build = project.build(target, write=False, compilation=compilation)
        statements.update({(target, obj.name): obj.statement for obj in build.objects})
    return statements, compilation.spec_hash


@pytest.mark.slow
def test_a_version_1_project_compiles_to_the_same_sql_before_and_after_migration(
    tmp_path: Path,
) -> None:
    root = _v1_project(tmp_path)
    before_sql, before_hash = _sql(root)
    _, warnings = Project(root).check()
    assert {d.code for d in warnings} == {"IX006"} and all(
        d.severity is Severity.WARNING for d in warnings
    )
    assert len(warnings) == len(list((root / "specs").rglob("*.yaml")))
    measures = next(d for d in warnings if d.location.file == "specs/measures.yaml")
    assert "'weight' is now 'weighted_by'" in measures.message and (
        measures.location.line,
        measures.location.col,
    ) == (1, 9)

    originals = _texts(root)
    migrated = Project(root).migrate()
    assert len(migrated) == len(originals) == 32

    after_sql, after_hash = _sql(root)
    assert after_sql == before_sql and len(after_sql) > 300
    assert after_hash == before_hash
    assert Project(root).check()[1] == []  # no warning left


def test_migration_changes_only_the_version_and_the_renamed_keys(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    originals = {name: text.decode() for name, text in _texts(root).items()}
    Project(root).migrate()
    changed_lines = []
    for name, text in _texts(root).items():
        old_lines, new_lines = (
            originals[name].splitlines(keepends=True),
            text.decode().splitlines(keepends=True),
        )
        assert len(old_lines) == len(new_lines), name
        assert new_lines[0] == "indexc: 2\n" and old_lines[0] == "indexc: 1\n"
        for number, (old, new) in enumerate(
            zip(old_lines[1:], new_lines[1:], strict=True), start=2
        ):
            if old != new:
                changed_lines.append((name, number, old, new))
    # every measure written 'weight: population' (seven of them) and each target's schema line
    assert [
        (name, new) for name, _, old, new in changed_lines if name == "specs/measures.yaml"
    ] == [("specs/measures.yaml", "    weighted_by: population\n")] * 7
    assert all(
        old == "    weight: population\n"
        for name, _, old, _ in changed_lines
        if name == "specs/measures.yaml"
    )
    assert [
        (name, old, new) for name, _, old, new in changed_lines if name.startswith("targets/")
    ] == [
        ("targets/duckdb.yaml", "schema: indexc_build\n", "build_schema: indexc_build\n"),
        ("targets/snowflake.yaml", "schema: INDEX_BUILD\n", "build_schema: INDEX_BUILD\n"),
    ]
    assert len(changed_lines) == 9


def test_migrate_keeps_comments_quotes_flow_style_and_line_endings(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(V1_EXAMPLE, root)
    written = (
        "# measures in several styles\r\n"
        "indexc: 1   # the language\r\n"
        "measures:\r\n"
        "  - {id: a, unit: x, additivity: mean, weight: population,"
        " bindings: [{source: oflog_asc_outcomes, item: ASC1}]}\r\n"
        "  - id: b\r\n"
        "    unit: x\r\n"
        "    additivity: mean\r\n"
        '    "weight": population   # quoted\r\n'
        "    bindings:\r\n"
        "      - {source: oflog_asc_outcomes, item: ASC2}\r\n"
        "  - {id: c, unit: x, additivity: sum,"
        " bindings: [{source: oflog_asc_outcomes, item: ASC3}]}  # weight: stays\r\n"
    )
    (root / "specs" / "styles.yaml").write_bytes(written.encode())
    Project(root).migrate()
    expected = (  # written by hand: only the version and the two keys differ
        "# measures in several styles\r\n"
        "indexc: 2   # the language\r\n"
        "measures:\r\n"
        "  - {id: a, unit: x, additivity: mean, weighted_by: population,"
        " bindings: [{source: oflog_asc_outcomes, item: ASC1}]}\r\n"
        "  - id: b\r\n"
        "    unit: x\r\n"
        "    additivity: mean\r\n"
        '    "weighted_by": population   # quoted\r\n'
        "    bindings:\r\n"
        "      - {source: oflog_asc_outcomes, item: ASC2}\r\n"
        "  - {id: c, unit: x, additivity: sum,"
        " bindings: [{source: oflog_asc_outcomes, item: ASC3}]}  # weight: stays\r\n"
    )
    assert (root / "specs" / "styles.yaml").read_bytes() == expected.encode()
    catalog = Project(root).compile().catalog
    assert catalog.measures["a"].weighted_by == catalog.measures["b"].weighted_by == "population"


def test_migrate_check_writes_nothing_and_fails_while_a_file_is_old(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    originals = _texts(root)
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(root), "migrate", "--check", "--diff"])
    assert result.exit_code == 1
    assert "would migrate targets/duckdb.yaml (version 1 -> 2)" in result.output
    assert "line 7: measures.0.weight -> weighted_by" in result.output
    assert "-    weight: population\n+    weighted_by: population" in result.output
    assert _texts(root) == originals

    result = runner.invoke(main, ["--project", str(root), "migrate"])
    assert result.exit_code == 0, result.output
    assert "migrated specs/measures.yaml" in result.output
    result = runner.invoke(main, ["--project", str(root), "migrate", "--check"])
    assert result.exit_code == 0 and "every file is in language version 2" in result.output
    migrated = _texts(root)
    assert runner.invoke(main, ["--project", str(root), "migrate"]).exit_code == 0
    assert _texts(root) == migrated  # a second migration changes nothing


def test_an_unreadable_file_stops_the_whole_migration(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    (root / "specs" / "zz_broken.yaml").write_text(
        "indexc: 1\nmetrics: [unclosed\n", encoding="utf-8"
    )
    originals = _texts(root)
    result = CliRunner().invoke(main, ["--project", str(root), "migrate"])
    assert result.exit_code == 1
    assert "specs/zz_broken.yaml:3:1: IX001" in result.output
    assert "Traceback" not in result.output
    assert _texts(root) == originals
    assert not list(root.rglob("*.migrating"))


@pytest.mark.slow
def test_a_migrated_example_runs_on_duckdb_like_the_original(tmp_path: Path) -> None:
    """The run itself (data, publication) through the v1 files and through their migration."""
    scores = []
    for migrate in (False, True):
        root = tmp_path / f"run{int(migrate)}"
        shutil.copytree(V1_EXAMPLE, root)
        shutil.copytree(EXAMPLE_DATA, root / "examples")
        project = Project(root)
        if migrate:
            project.migrate()
        project.run("duckdb")
        with duckdb.connect(str(root / "build" / "indexc.duckdb"), read_only=True) as con:
            scores.append(
                con.sql(
                    "select area_code, period, score, rank from "
                    "indexc_published.index__adult_social_care__scores order by all"
                ).fetchall()
            )
    assert len(scores[0]) == len(scores[1]) > 1000
    for original, migrated in zip(*scores, strict=True):
        # DuckDB's parallel sums may differ in the last bits from one run to the next
        assert original[:2] == migrated[:2] and original[3] == migrated[3]
        assert (original[2] is None) == (migrated[2] is None)
        assert original[2] is None or abs(original[2] - migrated[2]) <= 1e-9


@pytest.mark.slow
def test_a_key_written_under_both_names_is_an_error_at_the_old_one(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    target = root / "targets" / "duckdb.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace(
            "schema: indexc_build\n", "schema: indexc_build\nbuild_schema: other\n"
        ),
        encoding="utf-8",
    )
    originals = _texts(root)
    result = CliRunner().invoke(main, ["--project", str(root), "migrate"])
    assert result.exit_code == 1
    assert (
        "targets/duckdb.yaml:4:1: IX006 'schema' (language version 1) and 'build_schema' are both written"
        in result.output
    )
    assert _texts(root) == originals
    result = CliRunner().invoke(main, ["--project", str(root), "build", "--target", "duckdb"])
    assert result.exit_code == 1 and "targets/duckdb.yaml:4:1: IX006" in result.output
    assert "unknown key" not in result.output


def test_a_byte_order_mark_a_symbolic_link_and_a_last_line_without_its_end(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    shared = tmp_path / "shared.yaml"
    shared.write_bytes(
        b"\xef\xbb\xbfindexc: 1\nmeasures:\n  - {id: s, unit: x, additivity: mean, weight: population, "
        b"bindings: [{source: oflog_asc_outcomes, item: ASC1}]}"
    )
    (root / "specs" / "shared.yaml").symlink_to(shared)
    result = CliRunner().invoke(main, ["--project", str(root), "migrate", "--diff"])
    assert result.exit_code == 0, result.output
    assert (root / "specs" / "shared.yaml").is_symlink()
    assert shared.read_bytes() == (
        b"\xef\xbb\xbfindexc: 2\nmeasures:\n  - {id: s, unit: x, additivity: mean, "
        b"weighted_by: population, bindings: [{source: oflog_asc_outcomes, item: ASC1}]}"
    )
    assert "item: ASC1}]}\n\\ No newline at end of file\n+  - {id: s" in result.output


def test_a_key_it_cannot_rewrite_is_reported_at_the_key(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    (root / "specs" / "tagged.yaml").write_text(
        "indexc: 1\nmeasures:\n  - id: t\n    unit: x\n    additivity: mean\n    !!str weight: population\n"
        "    bindings: [{source: oflog_asc_outcomes, item: ASC1}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--project", str(root), "migrate"])
    assert result.exit_code == 1
    assert (
        "specs/tagged.yaml:6:5: IX006 cannot migrate: the key 'weight' is not written plainly or in quotes"
        in result.output
    )
    assert "Traceback" not in result.output


def test_nothing_to_migrate_where_there_are_no_specs_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "migrate", "--check"])
    assert result.exit_code == 1 and "IX005 no spec files found" in result.output


def test_other_yaml_files_under_targets_are_left_alone(tmp_path: Path) -> None:
    root = _v1_project(tmp_path)
    notes = root / "targets" / "notes.yml"
    notes.write_text("just: notes\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["--project", str(root), "migrate"]).exit_code == 0
    assert notes.read_text(encoding="utf-8") == "just: notes\n"
    assert (root / "targets" / "duckdb.yaml").read_text(encoding="utf-8").startswith("indexc: 2\n")
