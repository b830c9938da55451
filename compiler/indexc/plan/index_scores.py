"""An index's scores: its lens tree aggregated depth by depth, the index over the top lenses, and what is
ranked from them (ranks within groups, productivity, rank stability) (docs/methodology.md, section 4 on).
"""

from __future__ import annotations

import math

from indexc.plan.index_planner import IndexPlanner, edges_read, grouping, index_object, weight
from indexc.plan.index_values import columns
from indexc.plan.nodes import SCHEMA_OBJECT, Layer, Node
from indexc.plan.template_params import (
    Aggregate,
    Cell,
    Depth,
    GroupRanksParams,
    IndexLens,
    LensScoresParams,
    LensTotal,
    LensWeight,
    LiteralTableParams,
    ProductivityParams,
    ScoresParams,
    StabilityParams,
)
from indexc.spec.indexes import Index, IndexInput


def _primes(count: int) -> list[int]:
    primes: list[int] = []
    candidate = 2
    while len(primes) < count:
        if all(candidate % p for p in primes if p * p <= candidate):
            primes.append(candidate)
        candidate += 1
    return primes


def weyl_alphas(count: int) -> list[float]:
    """frac(sqrt(p)) of the first primes: irrational steps, so no two lenses' draws move in step."""
    return [math.sqrt(p) - math.floor(math.sqrt(p)) for p in _primes(count)]


def _lens_tree(index: Index) -> tuple[list[LensTotal], dict[int, Depth]]:
    """The lens tree by depth: each depth's metric and lens edges apart, and each lens's totals.

    Each depth lists only its own edges, so a tree of thousands of metrics is written (and
    planned by the engine) once, not once per depth that reads it. A lens awaiting data has no
    scores and is left out; a contextual lens is scored, but no edge leads from its parent to it, so
    it counts neither in its parent's score nor in its totals (its weight is 0).
    """
    depths: dict[int, Depth] = {}
    methods: dict[int, dict[tuple[str, float | None], list[str]]] = {}
    totals: list[LensTotal] = []
    for _, lens, depth in index.computed_lenses():
        aggregate = lens.aggregate or index.method.aggregate
        level = depths.setdefault(
            depth,
            {"lenses": [], "methods": [], "metric_edges": [], "lens_edges": [], "index_lenses": []},
        )
        level["lenses"].append(lens.id)
        if lens.index is not None:  # another index's score, taken as it is: one child of weight 1
            level["index_lenses"].append(index_lens(lens.id, lens.index))
            totals.append({"lens": lens.id, "children": 1, "weight": 1.0})
            continue
        methods.setdefault(depth, {}).setdefault((aggregate.method, aggregate.p), []).append(
            lens.id
        )
        level["metric_edges"] += [
            {"lens": lens.id, "child": e.metric, "weight": weight(e.weight)} for e in lens.metrics
        ]
        weighted = lens.weighted_lenses()
        level["lens_edges"] += [
            {"lens": lens.id, "child": c.id, "weight": weight(c.weight)} for c in weighted
        ]
        weights = [weight(e.weight) for e in lens.metrics] + [weight(c.weight) for c in weighted]
        totals.append({"lens": lens.id, "children": len(weights), "weight": sum(weights)})
    for depth, level in depths.items():
        level["methods"] = [
            Aggregate(method=m, p=p, lenses=ids) for (m, p), ids in methods.get(depth, {}).items()
        ]
    return totals, depths


def index_lens(lens_id: str, read: IndexInput) -> IndexLens:
    """Where a lens reading another index finds its score: that index's lens scores, or its scores."""
    if read.lens is None:
        return {"lens": lens_id, "object": index_object(read.id, "scores"), "of_lens": None}
    return {"lens": lens_id, "object": index_object(read.id, "lens_scores"), "of_lens": read.lens}


def index_inputs_read(index: Index) -> list[str]:
    """The other indexes' objects an index's lenses read."""
    return [index_lens(lens.id, read)["object"] for _, lens, read in index.index_inputs()]


def _metric_edge_rows(depths: dict[int, Depth]) -> list[list[Cell]]:
    """The rows of a lens tree's edges to metrics: depth, lens, metric, weight."""
    return [
        [depth, e["lens"], e["child"], e["weight"]]
        for depth, level in sorted(depths.items())
        for e in level["metric_edges"]
    ]


def top_lenses(index: Index) -> list[LensWeight]:
    """The top lenses the index score aggregates: those that carry weight."""
    return [{"id": lens.id, "weight": weight(lens.weight)} for lens in index.weighted_lenses()]


