"""What contributed data reaches: the contributed sources, and the measures, metrics and indexes that
read them, directly or through other metrics.

Validation (validate/consent.py), the planner (plan/contributed.py) and the consent check
(plan/consent.py) all ask the same questions of the specs; they are answered once here so that the
objects planned twice are exactly those the check follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexc.spec.indexes import Index
from indexc.spec.measures import Binding
from indexc.spec.sources import DATA_SOURCES
from indexc.validate.catalog import Catalog


def contributor(catalog: Catalog, source_id: str) -> str | None:
    """The council that contributed a source, or None for public data."""
    source = catalog.sources.get(source_id)
    if isinstance(source, DATA_SOURCES):
        return source.contributed_by
    return None


def is_contributed(catalog: Catalog, binding: Binding) -> bool:
    return contributor(catalog, binding.source) is not None


@dataclass(frozen=True)
class Contributions:
    """The spec objects contributed data reaches, by kind, each with the sources behind it."""

    catalog: Catalog
    measures: dict[str, tuple[str, ...]] = field(init=False)  # measure -> contributed sources
    metrics: dict[str, tuple[str, ...]] = field(init=False)
    indexes: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        catalog = self.catalog
        measures = {
            m: tuple(sorted({b.source for b in measure.bindings if is_contributed(catalog, b)}))
            for m, measure in catalog.measures.items()
        }
        measures = {m: s for m, s in measures.items() if s}
        metrics: dict[str, tuple[str, ...]] = {}

        def sources_of(metric_id: str, seen: frozenset[str]) -> tuple[str, ...]:
            if metric_id in metrics:
                return metrics[metric_id]
            found: set[str] = set()
            for name in catalog.formula(metric_id).inputs:
                if name in catalog.measures:
                    found.update(measures.get(name, ()))
                elif name in catalog.metrics and name not in seen:
                    found.update(sources_of(name, seen | {name}))
            metrics[metric_id] = tuple(sorted(found))
            return metrics[metric_id]

        for metric_id in catalog.metrics:
            if catalog.metrics[metric_id].formula:
                sources_of(metric_id, frozenset({metric_id}))
        indexes = {
            i: tuple(sorted({s for m in index.metric_ids() for s in metrics.get(m, ())}))
            for i, index in catalog.indexes.items()
        }
        object.__setattr__(self, "measures", measures)
        object.__setattr__(self, "metrics", {m: s for m, s in metrics.items() if s})
        object.__setattr__(self, "indexes", {i: s for i, s in indexes.items() if s})

    def path(self, source_id: str, index_id: str) -> list[tuple[str, str]]:
        """One way the source reaches the index, as (noun, id) pairs: source, measure, metrics, lenses."""
        index = self.catalog.indexes[index_id]
        for path, lens, _ in index.walk():
            for entry in lens.metrics:
                chain = self._metric_chain(entry.metric, source_id, frozenset())
                if chain:
                    lenses = [("lens", lid) for lid in reversed(_lens_ids(index, path))]
                    return [("contributed source", source_id), *chain, *lenses]
        return [("contributed source", source_id)]

    def _metric_chain(
        self, metric_id: str, source_id: str, seen: frozenset[str]
    ) -> list[tuple[str, str]]:
        """measure, metric(s) from the source up to `metric_id`, or [] when it does not read it."""
        if source_id not in self.metrics.get(metric_id, ()):
            return []
        for name in sorted(self.catalog.formula(metric_id).inputs):
            if source_id in self.measures.get(name, ()):
                return [("measure", name), ("metric", metric_id)]
            if name in self.metrics and name not in seen:
                below = self._metric_chain(name, source_id, seen | {metric_id})
                if below:
                    return [*below, ("metric", metric_id)]
        return []


def _lens_ids(index: Index, path: tuple[Any, ...]) -> list[str]:
    """The ids of the lenses along a lens's spec path (`lenses`, i, `lenses`, j...), top lens first."""
    ids: list[str] = []
    lenses = index.lenses
    for position in path[1::2]:
        lens = lenses[int(position)]
        ids.append(lens.id)
        lenses = lens.lenses
    return ids
