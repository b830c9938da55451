"""Every output table of docs/methodology.md, as indexc's SQL builds it on DuckDB, against the
plain-Python reference in tests/reference/ fed with the same inputs (the compiled metric, measure,
universe and area-map objects). Run on the `method` fixture, built to exercise every option, with the
indexes of `method_lifecycle` added (screening, lenses with a status, lenses reading other indexes,
an index not built), and on the real example project, whatever its index specs declare."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, REPO, copy_project
from reference.compare import differences, read_relation, reference_tables, relation_exists, report
from reference.methodology import TABLES
from reference.spec import indexes_and_scenarios, load_specs

from indexc.project import Project

DOCUMENTED = TABLES  # the baseline objects of "Output tables"
SCENARIO_TABLES = ("deltas", "lens_scores", "scores")  # what every scenario recomputes
SCENARIO_SAVINGS = ("savings", "savings_totals")  # and what one that changes savings recomputes


def target(project: Path) -> tuple[str, str]:
    """The DuckDB file and schema the project's duckdb target names."""
    from ruamel.yaml import YAML

    names = [
        p
        for p in (project / "targets").iterdir()
        if p.stem == "duckdb" and p.suffix in (".yaml", ".yml")
    ]
    spec = YAML(typ="safe", pure=True).load(sorted(names)[-1].read_text(encoding="utf-8"))
    return spec["database"], spec["build_schema"]


def cases(project: Path) -> tuple[list, list]:
    """(index, documented table) and (index, scenario, table) cases, read from the specs at collection:
    every index that is built (not contingent or deferred) and its scenarios."""
    indexes, scenarios, _ = indexes_and_scenarios(project / "specs")
    built = [i for i, index in indexes.items() if index.built]
    baseline = [(i, t) for i in built for t in DOCUMENTED]
    alternative = [
        (s["index"], s["id"], t)
        for s in scenarios
        if s["index"] in built and not s.get("proposed")  # other geography:
        for t in SCENARIO_TABLES + (SCENARIO_SAVINGS if s.get("savings") else ())
    ]  # test_real_methodology
    return baseline, alternative


class Built:
    """A project run on DuckDB, with the reference computed from the same build's inputs."""

    def __init__(self, project: Path) -> None:
        self.project = project
        database, self.schema = target(self.project)
        self.connection = duckdb.connect(str(self.project / database), read_only=True)
        self.expected = reference_tables(self.project, self.connection, self.schema)

    def check(self, index: str, table: str) -> None:
        name = f"index__{index}__{table}"
        expected = self.expected[index][table]
        if not relation_exists(self.connection, self.schema, name):
            assert not expected, (
                f"{name} is not built; the reference has {len(expected)} row(s) for it"
            )
            return
        problems = differences(name, read_relation(self.connection, self.schema, name), expected)
        assert not problems, report(problems, len(expected))


LIFECYCLE = FIXTURES / "method_lifecycle"  # specs only, added to the method fixture's
_METHOD, _LIFECYCLE = cases(FIXTURES / "method"), cases(LIFECYCLE)
METHOD_BASELINE, METHOD_SCENARIOS = _METHOD[0] + _LIFECYCLE[0], _METHOD[1] + _LIFECYCLE[1]
REAL_BASELINE, REAL_SCENARIOS = cases(REPO)


@pytest.fixture(scope="module")
def method_build(tmp_path_factory):
    """The method fixture with the lifecycle indexes added: one build (the indexes are independent of
    each other's presence, but for those that read others)."""
    project = copy_project(FIXTURES / "method", tmp_path_factory.mktemp("method") / "method")
    shutil.copytree(LIFECYCLE / "specs", project / "specs" / "lifecycle")
    Project(project).run()
    built = Built(project)
    yield built
    built.connection.close()


@pytest.fixture(scope="module")
def real_build(example_run):
    """On the example run once for the session (conftest.py), read only."""
    built = Built(example_run.project)
    yield built
    built.connection.close()


@pytest.mark.parametrize(("index", "table"), METHOD_BASELINE)
def test_method_fixture_table_matches_the_reference(method_build, index: str, table: str) -> None:
    method_build.check(index, table)


@pytest.mark.parametrize(("index", "scenario", "table"), METHOD_SCENARIOS)
def test_method_fixture_scenario_matches_the_reference(
    method_build, index: str, scenario: str, table: str
) -> None:
    method_build.check(index, f"scenario__{scenario}__{table}")


@pytest.mark.parametrize(("index", "table"), REAL_BASELINE)
def test_real_example_table_matches_the_reference(real_build, index: str, table: str) -> None:
    real_build.check(index, table)


@pytest.mark.parametrize(("index", "scenario", "table"), REAL_SCENARIOS)
def test_real_example_scenario_matches_the_reference(
    real_build, index: str, scenario: str, table: str
) -> None:
    real_build.check(index, f"scenario__{scenario}__{table}")


