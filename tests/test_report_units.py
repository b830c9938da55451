"""The regular report's parts that need no database or browser: where tables are read (relations.py),
the methodology in words (methodology.py), and charts that are the same bytes every time (charts.py)."""

from __future__ import annotations

import pytest

from indexc.generate.expressions import col
from indexc.generate.targets import DuckDBSql, SnowflakeSql
from indexc.report.charts import contributions_chart, savings_chart
from indexc.report.headline import Contribution, Part, in_period
from indexc.report.methodology import methodology
from indexc.report.relations import audience, live, snapshot
from indexc.report.savings import CouncilSaving, pounds, pounds_short
from indexc.spec.indexes import Index
from indexc.spec.targets import DuckDBTarget, SnowflakeTarget

TARGET = DuckDBSql(
    DuckDBTarget.model_validate(
        {"target": "duckdb", "build_schema": "b", "published_schema": "p", "snapshot_schema": "s"}
    )
)


class Recorder:
    """A query function that answers column look-ups with `columns` and records every query."""

    def __init__(self, columns: list[str]) -> None:
        self.columns, self.queries = columns, []

    def __call__(self, sql: str) -> list[dict]:
        self.queries.append(sql)
        if "information_schema" in sql.lower():
            return [{"column_name": c} for c in self.columns]
        return []


def test_a_snapshot_is_read_through_its_id_and_its_id_column_is_not_a_column() -> None:
    query = Recorder(["snapshot_id", "period", "rank"])
    tables = snapshot(query, TARGET, 3)
    assert tables.columns("index__x__top") == ("period", "rank")
    tables.read("index__x__top", ["rank"])
    assert '"s"."index__x__top"' in query.queries[-1]
    assert '"snapshot_id" = 3' in query.queries[-1]


def test_the_live_schema_is_the_published_one() -> None:
    query = Recorder(["rank"])
    live(query, TARGET).read("index__x__top", ["rank"])
    assert 'FROM "p"."index__x__top"' in query.queries[-1]


def test_an_audience_reads_only_the_relations_it_is_given() -> None:
    query = Recorder(["rank"])
    tables = audience(query, TARGET, "public", {"index__x__top": "public_views.x_top"})
    assert tables.read("index__x__scores", ["rank"]) == [] and query.queries == []
    tables.read("index__x__top", ["rank"])
    assert 'FROM "public_views"."x_top"' in query.queries[-1]
    assert "'public_views'" in query.queries[0] and "'x_top'" in query.queries[0]


def test_a_table_that_does_not_exist_is_absent_not_an_error() -> None:
    tables = live(Recorder([]), TARGET)
    assert tables.relation("index__x__sentences") is None
    assert tables.read("index__x__sentences", ["sentence"]) == []


INDEX = Index.model_validate(
    {
        "id": "tiny",
        "version": "1",
        "universe": "councils",
        "method": {"normalise": "zscore", "aggregate": "geometric"},
        "lenses": [
            {"id": "cost", "weight": 1, "metrics": ["spend"]},
            {"id": "outcome", "weight": 3, "metrics": ["satisfaction"]},
            {"id": "context", "status": "contextual", "reason": "shown", "metrics": ["other"]},
        ],
    }
)


def test_the_methodology_in_words_and_the_weights_shares() -> None:
    method = methodology(INDEX)
    steps = dict(method.steps)
    assert steps["Normalisation"] == "z-score (mean 0, standard deviation 1)"
    assert steps["Aggregation"] == "weighted geometric mean"
    assert steps["Missing values"].startswith("reweighted")
    shares = {lens.lens: lens.share for lens in method.lenses}
    assert shares == {"cost": pytest.approx(0.25), "outcome": pytest.approx(0.75), "context": None}
    assert not method.additive and "do not add up" in method.formula


def test_charts_are_the_same_bytes_every_time_and_carry_no_date() -> None:
    contributions = [
        Contribution(
            "Alpha", "AAA", 1.5, (Part("cost", 1, 2.0, 0.5), Part("outcome", 3, 1.33, 1.0))
        ),
        Contribution(
            "Beta", "BBB", -0.2, (Part("cost", 1, -2.0, -0.5), Part("outcome", 3, 0.4, 0.3))
        ),
    ]
    first = contributions_chart(contributions, ["cost", "outcome"])
    assert first == contributions_chart(contributions, ["cost", "outcome"])
    assert first.startswith("<svg") and "<dc:date>" not in first and "Alpha" in first
    saved = [CouncilSaving("Alpha", "AAA", 2.5e6), CouncilSaving("Beta", "BBB", 1e6)]
    assert savings_chart(saved) == savings_chart(saved)


def test_pounds_are_whole_and_grouped() -> None:
    assert pounds(6103854395.216677) == "£6,103,854,395"
    assert pounds(None) == "-" and pounds_short(6.1e9) == "£6.1bn"


def test_what_the_report_asks_snowflake_passes_its_static_check() -> None:
    target = SnowflakeSql(
        SnowflakeTarget.model_validate(
            {
                "target": "snowflake",
                "connection": {"account": {"env": "A"}, "user": {"env": "U"}},
                "database": "D",
                "build_schema": "B",
            }
        )
    )
    query = Recorder(["area_code", "period", "rank"])
    snapshot(query, target, 2).read(
        "index__x__top", ["area_code", "rank"], in_period("2022-23"), order=("rank", "area_code")
    )
    live(query, target).read("index__x__scores", [col("period")], group=("period",))
    assert len(query.queries) == 4
    assert all(target.static_problems(sql) == [] for sql in query.queries)
    assert '"SNAPSHOT_ID" = 2' in query.queries[1]
