"""How one area's values on the geography date are produced from data on other codes.

The closure (geography/closure.py) already says it as paths: each code of a period goes to the
areas in force on the geography date with a weight known when compiling and, for an apportioned
event, factors read from a basis measure in SQL. Readiness and impact ask the same question of
those paths for one area, one level and the periods its data is on, and answer with one label of
a fixed vocabulary, so that a reviewer reads the same words for the same mechanism everywhere:
"as published", "carried 1:1", "summed from predecessors" ("averaged from predecessors" for a
mean), "split by declared shares", "apportioned by <basis>", "aggregated from districts", and
"not at all" with its reason.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from indexc.geography import Geography, calendar
from indexc.geography.closure import Path
from indexc.geography.parents import parent_edges
from indexc.geography.provenance import (  # the labels every report of restated history uses
    AGGREGATED,
    AS_PUBLISHED,
    AVERAGED,
    CARRIED,
    SPLIT,
    SUMMED,
)
from indexc.validate.apportionment import apportion_policy
from indexc.validate.catalog import Catalog

NOT_AT_ALL = "not at all"
APPORTIONED = "apportioned by"  # followed by the basis measure

FORBIDDEN = "apportionment forbidden"


@dataclass(frozen=True)
class How:
    """How an area's values are produced: a label of the vocabulary and what it was produced from."""

    label: str
    sources: tuple[str, ...] = ()  # the codes whose data it is produced from
    reason: str = ""  # why not, for "not at all"
    apportioned: bool = False  # another area's values divided by a basis or by declared shares
    larger_area: bool = False  # a mean copied from an area that covered more than this one

    @property
    def lost(self) -> bool:
        return self.label == NOT_AT_ALL

    def describe(self) -> str:
        return f"{NOT_AT_ALL}: {self.reason}" if self.lost else self.label


def not_at_all(reason: str, sources: tuple[str, ...] = ()) -> How:
    return How(NOT_AT_ALL, sources, reason)


def _rank(how: How) -> int:
    """How much a label costs the history; the worst of several periods or members is the answer."""
    if how.lost:
        return 5
    if how.apportioned:
        return 4
    if how.larger_area:
        return 3
    return {AS_PUBLISHED: 0, CARRIED: 1}.get(how.label, 2)


def worst(hows: Iterable[How]) -> How | None:
    found = list(hows)
    return max(found, key=_rank) if found else None


class Paths:
    """The closure's paths by level and area reached, looked up per period of data."""

    def __init__(self, geography: Geography):
        self.geography = geography
        self._by_target: dict[tuple[str, str], list[Path]] = defaultdict(list)
        for path in geography.closure.paths:
            self._by_target[(path.level, path.to_code)].append(path)

    def reaching(self, level: str, code: str, period: str) -> list[Path]:
        """The paths onto `code` from the codes in force in `period`."""
        return [
            p
            for p in self._by_target.get((level, code), [])
            if (p.geo_from or "") <= period <= (p.geo_to or "~")
        ]


def classify(
    catalog: Catalog,
    measure_id: str,
    code: str,
    paths: list[Path],
    level: str,
    backward: bool = False,
) -> How:
    """The label for an area reached by `paths` (all of one period) at one level; `backward`: the
    period is after the geography date, so the areas it is formed from are its successors."""
    measure = catalog.measures[measure_id]
    if not paths:
        return not_at_all(f"no area of {level} before it")
    sources = tuple(sorted({p.from_code for p in paths}))
    if len(paths) == 1 and not paths[0].route and paths[0].from_code == code:
        return How(AS_PUBLISHED, sources)
    if measure.additivity == "none":
        return not_at_all("additivity none", sources)
    divided = [p for p in paths if p.factors or p.weight != 1.0]
    # as the restated `method` says it (geography/provenance.py): a value needing part of an area is
    # divided, even a mean copied from a larger area, and a forbidden measure gets none there
    if divided and apportion_policy(catalog, measure_id) == "forbidden":
        return not_at_all(FORBIDDEN, sources)
    larger_area = measure.additivity == "mean" and len(paths) == 1 and bool(divided)
    if measure.additivity == "mean" and not divided:
        return How(CARRIED if len(paths) == 1 else _plural(AVERAGED, backward), sources)
    factors = [f for p in divided for f in p.factors]
    if factors:
        bases = set()
        for factor in factors:
            event = catalog.lineage.get(factor.event_id)
            if event is None or event.apportion is None:
                return not_at_all("no basis", sources)
            bases.add(event.apportion.by)
        label = f"{APPORTIONED} {', '.join(sorted(bases))}"
        return How(label, sources, apportioned=True, larger_area=larger_area)
    if divided:
        return How(SPLIT, sources, apportioned=True, larger_area=larger_area)
    return How(CARRIED if len(paths) == 1 else _plural(SUMMED, backward), sources)


def _plural(label: str, backward: bool) -> str:
    """Restated backward (after the geography date), an area is formed from its successors."""
    return label.replace("predecessors", "successors") if backward else label


def periods_of_data(catalog: Catalog, measure_id: str, before: str) -> list[str]:
    """The periods whose codes a measure's restated history is on: a back-cast's one date, else
    the last period of data up to the change (`before`), on the codes in force then. A binding
    whose periods start after the change gives no history."""
    periods = set()
    for binding in catalog.measures[measure_id].bindings:
        geography = getattr(catalog.sources.get(binding.source), "geography", None)
        if not binding.restate or geography is None:
            continue
        start, end = binding.periods.from_, binding.periods.to
        if start is not None and start > before:
            continue
        if geography.codes != "as_published":
            periods.add(calendar.period_of(geography.codes))
        else:
            periods.add(min(before, end) if end is not None else before)
    return sorted(periods)


@dataclass(frozen=True)
class Lookup:
    """Everything a question about one measure and area needs, built once per geography."""

    catalog: Catalog
    paths: Paths

    @property
    def geography(self) -> Geography:
        return self.paths.geography

    def on_level(self, measure_id: str, code: str, level: str, periods: list[str]) -> How:
        """Restated within one level, over the periods its data is on (the worst of them)."""
        now = calendar.period_of(self.geography.date)
        found = worst(
            classify(
                self.catalog,
                measure_id,
                code,
                self.paths.reaching(level, code, p),
                level,
                backward=p > now,
            )
            for p in periods
        )
        return found or not_at_all("no data before it")

    def members(self, lower: str, upper: str, code: str) -> list[str]:
        """The areas of `lower` that an aggregation to `upper` carries into `code`."""
        geography = self.geography
        edges, _ = parent_edges(geography.register, lower, upper, geography.date)
        return [e.from_code for e in edges if e.to_code == code]

    def aggregated(
        self, measure_id: str, code: str, lower: str, upper: str, periods: list[str]
    ) -> How:
        """Carried up from the areas of `lower` whose parent (or self) is `code` on the date."""
        members = self.members(lower, upper, code)
        if not members:
            return not_at_all(f"no area of {lower} is within it")
        hows = [self.on_level(measure_id, m, lower, periods) for m in members]
        sources = tuple(sorted({s for how in hows for s in how.sources}))
        lost = [how for how in hows if how.lost]
        if lost:
            return not_at_all(lost[0].reason, sources)
        return How(
            AGGREGATED,
            sources,
            apportioned=any(how.apportioned for how in hows),
            larger_area=any(how.larger_area for how in hows),
        )


def period_before(day: datetime.date) -> str:
    """The last period whose codes are those in force before `day`."""
    return calendar.previous(calendar.first_period_from(day))
