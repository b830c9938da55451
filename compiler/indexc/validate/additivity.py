"""Rule IX303: a measure averaged across areas names the measure that weights the average, and
only such a measure names one.

Combining areas (a merger, a combined authority) sums a 'sum' measure but must
weight a 'mean' measure, by population say; without a weight it would have to
guess. A weight on any other measure would be silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in catalog.measures.items():
        if measure.additivity == "mean" and measure.weighted_by is None:
            yield Diagnostic(
                Code.WEIGHTED_BY_MISMATCH,
                f"measure '{measure_id}' is a mean but names no weighted_by measure",
                catalog.where("measures", measure_id, "additivity"),
                "add 'weighted_by:' naming the measure that weights it when areas combine "
                "(e.g. population), or use additivity: none",
            )
        elif measure.additivity != "mean" and measure.weighted_by is not None:
            yield Diagnostic(
                Code.WEIGHTED_BY_MISMATCH,
                f"measure '{measure_id}' names weighted_by but is not a mean "
                f"(additivity: {measure.additivity})",
                catalog.where("measures", measure_id, "weighted_by"),
                "only additivity: mean uses weighted_by; remove 'weighted_by:' or make the measure a mean",
            )
