"""Rule IX102: every reference names an object that exists and is of the right kind.

A dangling reference is usually a typo, so each diagnostic suggests the
closest existing id.
"""

from __future__ import annotations

from typing import Any, Iterator

from indexc.errors import Diagnostic
from indexc.spec.sources import RegisterSource
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def _missing(noun: str, name: str, candidates: Any, location, context: str) -> Diagnostic:
    hint = did_you_mean(name, candidates) or (
        f"known {noun}s: {', '.join(sorted(candidates)[:8])}" if candidates else f"no {noun} is defined yet")
    return Diagnostic("IX102", f"unknown {noun} '{name}' in {context}", location, hint)


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    data_sources = {k for k, s in catalog.sources.items() if not isinstance(s, RegisterSource)}
    registers = {k for k, s in catalog.sources.items() if isinstance(s, RegisterSource)}
    for measure_id, measure in catalog.measures.items():
        for i, binding in enumerate(measure.bindings):
            if binding.source in registers:
                yield Diagnostic("IX102", f"source '{binding.source}' is a register and cannot feed measure "
                                 f"'{measure_id}'", catalog.where("measures", measure_id, "bindings", i, "source"),
                                 "bind measures to sources with layout long or wide")
            elif binding.source not in data_sources:
                yield _missing("source", binding.source, data_sources,
                               catalog.where("measures", measure_id, "bindings", i, "source"),
                               f"a binding of measure '{measure_id}'")
        if measure.weight is not None and measure.weight not in catalog.measures:
            yield _missing("measure", measure.weight, catalog.measures,
                           catalog.where("measures", measure_id, "weight"), f"the weight of measure '{measure_id}'")
    names = set(catalog.measures) | set(catalog.metrics)
    for metric_id in catalog.metrics:
        formula = catalog.formula(metric_id)
        origin = catalog.origin("metrics", metric_id)
        text = catalog.metrics[metric_id].formula
        for name, offset in formula.names:
            if name not in names:
                yield _missing("measure or metric", name, names, origin.location_in_text(("formula",), offset, text),
                               f"the formula of metric '{metric_id}'")
    for universe_id, universe in catalog.universes.items():
        if universe.register_ not in registers:
            yield _missing("register", universe.register_, registers,
                           catalog.where("universes", universe_id, "register"), f"universe '{universe_id}'")
    for index_id, index in catalog.indexes.items():
        if index.universe not in catalog.universes:
            yield _missing("universe", index.universe, catalog.universes,
                           catalog.where("indexes", index_id, "universe"), f"index '{index_id}'")
        for l, lens in enumerate(index.lenses):
            for m, entry in enumerate(lens.metrics):
                if entry.metric not in catalog.metrics:
                    yield _missing("metric", entry.metric, catalog.metrics,
                                   catalog.where("indexes", index_id, "lenses", l, "metrics", m),
                                   f"lens '{lens.id}' of index '{index_id}'")
