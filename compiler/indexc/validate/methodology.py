"""Rules IX310-IX313: the method's steps fit together.

A geometric or harmonic mean of a score that can be zero or negative is
undefined, and a productivity ratio of a score that can be negative ranks
nonsense first; both are refused here, from the bounds each normalisation
guarantees, rather than producing NULLs at run time. Goalposts are in a
metric's own units, so they only make sense per metric.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.spec.indexes import Index, Lens
from indexc.spec.methods import Aggregation
from indexc.validate.catalog import Catalog


def _lowest(index: Index, lens: Lens) -> float | None:
    """The least score a lens can have: every power mean stays within its children's range (those
    that carry weight; a lens with nothing to aggregate, awaiting data, bounds nothing)."""
    if lens.index is not None:  # another index normalised alike (validate/index_inputs.py)
        return index.method.normalise.lowest_score
    bounds = [index.method.normalisation_of(entry.metric).lowest_score for entry in lens.metrics]
    bounds += [_lowest(index, child) for child in lens.weighted_lenses()]
    known = [b for b in bounds if b is not None]
    return None if len(known) < len(bounds) else min(known, default=math.inf)


def _aggregation_problem(
    aggregate: Aggregation, bound: float | None, what: str, where: Location
) -> Diagnostic | None:
    if aggregate.needs_positive() and (bound is None or bound <= 0):
        return Diagnostic(
            Code.MEAN_OF_NEGATIVE_SCORES,
            f"{what} takes a {aggregate.method} mean of scores that can be "
            f"{'negative' if bound is None else f'{bound:g}'}",
            where,
            "normalise onto a positive range, e.g. {method: minmax, low: 1, high: 100}, "
            "or aggregate with arithmetic",
        )
    if aggregate.needs_non_negative() and (bound is None or bound < 0):
        return Diagnostic(
            Code.MEAN_OF_NEGATIVE_SCORES,
            f"{what} takes a generalised mean of scores that can be negative",
            where,
            "normalise onto a non-negative range, e.g. {method: minmax, low: 0, high: 100}",
        )
    return None


def _index(index_id: str, index: Index, catalog: Catalog) -> Iterator[Diagnostic]:
    where = lambda *rel: catalog.where("indexes", index_id, *rel)  # noqa: E731
    lenses: dict[str, tuple[tuple[Any, ...], Lens]] = {}
    for path, lens, _ in index.walk():
        lenses.setdefault(lens.id, (path, lens))
        if lens.aggregate is None and (lens.carries_weight or not lens.computed):
            continue  # it uses method.aggregate, checked once below over the whole weighted tree
        # a contextual lens is outside the weighted tree, so its own aggregation is checked here
        problem = _aggregation_problem(
            lens.aggregate or index.method.aggregate,
            _lowest(index, lens),
            f"lens '{lens.id}'",
            where(*path, "aggregate" if lens.aggregate else "id"),
        )
        if problem:
            yield problem
    root = Lens(id="root", lenses=index.lenses)
    problem = _aggregation_problem(
        index.method.aggregate,
        _lowest(index, root),
        f"index '{index_id}'",
        where("method", "aggregate")
        if "aggregate" in index.method.model_fields_set
        else where("method"),
    )
    if problem:
        yield problem
    if index.method.normalise.method == "goalpost":
        yield Diagnostic(
            Code.GOALPOSTS_FOR_EVERY_METRIC,
            f"index '{index_id}' normalises every metric onto goalposts",
            where("method", "normalise"),
            "goalposts are in a metric's own units: declare them per metric under "
            "method: overrides: METRIC: normalise:",
        )
    for metric_id, override in index.method.overrides.items():
        norm = override.normalise
        if (
            norm is None
            or norm.method != "goalpost"
            or norm.worst is None  # a goalpost is validated to have both worst and target
            or norm.target is None
            or metric_id not in catalog.metrics
        ):
            continue
        higher = catalog.metrics[metric_id].direction == "higher_is_better"
        if (norm.target > norm.worst) != higher:
            yield Diagnostic(
                Code.GOALPOSTS_AGAINST_DIRECTION,
                f"the goalposts of metric '{metric_id}' run from {norm.worst:g} to "
                f"{norm.target:g}, against its direction ({catalog.metrics[metric_id].direction})",
                where("method", "overrides", metric_id, "normalise"),
                "swap worst and target, or check the metric's direction",
            )
    for p, productivity in enumerate(index.productivity):
        if productivity.method != "ratio" or productivity.lens not in lenses:
            continue
        bound = _lowest(index, lenses[productivity.lens][1])
        if bound is None or bound < 0:
            yield Diagnostic(
                Code.RATIO_OF_NEGATIVE_SCORES,
                f"the productivity ratio of lens '{productivity.lens}' divides a score that "
                "can be negative",
                where("productivity", p, "method"),
                "use method: rank_gap, or a normalisation that is never negative (minmax, a z-score "
                "is not)",
            )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        yield from _index(index_id, index, catalog)
