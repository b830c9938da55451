"""Screening by data availability (docs/methodology.md, "Screening"), before imputation.

Each rule is a share of a set of metrics: `min_share` of all the index's metrics, and one per entry
of `lenses` over the metrics under that lens. An area's share in a period counts the rule's metrics
it has an observed value of, out of those some area of the universe has a value of that period (a
metric nobody has counts against no one). An area below the share of any rule is left out of the
period: `screened` lists it once per rule failed, and Inputs.screened makes every later step skip it.
"""

from __future__ import annotations

from reference.inputs import Inputs
from reference.spec import IndexSpec, Node, find_lens

COLUMNS = [
    "area_code",
    "period",
    "rule",
    "lens",
    "share",
    "threshold",
    "metrics_with_value",
    "metrics",
]


def metrics_under(node: Node) -> list[str]:
    """Every metric under a lens at any depth, once."""
    found: list[str] = []
    for child in node.children:
        for metric in [child.id] if child.kind == "metric" else metrics_under(child):
            if metric not in found:
                found.append(metric)
    return found


def rules(index: IndexSpec) -> list[tuple[str, str | None, list[str], float]]:
    """(rule, lens, metrics, threshold) of each rule of `method.screen`: the index's first."""
    screen = index.screen
    if not screen:
        return []
    out: list[tuple[str, str | None, list[str], float]] = []
    if screen["min_share"] is not None:
        out.append(("index", None, index.metric_ids(), screen["min_share"]))
    for lens_id, share in screen["lenses"].items():
        lens = find_lens(index.lenses, lens_id)
        if lens is None:
            raise KeyError(
                f"index {index.id!r} screens on lens {lens_id!r}, which it does not have"
            )
        out.append(("lens", lens_id, metrics_under(lens), share))
    return out


def screen(index: IndexSpec, inputs: Inputs, periods: list[str]) -> list[dict]:
    """The `screened` rows; also records the areas left out in `inputs.screened`."""
    out: list[dict] = []
    for period in periods:
        members = inputs.members(period)
        having: dict[str, set[str]] = {}  # metric -> the members with an observed value
        for rule, lens, metrics, threshold in rules(index):
            for metric in metrics:
                if metric not in having:
                    values = inputs.metrics.get(metric, {})
                    having[metric] = {a for (a, p) in values if p == period and a in members}
            published = [m for m in metrics if having[m]]
            if not published:
                continue  # no metric of the rule has a value: it counts against no one
            for area in sorted(members):
                count = sum(area in having[m] for m in published)
                share = count / len(published)
                if share < threshold:
                    inputs.screened.add((area, period))
                    row = [area, period, rule, lens, share, threshold, count, len(published)]
                    out.append(dict(zip(COLUMNS, row, strict=True)))
    return out
