"""The methodology in brief, in words, from the index's spec: what a reader needs to judge the ranking
(how values are treated and normalised, what happens to missing values, how lenses combine and with
what weights) without reading YAML. The full method is docs/methodology.md; this says which of its
options the index uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexc.plan.index_planner import weight
from indexc.spec.indexes import Index
from indexc.spec.methods import Aggregation, Normalisation, Treatment


@dataclass(frozen=True)
class LensWeight:
    lens: str
    weight: float | None  # None: shown, no weight (a status)
    share: float | None
    what: str  # its description, or what it reads
    status: str  # "" or the status and its reason


@dataclass(frozen=True)
class Methodology:
    steps: tuple[tuple[str, str], ...]  # (step, what the index does)
    lenses: tuple[LensWeight, ...]
    formula: str  # the index score, and the contribution formula the chart uses
    additive: bool  # whether the contributions add up to the score


def normalisation(step: Normalisation) -> str:
    method = step.method
    if method == "minmax":
        return f"min-max, rescaled to {step.low:g}-{step.high:g} (best = {step.high:g})"
    if method == "zscore":
        mean = 0.0 if step.mean is None else step.mean
        sd = 1.0 if step.sd is None else step.sd
        return f"z-score (mean {mean:g}, standard deviation {sd:g})"
    if method == "goalpost":
        return f"goalposts: worst {step.worst:g}, target {step.target:g}"
    return {
        "percentile_rank": "percentile rank (0-1)",
        "rank": "rank (average ranks for ties)",
        "borda": "Borda count",
    }[method]


def treatment(step: Treatment) -> str:
    if step.method == "none":
        return "none"
    if step.method == "log":
        return "log transform"
    if step.method == "winsorise":
        return f"winsorised at the {step.lower:.0%} and {step.upper:.0%} percentiles"
    return (
        f"JRC rule: winsorise up to {step.max_points} points while |skewness| >= {step.skew:g} "
        f"and kurtosis >= {step.kurtosis:g}, else log-transform"
    )


def aggregation(step: Aggregation) -> str:
    if step.method == "generalised":
        return f"weighted generalised mean (p = {step.p:g})"
    return f"weighted {step.method} mean"


def _formula(step: Aggregation) -> tuple[str, bool]:
    if step.method == "arithmetic":
        return (
            "score = Σ wₗ·sₗ / Σ wₗ over the lenses the council has a score for; the chart shows "
            "each lens's contribution wₗ·sₗ / Σ wₗ, and the contributions add up to the score",
            True,
        )
    return (
        f"the score is the {aggregation(step)} of the lens scores, so the lenses' parts do not add "
        "up to it; the chart shows each lens's weighted score wₗ·sₗ / Σ wₗ (over the lenses the "
        "council has a score for) as its relative weight in the score",
        False,
    )


def methodology(index: Index) -> Methodology:
    method = index.method
    missing = (
        "reweighted: a council is scored on the lenses and metrics it has, their weights rescaled"
        if isinstance(method.missing, str)
        else f"imputed: the {method.missing.impute} of the council's {method.missing.group}"
    )
    overrides = sorted(method.overrides)
    steps = [
        ("Treatment of outliers", treatment(method.treat)),
        ("Normalisation", normalisation(method.normalise)),
        (
            "Scope",
            "within each period" if method.scope == "period" else "over all periods together",
        ),
        ("Missing values", missing),
        ("Aggregation", aggregation(method.aggregate)),
    ]
    if overrides:
        steps.append(("Metric overrides", ", ".join(overrides)))
    if method.min_coverage:
        steps.append(
            (
                "Ranked",
                f"only councils whose scored lenses carry at least {method.min_coverage:.0%} of the weight",
            )
        )
    if method.screen:
        rules = [
            f"under {share:.0%} of " + (f"lens {lens}'s metrics" if lens else "the index's metrics")
            for lens, share in method.screen.rules()
        ]
        steps.append(("Screened out", "councils with a value for " + "; or ".join(rules)))
    if index.stability:
        s = index.stability
        steps.append(
            (
                "Rank interval",
                f"5th-95th percentile rank over {s.draws} draws of the lens weights "
                f"(±{s.weight_noise:.0%}, seed {s.seed})",
            )
        )
    weighted = [lens for lens in index.lenses if lens.carries_weight]
    total = sum(weight(lens.weight) for lens in weighted)
    lenses = tuple(
        LensWeight(
            lens.id,
            weight(lens.weight) if lens.carries_weight else None,
            weight(lens.weight) / total if lens.carries_weight and total else None,
            lens.description
            or (
                f"index {lens.index.id}" + (f", lens {lens.index.lens}" if lens.index.lens else "")
                if lens.index
                else ""
            ),
            f"{lens.status}: {lens.reason}".strip(": ") if lens.status else "",
        )
        for lens in index.lenses
    )
    formula, additive = _formula(method.aggregate)
    return Methodology(tuple(steps), lenses, formula, additive)
