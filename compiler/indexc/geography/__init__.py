"""Geography: one mechanism for lineage, crosswalks and groups.

`resolve_geography` picks the events a compile uses (every event in force, plus
the proposed ones a run asks for), the geography date (default: the latest
of those events) and closes them into weighted paths per level.

The rules only a closure can check (checks.py, tiling.py) live here, beside it:
they run once a geography is resolved, after validation, which knows nothing of
closures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from indexc.geography.closure import Closure, close
from indexc.geography.register import Register
from indexc.spec.geography import LineageEvent
from indexc.validate.catalog import Catalog


@dataclass(frozen=True)
class GeographyOptions:
    """What a run may choose: the geography date, and which proposed events to model."""

    date: datetime.date | None = None
    proposed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Geography:
    register: Register
    events: tuple[LineageEvent, ...]
    date: datetime.date
    closure: Closure
    options: GeographyOptions = field(default_factory=GeographyOptions)

    @property
    def enabled(self) -> bool:
        return bool(self.register.areas)


def active_events(catalog: Catalog, options: GeographyOptions) -> list[LineageEvent]:
    return sorted(
        (e for e in catalog.lineage.values() if e.status == "in_force" or e.id in options.proposed),
        key=lambda e: (e.effective, e.id),
    )


def geography_register(catalog: Catalog, events: list[LineageEvent]) -> Register:
    """The register as the modelled events leave it.

    Provisional areas exist only when an active event creates them, and the areas a
    modelled proposed event ends stop the day before it (the register, describing
    what is in force, cannot say so itself).
    """
    created = {s.code for e in events for s in e.to}
    areas = {code: a for code, a in catalog.areas.items() if not a.provisional or code in created}
    for event in events:
        if event.status != "proposed" or event.type in ("transfer", "rename", "boundary_change"):
            continue
        for code in set(event.from_) - {s.code for s in event.to}:
            if code in areas:
                areas[code] = areas[code].model_copy(
                    update={"valid_to": event.effective - datetime.timedelta(days=1)}
                )
    return Register(areas, dict(catalog.levels))


def default_date(events: list[LineageEvent], register: Register) -> datetime.date:
    """The latest event's date; without events, the latest date an area came into force."""
    if events:
        return max(e.effective for e in events)
    return max(
        (a.valid_from for a in register.areas.values() if a.valid_from),
        default=datetime.date(1900, 4, 1),
    )


def measure_level(measure_id: str, catalog: Catalog) -> str | None:
    """The level of a measure's restated bindings (validation makes them agree), None if none is restated."""
    for binding in catalog.measures[measure_id].bindings:
        source = catalog.sources.get(binding.source)
        geography = getattr(source, "geography", None)
        if binding.restate and geography is not None:
            return geography.level
    return None


def resolve_geography(catalog: Catalog, options: GeographyOptions) -> Geography:
    events = active_events(catalog, options)
    register = geography_register(catalog, events)
    date = options.date or default_date(events, register)
    return Geography(register, tuple(events), date, close(events, register, date), options)


__all__ = ["Geography", "GeographyOptions", "measure_level", "resolve_geography"]
