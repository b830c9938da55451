"""Plan area maps: a map's edges, the measures its metrics need carried through it, and those metrics."""

from __future__ import annotations

from collections.abc import Callable

from indexc.geography import Geography, calendar
from indexc.plan.geography import AreaMapCheckNode, AreaMapEdgesNode, MappedMeasureNode
from indexc.plan.nodes import AreaMapSourceNode, MetricNode, Node
from indexc.plan.restatement import AREAS, PATHS, restated_object
from indexc.spec.base import OPEN_END
from indexc.spec.sources import AreaMapSource
from indexc.validate.catalog import Catalog
from indexc.validate.index_levels import map_inputs


def area_map_source_node(source: AreaMapSource, name: str, geography: Geography | None) -> Node:
    """An area map has no periods of its own: `as_published` codes are those of the geography date."""
    codes = source.geography.codes
    if codes != "as_published":
        period = calendar.period_of(codes)
    else:
        period = (
            calendar.period_of(geography.date) if geography else OPEN_END
        )  # unused without a geography
    return AreaMapSourceNode(
        name=name,
        depends_on=("schema",),
        spec=("sources", source.id),
        source=source,
        description=source.description or f"Area map source {source.id}",
        geography_period=period,
    )


def _has_column(catalog: Catalog, source_id: str, column: str) -> bool:
    """Whether the map's source reads a `weight` column (without one, every edge weighs 1), or a
    `weight_to` column (without one, a crosswalk's mean is weighted by the measure's weighted_by)."""
    columns = getattr(catalog.sources.get(source_id), "columns", None)
    return getattr(columns, column, None) is not None


def area_map_nodes(
    map_id: str, catalog: Catalog, geography: Geography, source_object: Callable[[str], str]
) -> list[Node]:
    area_map = catalog.area_maps[map_id]
    spec = ("area_maps", map_id)
    edges, source = f"area_map__{map_id}", source_object(area_map.source)
    nodes: list[Node] = [
        AreaMapEdgesNode(
            name=edges,
            depends_on=tuple(sorted((source, PATHS))),
            spec=spec,
            description=f"Edges of {area_map.type} {map_id}, from the {area_map.level} areas of "
            f"{geography.date}",
            map_type=area_map.type,
            source_object=source,
            paths_object=PATHS,
            level=area_map.level,
        ),
    ]
    weighted = _has_column(catalog, area_map.source, "weight")
    weighted_to = _has_column(catalog, area_map.source, "weight_to")
    nodes.append(
        AreaMapCheckNode(
            name=f"check__area_map__{map_id}",
            depends_on=tuple(sorted((edges, AREAS, PATHS, source))),
            spec=spec,
            description=f"Members of {map_id} that cannot be carried onto {geography.date}"
            + (", and areas whose weights do not sum to 1" if area_map.type == "crosswalk" else "")
            + (", and weights of 0 or below" if weighted or weighted_to else ""),
            failure="members that cannot be carried onto the geography date, each once (code: reason)"
            + (
                ", or weights not summing to 1 (code: total)"
                if area_map.type == "crosswalk"
                else ""
            )
            + (
                ", or weights of 0 or below (from -> to: weight)" if weighted or weighted_to else ""
            ),
            weighted=weighted,
            weighted_to=weighted_to,
            edges_object=edges,
            map_type=area_map.type,
            source_object=source,
            areas_object=AREAS,
            paths_object=PATHS,
            level=area_map.level,
            level_types=tuple(geography.register.levels[area_map.level].types),
        )
    )
    measures, metrics = map_inputs(area_map, catalog)
    mapped = {m: f"{edges}__measure__{m}" for m in sorted(measures)}
    for measure_id, name in mapped.items():
        measure = catalog.measures[measure_id]
        # a crosswalk's mean is the mean over the areas mapped from, weighted by each one's share of
        # the area mapped onto (`weight_to`) when the map has it: see docs/geography.md
        by_weight_to = weighted_to and area_map.type == "crosswalk" and measure.additivity != "sum"
        weight = (
            restated_object(measure.weighted_by)
            if measure.weighted_by and not by_weight_to
            else None
        )
        reads = {edges, restated_object(measure_id)} | ({weight} if weight else set())
        nodes.append(
            MappedMeasureNode(
                name=name,
                spec=spec,
                depends_on=tuple(sorted(reads)),
                description=f"Measure {measure_id} carried through {area_map.type} {map_id}",
                measure_id=measure_id,
                restated_object=restated_object(measure_id),
                edges_object=edges,
                additivity=measure.additivity,
                weight_object=weight,
                by_weight_to=by_weight_to,
            )
        )
    for metric_id in metrics:
        metric = catalog.metrics[metric_id]
        inputs = tuple(
            (name, mapped[name] if name in mapped else f"{edges}__metric__{name}")
            for name in catalog.formula(metric_id).inputs
        )
        formula = catalog.formula(metric_id).expression
        if formula is None:  # validation refuses a formula with problems before planning
            raise ValueError(f"metric {metric_id} has no usable formula")
        nodes.append(
            MetricNode(
                name=f"{edges}__metric__{metric_id}",
                spec=spec,
                depends_on=tuple(sorted({obj for _, obj in inputs})),
                description=f"{metric.description or metric_id} (v{metric.version}) on the areas of {map_id}: "
                f"{metric.formula}",
                metric_id=metric_id,
                formula=formula,
                inputs=inputs,
            )
        )
    return nodes
