"""Rules IX102, IX326 to IX328 for lenses that read another index's score (`index: {id, lens}`).

Such a lens takes the other index's published score as it is, without treating or normalising it again,
so the two indexes must put scores on one scale (the same normalisation and scope) and score the same
areas (the same universe, or one whose areas are among the reading index's). Cycles between indexes are
found with every other cycle, by resolve.py (IX325).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.indexes import Index, IndexInput, Lens
from indexc.validate.catalog import Catalog
from indexc.validate.references import UnknownReporter


def _within(inner_id: str, outer_id: str, catalog: Catalog) -> bool:
    """Whether every area of universe `inner_id` is an area of universe `outer_id`: the same universe, or
    one read from the same register whose types are among the other's."""
    if inner_id == outer_id:
        return True
    inner, outer = catalog.universes.get(inner_id), catalog.universes.get(outer_id)
    if inner is None or outer is None:
        return True  # reported as an unknown universe already
    return inner.register_ == outer.register_ and set(inner.types) <= set(outer.types)


def _input(
    index_id: str,
    index: Index,
    path: tuple[Any, ...],
    lens: Lens,
    read: IndexInput,
    catalog: Catalog,
    report: UnknownReporter,
) -> Iterator[Diagnostic]:
    where = lambda *rel: catalog.where("indexes", index_id, *path, "index", *rel)  # noqa: E731
    context = f"lens '{lens.id}' of index '{index_id}'"
    other = catalog.indexes.get(read.id)
    if other is None:
        yield from report.unknown(
            ("indexes",), "index", read.id, catalog.indexes, where("id"), context
        )
        return
    if read.id == index_id:
        return  # a cycle of one index, reported by resolve.py (IX325)
    if read.lens is not None:
        lenses = {child.id for _, child, _ in other.walk()}
        if read.lens not in lenses:
            yield from report.unknown(
                (),
                "lens",
                read.lens,
                lenses,
                where("lens"),
                f"{context}, which reads index '{read.id}'",
            )
    ours, theirs = index.method, other.method
    if (ours.normalise, ours.scope) != (theirs.normalise, theirs.scope):
        yield Diagnostic(
            Code.INDEX_INPUT_NORMALISED_OTHERWISE,
            f"{context} reads index '{read.id}', which normalises with "
            f"{theirs.normalise.describe()} per {theirs.scope}, but index '{index_id}' with "
            f"{ours.normalise.describe()} per {ours.scope}: its scores are taken as they are, "
            "so they would be on another scale",
            where("id"),
            f"give both indexes the same method.normalise and method.scope, or list the metrics of "
            f"index '{read.id}' in lens '{lens.id}' instead",
        )
    if not _within(other.universe, index.universe, catalog):
        yield Diagnostic(
            Code.INDEX_INPUT_OTHER_UNIVERSE,
            f"{context} reads index '{read.id}' of universe '{other.universe}', whose areas are not "
            f"all in universe '{index.universe}' of index '{index_id}'",
            where("id"),
            "read an index of the same universe, or of a universe of the same register whose types "
            f"are among those of '{index.universe}'",
        )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    report = UnknownReporter(catalog)
    for index_id, index in catalog.indexes.items():
        inputs = index.index_inputs()
        for path, lens, read in inputs:
            yield from _input(index_id, index, path, lens, read, catalog, report)
        if inputs and not index.metric_ids():
            yield Diagnostic(
                Code.INDEX_WITHOUT_METRICS,
                f"every lens of index '{index_id}' reads another index: an index scores its periods "
                "from metrics of its own",
                catalog.where("indexes", index_id, "lenses"),
                "add a lens with metrics, or publish the other index itself",
            )
