"""Plan an index: the chain of objects from metric values to the published Top N.

Each object is a template node whose parameters (plan/template_params.py) are worked out from the spec
by the modules of each stage: values and scores of metrics (index_values.py), of lenses and the index
(index_scores.py), peers and savings (index_peers.py); scenarios are scenarios.py. The SQL lives in
generate/templates; the formulas in docs/methodology.md.
"""

from __future__ import annotations

from indexc.plan.index_comparisons import comparison_nodes
from indexc.plan.index_peers import neighbours_node, savings_nodes
from indexc.plan.index_planner import IndexPlanner, ValueObject, index_object
from indexc.plan.index_scores import (
    group_ranks_node,
    productivity_node,
    scoring_nodes,
    stability_node,
)
from indexc.plan.index_values import Direct, value_nodes
from indexc.plan.nodes import Layer, Node
from indexc.plan.template_params import (
    HeadlineExclusionsParams,
    HeadlinePolicy,
    MostImprovedParams,
    PublishedProductivity,
    TopParams,
)
from indexc.validate.catalog import Catalog

__all__ = ["index_nodes", "index_object"]


def index_nodes(
    index_id: str,
    catalog: Catalog,
    universe: str,
    metric_object: ValueObject,
    value_object: ValueObject,
    paths: str | None = None,
    direct: Direct = lambda metric_id: None,
    *,
    variant: str = "",
    provenance: bool = False,
) -> list[Node]:
    """`paths`: the geography's paths object when data is restated, to carry listed neighbours through lineage.
    `direct`: the source bindings of a metric that is one measure as published (read without its views).
    `variant`: a prefix of the objects' parts, for the index computed again (`contributed__`);
    `provenance`: the index reads contributed data, and its Top N says which values are contributed."""
    index = catalog.indexes[index_id]
    p = IndexPlanner(
        index=index,
        index_id=index_id,
        spec=("indexes", index_id),
        catalog=catalog,
        universe=universe,
        metric_object=metric_object,
        value_object=value_object,
        variant=variant,
        provenance=provenance,
    )
    nodes = value_nodes(p, direct)
    nodes.extend(scoring_nodes(p))
    if index.rank_groups():
        nodes.append(group_ranks_node(p))
    if index.productivity:
        nodes.append(productivity_node(p))
    if index.peers.neighbours:
        nodes.append(neighbours_node(p, index.peers.neighbours, paths))
    if index.savings:
        nodes.extend(savings_nodes(p))
    if index.stability:
        nodes.append(stability_node(p))
    nodes.extend(_publication_nodes(p))
    nodes.extend(comparison_nodes(p))
    return nodes


def _publication_nodes(p: IndexPlanner) -> list[Node]:
    """The most improved and the Top N, with what the index publishes beside it."""
    index, top = p.index, p.index.publish.top
    most_improved = p.node(
        Layer.PUBLISH,
        p.name("most_improved"),
        [p.name("scores"), p.universe],
        f"The {top} areas of index {p.index_id} whose rank rose most since the previous period",
        MostImprovedParams(scores=p.name("scores"), universe=p.universe, top=top),
        view=True,
    )
    reads = [p.name("scores"), p.universe]
    productivity: PublishedProductivity | None = None
    if index.productivity:
        productivity = {"object": p.name("productivity"), "lens": index.productivity[0].lens}
        reads.append(p.name("productivity"))
    reads += [p.name("savings")] if index.savings else []
    reads += [p.name("stability")] if index.stability else []
    reads += [p.provenance_object] if p.provenance_object else []
    policy = headline_policy(p)
    reads += [policy["population"]] if policy and policy["population"] else []
    published = p.node(
        Layer.PUBLISH,
        p.name("top"),
        reads,
        f"Top {top} of index {p.index_id} per period, with names"
        + (", productivity" if productivity else "")
        + (", savings" if index.savings else "")
        + (" and rank intervals" if index.stability else ""),
        TopParams(
            scores=p.name("scores"),
            universe=p.universe,
            top=top,
            productivity=productivity,
            savings=p.name("savings") if index.savings else None,
            stability=p.name("stability") if index.stability else None,
            provenance=p.provenance_object,
            policy=policy,
        ),
        view=True,
    )
    if policy is None:
        return [most_improved, published]
    exclusions = p.node(
        Layer.PUBLISH,
        p.name("headline_exclusions"),
        [p.name("scores"), p.universe] + ([policy["population"]] if policy["population"] else []),
        f"The areas the headline policy of index {p.index_id} keeps out of its Top {top}, per period, "
        "and why (the full ranking keeps them)",
        HeadlineExclusionsParams(scores=p.name("scores"), universe=p.universe, policy=policy),
        view=True,
    )
    return [most_improved, published, exclusions]


def headline_policy(p: IndexPlanner) -> HeadlinePolicy | None:
    """The index's headline policy as the Top N's query reads it; None without one."""
    spec = p.index.publish.headline_policy
    if spec is None:
        return None
    floor = spec.population
    return {
        "population": p.value_object(floor.measure) if floor else None,
        "at_least": floor.at_least if floor else None,
        "floor": f"{floor.at_least:.15g}" if floor else None,
        "exclude": [{"area": e.area, "reason": e.reason.strip()} for e in spec.exclude],
    }
