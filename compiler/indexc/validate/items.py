"""Rule IX402: a binding names an item (long layout) or column (wide layout) its source declares;
and IX003 at the item: an item of a source with several item columns names a value for each."""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.sources import LongSource, WideSource
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for source_id, source in catalog.sources.items():
        if isinstance(source, LongSource):
            for item in source.items:
                problem = source.item_parts_problem(item)
                if problem:
                    yield Diagnostic(
                        Code.SCHEMA_VIOLATION,
                        problem,
                        catalog.where("sources", source_id, "items", item, key=True),
                        "a blank cell names no item; write the item as the values of its columns "
                        "in their order, such as STS001/Outcome",
                    )
    for measure_id, measure in catalog.measures.items():
        for i, binding in enumerate(measure.bindings):
            bound = catalog.sources.get(binding.source)
            items = getattr(bound, "items", None)
            if items is None or binding.item in items:
                continue
            what = "column" if isinstance(bound, WideSource) else "item"
            hint = (
                did_you_mean(binding.item, items)
                or f"'{binding.source}' declares: {', '.join(sorted(items))}"
            )
            yield Diagnostic(
                Code.UNDECLARED_ITEM,
                f"unknown {what} '{binding.item}' in source '{binding.source}'",
                catalog.where("measures", measure_id, "bindings", i, "item"),
                hint + f" (declare new {what}s under 'items' of the source)",
            )
