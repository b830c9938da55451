"""Rule IX614: a transfer moves districts its giver held on the day before it.

A transfer's giver keeps its basis less the districts' basis; districts it never
held would take money from a council that never had it (caught only at run time,
as a negative remainder, if at all). Who holds a district follows from the
register's `parent`, carried through the earlier events: a transfer moves it to
its receiver, and a merge, recode or split of its holder passes it to the
successor whose territory names it (a merge or recode: the one successor).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.geography import LineageEvent
from indexc.validate.catalog import Catalog

DAY = datetime.timedelta(days=1)


def _next_holder(event: LineageEvent, district: str, holder: str) -> str:
    """Who holds the district after the event, if it held it before."""
    if event.type == "transfer" and district in event.to[0].districts:
        return event.to[0].code
    if holder not in event.from_:
        return holder
    if event.type in ("merge", "recode"):
        return event.to[0].code
    if event.type == "split":
        receiving = [s.code for s in event.to if district in s.districts or district in s.basis]
        return receiving[0] if len(receiving) == 1 else holder
    return holder


def holder_before(catalog: Catalog, district: str, day: datetime.date) -> str | None:
    """The area holding the district on `day` (None when the register names no parent)."""
    area = catalog.areas.get(district)
    holder = area.parent if area else None
    if holder is None:
        return None
    for event in sorted(catalog.lineage.values(), key=lambda e: (e.effective, e.id)):
        if event.effective <= day:
            holder = _next_holder(event, district, holder)
    return holder


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for event_id, event in sorted(catalog.lineage.items()):
        if event.type != "transfer":
            continue
        giver, before = event.from_[0], event.effective - DAY
        for j, district in enumerate(event.to[0].districts):
            area = catalog.areas.get(district)
            if area is None:
                continue  # IX102
            where = catalog.where("lineage", event_id, "to", 0, "districts", j)
            if not area.valid_on(before):
                yield Diagnostic(
                    Code.TRANSFER_FROM_WRONG_GIVER,
                    f"transfer '{event_id}' moves {district} from {giver}, but {district} is "
                    f"not in force on {before}",
                    where,
                    "a transfer moves districts in force the day before it; correct the code or date",
                )
                continue
            holder = holder_before(catalog, district, before)
            if holder is not None and holder != giver:
                yield Diagnostic(
                    Code.TRANSFER_FROM_WRONG_GIVER,
                    f"transfer '{event_id}' moves {district} from {giver}, which did not hold "
                    f"it on {before}: {holder} did",
                    where,
                    f"give 'from: [{holder}]', or correct the district's code or parent",
                )
