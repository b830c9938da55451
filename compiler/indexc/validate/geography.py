"""Rules IX601-IX607, IX613, IX614 and IX615: lineage events agree with the register and with each other.

A reorganisation is history that every restated number depends on, so an
event that ends a code not in force, two events that end one code on one
date, a successor code already in use or shares that do not sum to 1 are
errors at the line that says so, never a silent redistribution.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Severity
from indexc.spec.geography import Area, LineageEvent
from indexc.spec.sources import AreaMapSource, LongSource, WideSource
from indexc.validate import geography_transfers
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean

SHARE_TOLERANCE = 1e-9
DAY = datetime.timedelta(days=1)


def _codes(event: LineageEvent) -> Iterator[tuple[str, tuple]]:
    for i, code in enumerate(event.from_):
        yield code, ("from", i)
    for i, successor in enumerate(event.to):
        yield successor.code, ("to", i)
        for key in ("districts", "basis"):
            for j, code in enumerate(getattr(successor, key)):
                yield code, ("to", i, key, j)


def _unknown_codes(catalog: Catalog) -> Iterator[Diagnostic]:
    for event_id, event in catalog.lineage.items():
        for code, at in _codes(event):
            if code not in catalog.areas:
                yield Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"lineage event '{event_id}' names code {code}, which is not in the "
                    "area register",
                    catalog.where("lineage", event_id, *at),
                    did_you_mean(code, catalog.areas) or "add the area under 'areas:'",
                    refers_to=code,
                )
        if event.apportion and event.apportion.by not in catalog.measures:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown measure '{event.apportion.by}' apportioning lineage event '{event_id}'",
                catalog.where("lineage", event_id, "apportion", "by"),
                did_you_mean(event.apportion.by, catalog.measures)
                or "name a measure such as population",
                refers_to=event.apportion.by,
            )
        elif event.apportion and catalog.measures[event.apportion.by].additivity != "sum":
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' is apportioned by '{event.apportion.by}', which is "
                f"not a sum (additivity: {catalog.measures[event.apportion.by].additivity})",
                catalog.where("lineage", event_id, "apportion", "by"),
                "apportion by a quantity that adds up over territory, such as population",
            )
    for code, area in catalog.areas.items():
        if area.parent and area.parent not in catalog.areas:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"area {code} names parent {area.parent}, which is not in the area register",
                catalog.where("areas", code, "parent"),
                did_you_mean(area.parent, catalog.areas),
                refers_to=area.parent,
            )


def _validity(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX601 a code changed when not in force; IX603 a new code already in use."""
    for event_id, event in catalog.lineage.items():
        before = event.effective - DAY
        continuing = (
            {event.from_[0], event.to[0].code} if event.type in ("transfer", "rename") else set()
        )
        continuing |= {s.code for s in event.to} if event.type == "boundary_change" else set()
        for i, code in enumerate(event.from_):
            area = catalog.areas.get(code)
            if area is not None and not area.valid_on(
                event.effective if event.type == "rename" else before
            ):
                yield Diagnostic(
                    Code.LINEAGE_CODE_NOT_IN_FORCE,
                    f"lineage event '{event_id}' changes {code} on {event.effective}, but the "
                    f"register has {code} in force {_span(area)}",
                    catalog.where("lineage", event_id, "from", i),
                    "correct the event's date or codes, or the area's valid_from/valid_to",
                )
            elif (
                area is not None
                and event.status == "in_force"
                and code not in continuing
                and code not in {s.code for s in event.to}
                and area.valid_to != before
            ):
                yield Diagnostic(
                    Code.LINEAGE_CODE_NOT_IN_FORCE,
                    f"lineage event '{event_id}' ends {code} on {before}, but the register has "
                    f"it in force {_span(area)}",
                    catalog.where("lineage", event_id, "from", i),
                    f"set valid_to: {before} on area {code}, so that its data after the event is "
                    "refused rather than counted beside its successor's",
                )
        for i, successor in enumerate(event.to):
            area = catalog.areas.get(successor.code)
            if area is None:
                continue
            if not area.valid_on(event.effective):
                yield Diagnostic(
                    Code.LINEAGE_CODE_NOT_IN_FORCE,
                    f"lineage event '{event_id}' creates {successor.code} on {event.effective}, "
                    f"but the register has it in force {_span(area)}",
                    catalog.where("lineage", event_id, "to", i),
                    "set the area's valid_from to the event's effective date",
                )
            elif (
                event.type == "boundary_change"
                and successor.code not in event.from_
                and not area.valid_on(before)
            ):
                yield Diagnostic(
                    Code.LINEAGE_CODE_NOT_IN_FORCE,
                    f"boundary change '{event_id}' gives territory to {successor.code}, which is "
                    f"not in force before {event.effective}",
                    catalog.where("lineage", event_id, "to", i),
                    "a boundary change moves territory between existing areas; a new area is a split",
                )
            elif (
                successor.code not in event.from_
                and successor.code not in continuing
                and event.type != "boundary_change"
                and area.valid_on(before)
            ):
                yield Diagnostic(
                    Code.SUCCESSOR_ALREADY_IN_USE,
                    f"lineage event '{event_id}' gives successor code {successor.code}, which "
                    f"is already in use before {event.effective}",
                    catalog.where("lineage", event_id, "to", i),
                    "a new area needs a new code; to move territory into an existing area use "
                    "type: transfer or boundary_change",
                )


