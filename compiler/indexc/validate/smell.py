"""Rule IX733: a measure's smell test says what it does.

A test switched `off:` beside a tuning or accept entries would ignore them without a word, and an
area and period accepted twice leaves a reader unsure which reason holds; both would make the
record of what was looked at untrustworthy.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in catalog.measures.items():
        smell = measure.smell
        ignored = sorted(smell.model_fields_set - {"off"})
        if smell.off is not None and ignored:
            yield Diagnostic(
                Code.SMELL_TEST_CONFLICT,
                f"measure '{measure_id}': the smell test is off, so {', '.join(ignored)} would do nothing",
                catalog.where("measures", measure_id, "smell", "off"),
                "remove 'off:' to run the test as tuned, or remove the rest",
            )
        seen: set[tuple[str, str | None]] = set()
        for position, accepted in enumerate(smell.accept):
            key = (accepted.area, accepted.period)
            if key in seen or (accepted.area, None) in seen:
                yield Diagnostic(
                    Code.SMELL_TEST_CONFLICT,
                    f"measure '{measure_id}': {accepted.area}"
                    f"{' ' + accepted.period if accepted.period else ''} is accepted twice",
                    catalog.where("measures", measure_id, "smell", "accept", position),
                    "keep one entry, with one reason",
                )
            seen.add(key)
