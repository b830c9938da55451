"""Steps 1-3 of docs/methodology.md: imputation, treatment and normalisation of each metric.

One function per step so a discrepancy with the SQL can be traced to the step that produced it; the
output rows have the columns of `metric_scores` and `treatment` in the doc's "Output tables".
"""

from __future__ import annotations

import math

from reference.inputs import Inputs
from reference.spec import IndexSpec
from reference.stats import mean, quantile, sample_sd, skew_kurtosis


def impute(
    index: IndexSpec, inputs: Inputs, metric: str, period: str
) -> dict[str, tuple[float, bool]]:
    """Area -> (value, imputed) for one metric and period (§1): the observed values of the universe,
    plus, with `impute`, the mean or median of the observed values of the area's group. Only the
    areas kept by screening take part."""
    members = inputs.kept(period)
    observed = {
        a: v for (a, p), v in inputs.metrics.get(metric, {}).items() if p == period and a in members
    }
    rows = {a: (v, False) for a, v in observed.items()}
    missing = index.method["missing"]
    if missing["method"] != "impute" or not observed:
        return rows
    grouping = missing["group"]
    for area in sorted(members):
        if area in observed:
            continue
        group = inputs.group_of(grouping, area, period)
        if group is None:
            continue
        peers = [v for a, v in observed.items() if inputs.group_of(grouping, a, period) == group]
        if peers:
            value = mean(peers) if missing["impute"] == "mean" else quantile(peers, 0.5)
            rows[area] = (value, True)
    return rows


def winsorise_points(values: list[float], high: int, low: int) -> list[float]:
    """Values above the (high+1)-th largest set to it, below the (low+1)-th smallest set to it."""
    ordered = sorted(values)
    top, bottom = ordered[len(ordered) - 1 - high], ordered[low]
    return [min(max(x, bottom), top) for x in values]


def log_shift(values: list[float]) -> list[float]:
    low = min(values)
    return [math.log(x - low + 1) for x in values]


def treat(method: dict, values: list[float]) -> tuple[list[float], dict]:
    """Treated values and the `treatment` report for one metric and scope (§2)."""
    name = method["method"]
    before = skew_kurtosis(values)
    high = low = 0
    logged = False
    treated = list(values)
    if name == "winsorise":
        lo, hi = (
            quantile(values, method.get("lower", 0.05)),
            quantile(values, method.get("upper", 0.95)),
        )
        treated = [min(max(x, lo), hi) for x in values]
        high, low = sum(x > hi for x in values), sum(x < lo for x in values)
    elif name == "log":
        treated, logged = log_shift(values), True
    elif name == "jrc" and len(values) >= 4:
        limit = int(method.get("max_points", 5))
        skew_limit, kurtosis_limit = (
            float(method.get("skew", 2)),
            float(method.get("kurtosis", 3.5)),
        )

        def rule(xs: list[float]) -> tuple[bool, float | None]:
            g1, g2 = skew_kurtosis(xs)
            holds = (
                g1 is not None and g2 is not None and abs(g1) >= skew_limit and g2 >= kurtosis_limit
            )
            return holds, g1

        holds, g1 = rule(treated)
        while high + low < limit and holds:
            if g1 > 0:
                high += 1
            else:
                low += 1
            treated = winsorise_points(values, high, low)
            holds, g1 = rule(treated)
        if high + low == limit and holds:
            # Winsorising is abandoned: log of the original values, on the side of their skew.
            logged, high, low = True, 0, 0
            if before[0] > 0:
                treated = log_shift(values)
            else:
                top = max(values)
                treated = [-math.log(top - x + 1) for x in values]
    elif name not in ("jrc", "none"):
        raise ValueError(f"unknown treatment {name!r}")
    after = skew_kurtosis(treated)
    report = {
        "method": name,
        "high_points": high,
        "low_points": low,
        "log_applied": logged,
        "skew_before": before[0],
        "kurtosis_before": before[1],
        "skew_after": after[0],
        "kurtosis_after": after[1],
    }
    return treated, report


def normalise(method: dict, treated: list[float], oriented: list[float]) -> list[float | None]:
    """Scores of one scope (§3); `oriented` has the direction applied, goalposts read `treated`."""
    name = method["method"]
    n = len(oriented)
    if name == "goalpost":
        worst, target = float(method["worst"]), float(method["target"])
        scores = [100 * (t - worst) / (target - worst) for t in treated]
        if method.get("cap", True):
            scores = [min(max(s, 0.0), 100.0) for s in scores]
        return scores
    if n == 0 or max(oriented) == min(oriented):
        return [None] * n  # no spread: no score
    if name == "zscore":
        centre, spread = mean(oriented), sample_sd(oriented)
        m, s = float(method.get("mean", 0)), float(method.get("sd", 1))
        return [m + s * (o - centre) / spread for o in oriented]
    if name == "minmax":
        low, high = float(method.get("low", 0)), float(method.get("high", 100))
        lo, hi = min(oriented), max(oriented)
        return [low + (high - low) * (o - lo) / (hi - lo) for o in oriented]
    below = [sum(1 for q in oriented if q < o) for o in oriented]
    if name == "percentile_rank":
        return [100 * b / (n - 1) for b in below]
    if name == "rank":
        tied = [sum(1 for q in oriented if q == o) for o in oriented]
        return [b + 1 + (t - 1) / 2 for b, t in zip(below, tied, strict=True)]
    if name == "borda":
        return [float(b) for b in below]
    raise ValueError(f"unknown normalisation {name!r}")


def metric_scores(
    index: IndexSpec, inputs: Inputs, directions: dict[str, str], periods: list[str]
) -> tuple[list[dict], list[dict]]:
    """`metric_scores` and `treatment` rows of an index."""
    scores: list[dict] = []
    reports: list[dict] = []
    panel = index.method["scope"] == "panel"
    for metric in index.metric_ids():
        rows = [
            {"metric": metric, "area_code": a, "period": p, "value": v, "imputed": imp}
            for p in periods
            for a, (v, imp) in sorted(impute(index, inputs, metric, p).items())
        ]
        scopes = [rows] if panel else [[r for r in rows if r["period"] == p] for p in periods]
        for scope_rows in scopes:
            if not scope_rows:
                continue
            values = [r["value"] for r in scope_rows]
            treatment = index.treat_of(metric)
            treated, report = treat(treatment, values)
            if treatment["method"] != "none":
                reports.append(
                    {
                        "metric": metric,
                        "period": None if panel else scope_rows[0]["period"],
                        **report,
                    }
                )
            sign = 1 if directions[metric] == "higher_is_better" else -1
            normalised = normalise(index.normalise_of(metric), treated, [sign * t for t in treated])
            for row, t, s in zip(scope_rows, treated, normalised, strict=True):
                scores.append({**row, "treated_value": t, "score": s})
    return scores, reports
