"""The reconciliation audit of a measure whose bindings overlap by precedence: `reconcile__<measure>`.

A preferred feed replacing another's values is only acceptable because every difference is listed:
per area and period, where both feeds have a value differing beyond the declared tolerance, and
where one has an area the other lacks in the periods both publish. The run reads the table back and
warns (IX746, IX747; run_warnings.py); the table is queryable in the build schema and published
beside the results it explains, as a measure's smell test is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from indexc.plan.inputs import binding_selects
from indexc.plan.nodes import BindingSelect, Layer, Materialisation, Node
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import is_contributed
from indexc.validate.precedence import common_periods, preferred_over

RECONCILE_PREFIX = "reconcile__"


@dataclass(frozen=True)
class FeedPair:
    """A binding (`other`) and one preferred over it, compared in the periods both cover."""

    preferred: BindingSelect
    other: BindingSelect
    period_from: str | None
    period_to: str | None
    absolute: float | None  # the tolerance: one of the two; both None: exact agreement
    relative: float | None  # a fraction of the preferred value


@dataclass(frozen=True, kw_only=True)
class ReconcileNode(Node):
    """Rows `finding` (`differs`, `only_preferred`, `only_other`), `area_code`, `period`, the two
    sources, items, data periods and values, their `difference` and the `tolerance`."""

    measure_id: str
    pairs: tuple[FeedPair, ...]
    valid: tuple[tuple[str, float], ...] = ()  # values outside the valid range are no values
    restated: bool = False
    """The feeds are on different codes: each pair's `source_object`s are its feeds restated
    (plan/precedence.py), compared per area and period on the geography date's codes."""
    layer = Layer.AUDIT  # like a measure's smell test: built with what it watches, and published
    materialisation = Materialisation.TABLE


def reconcile_object(measure_id: str) -> str:
    return f"{RECONCILE_PREFIX}{measure_id}"


def feed_pairs(
    measure_id: str, catalog: Catalog, feeds: dict[int, str] | None = None
) -> list[FeedPair]:
    """Each public binding with every binding preferred over it, compared in the periods both cover
    with the yielding binding's tolerance; `feeds` (precedence -> object) reads each binding from the
    restated feed of its precedence instead of its source."""
    measure = catalog.measures[measure_id]
    selects = binding_selects(measure_id, catalog)
    public = [i for i, b in enumerate(measure.bindings) if not is_contributed(catalog, b)]

    def read(position: int) -> BindingSelect:
        if feeds is None:
            return selects[position]
        binding = measure.bindings[public[position]]
        return replace(selects[position], source_object=feeds[binding.precedence or 0])

    pairs = []
    for n, i in enumerate(public):
        binding = measure.bindings[i]
        for j in preferred_over(catalog, measure, i):
            start, end = common_periods(measure.bindings[j], binding)
            tolerance = binding.reconcile
            pairs.append(
                FeedPair(
                    read(public.index(j)),
                    read(n),
                    start,
                    end,
                    tolerance.absolute if tolerance else None,
                    tolerance.relative if tolerance else None,
                )
            )
    return pairs


def reconcile_nodes(measure_id: str, catalog: Catalog) -> list[Node]:
    """The audit of a measure with bindings preferred over others, or nothing."""
    measure = catalog.measures[measure_id]
    pairs = feed_pairs(measure_id, catalog)
    if not pairs:
        return []
    return [
        ReconcileNode(
            name=reconcile_object(measure_id),
            depends_on=tuple(
                sorted(
                    {p.preferred.source_object for p in pairs}
                    | {p.other.source_object for p in pairs}
                )
            ),
            spec=("measures", measure_id),
            description=f"Where the overlapping bindings of measure {measure_id} disagree beyond "
            "their tolerance, or one has an area the other lacks",
            measure_id=measure_id,
            pairs=tuple(pairs),
            valid=tuple(measure.valid.conditions()) if measure.valid else (),
        )
    ]
