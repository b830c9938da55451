"""What a what-if run prints beside the Top N: where it wrote, and what it changed.

A proposed council rarely makes the Top N, so the ranks of the councils a `--proposed` run creates
are printed whatever they are; a `--scenario` run prints each scenario's biggest rank movers against
the baseline, read from its `__deltas` table. And every run says which schema it published into,
loudly when a what-if was published as the live result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlglot import exp

from indexc.compilation import Query
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.methodology import index_object
from indexc.report import Ranking
from indexc.validate import Catalog
from indexc.whatif import WhatIf

MOVERS = 5  # the biggest rank changes shown per scenario


@dataclass(frozen=True)
class AreaRanks:
    """Rows of one index in one period: the proposed councils' ranks, or a scenario's movers."""

    title: str
    rows: list[dict[str, Any]]
    empty: str


@dataclass(frozen=True)
class WhatIfResults:
    proposed: list[AreaRanks] = field(default_factory=list)
    movers: list[AreaRanks] = field(default_factory=list)


def proposed_sql(target: SqlTarget, index_id: str, period: str, codes: list[str]) -> str:
    query = (
        exp.select(col("area_code"), col("rank"), col("score"), col("ranked"))
        .from_(target.object_table(index_object(index_id, "scores")))
        .where(
            exp.and_(
                exp.EQ(this=col("period"), expression=lit(period)),
                col("area_code").isin(*(lit(c) for c in codes)),
            )
        )
        .order_by(exp.Ordered(this=col("rank"), nulls_first=False), col("area_code"))
    )
    return target.render(query)


def scenario_proposed_sql(
    target: SqlTarget, index_id: str, scenario_id: str, period: str, codes: list[str]
) -> str:
    """A scenario's own proposed councils, from its deltas (their baseline side is missing)."""
    query = (
        exp.select(
            col("area_code"),
            exp.alias_(col("scenario_rank"), "rank"),
            exp.alias_(col("scenario_score"), "score"),
            exp.alias_(
                exp.Not(this=exp.Is(this=col("scenario_rank"), expression=exp.Null())), "ranked"
            ),
        )
        .from_(target.object_table(index_object(index_id, f"scenario__{scenario_id}__deltas")))
        .where(
            exp.and_(
                exp.EQ(this=col("period"), expression=lit(period)),
                col("area_code").isin(*(lit(c) for c in codes)),
            )
        )
        .order_by(exp.Ordered(this=col("scenario_rank"), nulls_first=False), col("area_code"))
    )
    return target.render(query)


def movers_sql(target: SqlTarget, index_id: str, scenario_id: str, period: str) -> str:
    query = (
        exp.select(col("area_code"), col("baseline_rank"), col("scenario_rank"), col("rank_delta"))
        .from_(target.object_table(index_object(index_id, f"scenario__{scenario_id}__deltas")))
        .where(
            exp.and_(
                exp.EQ(this=col("period"), expression=lit(period)),
                exp.NEQ(this=col("rank_delta"), expression=exp.Literal.number(0)),
            )
        )
        .order_by(exp.Ordered(this=exp.Abs(this=col("rank_delta")), desc=True), col("area_code"))
        .limit(MOVERS)
    )
    return target.render(query)


