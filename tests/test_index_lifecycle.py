"""An index's lifecycle and lenses shown without weight, on the hand-checkable tiny project.

A deferred or contingent index is validated but builds nothing unless selected by name; a contextual lens
is scored and published but the index score is the weighted mean of the other lenses, recomputed here from
the lens scores read back from DuckDB; a lens awaiting data is shown in the catalogue and nowhere scored.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from indexc.errors import UserError
from indexc.plan import build_plan
from indexc.plan.lifecycle import built_indexes
from indexc.project import Project
from indexc.validate.lifecycle import selection_problems

PUBLISHED = "tiny_index_published"

CONTEXTUAL_LENSES = """
      - id: context
        status: contextual
        reason: reported beside the index, as the framework does
        link: https://example.org/outcomes/context
        metrics:
          - {metric: spend_per_head, weight: 1, basis: ours}
          - {metric: satisfaction, weight: 2, basis: framework}
      - {id: later, status: awaiting_data, reason: no council-level data yet}
"""

ON_HOLD_INDEXES = """
  - id: high_needs
    version: "0"
    status: deferred
    reason: SEND reforms pending
    until: {event: "SEND reforms white paper published"}
    universe: councils
    method: {normalise: zscore}
    lenses:
      - {id: send, weight: 1}
  - id: waiting
    version: "0"
    status: contingent
    reason: waits for the 2027 survey
    until: {date: 2027-04-01}
    universe: councils
    method: {normalise: zscore}
    lenses:
      - {id: cost, weight: 1, metrics: [spend_per_head]}

scenarios:
  - {id: cheaper, index: waiting, weights: {cost: 2}}
