"""An index's metric values and scores: the values of its universe (screened, imputed), their treatment, and
their normalisation into scores, with the literal tables they read (docs/methodology.md, screening and
sections 1 to 3).

Metrics sharing a treatment or a normalisation are one group, handled by one SELECT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from indexc.plan.index_planner import IndexPlanner, edges_read, grouping
from indexc.plan.nodes import SCHEMA_OBJECT, Layer, Node
from indexc.plan.template_params import (
    Column,
    Imputation,
    KeptValuesParams,
    LiteralTableParams,
    MetricBinding,
    MetricScoresParams,
    MetricValuesParams,
    NormalisationParams,
    ScreenedParams,
    ScreenRule,
    SourceBinding,
    SourceBindings,
    TreatmentParams,
)
from indexc.spec.methods import Impute

Direct = Callable[[str], list[SourceBinding] | None]
"""The source bindings of a metric that is one measure as published (read without its views), else None."""

Config = TypeVar("Config", bound=BaseModel)


def _grouped_by(
    config_of: Callable[[str], Config], metric_ids: list[str]
) -> list[tuple[Config, list[str]]]:
    """Metrics sharing one configuration, in order of first appearance: one SELECT each."""
    groups: dict[str, tuple[Config, list[str]]] = {}
    for metric_id in metric_ids:
        config = config_of(metric_id)
        groups.setdefault(config.model_dump_json(), (config, []))[1].append(metric_id)
    return list(groups.values())


def columns(**types: str) -> list[Column]:
    """A literal table's columns, in order, with the types it stores them as."""
    return [{"name": name, "type": type_} for name, type_ in types.items()]


def _by_dating(source: str, bindings: list[MetricBinding]) -> SourceBindings:
    """Bindings for every period (`open`: matched on the item alone) apart from those for some (`dated`)."""
    return {
        "object": source,
        "open": [b for b in bindings if not (b["period_from"] or b["period_to"])],
        "dated": [b for b in bindings if b["period_from"] or b["period_to"]],
    }


def value_nodes(p: IndexPlanner, direct: Direct) -> list[Node]:
    """Metric values of the universe (screened, imputed), their treatment, and their scores."""
    index, method = p.index, p.index.method
    metric_ids = index.metric_ids()
    through_views = [m for m in metric_ids if direct(m) is None]
    objects = [p.metric_object(m) for m in through_views]
    from_sources: dict[str, list[MetricBinding]] = {}
    for metric_id in metric_ids:
        for binding in direct(metric_id) or []:
            from_sources.setdefault(binding["source"], []).append({**binding, "metric": metric_id})
    sources = [_by_dating(source, rows) for source, rows in sorted(from_sources.items())]
    nodes: list[Node] = []
    every_period: list[list[str | int | float | bool | None]] = [
        [s["object"], b["metric"], b["item"]] for s in sources for b in s["open"]
    ]
    if every_period:
        nodes.append(
            p.node(
                Layer.METRIC_SCORES,
                p.name("bindings"),
                [SCHEMA_OBJECT],
                f"Source items of the metrics of index {p.index_id} read straight from a source in every period",
                LiteralTableParams(
                    columns=columns(source="varchar", metric="varchar", item="varchar"),
                    rows=every_period,
                ),
            )
        )
    # Screening comes before imputation: with a screen, the values are imputed after it, from the areas
    # kept (`kept_values`), and these are the observed values.
    impute = None if method.screen else _imputation(p)
    nodes.append(
        p.node(
            Layer.METRIC_SCORES,
            p.name("metric_values"),
            [
                p.universe,
                *objects,
                *from_sources,
                *edges_read([impute["grouping"] if impute else None]),
                *([p.name("bindings")] if every_period else []),
            ],
            f"Metric values of index {p.index_id} for the areas of universe {index.universe}"
            + (_imputed_words(p) if impute else ""),
            MetricValuesParams(
                metrics=[
                    {"id": m, "object": o} for m, o in zip(through_views, objects, strict=True)
                ],
                sources=sources,
                universe=p.universe,
                impute=impute,
                bindings=p.name("bindings") if every_period else None,
            ),
            # Values read straight from the sources cost less to read again than to store; metric views
            # (formulas) and imputation cost more, so their values are stored once.
            view=not (through_views or impute),
        )
    )
    return nodes + _screening_nodes(p) + _score_nodes(p, metric_ids)


def _imputation(p: IndexPlanner) -> Imputation | None:
    missing = p.index.method.missing
    if isinstance(missing, Impute):
        return {"statistic": missing.impute, "grouping": grouping(missing.group)}
    return None


def _imputed_words(p: IndexPlanner) -> str:
    missing = p.index.method.missing
    return (
        f", missing values imputed with the {missing.impute} of their {missing.group}"
        if isinstance(missing, Impute)
        else ""
    )