def test_the_method_fixture_exercises_what_its_readme_promises(method_build) -> None:
    """The reference itself on the fixture: the designed edge cases really occur, so a passing
    comparison means they were checked (not that the data happened to avoid them)."""
    care, panel, ranks = (method_build.expected[i] for i in ("care", "care_panel", "care_ranks"))
    wait = {r["period"]: r for r in care["treatment"] if r["metric"] == "wait_days"}
    assert [(wait[p]["high_points"], wait[p]["log_applied"]) for p in sorted(wait)] == [
        (1, False),
        (2, False),
        (1, False),
    ]
    assert [r["log_applied"] for r in panel["treatment"] if r["metric"] == "wait_days"] == [True]
    fallback = {
        r["period"]: r["log_applied"] for r in ranks["treatment"] if r["metric"] == "wait_days"
    }
    assert fallback == {"2021-22": False, "2022-23": True, "2023-24": False}
    unranked = [(r["area_code"], r["period"]) for r in care["scores"] if not r["ranked"]]
    assert unranked == [("X13", "2022-23")]
    assert sum(r["imputed"] for r in care["metric_scores"]) == 12
    spend_gap = ("X06", "2022-23")  # imputed for scoring, never for money
    assert any(
        r["imputed"]
        and (r["area_code"], r["period"]) == spend_gap
        and r["metric"] == "spend_per_head"
        for r in care["metric_scores"]
    )
    assert not any(
        (r["area_code"], r["period"]) == spend_gap for r in care["savings"] + care["productivity"]
    )
    top = [(r["rank"], r["area_code"]) for r in care["top"] if r["period"] == "2023-24"][:3]
    assert top == [(1, "X03"), (1, "X04"), (3, "X07")]
    assert not any(
        r["area_code"] in ("Z01",) or (r["area_code"], r["period"]) == ("X14", "2021-22")
        for r in care["metric_scores"]
    )
    specs = load_specs(FIXTURES / "method" / "specs")
    assert not specs.get("areas") and not specs.get("lineage")


def test_the_lifecycle_indexes_exercise_what_their_spec_promises(method_build) -> None:
    """Screening, lenses with a status and lenses reading another index really occur in the lifecycle
    indexes (so their comparison checks them), and the contingent index is not built."""
    expected = method_build.expected
    assert "care_waiting" not in expected
    screened, overview, care = (expected[i] for i in ("care_screened", "care_overview", "care"))
    rules = {(r["area_code"], r["period"], r["rule"], r["lens"]) for r in screened["screened"]}
    assert rules == {
        ("X01", "2023-24", "index", None),
        ("X13", "2022-23", "index", None),
        ("X13", "2022-23", "lens", "timeliness"),
    }
    left_out = {("X01", "2023-24"), ("X13", "2022-23")}
    for table in ("metric_scores", "lens_scores", "scores", "savings", "stability"):
        assert not any((r["area_code"], r["period"]) in left_out for r in screened[table]), table
    assert any(r["imputed"] for r in screened["metric_scores"])  # imputed among the areas kept
    lenses = {r["lens"] for r in screened["lens_scores"]}
    assert {"turnover", "spend", "care_score", "care_outcomes"} <= lenses
    assert "reablement_outcomes" not in lenses  # awaiting data: nothing computed
    assert {r["lenses_total"] for r in screened["scores"]} == {
        3
    }  # contextual lenses carry no weight
    assert {r["children_total"] for r in screened["lens_scores"] if r["lens"] == "outcomes"} == {2}
    ranked = {(r["area_code"], r["period"]): r["score"] for r in care["scores"] if r["rank"]}
    read = {
        (r["area_code"], r["period"]): r["score"]
        for r in overview["lens_scores"]
        if r["lens"] == "care_score"
    }
    assert read == ranked and ("X13", "2022-23") not in read  # care does not rank X13 then


def test_the_real_example_exercises_lenses_with_a_status_screening_and_index_lenses(real_build):
    expected = real_build.expected
    assert "high_needs" not in expected  # deferred: not built
    top, care = expected["top_level"], expected["adult_social_care"]
    outcomes = {
        (r["area_code"], r["period"]): r["score"]
        for r in care["lens_scores"]
        if r["lens"] == "outcomes"
    }
    read = {
        (r["area_code"], r["period"]): r["score"]
        for r in top["lens_scores"]
        if r["lens"] == "adult_social_care"
    }
    assert read and all(outcomes[key] == score for key, score in read.items())
    assert any(r["lens"] == "spend" for r in top["lens_scores"])  # contextual: scored, shown
    assert {r["lenses_total"] for r in top["scores"]} == {5}
    assert {r["lenses_total"] for r in expected["local_outcomes_framework"]["scores"]} == {7}
    assert expected["health_by_condition"]["screened"]
    assert expected["combined_authorities"]["scores"]
