"""District to upper tier: the register's parentage as the edges that carry a measure up a level.

A measure published only for districts reaches the councils above them through the register, not
through a file: each area of the measure's level in force on the geography date goes to itself when
it is also in the level above (a unitary, a metropolitan district, a London borough: its own value,
once), else to its `parent` (a district to its county). Validation and planning ask this one module,
so the edges a run aggregates by are the ones the compile-time check (IX619) looked at.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from indexc.geography.register import Register


@dataclass(frozen=True)
class ParentEdge:
    from_code: str  # an area of the lower level in force on the geography date
    to_code: str  # itself, or its parent in the upper level
    to_name: str


@dataclass(frozen=True)
class Orphan:
    """An area of the lower level that reaches no area of the upper level: its data would be lost."""

    code: str
    reason: str


def parent_edges(
    register: Register, lower: str, upper: str, day: datetime.date
) -> tuple[list[ParentEdge], list[Orphan]]:
    """The edges from every area of `lower` in force on `day`, and the areas that have none."""
    edges, orphans = [], []
    for code, area in sorted(register.areas.items()):
        if not register.in_level(code, lower) or not area.valid_on(day):
            continue
        if register.in_level(code, upper):
            edges.append(ParentEdge(code, code, area.name))
        elif area.parent is None:
            orphans.append(Orphan(code, "it names no parent"))
        elif not register.in_level(area.parent, upper):
            orphans.append(Orphan(code, f"its parent {area.parent} is not an area of {upper}"))
        elif not register.valid_on(area.parent, day):
            orphans.append(Orphan(code, f"its parent {area.parent} is not in force on {day}"))
        else:
            edges.append(ParentEdge(code, area.parent, register.name(area.parent)))
    return edges, orphans
