"""Plan an index: the chain of objects from metric values to the published Top N, and its scenarios.

Each object is a template node whose parameters are plain data worked out
here from the spec: which metrics share a treatment or a normalisation, the
lens tree as weighted edges by depth, the objects that hold each input. The
SQL lives in generate/templates; the formulas in docs/methodology.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from indexc.plan.nodes import (
    SCHEMA_OBJECT,
    IndexScoresNode,
    LensScoresNode,
    LiteralTableNode,
    MetricScoresNode,
    MetricScoresView,
    Node,
    PeersNode,
    PublishNode,
    ScenarioNode,
    StabilityNode,
)
from indexc.spec.indexes import NEIGHBOURS, TYPE_GROUPING, Index, Scenario
from indexc.validate.catalog import Catalog

ValueObject = Callable[[str], str]  # metric or measure id -> the object holding its values


def index_object(index_id: str, part: str) -> str:
    return f"index__{index_id}__{part}"


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


def _grouped_by(
    config_of: Callable[[str], object], metric_ids: list[str]
) -> list[tuple[object, list[str]]]:
    """Metrics sharing one configuration, in order of first appearance: one SELECT each."""
    groups: dict[str, tuple[object, list[str]]] = {}
    for metric_id in metric_ids:
        config = config_of(metric_id)
        groups.setdefault(config.model_dump_json(), (config, []))[1].append(metric_id)
    return list(groups.values())


def _grouping(grouping_id: str) -> dict:
    return {
        "id": grouping_id,
        "edges": None if grouping_id == TYPE_GROUPING else f"area_map__{grouping_id}",
    }


def _lens_params(index: Index) -> dict:
    """The lens tree by depth: each depth's metric and lens edges apart, and each lens's totals.

    Each depth lists only its own edges, so a tree of thousands of metrics is written (and
    planned by the engine) once, not once per depth that reads it.
    """
    depths, totals = {}, []
    for _, lens, depth in index.walk():
        aggregate = lens.aggregate or index.method.aggregate
        level = depths.setdefault(
            depth, {"lenses": [], "methods": {}, "metric_edges": [], "lens_edges": []}
        )
        level["lenses"].append(lens.id)
        level["methods"].setdefault((aggregate.method, aggregate.p), []).append(lens.id)
        level["metric_edges"] += [
            {"lens": lens.id, "child": e.metric, "weight": float(e.weight)} for e in lens.metrics
        ]
        level["lens_edges"] += [
            {"lens": lens.id, "child": c.id, "weight": float(c.weight)} for c in lens.lenses
        ]
        weights = [float(e.weight) for e in lens.metrics] + [float(c.weight) for c in lens.lenses]
        totals.append({"lens": lens.id, "children": len(weights), "weight": sum(weights)})
    for level in depths.values():
        level["methods"] = [
            {"method": m, "p": p, "lenses": ids} for (m, p), ids in level["methods"].items()
        ]
    return {"totals": totals, "depths": depths, "max_depth": max(depths)}


def _root_params(index: Index) -> dict:
    lenses = [{"id": lens.id, "weight": float(lens.weight)} for lens in index.lenses]
    return {
        "lenses": lenses,
        "total_weight": sum(lens["weight"] for lens in lenses),
        "method": index.method.aggregate.method,
        "p": index.method.aggregate.p,
    }


def _savings_params(
    index: Index, metric_object: ValueObject, value_object: ValueObject
) -> list[dict]:
    return [
        {
            "id": s.id,
            "lens": s.lens,
            "unit_cost": metric_object(s.unit_cost),
            "volume": value_object(s.volume),
            "peers": s.peers,
            "grouping": None if s.peers == NEIGHBOURS else _grouping(s.peers),
            "quantile": s.quantile,
            "improvement": s.improvement,
            "scale": s.scale,
        }
        for s in index.savings
    ]


def index_nodes(
    index_id: str,
    catalog: Catalog,
    universe: str,
    metric_object: ValueObject,
    value_object: ValueObject,
    paths: str | None = None,
    direct: Callable[[str], list[dict] | None] = lambda metric_id: None,
) -> list[Node]:
    """`paths`: the geography's paths object when data is restated, to carry listed neighbours through lineage.
    `direct`: the source bindings of a metric that is one measure as published (read without its views)."""
    index = catalog.indexes[index_id]
    method = index.method
    spec = ("indexes", index_id)
    name = lambda part: index_object(index_id, part)  # noqa: E731
    node = lambda cls, part, template, reads, description, **params: cls(  # noqa: E731
        name=name(part),
        spec=spec,
        depends_on=tuple(sorted(set(reads))),
        description=description,
        index_id=index_id,
        template=template,
        params=params,
    )
    nodes: list[Node] = _value_nodes(
        index, index_id, catalog, universe, metric_object, direct, node, name
    )
    nodes.extend(_scoring_nodes(index, index_id, "", node, name))
    if index.peers.groups:
        groupings = [_grouping(g) for g in index.peers.groups]
        nodes.append(
            node(
                IndexScoresNode,
                "group_ranks",
                "group_ranks",
                [name("scores"), universe, *_edges(groupings)],
                f"Ranks of index {index_id} within groups: {', '.join(index.peers.groups)}",
                scores=name("scores"),
                universe=universe,
                groupings=groupings,
            )
        )
    if index.productivity:
        spends = [metric_object(p.spend) for p in index.productivity]
        nodes.append(
            node(
                IndexScoresNode,
                "productivity",
                "productivity",
                [name("lens_scores"), *spends],
                f"Productivity of index {index_id}: "
                + "; ".join(f"{p.lens} against {p.spend} ({p.method})" for p in index.productivity),
                lens_scores=name("lens_scores"),
                entries=[
                    {"lens": p.lens, "spend": o, "method": p.method}
                    for p, o in zip(index.productivity, spends, strict=True)
                ],
            )
        )
    periods = _periods_object(index, name)
    if index.peers.neighbours and index.peers.neighbours.source:
        nodes.append(_listed_neighbours(index, index_id, node, name, universe, catalog, paths))
    elif index.peers.neighbours:
        features = [
            {"id": f.metric, "object": value_object(f.metric), "weight": f.weight}
            for f in index.peers.neighbours.features
        ]
        nodes.append(
            node(
                PeersNode,
                "neighbours",
                "neighbours",
                [universe, periods, *(f["object"] for f in features)],
                f"The {index.peers.neighbours.k} nearest neighbours of each area of index {index_id} by "
                + ", ".join(f["id"] for f in features),
                features=features,
                k=index.peers.neighbours.k,
                universe=universe,
                periods=periods,
            )
        )
    if index.savings:
        nodes.extend(
            _savings_nodes(index, index_id, "", node, name, universe, metric_object, value_object)
        )
    if index.stability:
        alphas = weyl_alphas(len(index.lenses))
        stability = index.stability
        nodes.append(
            node(
                StabilityNode,
                "stability",
                "stability",
                [name("lens_scores"), name("scores")],
                f"Rank stability of index {index_id}: {stability.draws} draws of the top lenses' weights "
                f"(±{stability.weight_noise:.0%}, seed {stability.seed})",
                lens_scores=name("lens_scores"),
                scores=name("scores"),
                draws=stability.draws,
                seed=stability.seed,
                noise=stability.weight_noise,
                places=len(str(stability.draws - 1)) if stability.draws > 1 else 1,
                lenses=[
                    {**lens, "alpha": alpha}
                    for lens, alpha in zip(_root_params(index)["lenses"], alphas, strict=True)
                ],
                method=method.aggregate.method,
                p=method.aggregate.p,
                top=index.publish.top,
            )
        )
    nodes.extend(_publication_nodes(index, index_id, universe, node, name))
    return nodes


def _edges(groupings: list[dict | None]) -> list[str]:
    """The area-map objects some groupings read (`type` reads none)."""
    return [g["edges"] for g in groupings if g and g["edges"]]


def _value_nodes(
    index: Index,
    index_id: str,
    catalog: Catalog,
    universe: str,
    metric_object: ValueObject,
    direct: Callable[[str], list[dict] | None],
    node,
    name,
) -> list[Node]:
    """Metric values of the universe (imputed), their treatment, and their scores."""
    method = index.method
    metric_ids = index.metric_ids()
    through_views = [m for m in metric_ids if direct(m) is None]
    objects = [metric_object(m) for m in through_views]
    from_sources: dict[str, list[dict]] = {}
    for metric_id in metric_ids:
        for binding in direct(metric_id) or []:
            from_sources.setdefault(binding["source"], []).append({**binding, "metric": metric_id})
    nodes: list[Node] = []
    every_period = [
        [source, b["metric"], b["item"]]
        for source, rows in sorted(from_sources.items())
        for b in _by_dating(rows)["open"]
    ]
    if every_period:
        nodes.append(
            node(
                LiteralTableNode,
                "bindings",
                "literal_table",
                [SCHEMA_OBJECT],
                f"Source items of the metrics of index {index_id} read straight from a source in every period",
                columns=_columns(source="varchar", metric="varchar", item="varchar"),
                rows=every_period,
            )
        )
    impute = None
    if not isinstance(method.missing, str):
        impute = {"statistic": method.missing.impute, "grouping": _grouping(method.missing.group)}
    # Values read straight from the sources cost less to read again than to store; metric views (formulas) and
    # imputation cost more, so their values are stored once.
    values_kind = MetricScoresNode if through_views or impute else MetricScoresView
    nodes.append(
        node(
            values_kind,
            "metric_values",
            "metric_values",
            [
                universe,
                *objects,
                *from_sources,
                *_edges([impute["grouping"] if impute else None]),
                *([name("bindings")] if every_period else []),
            ],
            f"Metric values of index {index_id} for the areas of universe {index.universe}"
            + (
                f", missing values imputed with the {impute['statistic']} of their {method.missing.group}"
                if impute
                else ""
            ),
            metrics=[{"id": m, "object": o} for m, o in zip(through_views, objects, strict=True)],
            sources=[
                {"object": source, **_by_dating(rows)}
                for source, rows in sorted(from_sources.items())
            ],
            universe=universe,
            impute=impute,
            bindings=name("bindings") if every_period else None,
        )
    )
    treated = [
        (t, ids) for t, ids in _grouped_by(method.treatment_of, metric_ids) if t.method != "none"
    ]
    if treated:
        nodes.append(
            node(
                MetricScoresNode,
                "treatment",
                "treatment",
                [name("metric_values")],
                f"Outlier treatment of index {index_id} per metric and {method.scope}: "
                + "; ".join(f"{t.method} ({', '.join(ids)})" for t, ids in treated),
                groups=[
                    {**t.model_dump(), "metrics": ids, "every": len(ids) == len(metric_ids)}
                    for t, ids in treated
                ],
                scope=method.scope,
                values=name("metric_values"),
            )
        )
    normalisations = _grouped_by(method.normalisation_of, metric_ids)
    rules = {m: rule for rule, (_, ids) in enumerate(normalisations, start=1) for m in ids}
    treatment = name("treatment") if treated else None
    untreated = [m for m in metric_ids if m not in {i for _, ids in treated for i in ids}]
    # Declared to depend on the metrics it describes (their views, even when the values are read straight
    # from a source), so that a change of a metric's direction moves an object downstream of the metric,
    # which `indexc diff` classes as rank-affecting.
    nodes.append(
        node(
            LiteralTableNode,
            "rules",
            "literal_table",
            [metric_object(m) for m in metric_ids],
            f"Normalisation rules of index {index_id}: each metric's direction (1 when higher is better) and the "
            "number of its rule: "
            + "; ".join(
                f"{number} {n.describe()}" for number, (n, _) in enumerate(normalisations, start=1)
            ),
            columns=_columns(metric="varchar", direction="int", rule="int"),
            rows=[
                [m, 1 if catalog.metrics[m].direction == "higher_is_better" else -1, rules[m]]
                for m in metric_ids
            ],
        )
    )
    nodes.append(
        node(
            MetricScoresNode,
            "normalisation",
            "normalisation",
            ([name("metric_values")] if untreated else [])
            + ([treatment] if treated else [])
            + [name("rules")],
            f"Normalisation of index {index_id} per metric and {method.scope}: each metric's rule, direction and "
            "spread of treated values",
            values=name("metric_values"),
            treatment=treatment,
            scope=method.scope,
            untreated=untreated,
            rules=name("rules"),
            methods=[n.describe() for n, _ in normalisations],
        )
    )
    nodes.append(
        node(
            MetricScoresView,
            "metric_scores",
            "metric_scores",
            [name("metric_values"), name("normalisation")],
            f"Metric scores of index {index_id}, per metric and {method.scope}, direction applied: "
            + "; ".join(f"{n.describe()} ({', '.join(ids)})" for n, ids in normalisations),
            values=name("metric_values"),
            scope=method.scope,
            normalisation=name("normalisation"),
            normalisations=[n.model_dump() for n, _ in normalisations],
        )
    )
    return nodes


def _columns(**types: str) -> list[dict]:
    """A literal table's columns, in order, with the types it stores them as."""
    return [{"name": name, "type": type_} for name, type_ in types.items()]


