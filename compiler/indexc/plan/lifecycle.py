"""Which indexes a build plans: every index not on hold, and those on hold selected by name.

A contingent or deferred index (spec/indexes.py, `status`) is validated with the rest but built only
when selected by name, so a product on hold costs nothing and can be declared before its data exists.
Its scenarios follow it. The planner plans from the catalog `planned_catalog` returns, so no part of it
needs to know about statuses.
"""

from __future__ import annotations

import dataclasses

from indexc.validate.catalog import Catalog


def built_indexes(catalog: Catalog, selected: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The ids of the indexes a build plans, sorted: every index that is not on hold, and those of
    `selected` whatever their status (a selective build then keeps what the selected ones need,
    plan/selection.py). An id not in the catalog is left to the caller to report."""
    chosen = {i for i in selected if i in catalog.indexes}
    chosen |= {i for i, index in catalog.indexes.items() if not index.on_hold}
    return tuple(sorted(chosen))


def planned_catalog(catalog: Catalog, selected: tuple[str, ...] = ()) -> Catalog:
    """The catalog with only the built indexes and their scenarios: what the planner sees."""
    built = built_indexes(catalog, selected)
    if len(built) == len(catalog.indexes):
        return catalog
    return dataclasses.replace(
        catalog,
        indexes={i: catalog.indexes[i] for i in built},
        scenarios={s: x for s, x in catalog.scenarios.items() if x.index in built},
    )
