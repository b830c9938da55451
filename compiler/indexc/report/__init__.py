"""Read an index's published Top N back from the engine and show it as a table.

Beside the ranking, a run says what the method did to the data and how old it is (notes.py):
nothing the methodology changes is silent. The regular report (`indexc report`) is built in this
package's other modules: regular.py assembles it from what relations.py reads (live, a snapshot or an
audience's views), with headline.py, savings.py, caveats.py, comparisons.py, methodology.py, charts.py,
and pdf.py prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlglot import exp

from indexc.codes import Code
from indexc.compilation import Query
from indexc.errors import COMMAND_LINE, Diagnostic, UserError
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.methodology import index_object
from indexc.report.headline_policy import headline_notes
from indexc.report.notes import cold_start_notes, compact, method_notes
from indexc.spec.indexes import Index


@dataclass(frozen=True)
class Ranking:
    index_id: str
    version: str
    period: str | None
    top: int
    rows: list[dict[str, Any]]
    scored_periods: list[str]
    notes: tuple[str, ...] = ()


def scored_periods_sql(target: SqlTarget, index_id: str) -> str:
    scores = target.object_table(index_object(index_id, "scores"))
    query = (
        exp.select(col("period"), copy=False)
        .distinct(copy=False)
        .from_(scores, copy=False)
        .order_by(col("period"), copy=False)
    )
    return target.render(query)


def top_sql(target: SqlTarget, index_id: str, period: str) -> str:
    query = (
        exp.select(exp.Star(), copy=False)
        .from_(target.object_table(index_object(index_id, "top")), copy=False)
        .where(exp.EQ(this=col("period"), expression=lit(period)), copy=False)
        .order_by(col("headline_rank"), col("rank"), col("area_code"), copy=False)
    )
    return target.render(query)


def incomplete_sql(target: SqlTarget, restated_object: str) -> str:
    """Restated values left unknown because a contributor had no data, in a stable order."""
    query = (
        exp.select(
            col("area_code"),
            col("period"),
            exp.alias_(col("contributors_found"), "found"),
            exp.alias_(col("contributors_expected"), "expected"),
        )
        .from_(target.object_table(restated_object))
        .where(
            exp.and_(  # a cold start is declared, not missing data (run_warnings.cold_starts)
                exp.LT(this=col("contributors_found"), expression=col("contributors_expected")),
                exp.Is(this=col("cold_start_from"), expression=exp.Null()),
            )
        )
        .order_by(col("area_code"), col("period"))
    )
    return target.render(query)


def cold_starts_sql(target: SqlTarget, restated_object: str) -> str:
    """Per area and first period of the event, the periods a forbidden measure has no value for."""
    query = (
        exp.select(
            col("area_code"),
            col("cold_start_from"),
            exp.alias_(exp.Min(this=col("period")), "first_period"),
            exp.alias_(exp.Count(this=exp.Star()), "area_periods"),
        )
        .from_(target.object_table(restated_object))
        .where(exp.Not(this=exp.Is(this=col("cold_start_from"), expression=exp.Null())))
        .group_by(col("area_code"), col("cold_start_from"))
        .order_by(col("area_code"), col("cold_start_from"))
    )
    return target.render(query)


def unknown_aggregates_sql(target: SqlTarget, aggregated_object: str) -> str:
    """Values a measure carried up a level left unknown (a member without a value, or a weight missing),
    in a stable order."""
    query = (
        exp.select(
            col("area_code"),
            col("name"),
            col("period"),
            exp.alias_(col("members_found"), "found"),
            exp.alias_(col("members_expected"), "expected"),
        )
        .from_(target.object_table(aggregated_object))
        .where(exp.Is(this=col("value"), expression=exp.Null()))
        .order_by(col("area_code"), col("period"))
    )
    return target.render(query)


def read_ranking(
    query_rows: Query,
    target: SqlTarget,
    index: Index,
    period: str | None,
    others: Mapping[str, Index] | None = None,
    cold_starts: str | None = None,
) -> Ranking:
    """`query_rows`: runs a query on the engine the index was built on, answering rows as dicts;
    `cold_starts`: the table of cold starts, when some measure's apportioning is forbidden."""
    """The Top N of `period`, or of the latest period with scores when none is given."""
    periods = [row["period"] for row in query_rows(scored_periods_sql(target, index.id))]
    if period is None:
        period = periods[-1] if periods else None
    rows = query_rows(top_sql(target, index.id, period)) if period else []
    notes = headline_notes(query_rows, target, index, period, rows)
    notes += method_notes(query_rows, target, index, period, others)
    if period and cold_starts:
        notes += cold_start_notes(query_rows, target, index, period, cold_starts)
    return Ranking(index.id, index.version, period, index.publish.top, rows, periods, notes)


