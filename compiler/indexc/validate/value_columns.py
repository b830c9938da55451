"""Rules IX507-IX509: how a source's value cells are read.

- IX507: `missing:` lists distinct, non-empty texts, none of which reads as a number: a marker `0` or
  `-1` would turn real zeros into missing values without anyone noticing, and a blank is always
  missing, so a marker of spaces only says nothing.
- IX508: a long source gives both confidence limits (`lci`, `uci`) or neither: a one-sided interval
  is not one, and the check that each value lies within its limits needs both.
- IX509: a confidence limit is a column of its own, not the value, area, period or item column, nor
  the other limit: the same column twice would make every interval empty and every check pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.sources import DATA_SOURCES, LongSource
from indexc.validate.catalog import Catalog


def reads_as_number(marker: str) -> bool:
    """A marker that engines would read as a finite number (`0`, `-1`, `1e3`): never a marker."""
    try:
        return math.isfinite(float(marker))
    except ValueError:
        return False


def _marker_problem(marker: str, earlier: list[str]) -> str | None:
    if not marker.strip():
        return "is blank; a blank cell is always a missing value"
    if marker != marker.strip():
        return "has spaces around it; cells are compared after trimming spaces"
    if marker in earlier:
        return "is listed twice"
    if reads_as_number(marker):
        return "reads as a number, so a real value written so would be lost"
    return None


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for source_id, source in catalog.sources.items():
        if not isinstance(source, DATA_SOURCES):
            continue
        for position, marker in enumerate(source.missing or ()):
            problem = _marker_problem(marker, list((source.missing or ())[:position]))
            if problem:
                yield Diagnostic(
                    Code.MISSING_MARKERS,
                    f"missing marker {marker!r} of source '{source_id}' {problem}",
                    catalog.where("sources", source_id, "missing", position),
                    "list the texts the publisher writes for no value, such as '..' or '[c]'; "
                    "`missing: []` leaves only blank cells missing",
                )
        if isinstance(source, LongSource):
            yield from _limits(catalog, source_id, source)


def _limits(catalog: Catalog, source_id: str, source: LongSource) -> Iterator[Diagnostic]:
    columns = source.columns
    given = [role for role in ("lci", "uci") if getattr(columns, role) is not None]
    if len(given) == 1:
        other = "uci" if given[0] == "lci" else "lci"
        yield Diagnostic(
            Code.CONFIDENCE_LIMITS_UNPAIRED,
            f"source '{source_id}' gives the confidence limit {given[0]} without {other}",
            catalog.where("sources", source_id, "columns", given[0], key=True),
            f"name both limit columns ('lci' and 'uci') or neither; add '{other}: <column>'",
        )
        return
    others = {
        name.lower(): role
        for role, name in (
            ("area", columns.area),
            ("period", columns.period),
            ("value", columns.value),
            *(("item", name) for name in columns.item_columns),
        )
    }
    for role in given:
        name = getattr(columns, role)
        taken = others.get(name.lower())
        if taken:
            yield Diagnostic(
                Code.CONFIDENCE_LIMIT_COLUMN,
                f"the {role} column '{name}' of source '{source_id}' is also its {taken} column",
                catalog.where("sources", source_id, "columns", role),
                "a confidence limit is a column of its own (column names are compared ignoring case)",
            )
        others.setdefault(name.lower(), role)