def _screening_nodes(p: IndexPlanner) -> list[Node]:
    """The areas screened out of each period, and the values of the others, which treatment reads."""
    screen = p.index.method.screen
    if screen is None:
        return []
    impute = _imputation(p)
    lenses = {lens.id: lens for _, lens, _ in p.index.walk()}
    rules: list[ScreenRule] = [
        {
            "rule": "index" if lens is None else "lens",
            "lens": lens,
            "threshold": share,
            "metrics": p.index.metric_ids() if lens is None else lenses[lens].metric_ids(),
        }
        for lens, share in screen.rules()
    ]
    words = "; ".join(
        f"under {r['threshold']:.0%} of the metrics of "
        + (f"lens {r['lens']}" if r["lens"] else "the index")
        for r in rules
    )
    return [
        p.node(
            Layer.METRIC_SCORES,
            p.name("screened"),
            [p.name("metric_values"), p.universe],
            f"Areas of index {p.index_id} screened out of a period before treatment, with a value of {words}",
            ScreenedParams(values=p.name("metric_values"), universe=p.universe, rules=rules),
        ),
        p.node(
            Layer.METRIC_SCORES,
            p.name("kept_values"),
            [
                p.name("metric_values"),
                p.name("screened"),
                *([p.universe, *edges_read([impute["grouping"]])] if impute else []),
            ],
            f"Metric values of index {p.index_id} of the areas not screened out of their period"
            + _imputed_words(p),
            KeptValuesParams(
                values=p.name("metric_values"),
                screened=p.name("screened"),
                universe=p.universe,
                impute=impute,
            ),
            view=impute is None,
        ),
    ]


def scored_values(p: IndexPlanner) -> str:
    """The metric values treatment and normalisation read: those left after screening, when there is one."""
    return p.name("kept_values" if p.index.method.screen else "metric_values")


def _score_nodes(p: IndexPlanner, metric_ids: list[str]) -> list[Node]:
    """The treatment of the metric values, the normalisation rules and statistics, and the scores."""
    method = p.index.method
    values = scored_values(p)
    nodes: list[Node] = []
    treated = [
        (t, ids) for t, ids in _grouped_by(method.treatment_of, metric_ids) if t.method != "none"
    ]
    if treated:
        nodes.append(
            p.node(
                Layer.METRIC_SCORES,
                p.name("treatment"),
                [values],
                f"Outlier treatment of index {p.index_id} per metric and {method.scope}: "
                + "; ".join(f"{t.method} ({', '.join(ids)})" for t, ids in treated),
                TreatmentParams(
                    groups=[
                        {**t.model_dump(), "metrics": ids, "every": len(ids) == len(metric_ids)}
                        for t, ids in treated
                    ],
                    scope=method.scope,
                    values=values,
                ),
            )
        )
    normalisations = _grouped_by(method.normalisation_of, metric_ids)
    rules = {m: rule for rule, (_, ids) in enumerate(normalisations, start=1) for m in ids}
    treatment = p.name("treatment") if treated else None
    untreated = [m for m in metric_ids if m not in {i for _, ids in treated for i in ids}]
    # Declared to depend on the metrics it describes (their views, even when the values are read straight
    # from a source), so that a change of a metric's direction moves an object downstream of the metric,
    # which `indexc diff` classes as rank-affecting.
    nodes.append(
        p.node(
            Layer.METRIC_SCORES,
            p.name("rules"),
            [p.metric_object(m) for m in metric_ids],
            f"Normalisation rules of index {p.index_id}: each metric's direction (1 when higher is better) "
            "and the number of its rule: "
            + "; ".join(
                f"{number} {n.describe()}" for number, (n, _) in enumerate(normalisations, start=1)
            ),
            LiteralTableParams(
                columns=columns(metric="varchar", direction="int", rule="int"),
                rows=[
                    [m, 1 if p.catalog.metrics[m].direction == "higher_is_better" else -1, rules[m]]
                    for m in metric_ids
                ],
            ),
        )
    )
    nodes.append(
        p.node(
            Layer.METRIC_SCORES,
            p.name("normalisation"),
            ([values] if untreated else [])
            + ([treatment] if treatment else [])
            + [p.name("rules")],
            f"Normalisation of index {p.index_id} per metric and {method.scope}: each metric's rule, "
            "direction and spread of treated values",
            NormalisationParams(
                values=values,
                treatment=treatment,
                scope=method.scope,
                untreated=untreated,
                rules=p.name("rules"),
                methods=[n.describe() for n, _ in normalisations],
            ),
        )
    )
    nodes.append(
        p.node(
            Layer.METRIC_SCORES,
            p.name("metric_scores"),
            [values, p.name("normalisation")],
            f"Metric scores of index {p.index_id}, per metric and {method.scope}, direction applied: "
            + "; ".join(f"{n.describe()} ({', '.join(ids)})" for n, ids in normalisations),
            MetricScoresParams(
                values=values,
                scope=method.scope,
                normalisation=p.name("normalisation"),
                normalisations=[n.model_dump() for n, _ in normalisations],
            ),
            view=True,
        )
    )
    return nodes