def _by_dating(bindings: list[dict]) -> dict[str, list[dict]]:
    """Bindings for every period (`open`: matched on the item alone) apart from those for some (`dated`)."""
    dated = [b for b in bindings if b["period_from"] or b["period_to"]]
    return {
        "open": [b for b in bindings if not (b["period_from"] or b["period_to"])],
        "dated": dated,
    }


def _publication_nodes(index: Index, index_id: str, universe: str, node, name) -> list[Node]:
    """The most improved and the Top N, with what the index publishes beside it."""
    nodes: list[Node] = []
    nodes.append(
        node(
            PublishNode,
            "most_improved",
            "most_improved",
            [name("scores"), universe],
            f"The {index.publish.top} areas of index {index_id} whose rank rose most since the previous "
            "period",
            scores=name("scores"),
            universe=universe,
            top=index.publish.top,
        )
    )
    reads = [name("scores"), universe]
    productivity = None
    if index.productivity:
        productivity = {"object": name("productivity"), "lens": index.productivity[0].lens}
        reads.append(name("productivity"))
    reads += [name("savings")] if index.savings else []
    reads += [name("stability")] if index.stability else []
    nodes.append(
        node(
            PublishNode,
            "top",
            "top",
            reads,
            f"Top {index.publish.top} of index {index_id} per period, with names"
            + (", productivity" if productivity else "")
            + (", savings" if index.savings else "")
            + (" and rank intervals" if index.stability else ""),
            scores=name("scores"),
            universe=universe,
            top=index.publish.top,
            productivity=productivity,
            savings=name("savings") if index.savings else None,
            stability=name("stability") if index.stability else None,
        )
    )
    return nodes


