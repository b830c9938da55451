"""Plan measures carried up a level (`aggregate: {to: upper_tier}`): district data feeding councils.

The lower level's restated measure is grouped onto the upper level by the register's parentage, with
the same node (and SQL) as an area map's group: summed, or weighted by the restated weight measure, a
value only when every member in force has one. The edges are fixed when compiling (the register is a
spec), so they are a literal table that a reviewer reads row by row.
"""

from __future__ import annotations

from indexc.geography import Geography, measure_level
from indexc.geography.parents import parent_edges
from indexc.plan.geography import AggregatedMeasureNode, AggregationEdgesNode, ParentEdgeRow
from indexc.plan.nodes import Node
from indexc.plan.restatement import restated_object
from indexc.validate.catalog import Catalog

AGGREGATED_PREFIX = "aggregated__"


def aggregated_object(measure_id: str) -> str:
    return f"{AGGREGATED_PREFIX}{measure_id}"


def edges_object(lower: str, upper: str) -> str:
    return f"geography__aggregation__{lower}__{upper}"


def aggregates(measure_id: str, catalog: Catalog) -> bool:
    """Whether metrics read the measure aggregated (only where it is restated at all)."""
    return (
        catalog.measures[measure_id].aggregate is not None
        and measure_level(measure_id, catalog) is not None
    )


def aggregation_nodes(catalog: Catalog, geography: Geography) -> list[Node]:
    """One edges table per pair of levels some measure aggregates between, and each aggregated measure."""
    nodes: list[Node] = []
    pairs: set[tuple[str, str]] = set()
    for measure_id in sorted(catalog.measures):
        measure, lower = catalog.measures[measure_id], measure_level(measure_id, catalog)
        if measure.aggregate is None or lower is None:
            continue
        upper = measure.aggregate.to
        pairs.add((lower, upper))
        weight = restated_object(measure.weighted_by) if measure.weighted_by else None
        edges = edges_object(lower, upper)
        nodes.append(
            AggregatedMeasureNode(
                name=aggregated_object(measure_id),
                spec=("measures", measure_id),
                depends_on=tuple(
                    sorted({edges, restated_object(measure_id), *([weight] if weight else [])})
                ),
                description=f"Measure {measure_id} ({measure.additivity}) aggregated from the "
                f"{lower} areas of {geography.date} onto their parents in {upper}",
                measure_id=measure_id,
                restated_object=restated_object(measure_id),
                edges_object=edges,
                additivity=measure.additivity,
                weight_object=weight,
                lower=lower,
                upper=upper,
            )
        )
    for lower, upper in sorted(pairs):
        found, _ = parent_edges(geography.register, lower, upper, geography.date)
        nodes.append(
            AggregationEdgesNode(
                name=edges_object(lower, upper),
                depends_on=("schema",),
                spec=None,
                description=f"The {lower} areas of {geography.date}, each onto itself when it is "
                f"also in {upper}, else onto its parent",
                lower=lower,
                upper=upper,
                edges=tuple(ParentEdgeRow(e.from_code, e.to_code, e.to_name) for e in found),
            )
        )
    return nodes
