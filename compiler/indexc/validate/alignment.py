"""Rules IX404/IX405: a measure's `align:` can line its values up with financial years.

`latest` needs an age limit, or a ten-year-old value would score today as if it were current.
`exact` (the default) reads a value whose period is a financial year, or a point in one; a source of
calendar years, academic years, quarters or pooled years has none, so `exact` on it would give the
measure no value at all, or several per year (quarters): it is refused here, with the alignments
that would read it.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.sources import DATA_SOURCES
from indexc.validate.catalog import Catalog

EXACT_GRAINS = frozenset({"financial_year", "financial_year_ending", "mid_year", "iso_interval"})
"""Grains with periods that can be a financial year or a point in one (an ISO 8601 interval may be)."""


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in catalog.measures.items():
        if measure.alignment == "latest":
            age = measure.max_age
            if age is None or age < 1:
                yield Diagnostic(
                    Code.LATEST_WITHOUT_MAX_AGE,
                    f"measure '{measure_id}' aligns to the latest value "
                    + ("with no max_age" if age is None else f"with max_age {age}"),
                    catalog.where(
                        "measures",
                        measure_id,
                        "align",
                        "latest",
                        *(("max_age",) if age is not None else ()),
                    ),
                    "give 'max_age:', the whole number of years (1 or more) a value's period may end "
                    "before the financial year's end, e.g. align: {latest: {max_age: 3}}",
                )
            continue
        if measure.alignment != "exact":
            continue
        for i, binding in enumerate(measure.bindings):
            source = catalog.sources.get(binding.source)
            if not isinstance(source, DATA_SOURCES):
                continue  # an unknown source or one of another layout is reported elsewhere
            if source.period.grain not in EXACT_GRAINS:
                yield Diagnostic(
                    Code.EXACT_ON_OTHER_PERIODS,
                    f"measure '{measure_id}' aligns exactly (the default) to financial years, but "
                    f"source '{binding.source}' of binding {i + 1} publishes "
                    f"{source.period.grain} periods, none of which is one",
                    catalog.where("measures", measure_id, "align")
                    if "align" in measure.model_fields_set
                    else catalog.where("measures", measure_id, "bindings", i),
                    "declare how its values serve a financial year: align: {latest: {max_age: N}} "
                    "(the most recent value ending by the year's end) or align: overlap (the value "
                    "whose period contains 1 October of the year)",
                )
