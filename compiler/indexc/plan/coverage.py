"""The check that every lens, metric and measure of an index has a value in the period it publishes.

A lens whose metrics have no value for any area of the universe in the published period is not an empty
column: the index is reweighted over the other lenses and published as if complete. The check fails the
run instead, naming each lens, metric and measure without a value and why (run_failures.py): no data in
that period, data only on areas of another level, or data only on codes not in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from indexc.plan.index_reads import IndexReads
from indexc.plan.index_scores import index_lens
from indexc.plan.inputs import object_name
from indexc.plan.methodology import index_object
from indexc.plan.nodes import CheckNode
from indexc.plan.restatement import AREAS
from indexc.validate.catalog import Catalog

Kind = Literal["lens", "metric", "measure"]
SEPARATOR = "|"  # between an item's kind, id and reason in a row of the check (ids never hold it)


@dataclass(frozen=True)
class CoverageItem:
    kind: Kind
    id: str
    object: str  # its values: area_code, period, value (a lens: the index's metric values)
    path: tuple[str | int, ...]  # where the index names it (a measure: its metric's entry)
    metrics: tuple[str, ...] = ()  # a lens: the metrics under it, any of which gives it data
    of_lens: str | None = (
        None  # a lens reading another index's lens: that lens (object: its lens scores)
    )
    reads_index: bool = (
        False  # a lens reading another index: `object` holds its scores (column `score`)
    )


@dataclass(frozen=True, kw_only=True)
class CoverageCheckNode(CheckNode):
    """Items of the index with no value for any area of the universe in the published period (`period`,
    or the latest period scored when None), each with the reason."""

    index_id: str
    items: tuple[CoverageItem, ...]
    period: str | None
    scores_object: str
    universe_object: str
    register_object: str
    universe_types: tuple[str, ...]


def _measures(metric_id: str, catalog: Catalog, seen: set[str]) -> list[str]:
    found: list[str] = []
    for name in catalog.formula(metric_id).inputs:
        if name in catalog.measures and name not in found:
            found.append(name)
        elif name in catalog.metrics and name not in seen:
            seen.add(name)
            found += [m for m in _measures(name, catalog, seen) if m not in found]
    return found


def coverage_checks(
    index_id: str, catalog: Catalog, universe: str, reads: IndexReads
) -> list[CheckNode]:
    index = catalog.indexes[index_id]
    metric_values = index_object(index_id, "metric_values")
    items: list[CoverageItem] = []
    seen: set[tuple[str, str]] = set()
    for path, lens, _ in index.computed_lenses():  # a lens awaiting data is known to have none
        for m, entry in enumerate(lens.metrics):
            at = (*path, "metrics", m)
            for measure_id in _measures(entry.metric, catalog, set()):
                if ("measure", measure_id) not in seen:
                    seen.add(("measure", measure_id))
                    obj = reads.measure_object(entry.metric, measure_id)
                    items.append(CoverageItem("measure", measure_id, obj, at))
            if ("metric", entry.metric) not in seen:
                seen.add(("metric", entry.metric))
                items.append(
                    CoverageItem("metric", entry.metric, reads.metric_object(entry.metric), at)
                )
        if lens.index is not None:  # covered where the other index has a score
            read = index_lens(lens.id, lens.index)
            items.append(
                CoverageItem(
                    "lens", lens.id, read["object"], path, of_lens=read["of_lens"], reads_index=True
                )
            )
            continue
        items.append(CoverageItem("lens", lens.id, metric_values, path, tuple(lens.metric_ids())))
    universe_spec = catalog.universes[index.universe]
    register = (
        AREAS
        if universe_spec.register_ is None
        else object_name("sources", universe_spec.register_)
    )
    period = None if index.publish.period == "latest" else index.publish.period
    scores = index_object(index_id, "scores")
    objects = {item.object for item in items}
    return [
        CoverageCheckNode(
            name=f"check__index__{index_id}__coverage",
            depends_on=tuple(sorted(objects | {scores, universe, register})),
            spec=("indexes", index_id),
            description=f"Every lens, metric and measure of index {index_id} has a value for some "
            f"area of universe {index.universe} in the period it publishes ({index.publish.period})",
            failure="lenses, metrics and measures with no value for any area of the universe "
            "(kind|id|reason)",
            index_id=index_id,
            items=tuple(items),
            period=period,
            scores_object=scores,
            universe_object=universe,
            register_object=register,
            universe_types=tuple(universe_spec.types),
        )
    ]
