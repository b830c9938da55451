"""Read an index's published Top N back from the engine and show it as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlglot import exp

from indexc.engines import duckdb as duckdb_engine
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.methodology import index_object
from indexc.spec.indexes import Index


@dataclass(frozen=True)
class Ranking:
    index_id: str
    version: str
    period: str | None
    top: int
    rows: list[dict[str, Any]]
    scored_periods: list[str]


def scored_periods_sql(target: SqlTarget, index_id: str) -> str:
    query = (exp.select(col("period"), copy=False).distinct(copy=False).from_(target.object_table(index_object(index_id, "scores")), copy=False)
             .order_by(col("period"), copy=False))
    return target.render(query)


def top_sql(target: SqlTarget, index_id: str, period: str) -> str:
    query = (
        exp.select(col("rank"), col("area_code"), col("name"), col("score"), col("lenses_used"), col("lenses_total"), copy=False)
        .from_(target.object_table(index_object(index_id, "top")), copy=False)
        .where(exp.EQ(this=col("period"), expression=lit(period)), copy=False)
        .order_by(col("rank"), col("area_code"), copy=False)
    )
    return target.render(query)


def incomplete_sql(target: SqlTarget, restated_object: str) -> str:
    """Restated values left unknown because a contributor had no data, in a stable order."""
    query = (
        exp.select(col("area_code"), col("period"), exp.alias_(col("contributors_found"), "found"),
                   exp.alias_(col("contributors_expected"), "expected"))
        .from_(target.object_table(restated_object))
        .where(exp.LT(this=col("contributors_found"), expression=col("contributors_expected")))
        .order_by(col("area_code"), col("period"))
    )
    return target.render(query)


def read_ranking(connection, target: SqlTarget, index: Index, period: str | None) -> Ranking:
    """The Top N of `period`, or of the latest period with scores when none is given."""
    periods = [row["period"] for row in duckdb_engine.query(connection, scored_periods_sql(target, index.id))]
    if period is None:
        period = periods[-1] if periods else None
    rows = duckdb_engine.query(connection, top_sql(target, index.id, period)) if period else []
    return Ranking(index.id, index.version, period, index.publish.top, rows, periods)


def ranking_table(ranking: Ranking) -> Table:
    title = f"{ranking.index_id} v{ranking.version}: Top {ranking.top}, {ranking.period or 'no scored period'}"
    table = Table(title=Text(title), title_justify="left")
    table.add_column("Rank", justify="right")
    table.add_column("Code")
    table.add_column("Name")
    table.add_column("Score", justify="right")
    table.add_column("Lenses", justify="right")
    for row in ranking.rows:
        cells = (str(row["rank"]), row["area_code"], row["name"] or "(name unknown)",
                 f"{row['score']:.3f}", f"{row['lenses_used']}/{row['lenses_total']}")
        table.add_row(*(Text(cell) for cell in cells))  # data, never rich markup
    return table


def empty_reason(ranking: Ranking) -> str:
    if ranking.period is None:
        return f"{ranking.index_id} has no scores in any period."
    if ranking.period in ranking.scored_periods:
        return (f"No area of {ranking.index_id} is ranked in {ranking.period}: none has scored lenses carrying "
                "the share of the weight that method.min_coverage asks for.")
    return f"{ranking.index_id} has no scores in {ranking.period}."


def print_rankings(rankings: list[Ranking], console: Console) -> None:
    for ranking in rankings:
        console.print(ranking_table(ranking))
        if not ranking.rows:
            console.print(Text(empty_reason(ranking), style="yellow"))