def scoring_nodes(p: IndexPlanner, baseline: Index | None = None) -> list[Node]:
    """`baseline`: the index a scenario changes; its metric edges are read when the scenario keeps them."""
    index = p.index
    totals, depths = _lens_tree(index)
    rows = _metric_edge_rows(depths)
    own = baseline is None or rows != _metric_edge_rows(_lens_tree(baseline)[1])
    edges = p.own("metric_edges") if own else p.name("metric_edges")
    nodes: list[Node] = []
    if own:
        nodes.append(
            p.node(
                Layer.METRIC_SCORES,
                p.own("metric_edges"),
                [SCHEMA_OBJECT],
                f"The lenses of index {p.index_id}{p.words()} and their metrics, with weights, by depth",
                LiteralTableParams(
                    columns=columns(depth="int", lens="varchar", metric="varchar", weight="double"),
                    rows=rows,
                ),
            )
        )
    lenses = top_lenses(index)
    reads_indexes = index_inputs_read(index)
    # Another index's scores count in this index's own periods (those of its metrics), and a screened
    # area has no lens score in the period, not even one another index gives it.
    periods = p.periods if reads_indexes else None
    screened = p.name("screened") if index.method.screen and reads_indexes else None
    extra = [name for name in (periods, screened, p.provenance_object) if name]
    return nodes + [
        p.node(
            p.layer(Layer.LENS_SCORES),
            p.own("lens_scores"),
            [p.name("metric_scores"), edges, *reads_indexes, *extra],
            f"Lens scores of index {p.index_id}{p.words()}, every depth, ranked",
            LensScoresParams(
                metric_scores=p.name("metric_scores"),
                metric_edges=edges,
                totals=totals,
                depths=depths,
                max_depth=max(depths),
                periods=periods,
                screened=screened,
                provenance=p.provenance_object,
            ),
        ),
        p.node(
            p.layer(Layer.INDEX_SCORES),
            p.own("scores"),
            [p.own("lens_scores"), *([p.provenance_object] if p.provenance_object else [])],
            f"Index {p.index_id} v{index.version}{p.words()}: its top lenses combined, ranked per period"
            + (
                f" among areas whose scored lenses carry at least {index.method.min_coverage:.0%} of the weight"
                if index.method.min_coverage
                else ""
            ),
            ScoresParams(
                lens_scores=p.own("lens_scores"),
                min_coverage=index.method.min_coverage,
                lenses=lenses,
                total_weight=sum(lens["weight"] for lens in lenses),
                method=index.method.aggregate.method,
                p=index.method.aggregate.p,
                provenance=p.provenance_object,
            ),
        ),
    ]


def group_ranks_node(p: IndexPlanner) -> Node:
    groups = p.index.rank_groups()
    groupings = [grouping(g) for g in groups]
    return p.node(
        Layer.INDEX_SCORES,
        p.name("group_ranks"),
        [p.name("scores"), p.name("lens_scores"), p.universe, *edges_read(groupings)],
        f"Ranks of index {p.index_id} and of each of its lenses within groups: {', '.join(groups)}",
        GroupRanksParams(
            scores=p.name("scores"),
            lens_scores=p.name("lens_scores"),
            universe=p.universe,
            groupings=groupings,
        ),
    )


def productivity_node(p: IndexPlanner) -> Node:
    productivity = p.index.productivity
    spends = [p.metric_object(x.spend) for x in productivity]
    return p.node(
        Layer.INDEX_SCORES,
        p.name("productivity"),
        [p.name("lens_scores"), *spends],
        f"Productivity of index {p.index_id}: "
        + "; ".join(f"{x.lens} against {x.spend} ({x.method})" for x in productivity),
        ProductivityParams(
            lens_scores=p.name("lens_scores"),
            entries=[
                {"lens": x.lens, "spend": o, "method": x.method}
                for x, o in zip(productivity, spends, strict=True)
            ],
        ),
    )


def stability_node(p: IndexPlanner) -> Node:
    index = p.index
    stability = index.stability
    if stability is None:
        raise ValueError(f"index {p.index_id} has no stability to plan")
    alphas = weyl_alphas(len(index.weighted_lenses()))
    return p.node(
        Layer.STABILITY,
        p.name("stability"),
        [p.name("lens_scores"), p.name("scores")],
        f"Rank stability of index {p.index_id}: {stability.draws} draws of the top lenses' weights "
        f"(±{stability.weight_noise:.0%}, seed {stability.seed})",
        StabilityParams(
            lens_scores=p.name("lens_scores"),
            scores=p.name("scores"),
            draws=stability.draws,
            seed=stability.seed,
            noise=stability.weight_noise,
            places=len(str(stability.draws - 1)) if stability.draws > 1 else 1,
            lenses=[
                {**lens, "alpha": alpha}
                for lens, alpha in zip(top_lenses(index), alphas, strict=True)
            ],
            method=index.method.aggregate.method,
            p=index.method.aggregate.p,
            top=index.publish.top,
        ),
    )
