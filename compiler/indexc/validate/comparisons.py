"""Rules IX340-IX342: an index's `comparisons` names benchmarks it can compute and metrics it has.

Comparisons (docs/methodology.md, section 11) are against every area, the area's group and its nearest
neighbours; the last needs the index's neighbours, so asking for it without them is refused rather
than giving rows that compare with nothing. A neutral metric the index does not have would silently
change nothing, so it is refused with the metric meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.indexes import Comparisons
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def _comparisons(
    index_id: str,
    comparisons: Comparisons,
    has_neighbours: bool,
    metrics: list[str],
    catalog: Catalog,
) -> Iterator[Diagnostic]:
    where = lambda *rel: catalog.where("indexes", index_id, "comparisons", *rel)  # noqa: E731
    seen: set[str] = set()
    for i, benchmark in enumerate(comparisons.benchmarks or ()):
        if benchmark in seen:
            yield Diagnostic(
                Code.BENCHMARK_TWICE,
                f"index '{index_id}' names benchmark '{benchmark}' twice",
                where("benchmarks", i),
                "name each benchmark once",
            )
        seen.add(benchmark)
        if benchmark == "neighbours" and not has_neighbours:
            yield Diagnostic(
                Code.COMPARISON_WITHOUT_NEIGHBOURS,
                f"index '{index_id}' compares with its neighbours, but has none",
                where("benchmarks", i),
                "declare peers: {neighbours: ...} on the index, or leave neighbours out of benchmarks",
            )
    for i, metric in enumerate(comparisons.neutral):
        if metric not in metrics:
            yield Diagnostic(
                Code.NEUTRAL_UNKNOWN_METRIC,
                f"index '{index_id}' shows metric '{metric}' as neutral, but has no such metric",
                where("neutral", i),
                did_you_mean(metric, metrics) or f"its metrics are {', '.join(metrics)}",
            )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        if index.comparisons is not None:
            yield from _comparisons(
                index_id,
                index.comparisons,
                index.peers.neighbours is not None,
                index.metric_ids(),
                catalog,
            )
