"""Rules IX605 and IX615: data says which geography it is on, and every area type is named.

Restatement works within a level that tiles the country once, so a source, an
area map or a measure that does not say its level, or names one that does not
tile, cannot be restated; an area of a type that no level or universe names is
in nothing, and its data would silently drop out of every restatement.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.sources import DATA_SOURCES, AreaMapSource
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


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
        if isinstance(source, DATA_SOURCES) and catalog.areas and geography is None:
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
    yield from _geography_references(catalog)
    yield from _area_types(catalog)