"""


def edit_tiny(project: Path, lenses: str = "", indexes: str = "", stability: bool = False) -> Path:
    """The tiny index with more top lenses, more indexes after it, and rank stability if asked."""
    spec = project / "specs" / "tiny.yaml"
    text = spec.read_text(encoding="utf-8")
    anchor = "      - {id: outcome, weight: 3, metrics: [satisfaction]}\n"
    assert anchor in text
    text = text.replace(anchor, anchor + lenses.lstrip("\n"))
    if stability:
        text = text.replace(
            "    publish: {top: 3}\n", "    publish: {top: 3}\n    stability: {draws: 50}\n"
        )
    spec.write_text(text + indexes, encoding="utf-8")
    return project


def object_names(project: Path) -> list[str]:
    return [obj.name for obj in Project(project).build("duckdb", write=False).objects]


def test_indexes_on_hold_and_their_scenarios_build_nothing(tiny_project: Path) -> None:
    names = object_names(edit_tiny(tiny_project, indexes=ON_HOLD_INDEXES))
    assert any(name.startswith("index__tiny__") for name in names)
    assert [n for n in names if "high_needs" in n or "waiting" in n or "cheaper" in n] == []


def test_an_index_on_hold_is_built_when_selected_by_name(tiny_project: Path) -> None:
    compilation = Project(edit_tiny(tiny_project, indexes=ON_HOLD_INDEXES)).compile()
    catalog = compilation.catalog
    assert built_indexes(catalog) == ("tiny",)
    assert built_indexes(catalog, ("waiting",)) == ("tiny", "waiting")  # then cut to the selection
    plan = build_plan(catalog, compilation.graph, compilation.geography, selected=("waiting",))
    names = {node.name for node in plan.nodes}
    assert {"index__waiting__scores", "index__waiting__scenario__cheaper__deltas"} <= names
    built = Project(tiny_project).build("duckdb", write=False, indexes=("waiting",))
    names = {obj.name for obj in built.objects}
    assert {"index__waiting__scores", "index__waiting__scenario__cheaper__deltas"} <= names
    assert not any(name.startswith("index__tiny__") for name in names)


def test_a_deferred_index_with_empty_lenses_cannot_be_selected_to_be_built(
    tiny_project: Path,
) -> None:
    catalog = Project(edit_tiny(tiny_project, indexes=ON_HOLD_INDEXES)).compile().catalog
    problems = selection_problems(catalog, ("high_needs", "waiting"))
    assert [(p.code.value, p.message) for p in problems] == [
        (
            "IX323",
            "deferred index 'high_needs' is selected to be built, but its lens 'send' has neither "
            "metrics nor lenses",
        )
    ]


def test_a_deferred_index_is_still_validated(tiny_project: Path) -> None:
    broken = ON_HOLD_INDEXES.replace(
        "{id: send, weight: 1}", "{id: send, weight: 1, metrics: [nope]}"
    )
    _, diagnostics = Project(edit_tiny(tiny_project, indexes=broken)).check()
    assert [(d.code.value, d.message) for d in diagnostics] == [
        ("IX102", "unknown metric 'nope' in lens 'send' of index 'high_needs'")
    ]


@pytest.mark.slow
def test_a_run_of_a_project_with_a_deferred_index_publishes_only_the_others(
    tiny_project: Path,
) -> None:
    project = Project(edit_tiny(tiny_project, indexes=ON_HOLD_INDEXES))
    rankings = project.run("duckdb")
    assert [r.index_id for r in rankings] == ["tiny"]
    with duckdb.connect(str(tiny_project / "build" / "tiny.duckdb"), read_only=True) as db:
        tables = [
            row[0] for row in db.sql("SELECT table_name FROM information_schema.tables").fetchall()
        ]
    assert any(t.startswith("index__tiny__") for t in tables)
    assert [t for t in tables if "high_needs" in t or "waiting" in t] == []


def weighted_mean(pairs: list[tuple[float, float]]) -> float:
    return sum(w * s for w, s in pairs) / sum(w for w, _ in pairs)


@pytest.mark.slow
def test_a_contextual_lens_is_published_but_weighs_nothing(tiny_project: Path) -> None:
    Project(edit_tiny(tiny_project, CONTEXTUAL_LENSES, stability=True)).run("duckdb")
    with duckdb.connect(str(tiny_project / "build" / "tiny.duckdb"), read_only=True) as db:

        def rows(table: str, columns: str) -> list[tuple]:
            return db.sql(f"SELECT {columns} FROM {PUBLISHED}.index__tiny__{table}").fetchall()

        lens_scores = {
            (lens, a, p): s
            for lens, a, p, s in rows("lens_scores", "lens, area_code, period, score")
        }
        metric_scores = {
            (m, a, p): s
            for m, a, p, s in rows("metric_scores", "metric, area_code, period, score")
            if s is not None
        }
        scores = rows("scores", "area_code, period, score, lenses_used, lenses_total, coverage")
        stability = rows("stability", "area_code, period, draws")
    assert {lens for lens, _, _ in lens_scores} == {
        "cost",
        "outcome",
        "context",
    }  # nothing for 'later'
    for (lens, area, period), score in lens_scores.items():
        if lens == "context":  # its own metrics, weighted 1 and 2, over those scored
            children = [
                (1.0, ("spend_per_head", area, period)),
                (2.0, ("satisfaction", area, period)),
            ]
            expected = weighted_mean(
                [(w, metric_scores[k]) for w, k in children if k in metric_scores]
            )
            assert score == pytest.approx(expected, abs=1e-12)
    assert len(scores) == 7  # four councils in 2016-17, three in 2017-18
    for area, period, score, used, total, coverage in scores:
        present = [
            (w, lens_scores[(lens, area, period)])
            for lens, w in (("cost", 1.0), ("outcome", 3.0))
            if (lens, area, period) in lens_scores
        ]
        assert score == pytest.approx(weighted_mean(present), abs=1e-12)
        assert (used, total) == (len(present), 2)
        assert coverage == pytest.approx(sum(w for w, _ in present) / 4.0)
    assert ("context", "DDD", "2016-17") in lens_scores  # DDD scored on context and cost only
    assert {draws for _, _, draws in stability} == {50}


def test_scenario_weights_and_productivity_with_a_contextual_lens_plan(tiny_project: Path) -> None:
    spec = edit_tiny(tiny_project, CONTEXTUAL_LENSES) / "specs" / "tiny.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "    publish: {top: 3}\n",
            "    publish: {top: 3}\n    productivity: [{lens: context, spend: spend_per_head, method: rank_gap}]\n",
        )
        + "\nscenarios:\n  - {id: more_cost, index: tiny, weights: {cost: 2, context/satisfaction: 1}}\n",
        encoding="utf-8",
    )
    build = Project(tiny_project).build("duckdb", write=False, check=True)
    by_name = {obj.name: obj.statement for obj in build.objects}
    scores = by_name["index__tiny__scenario__more_cost__scores"]
    assert "'context'" not in scores
    assert "('cost', CAST(2.0 AS DOUBLE))" in scores
    assert "'later'" not in by_name["index__tiny__lens_scores"]


def test_the_catalogue_shows_every_index_status_and_lens(
    tiny_project: Path, tmp_path: Path
) -> None:
    project = Project(edit_tiny(tiny_project, CONTEXTUAL_LENSES, ON_HOLD_INDEXES))
    page = project.write_docs(tmp_path / "docs").read_text(encoding="utf-8")
    assert '<section class="index" id="index-high_needs">' in page
    assert (
        "Status: deferred: SEND reforms pending (until SEND reforms white paper published)" in page
    )
    assert "Status: contingent: waits for the 2027 survey (until 2027-04-01)" in page
    assert '<a class="lens-link" href="https://example.org/outcomes/context">context</a>' in page
    assert (
        'none: <span class="lens-status">contextual</span> (reported beside the index, as the framework does)'
        in page
    )
    assert (
        'none: <span class="lens-status">awaiting data</span> (no council-level data yet)' in page
    )
    assert "index tiny, lens context (contextual: no weight)" in page  # where a metric is used
    assert '(1.0; <span class="basis">our mapping</span>)' in page
    assert '(2.0; <span class="basis">the framework&#39;s</span>)' in page


def test_a_run_refuses_a_scenario_of_an_index_on_hold_and_an_index_on_hold_it_cannot_build(
    tiny_project: Path,
) -> None:
    project = Project(edit_tiny(tiny_project, indexes=ON_HOLD_INDEXES))
    with pytest.raises(UserError) as raised:
        project.run("duckdb", scenarios=("cheaper",))
    assert [(d.code.value, d.message) for d in raised.value.diagnostics] == [
        (
            "IX008",
            "scenario 'cheaper' is of index 'waiting', which is contingent: it is not built",
        )
    ]
    with pytest.raises(UserError) as raised:  # named, it is built: but it has nothing to build
        project.run("duckdb", indexes=("high_needs",))
    assert [d.message for d in raised.value.diagnostics] == [
        "deferred index 'high_needs' is selected to be built, but its lens 'send' has neither "
        "metrics nor lenses"
    ]
    assert not (tiny_project / "build" / "tiny.duckdb").exists()


def test_lenses_without_weight_compile_for_snowflake(tiny_project: Path) -> None:
    """The static check of the Snowflake target holds for an index with contextual and awaiting lenses."""
    project = Project(edit_tiny(tiny_project, CONTEXTUAL_LENSES, ON_HOLD_INDEXES, stability=True))
    objects = {
        o.name: o.statement for o in project.build("snowflake", write=False, check=True).objects
    }
    stability = objects["index__tiny__stability"]  # draws perturb the two lenses that carry weight
    assert ("'cost'" in stability, "'outcome'" in stability, "'context'" in stability) == (
        True,
        True,
        False,
    )
    assert "'context'" in objects["index__tiny__lens_scores"]


def test_the_build_command_builds_an_index_on_hold_named_with_index(tiny_project: Path) -> None:
    from click.testing import CliRunner

    from indexc.cli import main

    edit_tiny(tiny_project, indexes=ON_HOLD_INDEXES)
    result = CliRunner().invoke(
        main, ["--project", str(tiny_project), "build", "--target", "duckdb", "--index", "waiting"]
    )
    assert result.exit_code == 0, result.output
    written = {p.stem.split("_", 1)[1] for p in (tiny_project / "build" / "duckdb").glob("*.sql")}
    assert "index__waiting__scores" in written
    assert not any(name.startswith("index__tiny__") for name in written)
