"""Rules IX616-IX618: a measure carried up a level (`aggregate: {to: upper_tier}`) can be.

A district-only measure feeds councils through the register's parentage: each
area of the level above gets its own value when it is in both levels, else the
sum or the weighted mean of the areas whose parent it is. That needs an additive
measure (IX616), a weight on the level being aggregated (IX617: a county's
population cannot weight its districts), and a level the measure's data sits
below (IX618). Whether every area in force on the geography date reaches a
parent (IX619) depends on the date, so geography/checks.py asks it.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def restated_level(measure_id: str, catalog: Catalog) -> str | None:
    """The level of a measure's restated bindings (IX605 makes them agree), None when none says one."""
    for binding in catalog.measures[measure_id].bindings:
        geography = getattr(catalog.sources.get(binding.source), "geography", None)
        if binding.restate and geography is not None:
            return str(geography.level)
    return None


def is_above(catalog: Catalog, lower: str, upper: str) -> bool:
    """Whether some area of `lower`, not itself in `upper`, has a parent of a type of `upper`: a level
    without such parentage (the same level, regions, health boards) is not above it."""
    if lower == upper or lower not in catalog.levels or upper not in catalog.levels:
        return False
    lower_types, upper_types = set(catalog.levels[lower].types), set(catalog.levels[upper].types)
    return any(
        area.type in lower_types
        and area.type not in upper_types
        and area.parent in catalog.areas
        and catalog.areas[area.parent].type in upper_types
        for area in catalog.areas.values()
    )


def _level_problem(measure_id: str, catalog: Catalog, to: str) -> Diagnostic | None:
    """IX618: the measure's data must sit on a level below `to`, linked to it by parentage."""
    measure = catalog.measures[measure_id]
    level = restated_level(measure_id, catalog)
    where = catalog.where("measures", measure_id, "aggregate", "to")
    if level is None:
        return Diagnostic(
            Code.AGGREGATE_NOT_ABOVE,
            f"measure '{measure_id}' aggregates to '{to}', but none of its bindings reads a source "
            "that says its level",
            where,
            "bind a source with 'geography: {level: lower_tier, ...}' (and an area register)",
        )
    if level == to:
        position = next(
            i
            for i, b in enumerate(measure.bindings)
            if getattr(catalog.sources.get(b.source), "geography", None) is not None and b.restate
        )
        return Diagnostic(
            Code.AGGREGATE_NOT_ABOVE,
            f"measure '{measure_id}' aggregates to '{to}', but its source "
            f"'{measure.bindings[position].source}' is already on '{to}'",
            catalog.where("measures", measure_id, "bindings", position, "source"),
            f"aggregate reads data of a level below '{to}' (districts, say); remove 'aggregate:' "
            "for data published for the councils themselves",
        )
    if not is_above(catalog, level, to):
        return Diagnostic(
            Code.AGGREGATE_NOT_ABOVE,
            f"measure '{measure_id}' is on '{level}', and '{to}' is not a level above it: no area "
            f"of '{level}' has a parent in '{to}'",
            where,
            f"aggregate to the level whose areas the register names as the 'parent' of areas of "
            f"'{level}' (a district's county: upper_tier)",
        )
    return None


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in sorted(catalog.measures.items()):
        if measure.aggregate is None:
            continue
        to = measure.aggregate.to
        if measure.additivity == "none":
            yield Diagnostic(
                Code.AGGREGATE_NOT_ADDITIVE,
                f"measure '{measure_id}' has additivity: none, so it cannot be aggregated to '{to}'",
                catalog.where("measures", measure_id, "additivity"),
                "declare additivity: sum (the districts are added) or mean with weighted_by (their "
                "mean weighted by, say, population); or remove 'aggregate:'",
            )
        if to not in catalog.levels:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown level '{to}' in measure '{measure_id}'",
                catalog.where("measures", measure_id, "aggregate", "to"),
                did_you_mean(to, catalog.levels) or "declare it under 'levels:'",
                refers_to=to,
            )
            continue
        problem = _level_problem(measure_id, catalog, to)
        if problem is not None:
            yield problem
            continue
        weight = measure.weighted_by
        if measure.additivity != "mean" or weight is None or weight not in catalog.measures:
            continue  # IX303 and IX101 report a mean without a weight, or an unknown one
        level, weight_level = (
            restated_level(measure_id, catalog),
            restated_level(weight, catalog),
        )
        if weight_level != level:
            yield Diagnostic(
                Code.AGGREGATE_WEIGHT_LEVEL,
                f"measure '{measure_id}' is aggregated from '{level}', but its weight '{weight}' is "
                + (f"on '{weight_level}'" if weight_level else "on no level"),
                catalog.where("measures", measure_id, "weighted_by"),
                f"weight by a measure whose sources are on '{level}' (the districts' population, "
                "say): each area is weighted by its own value",
            )
