"""The area register as the compiler uses it: codes by type, validity and name.

Lineage rules and the closure ask the same questions many times (is this code
in force on that day? which level is it in?), so they ask this one object.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from indexc.spec.geography import Area, Level


@dataclass(frozen=True)
class Register:
    areas: dict[str, Area]
    levels: dict[str, Level]

    def known(self, code: str) -> bool:
        return code in self.areas

    def valid_on(self, code: str, day: datetime.date) -> bool:
        area = self.areas.get(code)
        return area is not None and area.valid_on(day)

    def in_level(self, code: str, level: str) -> bool:
        area = self.areas.get(code)
        return area is not None and area.type in self.levels[level].types

    def name(self, code: str) -> str:
        area = self.areas.get(code)
        return area.name if area else "(not in the register)"

    def codes_overlapping(
        self, level: str, start: datetime.date | None, end: datetime.date | None
    ) -> list[str]:
        """Codes of a level in force at some time in [start, end) (open bounds when None)."""
        found = []
        for code, area in self.areas.items():
            if area.type not in self.levels[level].types:
                continue
            if end is not None and area.valid_from is not None and area.valid_from >= end:
                continue
            if start is not None and area.valid_to is not None and area.valid_to < start:
                continue
            found.append(code)
        return sorted(found)