def _span(area: Area) -> str:
    return f"from {area.valid_from or 'the beginning'} to {area.valid_to or 'today'}"


def _conflicts(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX602 one code changed by two events on one date; IX607 one successor apportioned by two bases."""
    changed: dict[tuple[str, datetime.date], str] = {}
    bases: dict[tuple[str, datetime.date], set[str]] = defaultdict(set)
    for event_id in sorted(catalog.lineage):
        event = catalog.lineage[event_id]
        for i, code in enumerate(event.from_):
            first = changed.setdefault((code, event.effective), event_id)
            if first != event_id:
                yield Diagnostic(
                    Code.CODE_CHANGED_TWICE,
                    f"{code} is changed by two lineage events on {event.effective}: "
                    f"'{first}' and '{event_id}'",
                    catalog.where("lineage", event_id, "from", i),
                    f"describe what happened to {code} in one event (see {catalog.where('lineage', first)})",
                )
        if event.apportion:
            for successor in event.to:
                bases[(successor.code, event.effective)].add(event.apportion.by)
    conflicts: dict[datetime.date, list[str]] = defaultdict(list)
    for (code, day), bases_of_code in sorted(bases.items()):
        if len(bases_of_code) > 1:
            conflicts[day].append(code)
    for day, codes in sorted(conflicts.items()):
        event_id = next(
            e
            for e in sorted(catalog.lineage)
            if catalog.lineage[e].effective == day
            and catalog.lineage[e].apportion
            and any(s.code in codes for s in catalog.lineage[e].to)
        )
        measures = sorted(set().union(*(bases[(code, day)] for code in codes)))
        yield Diagnostic(
            Code.MIXED_APPORTION_BASES,
            f"events on {day} reaching {', '.join(codes)} apportion by different measures "
            f"({', '.join(measures)})",
            catalog.where("lineage", event_id, "apportion"),
            "apportion every event of one date and successor by the same basis measure",
        )


def _vesting_days(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX611 (warning): the geography of a financial year is that of its first day, 1 April."""
    for event_id, event in sorted(catalog.lineage.items()):
        if (event.effective.month, event.effective.day) != (4, 1):
            yield Diagnostic(
                Code.EVENT_NOT_ON_1_APRIL,
                f"lineage event '{event_id}' takes effect on {event.effective}, not on 1 April: "
                "its periods restate from the next financial year",
                catalog.where("lineage", event_id, "effective"),
                "data of the year it happened keeps the codes of the year's first day",
                severity=Severity.WARNING,
            )


def _shares(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX604 a split needs shares summing to 1, with their source, or a basis to apportion by."""
    for event_id, event in catalog.lineage.items():
        if event.type not in ("split", "transfer", "boundary_change"):
            continue
        given = [s.share for s in event.to if s.share is not None]
        where = catalog.where("lineage", event_id, "to")
        if given and len(given) != len(event.to) and event.type != "transfer":
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' gives shares for some successors only",
                where,
                "give every successor a 'share', or none and 'apportion: {by: ...}'",
            )
        elif given and event.type != "transfer" and abs(sum(given) - 1.0) > SHARE_TOLERANCE:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"the shares of lineage event '{event_id}' sum to {sum(given):.12g}, not 1",
                where,
                "shares divide the predecessor: nothing may be created or lost",
            )
        elif given and event.type == "transfer" and not 0 < given[0] < 1:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"the share transferred by '{event_id}' is {given[0]:g}",
                where,
                "a transfer moves a part: a share strictly between 0 and 1",
            )
        elif given and not event.shares_source:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' gives literal shares without saying where they "
                "come from",
                catalog.where("lineage", event_id),
                "add 'shares_source:' naming the data and vintage the shares were computed from",
            )
        elif not given and event.apportion is None:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' divides {event.from_[0]} but neither gives shares "
                "nor a basis to apportion by",
                catalog.where("lineage", event_id, "type"),
                "add 'apportion: {by: population}' (territories from districts or basis), or a "
                "'share' per successor with 'shares_source:'",
            )


def _share_bounds(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX604 a literal share below 0 or above 1, even if the shares sum to 1; IX613 (warning) a share of 0.

    Shares of -0.5 and 1.5 sum to 1 but create territory on one side and destroy it on the other;
    a share of 0 is a successor that receives nothing, most often a mistyped share.
    """
    for event_id, event in sorted(catalog.lineage.items()):
        if event.type not in ("split", "boundary_change"):
            continue
        for i, successor in enumerate(event.to):
            where = catalog.where("lineage", event_id, "to", i, "share")
            if successor.share is not None and not 0 <= successor.share <= 1:
                yield Diagnostic(
                    Code.LINEAGE_SHARES,
                    f"lineage event '{event_id}' gives {successor.code} a share of "
                    f"{successor.share:g}",
                    where,
                    "a share is the part of the predecessor a successor "
                    "receives: between 0 and 1, whatever the other shares",
                )
            elif successor.share == 0:
                yield Diagnostic(
                    Code.ZERO_SHARE,
                    f"lineage event '{event_id}' gives {successor.code} a share of 0: it "
                    "receives nothing from " + event.from_[0],
                    where,
                    "give the share it receives, or remove the successor from 'to'",
                    severity=Severity.WARNING,
                )


def _area_types(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX615: an area whose type no level and no universe names is in nothing: a mistyped type (E6 for
    E06) would silently leave a council out of every universe and its data out of every restatement."""
    known = {t for level in catalog.levels.values() for t in level.types} | {
        t for universe in catalog.universes.values() for t in universe.types
    }
    for code, area in sorted(catalog.areas.items()):
        if area.type not in known:
            yield Diagnostic(
                Code.UNNAMED_AREA_TYPE,
                f"area {code} ({area.name}) has type '{area.type}', which no level or universe "
                "names",
                catalog.where("areas", code, "type"),
                " ".join(
                    filter(
                        None,
                        (
                            did_you_mean(area.type, sorted(known)),
                            "If the type is right, "
                            "name it in a level ('tiles: false' for types beside the "
                            "councils, such as regions).",
                        ),
                    )
                ),
            )


def _geography_references(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX605: with an area register, data says on which level and date's codes it is."""
    yield from _source_levels(catalog)
    yield from _area_map_levels(catalog)
    yield from _measure_levels(catalog)


def _source_levels(catalog: Catalog) -> Iterator[Diagnostic]:
    for source_id, source in catalog.sources.items():
        geography = getattr(source, "geography", None)
        if isinstance(source, (LongSource, WideSource)) and catalog.areas and geography is None:
            yield Diagnostic(
                Code.GEOGRAPHY_LEVEL,
                f"source '{source_id}' does not say which geography its codes are on",
                catalog.where("sources", source_id, "id"),
                "add 'geography: {level: upper_tier, codes: as_published}' (or codes: a date, for "
                "data back-cast onto one date's boundaries)",
            )
        if geography is not None and geography.level not in catalog.levels:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown level '{geography.level}' in source '{source_id}'",
                catalog.where("sources", source_id, "geography", "level"),
                did_you_mean(geography.level, catalog.levels) or "declare it under 'levels:'",
                refers_to=geography.level,
            )
        elif geography is not None and not catalog.levels[geography.level].tiles:
            yield Diagnostic(
                Code.GEOGRAPHY_LEVEL,
                f"source '{source_id}' is on level '{geography.level}', which does not tile "
                "the country (tiles: false)",
                catalog.where("sources", source_id, "geography", "level"),
                "data is restated within a level that tiles the country once, such as upper_tier",
            )


def _area_map_levels(catalog: Catalog) -> Iterator[Diagnostic]:
    for map_id, area_map in catalog.area_maps.items():
        if not isinstance(catalog.sources.get(area_map.source), AreaMapSource):
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"area map '{map_id}' reads '{area_map.source}', which is not a source with "
                "layout area_map",
                catalog.where("area_maps", map_id, "source"),
                refers_to=None if area_map.source in catalog.sources else area_map.source,
            )
        if area_map.level not in catalog.levels:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown level '{area_map.level}' in area map '{map_id}'",
                catalog.where("area_maps", map_id, "level"),
                did_you_mean(area_map.level, catalog.levels),
                refers_to=area_map.level,
            )
        elif not catalog.levels[area_map.level].tiles:
            yield Diagnostic(
                Code.GEOGRAPHY_LEVEL,
                f"area map '{map_id}' maps from level '{area_map.level}', which does not tile "
                "the country (tiles: false)",
                catalog.where("area_maps", map_id, "level"),
                "an area map carries data of a level that tiles the country once, such as upper_tier",
            )
        for i, metric_id in enumerate(area_map.metrics):
            if metric_id not in catalog.metrics:
                yield Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"unknown metric '{metric_id}' in area map '{map_id}'",
                    catalog.where("area_maps", map_id, "metrics", i),
                    did_you_mean(metric_id, catalog.metrics),
                    refers_to=metric_id,
                )


def _measure_levels(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in catalog.measures.items():
        levels = {
            getattr(catalog.sources.get(b.source), "geography", None)
            for b in measure.bindings
            if b.restate
        }
        named = sorted({g.level for g in levels if g is not None})
        if len(named) > 1:
            yield Diagnostic(
                Code.GEOGRAPHY_LEVEL,
                f"measure '{measure_id}' binds sources of different levels ({', '.join(named)})",
                catalog.where("measures", measure_id, "bindings"),
                "a measure is restated within one level; bind one level per measure",
            )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    if not (catalog.areas or catalog.lineage or catalog.area_maps):
        return
    yield from _unknown_codes(catalog)
    yield from _validity(catalog)
    yield from _conflicts(catalog)
    yield from _shares(catalog)
    yield from _share_bounds(catalog)
    yield from geography_transfers.check(catalog)
    yield from _vesting_days(catalog)
    yield from _geography_references(catalog)
    yield from _area_types(catalog)
