"""An area's profile (profile.py) as text: a table of rank and score per period for each index, then the
detail of the period shown. Cells are data, never rich markup (a name may hold brackets)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from indexc.lookups.history import history_lines
from indexc.report.notes import compact

Row = dict[str, Any]


def _number(value: Any, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _periods_table(entry: Row) -> Table:
    title = f"{entry['index']} v{entry['version']}" + (" (headline)" if entry["headline"] else "")
    table = Table(title=Text(title), title_justify="left")
    for header in ("Period", "Rank", "Score", "Change", f"Top {entry['top']}", "Rank 5-95%"):
        table.add_column(header, justify="left" if header == "Period" else "right")
    for row in entry["periods"]:
        rank = (
            f"{row['rank']} of {row['areas_ranked']}" if row["rank"] is not None else "not ranked"
        )
        change = "-" if row["rank_change"] is None else f"{row['rank_change']:+d}"
        headline = (
            f"#{row['headline_rank']}"
            if row["headline_rank"] is not None
            else ("kept out" if row["headline_excluded"] else "")
        )
        interval = row["rank_interval"]
        spread = (
            f"{interval['rank_p05']:.0f}-{interval['rank_p95']:.0f}"
            if interval and interval["rank_p05"] is not None
            else "-"
        )
        cells = [str(row["period"]), rank, _number(row["score"]), change, headline, spread]
        table.add_row(*(Text(c) for c in cells))
    return table


def _lines(entry: Row) -> list[str]:
    detail = entry["detail"]
    period = detail["period"]
    latest = next(p for p in entry["periods"] if p["period"] == period)
    lines = []
    if latest["rank"] is not None:
        lines.append(
            f"{period}: ranks {_ordinal(int(latest['rank']))} of {latest['areas_ranked']}, "
            f"score {_number(latest['score'])}"
            + (
                f", #{latest['headline_rank']} of the headline Top {entry['top']}"
                if latest["headline_rank"] is not None
                else ""
            )
        )
    else:
        lines.append(f"{period}: not ranked (its scored lenses carry too little of the weight)")
    if latest["headline_excluded"]:
        lines.append(f"kept out of the headline Top {entry['top']}: {latest['headline_excluded']}")
    if detail["lenses"]:
        lines.append(
            "lenses: "
            + "; ".join(
                f"{lens['lens']} {_number(lens['score'])}"
                + (f" (#{lens['rank']})" if lens["rank"] is not None else "")
                for lens in detail["lenses"]
            )
        )
    if detail["peers"]:
        lines.append(
            "peers: "
            + ", ".join(
                f"{p['name'] or p['neighbour_code']} ({p['neighbour_code']})"
                for p in detail["peers"]
            )
        )
    if detail["savings"] == []:
        lines.append(f"savings: none projected in {period}")
    elif detail["savings"] is not None:
        parts = [f"{s['saving']} {compact(s['amount'])}" for s in detail["savings"]]
        lines.append(
            f"savings: {compact(detail['savings_total'])} a year"
            + (f" ({'; '.join(parts)})" if parts else "")
        )
    lines += _recency(detail)
    for sentence in detail.get("sentences") or []:
        lines.append(str(sentence.get("sentence", "")))
    if "comparisons" in detail:
        lines.append(f"comparisons: {len(detail['comparisons'])} (see --format json)")
    if "trends" in detail:
        lines.append(f"trends: {len(detail['trends'])} (see --format json)")
    return lines


def _recency(detail: Row) -> list[str]:
    dated = [m for m in detail["recency"] or [] if m.get("data_end")]
    if not dated:
        return []
    oldest = min(dated, key=lambda m: (m["data_end"], m["metric"]))
    newest = max(dated, key=lambda m: (m["data_end"], m["metric"]))
    return [
        f"data: {len(dated)} metrics, the oldest {oldest['metric']} {oldest['data_period']} "
        f"(ending {oldest['data_end']}), the newest {newest['metric']} {newest['data_period']} "
        f"(ending {newest['data_end']})"
    ]


def _lineage_lines(lineage: Row) -> list[str]:
    lines = []
    for title, key in (("predecessors", "predecessors"), ("successors", "successors")):
        people = lineage[key]
        if people:
            lines.append(
                f"{title}: "
                + "; ".join(
                    f"{p['code']} {p['name'] or ''} ({p['type']} '{p['event']}', {p['effective']})".replace(
                        "  ", " "
                    )
                    for p in people
                )
            )
    if not lines:
        lines.append("lineage: no event changed this area")
    return lines


def print_profile(profile: Row, console: Console) -> None:
    lineage = profile["lineage"]
    span = ""
    if lineage["valid_from"] or lineage["valid_to"]:
        span = f", in force {lineage['valid_from'] or 'before records'} to {lineage['valid_to'] or 'today'}"
    kind = f" ({lineage['type']}{span})" if lineage["type"] else ""
    console.print(Text(f"{profile['area_code']} {profile['name'] or ''}{kind}", style="bold"))
    for line in _lineage_lines(lineage):
        console.print(Text(line))
    history = history_lines(profile.get("restated_history") or [])
    if history:
        console.print(Text("restated history:"))
    for line in history:
        console.print(Text(f"  {line}"), soft_wrap=True)
    if not profile["indexes"]:
        period = f" in {profile['period']}" if profile["period"] else ""
        console.print(Text(f"No published index scores this area{period}.", style="yellow"))
    for entry in profile["indexes"]:
        console.print()
        console.print(_periods_table(entry))
        for line in _lines(entry):
            console.print(Text(line), soft_wrap=False)
