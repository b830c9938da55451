"""Rules IX606, IX608-IX610, IX612 (tiling.py), IX619 and IX630: what only the closure onto a geography date can tell.

Whether a measure needs restating, whether a code's history reaches the
geography date at all, and whether an event can be inverted, all depend on
the date and the proposed events a run asks for, so they are checked once
the closure is built, with diagnostics at the spec line responsible.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.geography import Geography, calendar, measure_level
from indexc.geography.events import level_edges
from indexc.geography.parents import parent_edges
from indexc.geography.tiling import tiling_diagnostics
from indexc.spec.base import OPEN_END, OPEN_START
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def _proposed(catalog: Catalog, geography: Geography) -> Iterator[Diagnostic]:
    for event_id in geography.options.proposed:
        event = catalog.lineage.get(event_id)
        if event is None or event.status != "proposed":
            known = sorted(e for e, ev in catalog.lineage.items() if ev.status == "proposed")
            yield Diagnostic(
                Code.NOT_A_PROPOSED_EVENT,
                f"'{event_id}' is not a proposed lineage event",
                Location("specs"),
                did_you_mean(event_id, known) or f"proposed events: {', '.join(known) or 'none'}",
            )


def _unmappable(catalog: Catalog, geography: Geography) -> Iterator[Diagnostic]:
    used = {measure_level(m, catalog) for m in catalog.measures} | {
        a.level for a in catalog.area_maps.values()
    }
    seen = set()
    for problem in geography.closure.problems:
        key = (problem.code, problem.event_id, problem.reason)
        if key in seen or (problem.event_id and problem.level not in used):
            continue  # an event that cannot be inverted matters only in a level some data is restated in
        seen.add(key)
        if problem.event_id:
            yield Diagnostic(
                Code.BACKWARD_RESTATEMENT,
                f"{problem.code} ({problem.level}) cannot be restated onto {geography.date}: "
                f"{problem.reason}",
                catalog.where("lineage", problem.event_id, "type"),
                "add 'apportion: {by: population}' to the event, or restate onto a later date",
            )
        else:
            unmodelled = sorted(
                e.id
                for e in catalog.lineage.values()
                if e.status == "proposed"
                and e.id not in geography.options.proposed
                and problem.code in e.from_
            )
            hint = (
                (
                    f"the proposed event '{unmodelled[0]}' ends it: add --proposed {unmodelled[0]}, or choose an "
                    "earlier --geography-date"
                )
                if unmodelled
                else "add the lineage event that ended the code, or correct its valid_to"
            )
            yield Diagnostic(
                Code.CODE_WITHOUT_SUCCESSOR,
                f"{problem.code} ({problem.level}) cannot be restated onto {geography.date}: "
                f"{problem.reason}",
                catalog.where("areas", problem.code, "code"),
                hint,
            )


def _unrestatable(catalog: Catalog, geography: Geography) -> Iterator[Diagnostic]:
    """IX606: a measure that cannot be combined or divided, on codes that changed."""
    for measure_id, measure in catalog.measures.items():
        if measure.additivity != "none":
            continue
        for i, binding in enumerate(measure.bindings):
            source_geography = getattr(catalog.sources.get(binding.source), "geography", None)
            if not binding.restate or source_geography is None:
                continue
            if source_geography.codes == "as_published":
                start, end = binding.periods.from_ or OPEN_START, binding.periods.to or OPEN_END
            else:
                start = end = calendar.period_of(source_geography.codes)
            changed = sorted(
                {
                    p.from_code
                    for p in geography.closure.paths
                    if p.level == source_geography.level
                    and p.route
                    and (p.geo_from or OPEN_START) <= end
                    and start <= (p.geo_to or OPEN_END)
                }
            )
            if changed:
                yield Diagnostic(
                    Code.NON_ADDITIVE_RESTATED,
                    f"measure '{measure_id}' has additivity: none, but codes it may hold were reorganised "
                    f"before {geography.date} ({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''})",
                    catalog.where("measures", measure_id, "bindings", i),
                    "declare additivity: sum, or mean with a weight, so it can be restated; or limit the binding's "
                    "periods to those after the last reorganisation",
                )


def _orphans(catalog: Catalog, geography: Geography) -> Iterator[Diagnostic]:
    """IX619: an area of an aggregated measure's level, in force on the geography date, that reaches no
    area of the level above (no parent, or one not in force): its data would silently drop out."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for measure_id, measure in sorted(catalog.measures.items()):
        level = measure_level(measure_id, catalog)
        if measure.aggregate is None or level is None:
            continue
        if measure.aggregate.to in geography.register.levels:
            pairs.setdefault((level, measure.aggregate.to), []).append(measure_id)
    for (lower, upper), measures in sorted(pairs.items()):
        for orphan in parent_edges(geography.register, lower, upper, geography.date)[1]:
            area = catalog.areas.get(orphan.code)
            yield Diagnostic(
                Code.AGGREGATE_ORPHAN,
                f"{orphan.code} ({geography.register.name(orphan.code)}) is in '{lower}' on "
                f"{geography.date} but {orphan.reason}, so {', '.join(measures)} cannot be "
                f"aggregated to '{upper}' from it",
                catalog.where("areas", orphan.code, "parent" if area and area.parent else "code"),
                f"give it 'parent:' the area of '{upper}' that contains it, in force on "
                f"{geography.date}",
            )


