"""Whether, and how, a measure's values must be lined up with financial years (spec `align:`).

Read by the measure's view (generate/alignment.py) and by its restatement, which then finds each
value's own financial year from its data rather than from the year it serves.
"""

from __future__ import annotations

from indexc.plan.nodes import Alignment
from indexc.spec.sources import DATA_SOURCES, LONGEST_INTERVAL_MONTHS, POOLED_GRAINS
from indexc.validate.catalog import Catalog


def alignment(measure_id: str, catalog: Catalog) -> Alignment | None:
    """How the measure's values line up with financial years; None where each simply serves its own
    (every source of financial-year periods, `align: exact`): the measure's SQL of before issue 17."""
    measure = catalog.measures[measure_id]
    grains = [
        source.period
        for source in (catalog.sources[b.source] for b in measure.bindings)
        if isinstance(source, DATA_SOURCES)
    ]
    if measure.alignment == "exact" and all(g.within_financial_year for g in grains):
        return None
    span = max(
        (
            (g.years or 1) + 1
            if g.grain in POOLED_GRAINS
            else LONGEST_INTERVAL_MONTHS // 12 + 1
            if g.grain == "iso_interval"
            else 2
            for g in grains
        ),
        default=2,
    )
    return Alignment(measure.alignment, measure.max_age, span)
