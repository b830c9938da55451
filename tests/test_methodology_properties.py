"""Random data through the whole methodology: the DuckDB build agrees with the plain-Python reference.

Hypothesis draws the performance data of the `method` fixture (every index option in use) with
small integer values, so ties are common, plus missing values and outliers; every output table of
every index and scenario must match the reference to 1e-9. The fixture's hand-designed data tests
the cases we thought of; this tests the ones we did not.
"""

from __future__ import annotations

import csv
import os

import duckdb
import pytest
from conftest import FIXTURES, copy_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.compare import differences, read_relation, reference_tables, relation_exists, report
from ruamel.yaml import YAML

from indexc.project import Project

pytestmark = pytest.mark.slow  # runs the method fixture for each of 12 random data sets

AREAS = [f"X{i:02d}" for i in range(1, 15)]
PERIODS = ["2021-22", "2022-23", "2023-24"]
ITEMS = {
    "SAT": (60, 90),
    "CARER": (5, 9),
    "WAIT": (10, 40),
    "DTOC": (5, 30),
    "REAB": (40, 95),
    "TURN": (10, 35),
    "DEPRIV": (10, 40),
}
EXAMPLES = int(os.environ.get("INDEXC_METHOD_EXAMPLES", "12"))


@st.composite
def performance(draw) -> list[tuple[str, str, str, int]]:
    rows = []
    for item, (low, high) in ITEMS.items():
        for period in PERIODS:
            for area in AREAS:
                if area == "X14" and period == "2021-22":
                    continue  # not in force yet
                kind = draw(st.sampled_from(["value"] * 8 + ["missing", "outlier"]))
                if kind == "missing" and item != "DEPRIV":
                    continue
                value = draw(st.integers(low, high))
                rows.append((area, period, item, value * 10 if kind == "outlier" else value))
    return rows


def without_smell_tests(project) -> None:
    """Outliers are drawn on purpose here (x10), for the treatment to meet; a smell test would stop the run."""
    path = project / "specs" / "inputs.yaml"
    yaml = YAML()
    specs = yaml.load(path)
    for measure in specs["measures"]:
        if any(binding["source"] == "performance" for binding in measure["bindings"]):
            measure["smell"] = {"off": "random data with outliers drawn on purpose"}
    yaml.dump(specs, path)


def write_performance(project, rows) -> None:
    with open(project / "data" / "performance.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "period", "item", "value"])
        writer.writerows(rows)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(rows=performance())
def test_random_data_gives_the_reference_results_in_every_table(tmp_path_factory, rows) -> None:
    project = copy_project(FIXTURES / "method", tmp_path_factory.mktemp("random") / "method")
    write_performance(project, rows)
    without_smell_tests(project)
    Project(project).run()
    with duckdb.connect(str(project / "build" / "method.duckdb"), read_only=True) as connection:
        schema = "method_index"
        expected = reference_tables(project, connection, schema)
        problems = []
        for index, tables in expected.items():
            for table, rows_expected in tables.items():
                name = f"index__{index}__{table}"
                if relation_exists(connection, schema, name):
                    problems += differences(
                        name, read_relation(connection, schema, name), rows_expected
                    )
                elif rows_expected and "scenario__" not in table:
                    problems.append(
                        f"{name} is not built; the reference has {len(rows_expected)} row(s)"
                    )
        assert not problems, report(
            problems, sum(len(t) for ts in expected.values() for t in ts.values())
        )
