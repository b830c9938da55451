"""Rules IX301/IX302/IX105: lens and metric weights are present and positive; each lens of an
index (at any depth), and each metric of a lens, appears once. A lens with a status carries no
weight; its rules are lifecycle.py's.

A zero or negative weight silently removes or inverts a lens, and a missing
one would leave the aggregation to guess, so both are errors.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.validate.catalog import Catalog


def _weight_problem(weight: float | None, what: str, location: Location) -> Diagnostic | None:
    if weight is None:
        return Diagnostic(
            Code.MISSING_WEIGHT,
            f"{what} has no weight",
            location,
            "add 'weight:' with a positive number (use 1 everywhere for equal weights)",
        )
    if weight <= 0:
        return Diagnostic(
            Code.NON_POSITIVE_WEIGHT,
            f"{what} has a non-positive weight {weight:g}",
            location,
            "weights must be greater than 0; remove the entry to leave it out",
        )
    return None


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        lens_ids: set[str] = set()
        for path, lens, _ in index.walk():
            where = catalog.where(
                "indexes", index_id, *path, "weight" if lens.weight is not None else "id"
            )
            problem = _weight_problem(lens.weight, f"lens '{lens.id}' of index '{index_id}'", where)
            if problem and lens.carries_weight:  # a lens with a status has none (lifecycle.py)
                yield problem
            if lens.id in lens_ids:
                yield Diagnostic(
                    Code.LISTED_TWICE,
                    f"lens '{lens.id}' appears twice in index '{index_id}'",
                    catalog.where("indexes", index_id, *path, "id"),
                    "give each lens of an index its own id, at every depth",
                )
            lens_ids.add(lens.id)
            seen: set[str] = set()
            for m, entry in enumerate(lens.metrics):
                where = catalog.where("indexes", index_id, *path, "metrics", m)
                problem = _weight_problem(
                    entry.weight, f"metric '{entry.metric}' in lens '{lens.id}'", where
                )
                if problem:
                    yield problem
                if entry.metric in seen:
                    yield Diagnostic(
                        Code.LISTED_TWICE,
                        f"metric '{entry.metric}' appears twice in lens '{lens.id}'",
                        where,
                        "list a metric once per lens and give it the combined weight",
                    )
                seen.add(entry.metric)
    for scenario_id, scenario in catalog.scenarios.items():
        for key, weight in scenario.weights.items():
            problem = _weight_problem(
                weight,
                f"'{key}' in scenario '{scenario_id}'",
                catalog.where("scenarios", scenario_id, "weights", key),
            )
            if problem:
                yield problem
