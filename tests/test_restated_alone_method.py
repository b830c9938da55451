"""A restated value alone on its path takes the path's own method label (generate/restate.py reads
`geography__paths.method` instead of mapping the rank per row). That is the label its rank names,
as the measure's additivity words it, only because a path alone is never "summed from
predecessors", the one label a mean words differently: checked here over every path of the
made-up country (tests/fixtures/geo, synthetic) and of the example's geography."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexc.geography.provenance import SUMMED, for_additivity
from indexc.plan.restatement import path_methods
from indexc.project import Project

ROOT = Path(__file__).resolve().parent.parent


def _alone_labels(project: Path) -> set[str]:
    geography = Project(project).build("duckdb", write=False).compilation.geography
    assert geography is not None
    paths = geography.closure.paths
    methods = path_methods(geography)
    return {m.label for p, m in zip(paths, methods, strict=True) if p.contributors == 1}


def _check(labels: set[str]) -> None:
    assert labels, "no path alone: nothing checked"
    assert SUMMED not in labels
    for additivity in ("sum", "mean"):
        assert {for_additivity(label, additivity) for label in labels} == labels


def test_a_path_alone_is_labelled_alike_for_a_sum_and_a_mean(geo_project: Path) -> None:
    _check(_alone_labels(geo_project))


@pytest.mark.slow
def test_the_examples_paths_alone_are_labelled_alike_for_a_sum_and_a_mean() -> None:
    _check(_alone_labels(ROOT))
