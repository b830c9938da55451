"""How a path of the closure carries its data: the provenance of every restated value.

A restated value is whatever its contributing paths make it: as published (no event crossed),
carried 1:1 (a recode, or a whole area into one successor alone), summed from predecessors (several
whole areas into one), split by declared shares (a literal share below 1) or apportioned by a basis
(a share that depends on data). Each path gets the strongest of these it involves; a value gets the
strongest of its paths (the SQL takes the maximum of a rank, generate/restate.py). A path that
divides its area also knows the first period of the event that divided it last: before that period
a measure whose apportioning is forbidden has no value on it (a cold start).

These labels are the vocabulary every report of restated history uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexc.geography import calendar
from indexc.geography.closure import Closure, Path
from indexc.spec.geography import LineageEvent

AS_PUBLISHED = "as published"
CARRIED = "carried 1:1"
SUMMED = "summed from predecessors"
AVERAGED = "averaged from predecessors"
SPLIT = "split by declared shares"
APPORTIONED = "apportioned by {basis}"
AGGREGATED = "aggregated from districts"
NOT_AT_ALL = "not at all (apportionment forbidden)"

# categories, weakest first: a value takes the strongest of its paths'
AS_PUBLISHED_RANK, CARRIED_RANK, SUMMED_RANK, SPLIT_RANK, APPORTIONED_RANK = 0, 1, 2, 3, 4
DIVIDING = SPLIT_RANK  # from this category on, a path gives part of its area


@dataclass(frozen=True)
class PathMethod:
    category: int
    label: str  # as a sum reads it; `for_additivity` gives a mean's
    divided_at: str | None  # first period of the last event that divided the path's area


def for_additivity(label: str, additivity: str) -> str:
    """A mean's several predecessors are averaged, not summed."""
    return AVERAGED if label == SUMMED and additivity == "mean" else label


def _divides(path: Path, step: int, closure: Closure) -> bool:
    """Whether step `step` of the path gave only part of its area: a literal share below 1 forward, or a
    share apportioned from data (forward or backward)."""
    event_id = path.route[step]
    before = path.via[step] if step < len(path.via) else path.from_code
    after = path.via[step + 1] if step + 1 < len(path.via) else path.to_code
    if any(f.event_id == event_id for f in path.factors):
        return True
    for edge in closure.edges_of(event_id):
        if edge.from_code == before and edge.to_code == after:
            return edge.share is None or edge.share < 1 - 1e-12
    return False


def path_method(path: Path, closure: Closure, events: dict[str, LineageEvent]) -> PathMethod:
    divided = [step for step in range(len(path.route)) if _divides(path, step, closure)]
    last = (
        calendar.first_period_from(events[path.route[divided[-1]]].effective) if divided else None
    )
    if path.factors:
        bases = sorted(
            {
                events[f.event_id].apportion.by  # type: ignore[union-attr]  # a factor's event has one
                for f in path.factors
            }
        )
        return PathMethod(APPORTIONED_RANK, APPORTIONED.format(basis=" and ".join(bases)), last)
    if divided:
        return PathMethod(SPLIT_RANK, SPLIT, last)
    if path.contributors > 1:
        return PathMethod(SUMMED_RANK, SUMMED, None)
    if path.route:
        return PathMethod(CARRIED_RANK, CARRIED, None)
    return PathMethod(AS_PUBLISHED_RANK, AS_PUBLISHED, None)


def ranked_labels(methods: list[PathMethod]) -> dict[str, int]:
    """A rank per label, its category's hundreds plus its place among the category's labels (two bases
    are two labels of one category): the maximum rank of a value's paths names its method."""
    ranks: dict[str, int] = {}
    for category in sorted({m.category for m in methods}):
        labels = sorted({m.label for m in methods if m.category == category})
        ranks.update((label, category * 100 + place) for place, label in enumerate(labels))
    return ranks
