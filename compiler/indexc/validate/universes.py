"""Rule IX740 when the specs hold the areas: a universe over them names at least one type they have.

A misspelt type leaves the universe empty, and every index over it would publish
an empty ranking. With a register source the types are in data, so the run checks
them (plan/refusals.py); with `areas:` in the specs, `indexc validate` can say so.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    if not catalog.areas:
        return
    types = sorted({area.type for area in catalog.areas.values()})
    for universe_id, universe in catalog.universes.items():
        if universe.register_ is None and not set(universe.types) & set(types):
            yield Diagnostic(
                Code.UNIVERSE_MATCHES_NO_AREA,
                f"universe '{universe_id}' matches no area of the area register: none has type "
                f"{' or '.join(repr(t) for t in universe.types)}; the types it has are {', '.join(types)}",
                catalog.where("universes", universe_id, "types"),
                "write the types as the register spells them; the check is case-sensitive",
            )
