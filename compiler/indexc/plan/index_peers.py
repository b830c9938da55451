"""An index's comparators and what they imply: each area's nearest neighbours (computed from features, or
listed in a source) and the savings if an area spent as its peers do (docs/methodology.md, peers).
"""

from __future__ import annotations

from indexc.plan.index_planner import IndexPlanner, grouping
from indexc.plan.nodes import Layer, Node
from indexc.plan.template_params import (
    Feature,
    ListedNeighboursParams,
    NeighboursParams,
    Saving,
    SavingsParams,
    SavingsTotalsParams,
)
from indexc.spec.indexes import NEIGHBOURS, Neighbours
from indexc.spec.sources import AreaMapSource


def neighbours_node(p: IndexPlanner, neighbours: Neighbours, paths: str | None) -> Node:
    """`paths`: the geography's paths object when data is restated, to carry listed neighbours through
    lineage."""
    if neighbours.source:
        return _listed_neighbours(p, neighbours.source, paths)
    if neighbours.k is None:
        raise ValueError(f"the computed neighbours of index {p.index_id} have no k")
    features: list[Feature] = [
        {"id": f.metric, "object": p.value_object(f.metric), "weight": f.weight}
        for f in neighbours.features
    ]
    return p.node(
        Layer.PEERS,
        p.name("neighbours"),
        [p.universe, p.periods, *(f["object"] for f in features)],
        f"The {neighbours.k} nearest neighbours of each area of index {p.index_id} by "
        + ", ".join(f["id"] for f in features),
        NeighboursParams(
            features=features,
            k=neighbours.k,
            universe=p.universe,
            periods=p.periods,
        ),
    )


def _listed_neighbours(p: IndexPlanner, source_id: str, paths: str | None) -> Node:
    """Neighbours from a file; on a restated geography a terminated code is replaced by its successors."""
    source = p.catalog.sources[source_id]
    if not isinstance(source, AreaMapSource):
        raise ValueError(f"neighbours of index {p.index_id}: source {source_id} is not an area map")
    source_object = f"source__{source.id}"
    reads = [p.universe, p.periods, source_object] + ([paths] if paths else [])
    return p.node(
        Layer.PEERS,
        p.name("neighbours"),
        reads,
        f"Neighbours of each area of index {p.index_id} as listed in source {source.id}"
        + (", terminated codes replaced by their successors" if paths else ""),
        ListedNeighboursParams(
            source=source_object,
            paths=paths,
            level=source.geography.level,
            universe=p.universe,
            periods=p.periods,
        ),
    )


def _savings(p: IndexPlanner) -> list[Saving]:
    return [
        {
            "id": s.id,
            "lens": s.lens,
            "unit_cost": p.metric_object(s.unit_cost),
            "volume": p.value_object(s.volume),
            "peers": s.peers,
            "grouping": None if s.peers == NEIGHBOURS else grouping(s.peers),
            "quantile": s.quantile,
            "improvement": s.improvement,
            "scale": s.scale,
        }
        for s in p.index.savings
    ]


def savings_nodes(p: IndexPlanner) -> list[Node]:
    """The savings per area, period and saving, and their totals."""
    savings = _savings(p)
    reads = [p.universe, p.periods, *(s["unit_cost"] for s in savings)]
    reads += [s["volume"] for s in savings]
    reads += [s["grouping"]["edges"] for s in savings if s["grouping"] and s["grouping"]["edges"]]
    reads += [p.name("neighbours")] if any(s["peers"] == NEIGHBOURS for s in savings) else []
    screened = p.name("screened") if p.index.method.screen else None
    reads += [screened] if screened else []
    layer = p.layer(Layer.PEERS)
    return [
        p.node(
            layer,
            p.own("savings"),
            reads,
            f"Projected savings of index {p.index_id}{p.words()}: "
            + "; ".join(
                f"{s['id']} to the {s['quantile']:g} quantile of {s['peers']}" for s in savings
            ),
            SavingsParams(
                savings=savings,
                universe=p.universe,
                neighbours=p.name("neighbours"),
                periods=p.periods,
                screened=screened,
            ),
        ),
        p.node(
            layer,
            p.own("savings_totals"),
            [p.own("savings")],
            f"Savings of index {p.index_id}{p.words()} per period, per lens and in total",
            SavingsTotalsParams(savings=p.own("savings")),
        ),
    ]
