"""Rules IX401/IX403: a measure's bindings never cover one period twice unless their precedence
says which wins; IX713: a binding's `not_published` periods are periods it reads.

Two bindings for the same period would make a measure's value depend on which
SELECT wins; effective-dated bindings must hand over cleanly instead, or declare a precedence
(validate/precedence.py). A period declared not
published but outside the binding's periods is a typo that would leave the real gap unexplained.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.base import OPEN_END, OPEN_START
from indexc.spec.measures import PeriodRange
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean
from indexc.validate.precedence import ordered, overlap


def _bounds(periods: PeriodRange) -> tuple[str, str]:
    return periods.from_ or OPEN_START, periods.to or OPEN_END


def _describe(periods: PeriodRange) -> str:
    return f"{periods.from_ or 'the beginning'} to {periods.to or 'open end'}"


def _left_out_unknown(catalog: Catalog) -> Iterator[Diagnostic]:
    """A `leave_out` code the register does not know names no rows: a typo would leave them in."""
    if not catalog.areas:
        return
    for measure_id, measure in catalog.measures.items():
        for i, binding in enumerate(measure.bindings):
            for j, code in enumerate(binding.leave_out.areas if binding.leave_out else ()):
                if code not in catalog.areas:
                    yield Diagnostic(
                        Code.UNKNOWN_REFERENCE,
                        f"binding {i + 1} of measure '{measure_id}' leaves out {code}, which is "
                        "not in the area register",
                        catalog.where(
                            "measures", measure_id, "bindings", i, "leave_out", "areas", j
                        ),
                        did_you_mean(code, catalog.areas) or "list codes of the area register",
                        refers_to=code,
                    )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    yield from _left_out_unknown(catalog)
    for measure_id, measure in catalog.measures.items():
        for i, binding in enumerate(measure.bindings):
            start, end = _bounds(binding.periods)
            if start > end:
                yield Diagnostic(
                    Code.BINDING_RUNS_BACKWARDS,
                    f"binding {i + 1} of measure '{measure_id}' runs backwards "
                    f"({_describe(binding.periods)})",
                    catalog.where("measures", measure_id, "bindings", i, "periods"),
                    "'from' must not be later than 'to'",
                )
                continue
            outside = sorted(p for p in binding.not_published if not start <= p <= end)
            if outside:
                yield Diagnostic(
                    Code.NOT_PUBLISHED_OUTSIDE_BINDING,
                    f"binding {i + 1} of measure '{measure_id}' declares "
                    f"{', '.join(outside)} not published, outside its periods "
                    f"({_describe(binding.periods)})",
                    catalog.where("measures", measure_id, "bindings", i, "not_published"),
                    "list only periods the binding reads; a period outside is never checked",
                )
            for j in range(i):
                if not overlap(catalog, measure.bindings[j], binding) or ordered(measure, j, i):
                    continue  # an overlap resolved by precedence (validate/precedence.py)
                if binding.precedence is not None and binding.precedence == (
                    measure.bindings[j].precedence
                ):
                    continue  # IX410
                other_start, _ = _bounds(measure.bindings[j].periods)
                first = max(start, other_start)
                yield Diagnostic(
                    Code.OVERLAPPING_BINDINGS,
                    f"bindings {j + 1} and {i + 1} of measure '{measure_id}' both cover "
                    f"{first if first != OPEN_START else 'early periods'}",
                    catalog.where("measures", measure_id, "bindings", i),
                    f"binding {j + 1} covers {_describe(measure.bindings[j].periods)}; "
                    f"end one where the next begins, e.g. 'to:' the year before the other's "
                    "'from:', or, for an old and a new feed side by side, give each a "
                    "'precedence:' (1 preferred)",
                )