def _periods_object(index: Index, name) -> str:
    """An object whose `period` column lists the index's periods: the small normalisation table when it is
    per period, else the metric values (which may be a view over every value)."""
    return name("normalisation") if index.method.scope == "period" else name("metric_values")


def _listed_neighbours(
    index: Index, index_id: str, node, name, universe: str, catalog: Catalog, paths: str | None
) -> Node:
    """Neighbours from a file; on a restated geography a terminated code is replaced by its successors."""
    source = catalog.sources[index.peers.neighbours.source]
    source_object = f"source__{source.id}"
    periods = _periods_object(index, name)
    reads = [universe, periods, source_object] + ([paths] if paths else [])
    return node(
        PeersNode,
        "neighbours",
        "neighbours_listed",
        reads,
        f"Neighbours of each area of index {index_id} as listed in source {source.id}"
        + (", terminated codes replaced by their successors" if paths else ""),
        source=source_object,
        paths=paths,
        level=source.geography.level,
        universe=universe,
        periods=periods,
    )


def _metric_edges(lenses: dict) -> list[list]:
    """The rows of a lens tree's edges to metrics: depth, lens, metric, weight."""
    return [
        [depth, e["lens"], e["child"], e["weight"]]
        for depth, level in sorted(lenses["depths"].items())
        for e in level["metric_edges"]
    ]