def _outside_level(catalog: Catalog, geography: Geography) -> Iterator[Diagnostic]:
    """IX630: an event giving part of an area to one outside a level the area is in, where data is restated.

    An edge belongs to a level only when both its ends do, so the part given would leave the giver's
    data of that level and reach nothing: a unitary's lower-tier data would lose the share it gives
    to a county, silently. Only events the geography date is after restate forward through them.
    """
    register = geography.register
    measures: dict[str, list[str]] = {}
    for measure_id in sorted(catalog.measures):
        measures.setdefault(measure_level(measure_id, catalog) or "", []).append(measure_id)
    for area_map in sorted(catalog.area_maps.values(), key=lambda a: a.id):
        measures.setdefault(area_map.level, []).append(f"area map {area_map.id}")
    for event in geography.events:
        if event.effective > geography.date or event.type not in (
            "split",
            "transfer",
            "boundary_change",
        ):
            continue  # a merge or recode has one successor: outside the level, IX610 says so
        for level in sorted(measures):
            declared = register.levels.get(level)
            if declared is None or not declared.tiles:
                continue
            for giver in event.from_:
                kept = [e for e in level_edges(event, level, register) if e.from_code == giver]
                if not register.in_level(giver, level) or not kept:
                    continue  # nothing of the giver reaches the level: IX610 when it ends
                for index, successor in enumerate(event.to):
                    if register.in_level(successor.code, level):
                        continue
                    yield Diagnostic(
                        Code.TERRITORY_OUTSIDE_LEVEL,
                        f"lineage event '{event.id}' gives part of {giver} to {successor.code}, which is "
                        f"not in level '{level}': {giver}'s data of that level "
                        f"({', '.join(measures[level])}) would lose that part when restated onto "
                        f"{geography.date}",
                        catalog.where("lineage", event.id, "to", index),
                        f"give the territory to an area in every level {giver} is in (a county and its "
                        f"district are in different levels), or publish the data of '{level}' on the "
                        "boundaries after the event (geography.codes)",
                    )


def closure_diagnostics(
    catalog: Catalog, geography: Geography, scenario: str | None = None
) -> list[Diagnostic]:
    """`scenario`: the scenario whose proposed events the geography models, if any."""
    tiling = list(tiling_diagnostics(catalog, geography, scenario))
    return [
        *_proposed(catalog, geography),
        *_unmappable(catalog, geography),
        *_unrestatable(catalog, geography),
        *_outside_level(catalog, geography),
        *tiling,
        # a level that does not tile (a county abolished while its districts stay) orphans districts:
        # the event is the root cause, reported once (IX612), not again at each district
        *([] if tiling else _orphans(catalog, geography)),
    ]
