"""Rules IX601-IX603, IX607 and IX611: lineage events agree with the register and with each other.

A reorganisation is history that every restated number depends on, so an
event that ends a code not in force, two events that end one code on one
date or a successor code already in use are errors at the line that says so,
never a silent redistribution. `check` is the one entry of the geography
rules: it also runs those of the shares (geography_shares), the transfers
(geography_transfers) and the levels (geography_levels), in this order.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Severity
from indexc.spec.geography import Area, LineageEvent
from indexc.validate import geography_levels, geography_shares, geography_transfers
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean

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


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    if not (catalog.areas or catalog.lineage or catalog.area_maps):
        return
    yield from _unknown_codes(catalog)
    yield from _validity(catalog)
    yield from _conflicts(catalog)
    yield from geography_shares.check(catalog)
    yield from geography_transfers.check(catalog)
    yield from _vesting_days(catalog)
    yield from geography_levels.check(catalog)
