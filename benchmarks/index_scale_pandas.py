"""The index methodology of benchmarks/index_scale.py written in pandas, as a capable pandas user would.

The comparator of the index build: the same outputs from the same metric values, spend per head,
population and register, already in memory, their keys categorical as loaded (factorised once, never
again at a groupby). The Monte Carlo draws are one matrix product of the draw weights with the
ranked areas' sub-index scores, ranked per draw and period. Every output is checked against indexc's.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

Tree = list[tuple[str, float, list[tuple[str, float, list[tuple[str, float]]]]]]
KEYS = ("metric", "area_code", "period")


@dataclass(frozen=True)
class Method:
    """What the spec of the benchmark's index says, for the pandas side."""

    index: str
    types: tuple[str, ...]
    min_coverage: float
    top: int
    draws: int
    seed: int
    noise: float


def categorical(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its key columns categorical: how the pandas side holds its inputs."""
    return frame.astype({k: "category" for k in KEYS if k in frame.columns})


def lookup(keys: pd.Series, table: dict) -> np.ndarray:
    """`table` of each categorical key, looked up once per category rather than once per row."""
    return np.asarray([table[c] for c in keys.cat.categories])[keys.cat.codes.to_numpy()]


def aggregate(children: pd.DataFrame, edges: dict[str, tuple[str, float]]) -> pd.DataFrame:
    """Weighted arithmetic mean of each lens's children that have a score (edges: child -> lens, weight);
    the weights present renormalised, and their share of all the lens's weights (its coverage)."""
    x = children.loc[children["score"].notna(), ["child", "area_code", "period", "score"]]
    x = x.astype({"child": "category"})
    lenses = sorted({lens for lens, _ in edges.values()})
    code = {lens: i for i, lens in enumerate(lenses)}
    x = x.assign(
        lens=pd.Categorical.from_codes(
            lookup(x["child"], {c: code[lens] for c, (lens, _) in edges.items()}), lenses
        ),
        weight=lookup(x["child"], {c: w for c, (_, w) in edges.items()}),
    )
    x["ws"] = x["weight"] * x["score"]
    out = x.groupby(["lens", "area_code", "period"], as_index=False, observed=True).agg(
        ws=("ws", "sum"), w=("weight", "sum"), children_used=("weight", "size")
    )
    out = out.astype({"lens": str, "area_code": str, "period": str})  # small from here on
    out["score"] = out["ws"] / out["w"]
    totals: dict[str, float] = {}
    for lens, w in edges.values():
        totals[lens] = totals.get(lens, 0.0) + w
    out["coverage"] = (out["w"] / out["lens"].map(totals)).round(9)
    return out


def kurtosis(deviation: pd.Series, by: np.ndarray) -> pd.Series:
    """Sample excess kurtosis of each group (pandas' Series.kurt, Excel's KURT) from the sums of powers of
    its deviations from the group mean: pandas 2 has no grouped kurt, and apply() would be slower."""
    n, m2, m4 = (
        deviation.groupby(by).count(),
        (deviation**2).groupby(by).sum(),
        (deviation**4).groupby(by).sum(),
    )
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * m4 / (m2 / (n - 1)) ** 2 - 3 * (
        n - 1
    ) ** 2 / ((n - 2) * (n - 3))


def treatment_report(v: pd.DataFrame, g: DataFrameGroupBy) -> pd.DataFrame:
    """What winsorising did to each metric and period: its bounds, the points beyond them, and the shape
    (skewness, kurtosis) and spread of the values before and after."""
    group = g.ngroup().to_numpy()  # integer codes: the grouped sums below factorise nothing
    report = g.agg(
        value_min=("value", "min"),
        value_max=("value", "max"),
        lower_bound=("lower", "first"),
        upper_bound=("upper", "first"),
        skew_before=("value", "skew"),
        skew_after=("treated_value", "skew"),
        treated_min=("treated_value", "min"),
        treated_max=("treated_value", "max"),
        treated_mean=("treated_value", "mean"),
        treated_sd=("treated_value", "std"),
    )
    extra = {
        "high_points": (v["value"] > v["upper"]).groupby(group).sum(),
        "low_points": (v["value"] < v["lower"]).groupby(group).sum(),
        "kurtosis_before": kurtosis(v["value"] - g["value"].transform("mean"), group),
        "kurtosis_after": kurtosis(
            v["treated_value"] - g["treated_value"].transform("mean"), group
        ),
    }
    return report.assign(**{k: x.to_numpy() for k, x in extra.items()}).reset_index()


def rank_desc(score: pd.Series, by: list[pd.Series]) -> pd.Series:
    """Competition rank, best first, ties at 9 decimals."""
    return score.round(9).groupby(by, observed=True).rank(method="min", ascending=False)


def pandas_method(
    values: pd.DataFrame,
    register: pd.DataFrame,
    spend_per_head: pd.DataFrame,
    population: pd.DataFrame,
    tree: Tree,
    polarity: dict[str, int],
    method: Method,
) -> dict:
    """Everything but the Monte Carlo draws, from `values` with categorical keys (metric, area_code, period)."""
    areas = register[register["type"].isin(method.types)][["area_code", "type"]]
    v = values[values["area_code"].isin(areas["area_code"])].reset_index(drop=True)
    g = v.groupby(["metric", "period"], observed=True)
    v["lower"] = g["value"].transform("quantile", 0.05)
    v["upper"] = g["value"].transform("quantile", 0.95)
    v["treated_value"] = v["value"].clip(v["lower"], v["upper"])
    g = v.groupby(["metric", "period"], observed=True)  # the same groups, the new columns in them
    started = time.perf_counter()
    report = treatment_report(v, g)
    report_s = time.perf_counter() - started
    v["o"] = v["treated_value"] * lookup(v["metric"], polarity)
    low, high = g["o"].transform("min"), g["o"].transform("max")
    v["score"] = (1 + 99 * (v["o"] - low) / (high - low)).where(high > low)

    pillars = aggregate(
        v.rename(columns={"metric": "child"}),
        {k: (p, w) for _, _, ps in tree for p, _, ms in ps for k, w in ms},
    )
    subs = aggregate(
        pillars.rename(columns={"lens": "child"}),
        {p: (s, w) for s, _, ps in tree for p, w, _ in ps},
    )
    lenses = pd.concat([pillars, subs], ignore_index=True)
    lenses["rank"] = rank_desc(lenses["score"], [lenses["lens"], lenses["period"]])

    scores = aggregate(
        subs.rename(columns={"lens": "child"}), {s: (method.index, w) for s, w, _ in tree}
    )
    scores["ranked"] = scores["coverage"] >= method.min_coverage
    scores["rank"] = rank_desc(scores["score"].where(scores["ranked"]), [scores["period"]])
    periods = sorted(scores["period"].unique())
    previous = scores[["area_code", "period", "rank"]].assign(
        period=lambda d: d["period"].map(dict(itertools.pairwise(periods)))
    )
    scores = scores.merge(
        previous.rename(columns={"rank": "previous_rank"}), on=["area_code", "period"], how="left"
    )
    scores["rank_change"] = scores["previous_rank"] - scores["rank"]

    ranked = [
        scores.loc[scores["ranked"], ["area_code", "period", "score"]].assign(lens="*"),
        lenses.loc[lenses["score"].notna(), ["lens", "area_code", "period", "score"]],
    ]  # the index's ranked areas and every lens's scored ones, each ranked within its type
    groups = pd.concat(ranked, ignore_index=True).merge(areas, on="area_code")
    groups["rank"] = rank_desc(groups["score"], [groups["lens"], groups["type"], groups["period"]])

    pairs = subs[subs["lens"] == "outcomes"].merge(spend_per_head, on=["area_code", "period"])
    pairs["spend_index"] = pairs["spend"] / pairs.groupby("period")["spend"].transform("mean")
    pairs["productivity"] = pairs["score"] / pairs["spend_index"]
    for column, by in (
        ("outcome_rank", "score"),
        ("spend_rank", "spend"),
        ("productivity_rank", "productivity"),
    ):
        pairs[column] = rank_desc(pairs[by], [pairs["period"]])

    costs = spend_per_head.merge(areas, on="area_code")
    costs["benchmark"] = costs.groupby(["type", "period"])["spend"].transform("quantile", 0.25)
    costs = costs.merge(population, on=["area_code", "period"], how="left")
    costs["amount"] = (costs["spend"] - costs["benchmark"]).clip(lower=0) * costs["volume"]
    totals = costs.groupby("period", as_index=False)["amount"].sum()
    totals = pd.concat(
        [totals.assign(lens="*"), totals.assign(lens="resources")], ignore_index=True
    )

    named = scores.merge(register[["area_code", "name"]], on="area_code")
    improved = named.dropna(subset=["rank_change"])
    improved = improved.assign(
        position=improved.groupby("period")["rank_change"].rank(method="min", ascending=False)
    )
    improved = improved[improved["position"] <= method.top]
    return {
        "treatment": report,
        "metric_scores": v,
        "lens_scores": lenses,
        "scores": scores,
        "group_ranks": groups,
        "productivity": pairs,
        "savings": costs,
        "savings_totals": totals,
        "most_improved": improved,
        "named": named,
        "subs": subs,
        "report_seconds": report_s,
    }


def pandas_top(ours: dict, stability: pd.DataFrame, top: int) -> pd.DataFrame:
    """The Top N of every period with what is published beside it."""
    named = ours["named"][ours["named"]["rank"] <= top]
    saved = ours["savings"].groupby(["area_code", "period"], as_index=False)["amount"].sum()
    return (
        named.merge(
            ours["productivity"][["area_code", "period", "productivity", "productivity_rank"]],
            on=["area_code", "period"],
            how="left",
        )
        .merge(saved.rename(columns={"amount": "savings"}), on=["area_code", "period"], how="left")
        .merge(stability, on=["area_code", "period"], how="left")
    )


def draw_weights(subs: list[tuple[str, float]], method: Method) -> np.ndarray:
    """draws x sub-indexes: draw d scales sub-index i's weight by 1 - noise + 2 noise frac((d + seed) alpha_i),
    alpha_i the fractional part of the square root of the i-th prime (docs/methodology.md, section 9)."""
    primes = [n for n in range(2, 100) if all(n % d for d in range(2, int(n**0.5) + 1))]
    alphas = np.array([math.sqrt(p) - math.floor(math.sqrt(p)) for p in primes[: len(subs)]])
    t = (np.arange(1, method.draws + 1)[:, None] + method.seed) * alphas
    return np.array([w for _, w in subs]) * (
        1 - method.noise + 2 * method.noise * (t - np.floor(t))
    )


def pandas_stability(
    subs: pd.DataFrame, scores: pd.DataFrame, tree: Tree, method: Method
) -> pd.DataFrame:
    """Re-aggregate the sub-indexes of every ranked area under each draw's weights (one matrix product),
    rank each draw within its period, and summarise each area's ranks over the draws."""
    names = [(s, w) for s, w, _ in tree]
    ranked = scores.loc[scores["ranked"], ["area_code", "period"]]
    wide = (
        subs.pivot(index=["area_code", "period"], columns="lens", values="score")
        .reindex(columns=[s for s, _ in names])
        .reindex(pd.MultiIndex.from_frame(ranked))
        .sort_index(level="period")
    )
    s = wide.to_numpy()
    present = ~np.isnan(s)
    weights = draw_weights(names, method)  # draws x subs
    drawn = (weights @ np.where(present, s, 0.0).T) / (weights @ present.T)  # draws x areas
    drawn = np.round(drawn, 9)
    period = wide.index.get_level_values("period").to_numpy()
    ranks = np.empty_like(drawn)
    for start, stop in zip(*_runs(period), strict=True):
        block = drawn[:, start:stop]  # every draw of one period: rank = 1 + how many score higher
        ranks[:, start:stop] = 1 + (block[:, None, :] > block[:, :, None]).sum(axis=2)
    q = np.quantile(ranks, [0.5, 0.05, 0.95], axis=0)
    return pd.DataFrame(
        {
            "area_code": wide.index.get_level_values("area_code"),
            "period": period,
            "median_rank": q[0],
            "rank_p05": q[1],
            "rank_p95": q[2],
            "p_top": (ranks <= method.top).mean(axis=0),
        }
    )


def _runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and stops of the runs of equal keys in a sorted array."""
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return starts, np.r_[starts[1:], len(sorted_keys)]


def max_diff(
    ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], columns: list[str], relative=False
) -> float:
    """Largest difference over `columns`; inf when a row or a missing value is on one side only."""
    ours = ours.astype({k: str for k in keys if isinstance(ours[k].dtype, pd.CategoricalDtype)})
    both = ours.merge(theirs, on=keys, how="outer", suffixes=("_pd", "_ix"), indicator=True)
    if (both["_merge"] != "both").any():
        return math.inf
    worst = 0.0
    for c in columns:
        a, b = both[f"{c}_pd"].astype(float), both[f"{c}_ix"].astype(float)
        if (a.isna() != b.isna()).any():
            return math.inf
        d = (a - b).abs() / (b.abs().clip(lower=1) if relative else 1)
        worst = max(worst, float(d.max()) if d.notna().any() else 0.0)
    return worst
