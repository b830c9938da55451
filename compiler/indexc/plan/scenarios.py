"""What-if scenarios of an index: the index again with other weights or savings parameters, beside its
baseline. Only the objects a scenario changes are planned again, under `scenario__<id>__` names; the
rest are the baseline's.
"""

from __future__ import annotations

from indexc.plan.index_peers import savings_nodes
from indexc.plan.index_planner import IndexPlanner, ValueObject, index_object
from indexc.plan.index_scores import scoring_nodes
from indexc.plan.nodes import Layer, Node, TemplateNode
from indexc.plan.template_params import DeltasParams
from indexc.spec.indexes import Index, Lens, Scenario
from indexc.validate.catalog import Catalog


def scenario_nodes(
    scenario: Scenario,
    catalog: Catalog,
    universe: str,
    metric_object: ValueObject,
    value_object: ValueObject,
) -> list[Node]:
    """The baseline index with the scenario's weights and savings parameters, and its deltas."""
    index = with_overrides(catalog.indexes[scenario.index], scenario)
    p = IndexPlanner(
        index=index,
        index_id=scenario.index,
        spec=("scenarios", scenario.id),
        catalog=catalog,
        universe=universe,
        metric_object=metric_object,
        value_object=value_object,
        prefix=f"scenario__{scenario.id}__",
    )
    nodes = scoring_nodes(p, baseline=catalog.indexes[scenario.index])
    changes_savings = (
        scenario.savings.quantile is not None or scenario.savings.improvement is not None
    )
    if changes_savings:
        nodes += savings_nodes(p)
    savings = (
        p.own("savings") if changes_savings else p.name("savings")
    )  # weights leave savings alone
    nodes.append(deltas_node(scenario, index, p.own("scores"), savings if index.savings else None))
    return nodes


def deltas_node(scenario: Scenario, index: Index, scores: str, savings: str | None) -> Node:
    """The scenario beside the baseline, per area and period: both scores, ranks and savings, and the changes."""

    def name(part: str) -> str:
        return index_object(scenario.index, part)

    reads = [name("scores"), scores] + ([name("savings"), savings] if savings else [])
    return TemplateNode(
        name=name(f"scenario__{scenario.id}__deltas"),
        spec=("scenarios", scenario.id),
        depends_on=tuple(sorted(set(reads))),
        index_id=scenario.index,
        in_layer=Layer.SCENARIO,
        description=f"Scenario {scenario.id} of index {scenario.index} beside its baseline: scores, ranks"
        + (" and savings" if savings else "")
        + ", and the changes",
        params=DeltasParams(
            baseline_scores=name("scores"),
            scenario_scores=scores,
            baseline_savings=name("savings") if savings else None,
            scenario_savings=savings,
        ),
    )


def with_overrides(index: Index, scenario: Scenario) -> Index:
    """The index as the scenario would have it: weights replaced where named (`lens/metric` before a bare
    metric, which sets it in every lens), savings parameters changed."""

    def reweighted(lens: Lens) -> Lens:
        metrics = tuple(
            m.model_copy(
                update={
                    "weight": scenario.weights.get(
                        f"{lens.id}/{m.metric}", scenario.weights.get(m.metric, m.weight)
                    )
                }
            )
            for m in lens.metrics
        )
        return lens.model_copy(
            update={
                "weight": scenario.weights.get(lens.id, lens.weight),
                "metrics": metrics,
                "lenses": tuple(reweighted(c) for c in lens.lenses),
            }
        )

    changes = {k: v for k, v in scenario.savings.model_dump().items() if v is not None}
    savings = tuple(s.model_copy(update=changes) for s in index.savings)
    return index.model_copy(
        update={"lenses": tuple(reweighted(lens) for lens in index.lenses), "savings": savings}
    )
