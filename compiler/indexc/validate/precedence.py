"""Rules IX410-IX413: bindings of one measure side by side, ordered by `precedence`.

During a transition (a reorganisation, a supplier restructuring its feed) an old and a new feed may
both give a measure for the same periods. That is allowed only when the spec says which one wins:
each overlapping binding declares a distinct `precedence` (1 preferred). The preferred row wins per
area and period and the others fill its gaps; a `reconcile` tolerance says how far a lower feed may
differ before the reconciliation audit lists it. Overlap without precedence stays IX401
(validate/bindings.py), which uses `overlapping_pairs` from here. Feeds on different codes are
chosen between once restated (plan/precedence.py), which an aligned measure's candidate values and
unrestated values do not allow (IX412).
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Severity
from indexc.spec.base import OPEN_END, OPEN_START
from indexc.spec.measures import Binding, Measure
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import is_contributed


def _bounds(binding: Binding) -> tuple[str, str]:
    return binding.periods.from_ or OPEN_START, binding.periods.to or OPEN_END


def common_periods(first: Binding, second: Binding) -> tuple[str | None, str | None]:
    """The inclusive bounds of the periods both bindings cover (None: open)."""
    start = max(_bounds(first)[0], _bounds(second)[0])
    end = min(_bounds(first)[1], _bounds(second)[1])
    return (None if start == OPEN_START else start), (None if end == OPEN_END else end)


def overlap(catalog: Catalog, first: Binding, second: Binding) -> bool:
    """Both bindings give the measure's values for one period in the same role.

    A backward binding covers no year (IX403); values kept only to apportion and weight
    (restate: false) sit beside restated ones; a contribution supersedes the public data for its
    council (validate/consent.py).
    """
    (start, end), (other_start, other_end) = _bounds(first), _bounds(second)
    return (
        start <= end
        and other_start <= other_end
        and first.restate == second.restate
        and not (is_contributed(catalog, first) or is_contributed(catalog, second))
        and start <= other_end
        and other_start <= end
    )


def overlapping_pairs(catalog: Catalog, measure: Measure) -> Iterator[tuple[int, int]]:
    """(j, i) with j < i for each two bindings of the measure that overlap."""
    for i, binding in enumerate(measure.bindings):
        for j in range(i):
            if overlap(catalog, measure.bindings[j], binding):
                yield j, i


def ordered(measure: Measure, j: int, i: int) -> bool:
    """Both bindings declare a precedence and the two differ: the overlap is resolved."""
    first, second = measure.bindings[j].precedence, measure.bindings[i].precedence
    return first is not None and second is not None and first != second


def across_codes(catalog: Catalog, measure: Measure) -> bool:
    """Two bindings overlapping by precedence read sources on different codes: the feeds are
    restated one by one and chosen between on the geography date's codes (plan/precedence.py)."""
    return any(
        ordered(measure, j, i)
        and codes_of(catalog, measure.bindings[j]) != codes_of(catalog, measure.bindings[i])
        for j, i in overlapping_pairs(catalog, measure)
    )


def codes_of(catalog: Catalog, binding: Binding) -> str:
    """Which codes a binding's rows are on: 'as_published' or the date of the codes used."""
    geography = getattr(catalog.sources.get(binding.source), "geography", None)
    return "as_published" if geography is None else str(geography.codes)


def preferred_over(catalog: Catalog, measure: Measure, i: int) -> list[int]:
    """The bindings whose rows win over binding i's: overlapping it, with a lower precedence."""
    mine = measure.bindings[i].precedence
    if mine is None:
        return []
    return [
        j
        for j, other in enumerate(measure.bindings)
        if j != i
        and other.precedence is not None
        and other.precedence < mine
        and overlap(catalog, other, measure.bindings[i])
    ]


def _pairs(catalog: Catalog, measure_id: str, measure: Measure) -> Iterator[Diagnostic]:
    for j, i in overlapping_pairs(catalog, measure):
        first, second = measure.bindings[j], measure.bindings[i]
        where = catalog.where("measures", measure_id, "bindings", i, "precedence")
        if first.precedence is not None and first.precedence == second.precedence:
            yield Diagnostic(
                Code.PRECEDENCE_TIED,
                f"bindings {j + 1} and {i + 1} of measure '{measure_id}' overlap with the same "
                f"precedence {first.precedence}",
                where,
                "give each overlapping binding its own precedence: 1 for the preferred feed, 2 for "
                "the one that fills its gaps",
            )
        elif (
            ordered(measure, j, i)
            and codes_of(catalog, first) != codes_of(catalog, second)
            and not (first.restate and measure.alignment == "exact")
        ):
            why = "values kept unrestated" if not first.restate else "an aligned measure"
            yield Diagnostic(
                Code.PRECEDENCE_ACROSS_CODES,
                f"bindings {j + 1} and {i + 1} of measure '{measure_id}' overlap but their sources "
                f"are on different codes ({codes_of(catalog, first)} and "
                f"{codes_of(catalog, second)}) in {why}: they can be compared only once restated",
                where,
                "feeds on different codes are chosen between after restatement, which an aligned "
                "measure's candidate values or values with 'restate: false' do not have: bind feeds "
                "on the same codes, or end the old binding where the new one begins",
            )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in catalog.measures.items():
        yield from _pairs(catalog, measure_id, measure)
        partners = {i: set[int]() for i in range(len(measure.bindings))}
        for j, i in overlapping_pairs(catalog, measure):
            partners[i].add(j)
            partners[j].add(i)
        for i, binding in enumerate(measure.bindings):
            if binding.precedence is not None and not partners[i]:
                yield Diagnostic(
                    Code.PRECEDENCE_WITHOUT_OVERLAP,
                    f"binding {i + 1} of measure '{measure_id}' declares precedence "
                    f"{binding.precedence} but overlaps no other binding",
                    catalog.where("measures", measure_id, "bindings", i, "precedence"),
                    "precedence orders bindings that cover the same periods: check the periods, "
                    "or remove it once the old feed's binding ends before the new one begins",
                    severity=Severity.WARNING,
                )
            if binding.reconcile is not None and not preferred_over(catalog, measure, i):
                yield Diagnostic(
                    Code.RECONCILE_WITHOUT_PREFERRED,
                    f"binding {i + 1} of measure '{measure_id}' declares reconcile but no "
                    "overlapping binding is preferred over it",
                    catalog.where("measures", measure_id, "bindings", i, "reconcile"),
                    "declare the tolerance on the binding that fills gaps (the higher precedence), "
                    "beside a preferred binding covering the same periods",
                )
