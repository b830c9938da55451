"""Rule IX402: a binding names an item (long layout) or column (wide layout) its source declares."""

from __future__ import annotations

from typing import Iterator

from indexc.errors import Diagnostic
from indexc.spec.sources import WideSource
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in catalog.measures.items():
        for i, binding in enumerate(measure.bindings):
            source = catalog.sources.get(binding.source)
            items = getattr(source, "items", None)
            if items is None or binding.item in items:
                continue
            what = "column" if isinstance(source, WideSource) else "item"
            hint = did_you_mean(binding.item, items) or f"'{binding.source}' declares: {', '.join(sorted(items))}"
            yield Diagnostic("IX402", f"unknown {what} '{binding.item}' in source '{binding.source}'",
                             catalog.where("measures", measure_id, "bindings", i, "item"),
                             hint + f" (declare new {what}s under 'items' of the source)")
