"""What the reference reads: metric and measure values, the universe register and area maps.

Kept as plain dicts so the same reference runs on values read from a DuckDB build or on values
written by hand (the worked example of docs/methodology.md).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """A financial year `YYYY-YY` runs from 1 April to 31 March."""
    start = int(period[:4])
    return datetime.date(start, 4, 1), datetime.date(start + 1, 3, 31)


def overlaps(valid_from, valid_to, period: str) -> bool:
    """In force in a period: validity shares a day with the year (a blank bound is open)."""
    start, end = period_bounds(period)
    return (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= start)


@dataclass
class Inputs:
    """metrics/measures: id -> {(area_code, period): value}; universe: register rows of the universe
    (code, name, type, valid_from, valid_to); area_maps: id -> [(from, to, valid_from, valid_to)]."""

    metrics: dict[str, dict[tuple[str, str], float]]
    universe: list[tuple]
    measures: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)
    area_maps: dict[str, list[tuple]] = field(default_factory=dict)
    # (area, period) screened out (reference.screening): no score, imputation, benchmark
    screened: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        # A value that is not finite is a missing value (spec-language §4).
        for table in (self.metrics, self.measures):
            for key, by_area in table.items():
                table[key] = {
                    k: float(v)
                    for k, v in by_area.items()
                    if v is not None and math.isfinite(float(v))
                }
        self._members: dict[str, dict[str, str]] = {}

    def members(self, period: str) -> dict[str, str]:
        """Area code -> type for the areas of the universe in force in `period` (the type of the row
        in force latest in the year, if a code has several)."""
        if period not in self._members:
            chosen: dict[str, tuple] = {}
            for row in self.universe:
                if overlaps(row[3], row[4], period):
                    if row[0] not in chosen or _latest_key(row, period) > _latest_key(
                        chosen[row[0]], period
                    ):
                        chosen[row[0]] = row
            self._members[period] = {code: row[2] for code, row in chosen.items()}
        return self._members[period]

    def kept(self, period: str) -> dict[str, str]:
        """The members of `period` not screened out of it: the areas scored, imputed, treated and
        normalised with, and whose unit costs are benchmarks."""
        return {a: t for a, t in self.members(period).items() if (a, period) not in self.screened}

    def name(self, code: str, period: str) -> str | None:
        """The name of the register row in force latest in the year (spec-language §6)."""
        rows = [r for r in self.universe if r[0] == code and overlaps(r[3], r[4], period)]
        return max(rows, key=lambda r: _latest_key(r, period))[1] if rows else None

    def group_of(self, grouping: str, code: str, period: str) -> str | None:
        """`type`, or the area (`to`) an area map of kind group sends the area to in the period."""
        if grouping == "type":
            return self.members(period).get(code)
        targets = sorted(
            {
                to
                for frm, to, vf, vt in self.area_maps[grouping]
                if frm == code and overlaps(vf, vt, period)
            }
        )
        return targets[0] if targets else None

    def feature(self, feature_id: str) -> dict[tuple[str, str], float]:
        """A feature or volume: the metric of that id if there is one, else the measure."""
        if feature_id in self.metrics:
            return self.metrics[feature_id]
        return self.measures[feature_id]

    def periods(self, metric_ids: list[str]) -> list[str]:
        """The periods in which some area of the universe has a value of one of the metrics."""
        found: set[str] = set()
        for m in metric_ids:
            for area, period in self.metrics.get(m, {}):
                if period not in found and area in self.members(period):
                    found.add(period)
        return sorted(found)


def _latest_key(row: tuple, period: str):
    start, end = period_bounds(period)
    until = end if row[4] is None else min(row[4], end)
    since = start if row[3] is None else max(row[3], start)
    return until, since
