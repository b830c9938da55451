"""`indexc impact` on a proposed structure whose areas are on another geography.

A publisher that restructures after a reorganisation may publish on the new councils only, or
on districts only, aggregating them up itself; it will not divide a council's figures between
the areas it covers. For each measure bound to the source, this says which areas of the levels
the measure is read on (its own, and the one it is aggregated to) can still be produced on the
geography date from data on the proposed structure's level and codes, and how (history.py), and
which cannot: those that would need another area's figures divided (apportioned, or split by
declared shares, or a mean for a larger area copied), or that no area of the structure reaches.
"""

from __future__ import annotations

import datetime
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.geography import Geography, calendar, measure_level
from indexc.load import load_file
from indexc.reorganisation.history import AS_PUBLISHED, How, Lookup, Paths, not_at_all
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


@dataclass(frozen=True)
class Unserved:
    code: str
    name: str
    reason: str


@dataclass
class MeasureService:
    measure: str
    level: str
    served: Counter[str] = field(default_factory=Counter)  # label -> areas
    unserved: list[Unserved] = field(default_factory=list)


@dataclass
class StructureGeography:
    level: str
    codes: str  # a date, or as_published
    date: datetime.date  # the geography date
    proposed: tuple[str, ...]
    not_modelled: tuple[str, ...]  # proposed events by the structure's codes date, not modelled
    measures: list[MeasureService] = field(default_factory=list)


def _why_not(how: How, names: dict[str, str]) -> str | None:
    """None when the structure serves the area; else why not, in the supplier's terms."""
    if how.lost:
        return how.reason
    sources = ", ".join(f"{c} {names.get(c, '')}".strip() for c in how.sources)
    if how.larger_area:
        return f"only the mean of a larger area ({sources}) would be copied"
    if how.apportioned:
        return f"would need {sources}'s figures divided ({how.label})"
    return None


def _direct_or_aggregated(
    lookup: Lookup, measure_id: str, code: str, data_level: str, level: str, period: str
) -> How:
    """An area from data on `data_level`: within that level, or carried up from its areas."""
    register = lookup.geography.register
    if register.in_level(code, data_level):
        return lookup.on_level(measure_id, code, data_level, [period])
    if lookup.members(data_level, level, code):
        if lookup.catalog.measures[measure_id].additivity == "none":
            return not_at_all("additivity none: it cannot be aggregated")
        return lookup.aggregated(measure_id, code, data_level, level, [period])
    area = register.areas.get(code)
    parent = area.parent if area else None
    # the areas of the structure it became part of (a district merged into a new unitary), else
    # those its parent's figures are published on
    whole = [
        c
        for c in lookup.on_level(measure_id, code, level, [period]).sources
        if register.in_level(c, data_level)
    ]
    if not whole and parent and register.in_level(parent, data_level):
        whole = list(lookup.on_level(measure_id, parent, data_level, [period]).sources or (parent,))
    if whole:
        named = ", ".join(f"{c} {register.name(c)}" for c in whole)
        return not_at_all(f"published only for {named}, whose figures would need dividing")
    return not_at_all(f"no area of {data_level} is it or within it")


def level_problems(catalog: Catalog, structure: Path, declared: object) -> list[Diagnostic]:
    """The structure's `geography.level` must be a level of the register that tiles the country."""
    if not isinstance(declared, dict) or not catalog.areas:
        return []
    level = declared.get("level")
    if level in catalog.levels and catalog.levels[level].tiles:
        return []
    spec_file, problems = load_file(structure, structure.parent, "structure")
    if spec_file is None:
        return problems
    where = spec_file.location(("source", "geography", "level"))
    if level not in catalog.levels:
        return [
            Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown level '{level}' in the proposed structure",
                where,
                did_you_mean(str(level), catalog.levels) or "name a level under 'levels:'",
            )
        ]
    return [
        Diagnostic(
            Code.GEOGRAPHY_LEVEL,
            f"the proposed structure is on level '{level}', which does not tile the country "
            "(tiles: false)",
            where,
            "data is restated within a level that tiles the country once, such as upper_tier",
        )
    ]


def analyse(
    catalog: Catalog, geography: Geography, source_id: str, declared: object
) -> StructureGeography | None:
    """`declared`: the proposed structure's `geography` mapping (level, codes); None without one."""
    if not isinstance(declared, dict) or not geography.enabled:
        return None
    data_level = str(declared.get("level"))
    codes = str(declared.get("codes") or "as_published")
    codes_day = geography.date if codes == "as_published" else datetime.date.fromisoformat(codes)
    period = calendar.period_of(codes_day)
    modelled = {e.id for e in geography.events}
    result = StructureGeography(
        data_level,
        codes,
        geography.date,
        tuple(sorted(geography.options.proposed)),
        tuple(
            sorted(
                e.id
                for e in catalog.lineage.values()
                if e.status == "proposed" and e.id not in modelled and e.effective <= codes_day
            )
        ),
    )
    lookup = Lookup(catalog, Paths(geography))
    register = geography.register
    for measure_id, measure in sorted(catalog.measures.items()):
        if not any(b.source == source_id and b.restate for b in measure.bindings):
            continue
        own = measure_level(measure_id, catalog)
        levels = [lv for lv in (own, measure.aggregate.to if measure.aggregate else None) if lv]
        for level in levels:
            service = MeasureService(measure_id, level)
            targets = sorted(
                code
                for code in register.areas
                if register.in_level(code, level) and register.valid_on(code, geography.date)
            )
            for code in targets:
                how = _direct_or_aggregated(lookup, measure_id, code, data_level, level, period)
                names = {c: register.name(c) for c in how.sources}
                reason = _why_not(how, names)
                if reason is None:
                    service.served[how.label] += 1
                else:
                    service.unserved.append(Unserved(code, register.name(code), reason))
            result.measures.append(service)
    return result


def render_lines(found: StructureGeography | None) -> list[str]:
    if found is None:
        return []
    codes = "codes as published" if found.codes == "as_published" else f"codes of {found.codes}"
    modelled = f", with {', '.join(found.proposed)}" if found.proposed else ""
    lines = [
        f"areas the proposed structure serves ({found.level}, {codes}) on the geography of "
        f"{found.date}{modelled}:"
    ]
    if found.not_modelled:
        lines.append(
            "  (not modelled: proposed events by then: "
            + " ".join(f"--proposed {e}" for e in found.not_modelled)
            + ")"
        )
    if not found.measures:
        lines.append("  no measure is restated from this source")
    for service in found.measures:
        served = ", ".join(
            f"{count} {label}"
            for label, count in sorted(
                service.served.items(), key=lambda item: (item[0] != AS_PUBLISHED, item[0])
            )
        )
        lines.append(
            f"  measure {service.measure} on {service.level}: "
            f"{sum(service.served.values())} area(s) served ({served or 'none'}); "
            f"{len(service.unserved)} cannot be"
        )
        by_reason: dict[str, list[str]] = {}
        for unserved in service.unserved:
            by_reason.setdefault(unserved.reason, []).append(f"{unserved.code} {unserved.name}")
        for reason, areas in by_reason.items():
            lines += textwrap.wrap(
                f"{reason}: {', '.join(areas)}",
                100,
                initial_indent="    ",
                subsequent_indent="        ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    return lines
