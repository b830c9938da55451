"""Rule IX612: each level tiles the country once on the geography date.

A level is a set of area types whose areas cover the country once; restating
data within it relies on that, since a territory counted by two areas in force
is counted twice in every total and ranked twice. The register cannot say which
territory an area covers, but the lineage can: a successor covers what its
event gave it (its predecessors, the districts or basis of its territory, and
the counties those came from). When one of those codes is still in force on
the geography date, in the successor's level, the level covers it twice: a
proposed split modelled without the district mergers that go with it, say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.geography import Geography
from indexc.spec.geography import LineageEvent
from indexc.validate.catalog import Catalog

CONTINUING_TYPES = (
    "transfer",
    "boundary_change",
    "rename",
)  # their predecessor keeps its code and territory


def _covered(event: LineageEvent, index: int, geography: Geography) -> set[str]:
    """The codes whose territory the event's successor at `index` covers, wholly or in part."""
    successor = event.to[index]
    codes = set(successor.basis) | set(successor.districts)
    if event.type not in CONTINUING_TYPES:
        codes |= set(event.from_)
        codes |= {
            area.parent
            for c in event.from_
            if (area := geography.register.areas.get(c)) and area.parent
        }
    return codes - {successor.code}


def _overlaps(geography: Geography) -> Iterator[tuple[LineageEvent, int, str, list[str]]]:
    """(event, successor index, level, codes of that level in force on the date that the successor also covers)."""
    register, date = geography.register, geography.date
    for event in geography.events:
        if event.effective > date:
            continue  # a later event is inverted onto the date: its successors are not in force on it
        for index, successor in enumerate(event.to):
            if not register.valid_on(successor.code, date):
                continue
            covered = _covered(event, index, geography)
            for level in sorted(register.levels):
                if not register.levels[level].tiles or not register.in_level(successor.code, level):
                    continue
                twice = sorted(
                    c for c in covered if register.in_level(c, level) and register.valid_on(c, date)
                )
                if twice:
                    yield event, index, level, twice


def _hint(catalog: Catalog, geography: Geography, codes: list[str], scenario: str | None) -> str:
    modelled = {e.id for e in geography.events}
    ending = sorted(
        {
            e.id
            for e in catalog.lineage.values()
            if e.status == "proposed"
            and e.id not in modelled
            and e.type not in CONTINUING_TYPES
            and set(e.from_) & set(codes)
        }
    )
    if ending and scenario:
        return (
            f"the proposed event(s) ending them are not modelled: add {', '.join(ending)} to the scenario's "
            "'proposed'"
        )
    if ending:
        return "the proposed event(s) ending them are not modelled: add " + " ".join(
            f"--proposed {e}" for e in ending
        )
    return "add the lineage event that ended them, or end them in the register (valid_to) the day before"


def tiling_diagnostics(
    catalog: Catalog, geography: Geography, scenario: str | None = None
) -> Iterator[Diagnostic]:
    """One diagnostic per successor and level covering territory twice; a scenario's at its `proposed`."""
    found: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    events = {}
    for event, index, level, codes in _overlaps(geography):
        events[event.id] = event
        found[(event.id, index, level)].extend(codes)
    for (event_id, index, level), codes in sorted(found.items()):
        successor = events[event_id].to[index].code
        names = ", ".join(f"{c} {geography.register.name(c)}" for c in codes[:3]) + (
            " ..." if len(codes) > 3 else ""
        )
        where = (
            catalog.where("scenarios", scenario, "proposed")
            if scenario
            else catalog.where("lineage", event_id, "to", index)
        )
        context = f"scenario '{scenario}': " if scenario else ""
        yield Diagnostic(
            Code.LEVEL_DOES_NOT_TILE,
            f"{context}level '{level}' does not tile the country once on {geography.date}: {successor} "
            f"({geography.register.name(successor)}), created by '{event_id}', covers the territory of {len(codes)} "
            f"area(s) of the level still in force ({names})",
            where,
            _hint(catalog, geography, codes, scenario),
        )
