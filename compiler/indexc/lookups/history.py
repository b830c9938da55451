"""How an area's history was restated, per measure: what `indexc show` says beside the ranks.

A council formed by a split has a past only because its predecessor's values were divided (by
population, say), or none where a measure forbids that; a recoded one carries its old code's values.
The methods are those of the closure's paths (geography/provenance.py), known when compiling, so
they are read from the compilation rather than the database: the same paths give the restated
tables their `method` column. Periods are clipped to those the published indexes score the area in.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from indexc.geography import Geography, calendar, measure_level
from indexc.geography.closure import Path
from indexc.geography.provenance import (
    AGGREGATED,
    AS_PUBLISHED,
    NOT_AT_ALL,
    PathMethod,
    for_additivity,
)
from indexc.plan.restatement import path_methods
from indexc.spec.base import OPEN_END, OPEN_START
from indexc.validate.apportionment import apportion_policy
from indexc.validate.catalog import Catalog

Row = dict[str, Any]


def _epochs(
    geography: Geography, code: str, level: str
) -> list[tuple[str, str, list[tuple[Path, PathMethod]]]]:
    """The runs of periods of the paths reaching `code` in `level`, with those paths."""
    runs: dict[tuple[str, str], list[tuple[Path, PathMethod]]] = defaultdict(list)
    for path, method in zip(geography.closure.paths, path_methods(geography), strict=True):
        if path.level == level and path.to_code == code:
            runs[(path.geo_from or OPEN_START, path.geo_to or OPEN_END)].append((path, method))
    return [(start, end, arriving) for (start, end), arriving in sorted(runs.items())]


def _clip(start: str, end: str, scored: list[str]) -> tuple[str | None, str | None] | None:
    """The run's first and last period within the periods scored (None: open), or None if outside."""
    if not scored:
        return (None if start == OPEN_START else start, None if end == OPEN_END else end)
    first, last = max(start, min(scored)), min(end, max(scored))
    return (first, last) if first <= last else None


def _runs(
    catalog: Catalog, geography: Geography, measure_id: str, code: str, level: str
) -> list[tuple[str, str, list[tuple[Path, PathMethod]]]]:
    """The runs of periods of the measure's restated bindings, each with the paths its data takes to
    `code`: a binding on the codes of its own periods takes each period's paths, one on a date's codes
    (a back-cast) the paths of that date for every period."""
    epochs = _epochs(geography, code, level)
    runs = []
    for binding in catalog.measures[measure_id].bindings:
        source = getattr(catalog.sources.get(binding.source), "geography", None)
        if not binding.restate or source is None:
            continue
        low, high = binding.periods.from_ or OPEN_START, binding.periods.to or OPEN_END
        if source.codes == "as_published":
            runs += [
                (max(start, low), min(end, high), arriving)
                for start, end, arriving in epochs
                if max(start, low) <= min(end, high)
            ]
        else:
            on = calendar.period_of(source.codes)
            runs += [(low, high, a) for start, end, a in epochs if start <= on <= end]
    return runs


def restated_history(
    catalog: Catalog, geography: Geography | None, code: str, scored: list[str]
) -> list[Row]:
    """Per measure and run of periods in which `code`'s values were not published on it as they are:
    the method, the periods and the codes they came from."""
    if geography is None or not geography.enabled:
        return []
    found: list[Row] = []
    for measure_id, measure in sorted(catalog.measures.items()):
        level = measure_level(measure_id, catalog)
        if level is None or level not in geography.register.levels:
            continue
        if not geography.register.in_level(code, level):
            upper = measure.aggregate.to if measure.aggregate else None
            if upper and geography.register.in_level(code, upper):
                members = sorted(c for c, a in geography.register.areas.items() if a.parent == code)
                found.append(
                    {
                        "measure": measure_id,
                        "method": AGGREGATED,
                        "from_period": min(scored) if scored else None,
                        "to_period": max(scored) if scored else None,
                        "from_codes": members,
                        "cold_start_from": None,
                    }
                )
            continue
        forbidden = apportion_policy(catalog, measure_id) == "forbidden"
        for start, end, arriving in _runs(catalog, geography, measure_id, code, level):
            strongest = max(arriving, key=lambda pm: (pm[1].category, pm[1].label))[1]
            label = for_additivity(strongest.label, measure.additivity)
            divided = max((m.divided_at for _, m in arriving if m.divided_at), default=None)
            if forbidden and divided:
                label = NOT_AT_ALL
            clipped = _clip(start, end, scored)
            if label == AS_PUBLISHED or clipped is None:
                continue
            row = {
                "measure": measure_id,
                "method": label,
                "from_period": clipped[0],
                "to_period": clipped[1],
                "from_codes": sorted({p.from_code for p, _ in arriving}),
                "cold_start_from": divided if label == NOT_AT_ALL else None,
            }
            if row not in found:
                found.append(row)
    return found


def history_lines(history: list[Row], shown: int = 6) -> list[str]:
    """One line per run of periods and method, the measures it holds for (the first `shown` named)."""
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in history:
        if row["from_period"] and row["from_period"] == row["to_period"]:
            span = str(row["from_period"])
        elif row["from_period"] and row["to_period"]:
            span = f"{row['from_period']} to {row['to_period']}"
        elif row["to_period"]:
            span = f"up to {row['to_period']}"
        elif row["from_period"]:
            span = f"from {row['from_period']}"
        else:
            span = "every period"
        source = (
            f"no history before {row['cold_start_from']}"
            if row["cold_start_from"]
            else f"from {', '.join(row['from_codes'])}"
        )
        grouped[(span, row["method"], source)].append(row["measure"])
    lines = []
    for (span, method, source), measures in sorted(grouped.items()):
        named = ", ".join(measures[:shown]) + (
            f" and {len(measures) - shown} more" if len(measures) > shown else ""
        )
        lines.append(f"{named} {span}: {method} ({source})")
    return lines
