"""What people read beside an index's ranks: each metric's value against peer benchmarks (the Fingertips
convention), a trend test per metric and per rank, and sentences written from both
(docs/methodology.md, "Comparisons, trends and sentences").

The statistics are SQL (generate/templates/comparisons, trends, sentences), so they run on every target and
every sentence reads its numbers from the same tables the figures come from; this module only works out
what the templates need from the spec: each metric's direction, its name, and where the confidence limits
of its published values are.
"""

from __future__ import annotations

import re

from sqlglot import exp

from indexc.plan.index_planner import IndexPlanner, edges_read, grouping
from indexc.plan.inputs import object_name
from indexc.plan.nodes import Layer, Node
from indexc.plan.template_params import (
    ComparedMetric,
    ComparisonsParams,
    SentencesParams,
    TrendsParams,
)
from indexc.spec.indexes import BENCHMARKS, TYPE_GROUPING
from indexc.spec.sources import DATA_SOURCES, LongSource

WINDOW = 5  # the points of a trend test: the last five values up to each period (Fingertips' recent trend)
POSITIONS = 5  # the fewest peers whose quintiles a value without an interval is placed among
COUNCIL_TYPES = frozenset({"E06", "E07", "E08", "E09", "E10"})
DIRECTIONS = {"higher_is_better": 1, "lower_is_better": -1}


def label(description: str, metric_id: str) -> str:
    """A metric's name in a sentence: its description up to the first '. ', ': ' or '; ' (what follows
    explains it), else its id in words. Never made up: the spec's own words."""
    first = re.split(r"\. |: |; ", " ".join(description.split()))[0].rstrip(".")
    return first or metric_id.replace("_", " ")


def _has_limits(p: IndexPlanner, measure_id: str) -> bool:
    """Whether a measure's view can hold a confidence limit: only a long source names limit columns (a
    wide or pivoted source's are NULL), and a view none of whose sources does has none. Reading such a
    view for its limits would cost a scan of its source per metric for nothing (2,000 scans for 2,000
    metrics of one long source)."""
    for binding in p.catalog.measures[measure_id].bindings:
        source = p.catalog.sources.get(binding.source)
        if not isinstance(source, DATA_SOURCES):
            return True  # not a source read here: kept, as before
        if isinstance(source, LongSource) and source.columns.lci is not None:
            return True
    return False


def compared_metrics(p: IndexPlanner) -> list[ComparedMetric]:
    """The index's metrics (by id), each with its direction and, for a metric that is one measure whose
    sources publish limits, the measure's own view: its values carry the limits the source published (a
    restated or computed value has none, and the comparison matches limits only to the very value
    published with them)."""
    metrics: list[ComparedMetric] = []
    neutral = set(p.index.comparisons.neutral) if p.index.comparisons else set()
    for metric_id in p.index.metric_ids():
        metric = p.catalog.metrics[metric_id]
        formula = p.catalog.formula(metric_id).expression
        single = isinstance(formula, exp.Column) and formula.name in p.catalog.measures
        metrics.append(
            {
                "id": metric_id,
                "direction": 0 if metric_id in neutral else DIRECTIONS.get(metric.direction, 0),
                "label": label(metric.description, metric_id),
                "limits": object_name("measures", formula.name)
                if single and isinstance(formula, exp.Column) and _has_limits(p, formula.name)
                else None,
            }
        )
    return metrics


def benchmarks_of(p: IndexPlanner) -> tuple[str, ...]:
    """As the spec lists them (validation has made sure the index has neighbours if they are listed), else
    england, group, and neighbours when the index has them."""
    if p.index.comparisons and p.index.comparisons.benchmarks:
        return tuple(b for b in BENCHMARKS if b in p.index.comparisons.benchmarks)
    return tuple(b for b in BENCHMARKS if b != "neighbours" or p.index.peers.neighbours)


def _noun(p: IndexPlanner) -> str:
    types = set(p.catalog.universes[p.index.universe].types)
    return "councils" if types and types <= COUNCIL_TYPES else "areas"


def comparison_nodes(p: IndexPlanner) -> list[Node]:
    """The index's comparisons and trends (tables) and the sentences written from them (a view)."""
    metrics = compared_metrics(p)
    groups = p.index.rank_groups()
    peers = grouping(groups[0] if groups else TYPE_GROUPING)
    benchmarks = benchmarks_of(p)
    neighbours = p.name("neighbours") if "neighbours" in benchmarks else None
    limits = sorted({m["limits"] for m in metrics if m["limits"]})
    words = {
        "england": "every area of the universe",
        "group": "its group",
        "neighbours": "its nearest neighbours",
    }
    comparisons = p.node(
        Layer.PUBLISH,
        p.name("comparisons"),
        [p.name("metric_values"), p.universe, *limits, *edges_read([peers])]
        + ([neighbours] if neighbours else []),
        f"Each metric of index {p.index_id} per area and period against the median of its peers ("
        + ", ".join(words[b] for b in benchmarks)
        + "), by confidence interval where the value has one, else by quintile",
        ComparisonsParams(
            metric_values=p.name("metric_values"),
            universe=p.universe,
            metrics=metrics,
            benchmarks=list(benchmarks),
            grouping=peers,
            neighbours=neighbours,
            positions=POSITIONS,
        ),
    )
    trends = p.node(
        Layer.PUBLISH,
        p.name("trends"),
        [p.name("metric_values"), p.name("scores")],
        f"Mann-Kendall trends of each metric of index {p.index_id} and of its rank, per area, over the "
        f"last {WINDOW} values up to each period",
        TrendsParams(
            metric_values=p.name("metric_values"),
            scores=p.name("scores"),
            metrics=metrics,
            window=WINDOW,
        ),
    )
    sentences = p.node(
        Layer.PUBLISH,
        p.name("sentences"),
        [p.name("scores"), p.universe, p.name("comparisons"), p.name("trends")],
        f"Sentences on each area of index {p.index_id} per period, written from its ranks, "
        "comparisons and trends",
        SentencesParams(
            scores=p.name("scores"),
            universe=p.universe,
            comparisons=p.name("comparisons"),
            trends=p.name("trends"),
            metrics=metrics,
            noun=_noun(p),
        ),
        view=True,
    )
    return [comparisons, trends, sentences]
