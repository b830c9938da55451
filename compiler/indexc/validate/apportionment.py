"""Apportionment is a policy: whether a reorganisation may divide a measure's values (IX620-IX622).

A split that divides a county among its successors by population (or by declared shares) gives each
successor an estimate of its history, not a published figure. A measure says whether that is
acceptable (`apportion: allowed | forbidden`); when it does not say, the default of the level it is
restated in (`levels[].apportion`), else `allowed`. Where forbidden, a successor has no value before
the event (a cold start) rather than an apportioned one (docs/geography.md, "Apportionment is a
policy"). `apportion_policy` is the one place that answer is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from indexc.codes import Code
from indexc.errors import Diagnostic, Severity
from indexc.validate.aggregation import restated_level
from indexc.validate.catalog import Catalog

Policy = Literal["allowed", "forbidden"]


def apportion_policy(catalog: Catalog, measure_id: str) -> Policy:
    """`allowed` or `forbidden` for the measure: its own `apportion`, else its level's, else allowed."""
    measure = catalog.measures[measure_id]
    if measure.apportion is not None:
        return measure.apportion
    level = catalog.levels.get(restated_level(measure_id, catalog) or "")
    if level is not None and level.apportion is not None:
        return level.apportion
    return "allowed"


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    yield from _bases_forbidden(catalog)
    yield from _defaults_unused(catalog)
    yield from _measures_not_restated(catalog)


def _bases_forbidden(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX620: the basis of an event divided by itself gives each territory its own value (a
    successor's population is the population of its districts), so forbidding it hides real history
    and leaves the measures apportioned by it without the denominator that moved with them."""
    bases: dict[str, list[str]] = {}
    for event_id, event in sorted(catalog.lineage.items()):
        if event.apportion is not None:
            bases.setdefault(event.apportion.by, []).append(event_id)
    for measure_id, events in sorted(bases.items()):
        if measure_id not in catalog.measures or apportion_policy(catalog, measure_id) == "allowed":
            continue
        own = catalog.measures[measure_id].apportion is not None
        level = restated_level(measure_id, catalog)
        where = (
            catalog.where("measures", measure_id, "apportion")
            if own
            else catalog.where("measures", measure_id, "id")
        )
        said = "" if own else f" (the default of level '{level}')"
        yield Diagnostic(
            Code.BASIS_APPORTION_FORBIDDEN,
            f"measure '{measure_id}' apportions lineage event '{events[0]}' but its apportioning "
            f"is forbidden{said}: divided by itself it is each territory's own value",
            where,
            f"write 'apportion: allowed' on measure '{measure_id}'",
        )


def _defaults_unused(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX621: a level with `tiles: false` restates no data (IX605), so a default there governs nothing."""
    for level_id, level in sorted(catalog.levels.items()):
        if level.apportion is not None and not level.tiles:
            yield Diagnostic(
                Code.APPORTION_DEFAULT_UNUSED,
                f"level '{level_id}' has 'tiles: false', so no measure is restated in it and its "
                f"'apportion: {level.apportion}' governs nothing",
                catalog.where("levels", level_id, "apportion", key=True),
                "declare the default on the level the measures are restated in (upper_tier, say)",
            )


def _measures_not_restated(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX622: `apportion` on a measure no reorganisation can touch (no restated binding) does nothing."""
    for measure_id, measure in sorted(catalog.measures.items()):
        if measure.apportion is None or restated_level(measure_id, catalog) is not None:
            continue
        yield Diagnostic(
            Code.APPORTION_NOT_RESTATED,
            f"measure '{measure_id}' says 'apportion: {measure.apportion}' but none of its bindings "
            "is restated onto a geography, so no reorganisation divides it",
            catalog.where("measures", measure_id, "apportion", key=True),
            "remove 'apportion:', or bind a source with a 'geography:' (and 'restate: true')",
            severity=Severity.WARNING,
        )
