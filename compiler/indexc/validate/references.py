"""Rule IX102: every reference names an object that exists and is of the right kind.

A dangling reference is usually a typo, so each diagnostic suggests the
closest existing id. A reference to an entry that exists but failed its own
schema check is not reported again: that entry's diagnostic says what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.spec.sources import DATA_SOURCES, RegisterSource
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


class UnknownReporter:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def unknown(
        self,
        kinds: Iterable[str],
        noun: str,
        name: str,
        candidates: Iterable[str],
        location: Location,
        context: str,
    ) -> Iterator[Diagnostic]:
        if any((kind, name) in self.catalog.rejected for kind in kinds):
            return
        candidates = sorted(candidates)
        hint = did_you_mean(name, candidates) or (
            f"known {noun}s: {', '.join(candidates[:8])}"
            if candidates
            else f"no {noun} is defined yet"
        )
        yield Diagnostic(
            Code.UNKNOWN_REFERENCE,
            f"unknown {noun} '{name}' in {context}",
            location,
            hint,
            refers_to=str(name),
        )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    report = UnknownReporter(catalog)
    yield from _measures(catalog, report)
    yield from _formulas(catalog, report)
    yield from _universes(catalog, report)
    yield from _index_universes(catalog, report)


def _registers(catalog: Catalog) -> set[str]:
    return {k for k, s in catalog.sources.items() if isinstance(s, RegisterSource)}


def _measures(catalog: Catalog, report: UnknownReporter) -> Iterator[Diagnostic]:
    data_sources = {k for k, s in catalog.sources.items() if isinstance(s, DATA_SOURCES)}
    registers = _registers(catalog)
    for measure_id, measure in catalog.measures.items():
        for i, binding in enumerate(measure.bindings):
            where = catalog.where("measures", measure_id, "bindings", i, "source")
            if binding.source in registers:
                yield Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"source '{binding.source}' is a register and cannot feed measure "
                    f"'{measure_id}'",
                    where,
                    "bind measures to sources with layout long or wide",
                )
            elif binding.source not in data_sources:
                yield from report.unknown(
                    ("sources",),
                    "source",
                    binding.source,
                    data_sources,
                    where,
                    f"a binding of measure '{measure_id}'",
                )
        if measure.weighted_by is not None and measure.weighted_by not in catalog.measures:
            yield from report.unknown(
                ("measures",),
                "measure",
                measure.weighted_by,
                catalog.measures,
                catalog.where("measures", measure_id, "weighted_by"),
                f"the weight of measure '{measure_id}'",
            )


def _formulas(catalog: Catalog, report: UnknownReporter) -> Iterator[Diagnostic]:
    names = set(catalog.measures) | set(catalog.metrics)
    for metric_id, metric in catalog.metrics.items():
        origin = catalog.origin("metrics", metric_id)
        for name, offset in catalog.formula(metric_id).names:
            where = origin.location_in_text(("formula",), offset, metric.formula)
            if name == metric_id and name not in catalog.measures:
                yield from _own_name(catalog, metric_id, where)
            elif name not in names:
                yield from report.unknown(
                    ("measures", "metrics"),
                    "measure or metric",
                    name,
                    names,
                    where,
                    f"the formula of metric '{metric_id}'",
                )


def _universes(catalog: Catalog, report: UnknownReporter) -> Iterator[Diagnostic]:
    registers = _registers(catalog)
    for universe_id, universe in catalog.universes.items():
        if universe.register_ is None:
            if not catalog.areas:
                yield Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"universe '{universe_id}' names no register and the project declares no areas",
                    catalog.where("universes", universe_id, "id"),
                    "add 'register:' naming a register source, or declare 'areas:' under specs/",
                )
        elif universe.register_ not in registers:
            yield from report.unknown(
                ("sources",),
                "register",
                universe.register_,
                registers,
                catalog.where("universes", universe_id, "register"),
                f"universe '{universe_id}'",
            )


def _index_universes(catalog: Catalog, report: UnknownReporter) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        if index.universe not in catalog.universes:
            yield from report.unknown(
                ("universes",),
                "universe",
                index.universe,
                catalog.universes,
                catalog.where("indexes", index_id, "universe"),
                f"index '{index_id}'",
            )


def _own_name(catalog: Catalog, metric_id: str, where: Location) -> Iterator[Diagnostic]:
    """A formula naming its own metric means a measure of that name, the usual pattern; if none exists,
    the measure is missing or misspelt, which is what to say rather than 'reference cycle'."""
    if ("measures", metric_id) in catalog.rejected:
        return
    hint = did_you_mean(metric_id, catalog.measures) or (
        "a formula is built from measures and other metrics; a metric cannot be computed from itself"
    )
    yield Diagnostic(
        Code.UNKNOWN_REFERENCE,
        f"the formula of metric '{metric_id}' names '{metric_id}', but no measure of that name "
        "exists (its own name in a metric's formula means the measure)",
        where,
        hint,
        refers_to=metric_id,
    )