def read(
    query_rows: Query,
    target: SqlTarget,
    catalog: Catalog,
    proposed: tuple[str, ...],
    scenarios: tuple[str, ...],
    rankings: list[Ranking],
) -> WhatIfResults:
    """The proposed councils' ranks in each ranking shown, and the movers of each scenario asked for (with
    the ranks of the councils its own proposed events create)."""

    def named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "name": _name(catalog, row["area_code"])} for row in rows]

    def created(events: tuple[str, ...]) -> list[str]:
        return sorted({s.code for event in events for s in catalog.lineage[event].to})

    codes = created(proposed)
    results = WhatIfResults()
    for ranking in rankings:
        if ranking.period is None:
            continue
        if codes:
            rows = named(query_rows(proposed_sql(target, ranking.index_id, ranking.period, codes)))
            results.proposed.append(
                AreaRanks(
                    f"{ranking.index_id}, {ranking.period}: the proposed councils",
                    rows,
                    f"none of {', '.join(codes)} is in the universe of {ranking.index_id}",
                )
            )
        for scenario_id in sorted(scenarios):
            if catalog.scenarios[scenario_id].index != ranking.index_id:
                continue
            rows = named(
                query_rows(movers_sql(target, ranking.index_id, scenario_id, ranking.period))
            )
            results.movers.append(
                AreaRanks(
                    f"scenario {scenario_id} of {ranking.index_id}, {ranking.period}: the biggest rank movers",
                    rows,
                    f"scenario {scenario_id} moves no council's rank in {ranking.period}",
                )
            )
            if own := created(catalog.scenarios[scenario_id].proposed):
                rows = named(
                    query_rows(
                        scenario_proposed_sql(
                            target, ranking.index_id, scenario_id, ranking.period, own
                        )
                    )
                )
                results.proposed.append(
                    AreaRanks(
                        f"scenario {scenario_id} of {ranking.index_id}, {ranking.period}: its proposed councils",
                        rows,
                        f"none of {', '.join(own)} is in the universe of {ranking.index_id}",
                    )
                )
    return results


def _rank(value: Any) -> str:
    return "-" if value is None else str(value)


def _table(ranks: AreaRanks, columns: list[tuple[str, Callable[[dict[str, Any]], str]]]) -> Table:
    """The rows under their columns; names only when the specs' register knows some (a register read from a
    source's data is named in the Top N, not here)."""
    if not any(row["name"] for row in ranks.rows):
        columns = [(header, cell) for header, cell in columns if header != "Name"]
    table = Table()
    for header, _ in columns:
        table.add_column(header, justify="left" if header in ("Code", "Name") else "right")
    for row in ranks.rows:
        table.add_row(*(Text(cell(row)) for _, cell in columns))  # data, never rich markup
    return table


def _name(catalog: Catalog, code: str) -> str | None:
    return catalog.areas[code].name if code in catalog.areas else None


def print_what_if_results(results: WhatIfResults | None, console: Console) -> None:
    if results is None:
        return

    def name(row: dict[str, Any]) -> str:
        return row["name"] or "(name unknown)"

    def code(row: dict[str, Any]) -> str:
        return row["area_code"]

    proposed_columns = [
        ("Rank", lambda r: _rank(r["rank"]) if r["ranked"] else "unranked"),
        ("Code", code),
        ("Name", name),
        ("Score", lambda r: "-" if r["score"] is None else f"{r['score']:.3f}"),
    ]
    mover_columns = [
        ("Code", code),
        ("Name", name),
        ("Baseline", lambda r: _rank(r["baseline_rank"])),
        ("Scenario", lambda r: _rank(r["scenario_rank"])),
        ("Change", lambda r: "-" if r["rank_delta"] is None else f"{r['rank_delta']:+d}"),
    ]
    for ranks, columns in [
        *((r, proposed_columns) for r in results.proposed),
        *((r, mover_columns) for r in results.movers),
    ]:
        if ranks.rows:
            console.print(Text(ranks.title))
            console.print(_table(ranks, columns))
        else:
            console.print(Text(f"{ranks.title}: {ranks.empty}", style="yellow"))


def print_destination(
    whatif: WhatIf | None, schemas: tuple[str, str] | None, console: Console, *, quiet: bool
) -> None:
    """Where the run wrote. A what-if says so even with -q; one published as live, in bold red."""
    if schemas is None:
        return
    build, published = schemas
    if whatif is None:
        if not quiet:
            console.print(f"[dim]published to {published} (the live result)[/dim]", soft_wrap=True)
    elif whatif.publish_as_live:
        console.print(
            Text(
                f"PUBLISHED AS THE LIVE RESULT: {whatif.describe()} replaced what consumers read in "
                f"{published}",
                style="bold red",
            ),
            soft_wrap=True,
        )
    else:
        console.print(
            Text(
                f"{whatif.describe()}: built in {build}, published to {published}; the live "
                "publication is unchanged",
                style="yellow",
            ),
            soft_wrap=True,
        )