def read_rankings(
    query_rows: Query,
    target: SqlTarget,
    indexes: Mapping[str, Index],
    index_ids: Sequence[str],
    period: str | None,
    cold_starts: str | None = None,
) -> list[Ranking]:
    """The ranking of every index (or of those of `index_ids`), the headline first (`publish.headline`),
    of `period` or of the one each index publishes; IX703 when an index has no scores for the
    `period` asked for."""
    rankings = []
    shown = list(dict.fromkeys(index_ids)) or sorted(indexes)
    for this_index in sorted(shown, key=lambda i: (not indexes[i].publish.headline, i)):
        spec = indexes[this_index]
        chosen = period or (None if spec.publish.period == "latest" else spec.publish.period)
        ranking = read_ranking(query_rows, target, spec, chosen, indexes, cold_starts)
        if period and period not in ranking.scored_periods:
            raise UserError(
                [
                    Diagnostic(
                        Code.PERIOD_NOT_SCORED,
                        f"index '{this_index}' has no scores for period '{period}'",
                        COMMAND_LINE,
                        f"scored periods: {', '.join(ranking.scored_periods) or 'none'}",
                    )
                ]
            )
        rankings.append(ranking)
    return rankings


def _optional_columns(rows: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Columns shown only when the index publishes them."""

    def present(key: str) -> bool:
        return any(row.get(key) is not None for row in rows)

    columns: list[tuple[str, Any]] = []
    if present("rank_change"):
        columns.append(
            ("Change", lambda r: "-" if r["rank_change"] is None else f"{r['rank_change']:+d}")
        )
    if present("productivity"):
        columns.append(
            (
                "Productivity",
                lambda r: (
                    "-"
                    if r["productivity"] is None
                    else f"{r['productivity']:.3f} (#{r['productivity_rank']})"
                ),
            )
        )
    if present("savings"):
        columns.append(("Savings", lambda r: compact(r["savings"])))
    if present("median_rank"):
        columns.append(
            (
                "Rank 5-95%",
                lambda r: (
                    "-" if r["rank_p05"] is None else f"{r['rank_p05']:.0f}-{r['rank_p95']:.0f}"
                ),
            )
        )
        columns.append(("P(top)", lambda r: "-" if r["p_top"] is None else f"{r['p_top']:.0%}"))
    return columns


def ranking_table(ranking: Ranking) -> Table:
    title = f"{ranking.index_id} v{ranking.version}: Top {ranking.top}, {ranking.period or 'no scored period'}"
    table = Table(title=Text(title), title_justify="left")
    # a headline policy kept someone out: the headline's own rank first, then the full ranking's
    skipped = any(row.get("headline_rank", row["rank"]) != row["rank"] for row in ranking.rows)
    if skipped:
        table.add_column("#", justify="right")
    table.add_column("Rank (all)" if skipped else "Rank", justify="right")
    table.add_column("Code")
    table.add_column("Name")
    table.add_column("Score", justify="right")
    table.add_column("Lenses", justify="right")
    optional = _optional_columns(ranking.rows)
    for header, _ in optional:
        table.add_column(header, justify="right")
    for row in ranking.rows:
        cells = [str(row["headline_rank"])] if skipped else []
        cells += [
            str(row["rank"]),
            row["area_code"],
            row["name"] or "(name unknown)",
            f"{row['score']:.3f}",
            f"{row['lenses_used']}/{row['lenses_total']}",
        ]
        cells += [cell(row) for _, cell in optional]
        table.add_row(*(Text(cell) for cell in cells))  # data, never rich markup
    return table


def empty_reason(ranking: Ranking) -> str:
    if ranking.period is None:
        return f"{ranking.index_id} has no scores in any period."
    if ranking.period in ranking.scored_periods:
        return (
            f"No area of {ranking.index_id} is ranked in {ranking.period}: none has scored lenses carrying "
            "the share of the weight that method.min_coverage asks for."
        )
    return f"{ranking.index_id} has no scores in {ranking.period}."


def print_rankings(rankings: list[Ranking], console: Console) -> None:
    for ranking in rankings:
        console.print(ranking_table(ranking))
        for note in ranking.notes:
            console.print(Text(note, style="dim"))
        if not ranking.rows:
            console.print(Text(empty_reason(ranking), style="yellow"))