def _scoring_nodes(
    index: Index, index_id: str, prefix: str, node, name, baseline: Index | None = None
) -> list[Node]:
    """`baseline`: the index a scenario changes; its metric edges are read when the scenario keeps them."""
    lenses = _lens_params(index)
    rows = _metric_edges(lenses)
    own = baseline is None or rows != _metric_edges(_lens_params(baseline))
    edges = name(prefix + "metric_edges" if own else "metric_edges")
    return [
        *(
            [
                node(
                    LiteralTableNode,
                    prefix + "metric_edges",
                    "literal_table",
                    [SCHEMA_OBJECT],
                    f"The lenses of index {index_id}{_scenario_words(prefix)} and their metrics, with weights, by depth",
                    columns=_columns(
                        depth="int", lens="varchar", metric="varchar", weight="double"
                    ),
                    rows=rows,
                )
            ]
            if own
            else []
        ),
        node(
            LensScoresNode if not prefix else ScenarioNode,
            prefix + "lens_scores",
            "lens_scores",
            [name("metric_scores"), edges],
            f"Lens scores of index {index_id}{_scenario_words(prefix)}, every depth, ranked",
            metric_scores=name("metric_scores"),
            metric_edges=edges,
            **lenses,
        ),
        node(
            IndexScoresNode if not prefix else ScenarioNode,
            prefix + "scores",
            "scores",
            [name(prefix + "lens_scores")],
            f"Index {index_id} v{index.version}{_scenario_words(prefix)}: its top lenses combined, ranked per period"
            + (
                f" among areas whose scored lenses carry at least {index.method.min_coverage:.0%} of the weight"
                if index.method.min_coverage
                else ""
            ),
            lens_scores=name(prefix + "lens_scores"),
            min_coverage=index.method.min_coverage,
            **_root_params(index),
        ),
    ]


def _scenario_words(prefix: str) -> str:
    return f" in scenario {prefix.split('__')[1]}" if prefix else ""


def _savings_nodes(
    index: Index,
    index_id: str,
    prefix: str,
    node,
    name,
    universe: str,
    metric_object: ValueObject,
    value_object: ValueObject,
) -> list[Node]:
    params = _savings_params(index, metric_object, value_object)
    periods = _periods_object(index, name)
    reads = [universe, periods, *(s["unit_cost"] for s in params), *(s["volume"] for s in params)]
    reads += [s["grouping"]["edges"] for s in params if s["grouping"] and s["grouping"]["edges"]]
    reads += [name("neighbours")] if any(s["peers"] == NEIGHBOURS for s in params) else []
    cls = PeersNode if not prefix else ScenarioNode
    return [
        node(
            cls,
            prefix + "savings",
            "savings",
            reads,
            f"Projected savings of index {index_id}{_scenario_words(prefix)}: "
            + "; ".join(
                f"{s['id']} to the {s['quantile']:g} quantile of {s['peers']}" for s in params
            ),
            savings=params,
            universe=universe,
            neighbours=name("neighbours"),
            periods=periods,
        ),
        node(
            cls,
            prefix + "savings_totals",
            "savings_totals",
            [name(prefix + "savings")],
            f"Savings of index {index_id}{_scenario_words(prefix)} per period, per lens and in total",
            savings=name(prefix + "savings"),
        ),
    ]


def scenario_nodes(
    scenario: Scenario,
    catalog: Catalog,
    universe: str,
    metric_object: ValueObject,
    value_object: ValueObject,
) -> list[Node]:
    """The baseline index with the scenario's weights and savings parameters, and its deltas."""
    index = with_overrides(catalog.indexes[scenario.index], scenario)
    index_id, prefix = scenario.index, f"scenario__{scenario.id}__"
    name = lambda part: index_object(index_id, part)  # noqa: E731
    node = lambda cls, part, template, reads, description, **params: cls(  # noqa: E731
        name=name(part),
        spec=("scenarios", scenario.id),
        depends_on=tuple(sorted(set(reads))),
        description=description,
        index_id=index_id,
        template=template,
        params=params,
    )
    nodes = _scoring_nodes(
        index, index_id, prefix, node, name, baseline=catalog.indexes[scenario.index]
    )
    changes_savings = (
        scenario.savings.quantile is not None or scenario.savings.improvement is not None
    )
    if changes_savings:
        nodes += _savings_nodes(
            index, index_id, prefix, node, name, universe, metric_object, value_object
        )
    savings = (
        name(prefix + "savings") if changes_savings else name("savings")
    )  # weights leave savings alone
    nodes.append(
        deltas_node(scenario, index, name(prefix + "scores"), savings if index.savings else None)
    )
    return nodes


def deltas_node(scenario: Scenario, index: Index, scores: str, savings: str | None) -> Node:
    """The scenario beside the baseline, per area and period: both scores, ranks and savings, and the changes."""
    name = lambda part: index_object(scenario.index, part)  # noqa: E731
    reads = [name("scores"), scores] + ([name("savings"), savings] if savings else [])
    return ScenarioNode(
        name=name(f"scenario__{scenario.id}__deltas"),
        spec=("scenarios", scenario.id),
        depends_on=tuple(sorted(set(reads))),
        index_id=scenario.index,
        template="deltas",
        description=f"Scenario {scenario.id} of index {scenario.index} beside its baseline: scores, ranks"
        + (" and savings" if savings else "")
        + ", and the changes",
        params={
            "baseline_scores": name("scores"),
            "scenario_scores": scores,
            "baseline_savings": name("savings") if savings else None,
            "scenario_savings": savings,
        },
    )


def with_overrides(index: Index, scenario: Scenario) -> Index:
    """The index as the scenario would have it: weights replaced where named (`lens/metric` before a bare
    metric, which sets it in every lens), savings parameters changed."""

    def lens(l):
        metrics = tuple(
            m.model_copy(
                update={
                    "weight": scenario.weights.get(
                        f"{l.id}/{m.metric}", scenario.weights.get(m.metric, m.weight)
                    )
                }
            )
            for m in l.metrics
        )
        return l.model_copy(
            update={
                "weight": scenario.weights.get(l.id, l.weight),
                "metrics": metrics,
                "lenses": tuple(lens(c) for c in l.lenses),
            }
        )

    changes = {k: v for k, v in scenario.savings.model_dump().items() if v is not None}
    savings = tuple(s.model_copy(update=changes) for s in index.savings)
    return index.model_copy(
        update={"lenses": tuple(lens(l) for l in index.lenses), "savings": savings}
    )
