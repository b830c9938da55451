"""What computing an index costs on DuckDB, next to one scan of its data and next to pandas.

Every `indexc run` rebuilds each index from every value of every metric, so the methodology of
docs/methodology.md must stay cheap beside the work a project does anyway. On a synthetic
national panel (153 councils of four types x 15 financial years x 2,000 measures of one long
source, 5% missing; one metric per measure in 20 pillars under 4 sub-indexes; winsorised,
min-max normalised, reweighted; productivity, type groups, a saving, 1,000 Monte Carlo draws):

- building the index costs at most 3x one plain GROUP BY scan of the same rows;
- it is at least 10x faster than the same methodology written plainly in pandas;
- the national panel needs at most 4 GB of memory.

What each side includes. The DuckDB sides run alternately in one process and one connection to
the database the build loaded, each statement a CREATE TABLE AS in autocommit, after a warm-up:
- the scan: `SELECT item, period, AVG(value), COUNT(*) FROM source__panel GROUP BY ALL` over
  the loaded long source table (every cell of the 2,000 measures, blanks included), and the same
  GROUP BY per cell (`item, area_code, period`), which writes one row per value as the index's
  first objects must: no build that keeps a score per value can come near 3x the first;
- the index build: every compiled statement of the index, `index__national__*`: the literal tables
  (`__bindings`, `__rules`, `__metric_edges`), `__metric_values` through `__top`, `__stability` (the
  draws) included. `metric_values` and `metric_scores` are views (creating them costs nothing;
  their readers pay for them), as `indexc run` builds them. The metric views, and the universe and
  population views the index reads, are first copied into tables of the same names: they are
  views over the source and would make the build pay 2,000 filtered scans of it (reported apart,
  from the warm-up, which is the build as `indexc run` executes it). So it is the methodology
  against one scan; reading files is part of neither side.
- pandas: the same outputs (the treatment and its report of what was treated: bounds, points
  beyond them, skewness, kurtosis and spread before and after; normalisation; the lens tree with
  each lens's coverage; index, group and previous ranks; productivity; savings and their totals
  per lens; the most improved and the Top N; the Monte Carlo draws timed apart), written plainly
  with merge/groupby/transform from the same metric values, spend per head, population and
  register, already in memory. Every output must agree with indexc's to 1e-6. The report is
  timed apart too, as a part of the whole: until 2026-11-27 the pandas side left it out, though
  indexc's treatment computes it.

Memory: peak RSS of the process (ru_maxrss; DuckDB runs in-process) when the DuckDB timings end,
which the target is judged on, and at the end (pandas included); DuckDB's own peak, from
duckdb_memory() sampled every 50 ms on a second cursor.

Run from the project root:  python benchmarks/index_scale.py [--repeat N] [--quick]
Generation is deterministic (fixed seed) and needs no network.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

import indexc
from indexc.engines import duckdb as duckdb_engine
from indexc.plan.nodes import TemplateNode
from indexc.plan.template_params import LiteralTableParams
from indexc.project import Project

SEED = 20260101
TYPES = (
    ("county", "E10", 21),
    ("metropolitan", "E08", 36),
    ("london", "E09", 33),
    ("unitary", "E06", 63),
)
FIRST_YEAR, PERIODS = 2010, 15
SUBS = (("outcomes", 3.0), ("services", 2.0), ("resources", 2.0), ("governance", 1.0))
PILLARS_PER_SUB, MISSING, LOWER_IS_BETTER = 5, 0.05, 0.4
MIN_COVERAGE, TOP, SEED_MC, NOISE = 0.5, 10, 1, 0.25
SCHEMA, INDEX, BENCH = "index_bench", "national", "timing"
TARGET_SCAN, TARGET_PANDAS, TARGET_GB, TOLERANCE = 3.0, 10.0, 4.0, 1e-6


# --- generation --------------------------------------------------------------------------
def label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def lens_tree(
    n_measures: int,
) -> list[tuple[str, float, list[tuple[str, float, list[tuple[str, float]]]]]]:
    """[(sub-index, weight, [(pillar, weight, [(metric, weight)])])]: metrics split evenly over 20 pillars."""
    per, tree = n_measures // (len(SUBS) * PILLARS_PER_SUB), []
    for s, (sub, weight) in enumerate(SUBS):
        pillars = []
        for p in range(s * PILLARS_PER_SUB, (s + 1) * PILLARS_PER_SUB):
            metrics = [
                (f"k_{i:04d}", 0.5 if i % 10 == 9 else 1.0) for i in range(p * per, (p + 1) * per)
            ]
            pillars.append((f"pillar_{p + 1:02d}", 1.0 + p % 2, metrics))
        tree.append((sub, weight, pillars))
    return tree


def write_data(
    root: Path, codes: list[str], polarity: np.ndarray, rng: np.random.Generator
) -> None:
    """The long panel (ordered by item, as published) and a wide finance file, as Parquet."""
    n_areas, n_measures = len(codes), len(polarity)
    # a latent quality per council that each measure loads on (in its direction), a trend and noise; a third
    # of the measures lognormal (skewed, so that winsorising bites); rounded as published
    quality, mu = rng.normal(size=n_areas), rng.uniform(10, 1000, n_measures)
    load, skewed = rng.uniform(0.2, 1.0, n_measures) * polarity, rng.random(n_measures) < 1 / 3
    m, p, a = (
        x.ravel()
        for x in np.meshgrid(
            np.arange(n_measures), np.arange(PERIODS), np.arange(n_areas), indexing="ij"
        )
    )
    z = load[m] * quality[a] + 0.03 * p + rng.normal(size=m.size) * 0.6
    value = np.round(np.where(skewed[m], mu[m] * np.exp(0.4 * z), mu[m] * (1 + 0.1 * z)), 3)
    r = rng.random(m.size)
    value[(r >= MISSING / 2) & (r < MISSING)] = np.nan  # blank cells; r < MISSING / 2: absent rows
    keep = r >= MISSING / 2
    cells = pd.DataFrame(
        {
            "m": m[keep].astype(np.int32),
            "p": p[keep].astype(np.int32),
            "a": a[keep].astype(np.int32),
            "v": value[keep],
        }
    )
    area_df = pd.DataFrame({"a": range(n_areas), "code": codes})
    period_df = pd.DataFrame(
        {"p": range(PERIODS), "label": [label(FIRST_YEAR + y) for y in range(PERIODS)]}
    )
    people, per_head = rng.uniform(80_000, 1_500_000, n_areas), rng.uniform(300, 900, n_areas)
    finance = pd.DataFrame(
        [
            (
                codes[i],
                label(FIRST_YEAR + y),
                round(people[i] * 1.007**y),
                round(
                    per_head[i]
                    * (1 + 0.02 * y + rng.normal() * 0.05)
                    * people[i]
                    * 1.007**y
                    / 1000,
                    1,
                ),
            )
            for i in range(n_areas)
            for y in range(PERIODS)
        ],
        columns=["area", "year", "residents", "spend"],
    )
    con = duckdb.connect()
    for name, frame in (
        ("cells", cells),
        ("area_df", area_df),
        ("period_df", period_df),
        ("finance", finance),
    ):
        con.register(name, frame)
    con.execute(
        f"COPY (SELECT x.code, y.label AS period, 'M' || lpad(c.m::VARCHAR, 4, '0') AS item, c.v AS value "
        f"FROM cells AS c JOIN area_df AS x USING (a) JOIN period_df AS y USING (p) ORDER BY c.m, c.p, c.a) "
        f"TO '{root / 'data' / 'panel.parquet'}' (FORMAT parquet)"
    )
    con.execute(f"COPY finance TO '{root / 'data' / 'finance.parquet'}' (FORMAT parquet)")
    con.close()


def write_project(root: Path, n_measures: int, draws: int) -> dict[str, int]:
    """Specs, target and data of the panel; returns each metric's polarity (+1: higher is better)."""
    rng = np.random.default_rng(SEED)
    codes = [f"{prefix}{i + 1:06d}" for _, prefix, n in TYPES for i in range(n)]
    kinds = [kind for kind, _, n in TYPES for _ in range(n)]
    polarity = np.where(rng.random(n_measures) < LOWER_IS_BETTER, -1, 1)
    for sub in ("data", "specs", "targets"):
        (root / sub).mkdir(parents=True)
    (root / "data" / "councils.csv").write_text(
        "code,name,kind,in_force_from,in_force_to\n"
        + "".join(
            f"{c},Council {i + 1},{k},,\n"
            for i, (c, k) in enumerate(zip(codes, kinds, strict=True))
        )
    )
    write_data(root, codes, polarity, rng)

    items = "".join(f"      M{i:04d}: Synthetic indicator {i}\n" for i in range(n_measures))
    measures = "".join(
        f"  - {{id: m_{i:04d}, unit: score, additivity: mean, weighted_by: population, "
        f"bindings: [{{source: panel, item: M{i:04d}}}]}}\n"
        for i in range(n_measures)
    )
    metrics = "".join(
        f"  - {{id: k_{i:04d}, version: 1, formula: m_{i:04d}, direction: "
        f"{'higher_is_better' if polarity[i] > 0 else 'lower_is_better'}, unit: score}}\n"
        for i in range(n_measures)
    )
    (root / "specs" / "inputs.yaml").write_text(f"""indexc: 2
sources:
  - {{id: councils, layout: register,
     columns: {{area: code, name: name, type: kind, valid_from: in_force_from, valid_to: in_force_to}}}}
  - {{id: finance, layout: wide, columns: {{area: area, period: year}},
     period: {{grain: financial_year, format: "YYYY-YY"}}, items: {{spend: Spend (GBP 000), residents: Residents}}}}
  - id: panel
    layout: long
    columns: {{area: code, period: period, item: item, value: value}}
    period: {{grain: financial_year, format: "YYYY-YY"}}
    items:
{items}measures:
  - {{id: spend, unit: gbp_thousands, additivity: sum, bindings: [{{source: finance, item: spend}}]}}
  - {{id: population, unit: people, additivity: sum, bindings: [{{source: finance, item: residents}}]}}
{measures}metrics:
  - {{id: spend_per_head, version: 1, formula: spend * 1000 / population, direction: lower_is_better,
     unit: gbp_per_head}}
{metrics}universes:
  - {{id: upper_tier, register: councils, types: [{", ".join(k for k, _, _ in TYPES)}]}}
""")
    lenses = "".join(
        f"      - id: {sub}\n        weight: {w:g}\n        lenses:\n"
        + "".join(
            f"          - id: {pillar}\n            weight: {pw:g}\n            metrics:\n"
            + "".join(
                f"              - {k}\n"
                if mw == 1
                else f"              - {{metric: {k}, weight: {mw:g}}}\n"
                for k, mw in ms
            )
            for pillar, pw, ms in pillars
        )
        for sub, w, pillars in lens_tree(n_measures)
    )
    (root / "specs" / "index.yaml").write_text(f"""indexc: 2
indexes:
  - id: {INDEX}
    version: "1"
    universe: upper_tier
    method:
      missing: reweight
      min_coverage: {MIN_COVERAGE}
      treat: {{method: winsorise, lower: 0.05, upper: 0.95}}
      normalise: {{method: minmax, low: 1, high: 100}}
      scope: period
      aggregate: arithmetic
    lenses:
{lenses}    productivity: [{{lens: outcomes, spend: spend_per_head, method: ratio}}]
    peers: {{groups: [type]}}
    savings:
      - {{id: spend_vs_type, lens: resources, unit_cost: spend_per_head, volume: population, peers: type,
         quantile: 0.25, improvement: 1.0, scale: 1}}
    stability: {{draws: {draws}, seed: {SEED_MC}, weight_noise: {NOISE}}}
    publish: {{top: {TOP}, period: latest}}
""")
    (root / "targets" / "duckdb.yaml").write_text(
        f"indexc: 2\ntarget: duckdb\ndatabase: build/bench.duckdb\nbuild_schema: {SCHEMA}\nrelations:\n"
        "  councils: {path: data/councils.csv}\n  finance: {path: data/finance.parquet}\n"
        "  panel: {path: data/panel.parquet}\n"
    )
    return {f"k_{i:04d}": int(polarity[i]) for i in range(n_measures)}


# --- the same methodology in pandas ------------------------------------------------------
def aggregate(children: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Weighted arithmetic mean of each lens's children that have a score; the weights present renormalised,
    and their share of all the lens's weights (its coverage)."""
    x = children.dropna(subset=["score"]).merge(edges, on="child")
    x["ws"] = x["weight"] * x["score"]
    out = x.groupby(["lens", "area_code", "period"], as_index=False).agg(
        ws=("ws", "sum"), w=("weight", "sum"), children_used=("weight", "size")
    )
    out["score"] = out["ws"] / out["w"]
    totals = edges.groupby("lens")["weight"].sum()
    out["coverage"] = (out["w"] / out["lens"].map(totals)).round(9)
    return out


def kurtosis(deviation: pd.Series, by: pd.Series) -> pd.Series:
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


def treatment_report(v: pd.DataFrame) -> pd.DataFrame:
    """What winsorising did to each metric and period: its bounds, the points beyond them, and the shape
    (skewness, kurtosis) and spread of the values before and after."""
    g = v.groupby(["metric", "period"])
    group = (
        g.ngroup()
    )  # the groups' codes, so that the grouped sums below do not factorise the keys again
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
    return score.round(9).groupby(by).rank(method="min", ascending=False)


def pandas_method(
    values, register, spend_per_head, population, tree, polarity
) -> dict[str, pd.DataFrame]:
    """Everything but the Monte Carlo draws."""
    areas = register[register["type"].isin([k for k, _, _ in TYPES])][["area_code", "type"]]
    v = values.merge(areas, on="area_code")
    g = v.groupby(["metric", "period"])["value"]
    v["lower"], v["upper"] = g.transform("quantile", 0.05), g.transform("quantile", 0.95)
    v["treated_value"] = v["value"].clip(v["lower"], v["upper"])
    started = time.perf_counter()
    report = treatment_report(v)
    report_s = time.perf_counter() - started
    v["o"] = v["treated_value"] * v["metric"].map(polarity)
    g = v.groupby(["metric", "period"])["o"]
    low, high = g.transform("min"), g.transform("max")
    v["score"] = (1 + 99 * (v["o"] - low) / (high - low)).where(high > low)

    def edges(rows: list[tuple]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=["lens", "child", "weight"])

    pillars = aggregate(
        v.rename(columns={"metric": "child"}),
        edges([(p, k, w) for _, _, ps in tree for p, _, ms in ps for k, w in ms]),
    )
    subs = aggregate(
        pillars.rename(columns={"lens": "child"}),
        edges([(s, p, w) for s, _, ps in tree for p, w, _ in ps]),
    )
    lenses = pd.concat([pillars, subs], ignore_index=True)
    lenses["rank"] = rank_desc(lenses["score"], [lenses["lens"], lenses["period"]])

    scores = aggregate(
        subs.rename(columns={"lens": "child"}), edges([(INDEX, s, w) for s, w, _ in tree])
    )
    scores["ranked"] = scores["coverage"] >= MIN_COVERAGE
    scores["rank"] = rank_desc(scores["score"].where(scores["ranked"]), [scores["period"]])
    periods = sorted(scores["period"].unique())
    previous = scores[["area_code", "period", "rank"]].assign(
        period=lambda d: d["period"].map(dict(itertools.pairwise(periods)))
    )
    scores = scores.merge(
        previous.rename(columns={"rank": "previous_rank"}), on=["area_code", "period"], how="left"
    )
    scores["rank_change"] = scores["previous_rank"] - scores["rank"]

    groups = scores[scores["ranked"]].merge(areas, on="area_code")
    groups["rank"] = rank_desc(groups["score"], [groups["type"], groups["period"]])

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
    improved = improved[improved["position"] <= TOP]
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


def pandas_top(ours: dict[str, pd.DataFrame], stability: pd.DataFrame) -> pd.DataFrame:
    """The Top N of every period with what is published beside it."""
    top = ours["named"][ours["named"]["rank"] <= TOP]
    saved = ours["savings"].groupby(["area_code", "period"], as_index=False)["amount"].sum()
    return (
        top.merge(
            ours["productivity"][["area_code", "period", "productivity", "productivity_rank"]],
            on=["area_code", "period"],
            how="left",
        )
        .merge(saved.rename(columns={"amount": "savings"}), on=["area_code", "period"], how="left")
        .merge(stability, on=["area_code", "period"], how="left")
    )


def pandas_stability(subs: pd.DataFrame, scores: pd.DataFrame, draws: int) -> pd.DataFrame:
    """Re-aggregate the sub-indexes under each draw's weights (a Weyl sequence), re-rank, summarise."""
    primes = [n for n in range(2, 100) if all(n % d for d in range(2, int(n**0.5) + 1))][
        : len(SUBS)
    ]
    alphas = [math.sqrt(p) - math.floor(math.sqrt(p)) for p in primes]
    weights = pd.DataFrame(
        [
            (
                d,
                s,
                w * (1 - NOISE + 2 * NOISE * ((d + SEED_MC) * a - math.floor((d + SEED_MC) * a))),
            )
            for d in range(1, draws + 1)
            for (s, w), a in zip(SUBS, alphas, strict=True)
        ],
        columns=["draw", "lens", "weight"],
    )
    ranked = scores.loc[scores["ranked"], ["area_code", "period"]]
    x = subs[["lens", "area_code", "period", "score"]].merge(ranked, on=["area_code", "period"])
    x = x.merge(weights, on="lens")
    x["ws"] = x["weight"] * x["score"]
    drawn = x.groupby(["draw", "area_code", "period"], as_index=False).agg(
        ws=("ws", "sum"), w=("weight", "sum")
    )
    drawn["rank"] = rank_desc(drawn["ws"] / drawn["w"], [drawn["draw"], drawn["period"]])
    drawn["in_top"] = (drawn["rank"] <= TOP).astype(float)
    g = drawn.groupby(["area_code", "period"])
    out = g["rank"].quantile([0.5, 0.05, 0.95]).unstack()
    out.columns = ["median_rank", "rank_p05", "rank_p95"]
    return out.join(g["in_top"].mean().rename("p_top")).reset_index()


# --- measurement -------------------------------------------------------------------------
class DuckMemory(threading.Thread):
    """Peak of DuckDB's own memory accounting, sampled from a second cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(daemon=True)
        self.cursor, self.peak, self.done = con.cursor(), 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            used = self.cursor.execute(
                "SELECT SUM(memory_usage_bytes) FROM duckdb_memory()"
            ).fetchone()[0]
            self.peak = max(self.peak, used or 0)


def timed(con, sql: str) -> float:
    start = time.perf_counter()
    con.execute(sql)
    return time.perf_counter() - start


def materialise(con, names: list[str]) -> None:
    """Copy each view into a table of the same name, readers before what they read, in one transaction."""
    views = {
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = ?", [SCHEMA]
        ).fetchall()
    }
    con.execute("BEGIN TRANSACTION")
    for name in names:
        if name in views:
            con.execute(f'CREATE TABLE {SCHEMA}."{name}__copy" AS SELECT * FROM {SCHEMA}."{name}"')
            con.execute(f'DROP VIEW {SCHEMA}."{name}"')
            con.execute(f'ALTER TABLE {SCHEMA}."{name}__copy" RENAME TO "{name}"')
    con.execute("COMMIT")


def max_diff(
    ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], columns: list[str], relative=False
) -> float:
    """Largest difference over `columns`; inf when a row or a missing value is on one side only."""
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


def time_duckdb(
    con, scans: dict[str, str], index_objects, repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Warm-up, then `repeat` runs of each side, alternating which goes first."""
    for scan in scans.values():
        timed(con, scan)
    for o in index_objects:
        timed(con, o.statement)
    scan_times: dict[str, list[float]] = {name: [] for name in scans}
    per_object: dict[str, list[float]] = {o.name: [] for o in index_objects}
    for rep in range(repeat):
        for side in ("scan", "index") if rep % 2 == 0 else ("index", "scan"):
            if side == "scan":
                for name, scan in scans.items():
                    scan_times[name].append(timed(con, scan))
            else:
                for o in index_objects:
                    per_object[o.name].append(timed(con, o.statement))
    return scan_times, per_object


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--measures", type=int, default=2000, help="measures (and metrics), a multiple of 20"
    )
    parser.add_argument(
        "--draws", type=int, default=1000, help="Monte Carlo draws of rank stability"
    )
    parser.add_argument("--repeat", type=int, help="timed runs of each side (default 3, --quick 1)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 200 measures, 100 draws, 1 run"
    )
    parser.add_argument(
        "--keep", help=argparse.SUPPRESS
    )  # generate into this directory and keep it
    args = parser.parse_args()
    n_measures, draws = (200, 100) if args.quick else (args.measures, args.draws)
    repeat = args.repeat or (1 if args.quick else 3)
    started = time.perf_counter()
    print(
        f"indexc index benchmark: Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas "
        f"{pd.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, seed {SEED}\n"
        f"indexc from {Path(indexc.__file__).parent}\n"
    )

    with tempfile.TemporaryDirectory(prefix="indexc-index-") as tmp:
        root = Path(args.keep or tmp) / "project"
        polarity = write_project(root, n_measures, draws)
        n_areas = sum(n for _, _, n in TYPES)
        print(
            f"shape: {n_areas} councils ({', '.join(f'{n} {k}' for k, _, n in TYPES)}) x {PERIODS} years "
            f"({label(FIRST_YEAR)} to {label(FIRST_YEAR + PERIODS - 1)}) x {n_measures:,} measures = "
            f"{n_areas * PERIODS * n_measures:,} cells, {MISSING:.0%} missing; 4 sub-indexes x 5 pillars x "
            f"{n_measures // 20} metrics; {draws:,} draws; generated in {time.perf_counter() - started:.1f} s"
        )
        t0 = time.perf_counter()
        build = Project(root).build("duckdb", write=False)
        index_objects = [o for o in build.objects if o.name.startswith(f"index__{INDEX}__")]
        print(
            f"compiled {len(build.objects):,} objects ({len(index_objects)} of the index) in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        con = duckdb_engine.connect(root / build.target.database)
        t0 = time.perf_counter()
        built = {b.name: b.seconds for b in duckdb_engine.execute(con, build.objects, root)}
        with_views = sum(built[o.name] for o in index_objects)
        print(
            f"built on DuckDB as `indexc run` does (the warm-up) in {time.perf_counter() - t0:.1f} s: loading "
            f"{sum(s for n, s in built.items() if n.startswith('source__')):.1f} s, index objects over the metric "
            f"views {with_views:.2f} s (metric_values {built[f'index__{INDEX}__metric_values']:.2f} s)"
        )
        names = {o.name for o in build.objects}
        reads = {
            d
            for o in index_objects
            if not (
                isinstance(o.node, TemplateNode) and isinstance(o.node.params, LiteralTableParams)
            )
            # literal tables read nothing: their
            for d in o.node.depends_on
            if d in names and not d.startswith("index__")
        }  # dependencies order them
        t0 = time.perf_counter()
        materialise(con, [o.name for o in reversed(build.objects) if o.name in reads])
        print(
            f"materialised the {len(reads):,} views the index reads in {time.perf_counter() - t0:.1f} s"
        )

        source = f"{SCHEMA}.source__panel"
        n_rows = con.execute(f"SELECT COUNT(*) FROM {source}").fetchone()[0]
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {BENCH}")
        scans = {
            "coarse": f"CREATE OR REPLACE TABLE {BENCH}.scan AS SELECT item, period, AVG(value) AS value, "
            "COUNT(*) AS n "
            f"FROM {source} GROUP BY ALL",
            "cell": f"CREATE OR REPLACE TABLE {BENCH}.cells AS SELECT item, area_code, period, AVG(value) AS value, "
            f"COUNT(*) AS n FROM {source} GROUP BY ALL",
        }
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        print(
            f"\ntiming: DuckDB threads {threads}, warm-up then median of {repeat} runs, alternating\n"
        )
        memory = DuckMemory(con)
        memory.start()
        scan_times, per_object = time_duckdb(con, scans, index_objects, repeat)
        memory.done.set()
        memory.join()
        rss_duckdb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
        scan_s = statistics.median(scan_times["coarse"])
        cell_s = statistics.median(scan_times["cell"])
        build_s = statistics.median([sum(run) for run in zip(*per_object.values(), strict=True)])
        object_s = {n: statistics.median(t) for n, t in per_object.items()}
        stability_s = object_s[f"index__{INDEX}__stability"]
        plan_s = {
            o.name: timed(con, "EXPLAIN " + o.statement.split(" AS\n", 1)[1]) for o in index_objects
        }

        ix = {
            part: con.execute(f"SELECT * FROM {SCHEMA}.index__{INDEX}__{part}").df()
            for part in (
                "metric_scores",
                "lens_scores",
                "scores",
                "group_ranks",
                "productivity",
                "savings",
                "savings_totals",
                "stability",
                "treatment",
                "most_improved",
                "top",
            )
        }
        values = con.execute(
            f"SELECT 'k_' || substr(item, 2) AS metric, area_code, period, value FROM {source} "
            "WHERE value IS NOT NULL"
        ).df()
        register = con.execute(f"SELECT area_code, name, type FROM {SCHEMA}.source__councils").df()
        spend_per_head = con.execute(
            f"SELECT area_code, period, value AS spend FROM {SCHEMA}.metric__spend_per_head "
            "WHERE value IS NOT NULL"
        ).df()
        population = con.execute(
            f"SELECT area_code, period, value AS volume FROM {SCHEMA}.measure__population"
        ).df()
        con.close()

        method_runs, mc_runs, report_runs, tree = [], [], [], lens_tree(n_measures)
        for _ in range(repeat):
            t0 = time.perf_counter()
            ours = pandas_method(values, register, spend_per_head, population, tree, polarity)
            t1 = time.perf_counter()
            our_stability = pandas_stability(ours["subs"], ours["scores"], draws)
            t2 = time.perf_counter()
            our_top = pandas_top(ours, our_stability)
            method_runs.append(t1 - t0 + time.perf_counter() - t2)
            report_runs.append(ours["report_seconds"])
            mc_runs.append(t2 - t1)
        pd_method_s, pd_mc_s = statistics.median(method_runs), statistics.median(mc_runs)
        pd_report_s = statistics.median(report_runs)
        ap = ["area_code", "period"]
        checks = {  # what, (pandas, indexc, keys, columns)
            "treatment report": (
                ours["treatment"],
                ix["treatment"],
                ["metric", "period"],
                [
                    "lower_bound",
                    "upper_bound",
                    "high_points",
                    "low_points",
                    "value_min",
                    "value_max",
                    "skew_before",
                    "kurtosis_before",
                    "skew_after",
                    "kurtosis_after",
                    "treated_min",
                    "treated_max",
                    "treated_mean",
                    "treated_sd",
                ],
            ),
            "metric scores": (
                ours["metric_scores"],
                ix["metric_scores"],
                ["metric", *ap],
                ["treated_value", "score"],
            ),
            "lens scores and ranks": (
                ours["lens_scores"],
                ix["lens_scores"],
                ["lens", *ap],
                ["score", "rank", "children_used", "coverage"],
            ),
            "index scores": (
                ours["scores"].rename(columns={"children_used": "lenses_used"}),
                ix["scores"],
                ap,
                ["score", "lenses_used", "coverage"],
            ),
            "index, previous ranks": (
                ours["scores"],
                ix["scores"],
                ap,
                ["rank", "previous_rank", "rank_change"],
            ),
            "group ranks": (
                ours["group_ranks"].rename(columns={"type": "group_code"}),
                ix["group_ranks"],
                ["group_code", *ap],
                ["rank"],
            ),
            "productivity and ranks": (
                ours["productivity"],
                ix["productivity"],
                ap,
                ["spend_index", "productivity", "outcome_rank", "spend_rank", "productivity_rank"],
            ),
            "stability": (
                our_stability,
                ix["stability"],
                ap,
                ["median_rank", "rank_p05", "rank_p95", "p_top"],
            ),
            "most improved": (
                ours["most_improved"],
                ix["most_improved"],
                ap,
                ["position", "rank_change"],
            ),
            "top": (
                our_top,
                ix["top"],
                ap,
                ["rank", "score", "productivity", "median_rank", "p_top"],
            ),
        }
        diffs = {what: max_diff(*args) for what, args in checks.items()}
        diffs["savings (relative)"] = max_diff(
            ours["savings"], ix["savings"], ap, ["benchmark", "amount"], True
        )
        diffs["top, savings (relative)"] = max_diff(our_top, ix["top"], ap, ["savings"], True)
        diffs["savings totals (relative)"] = max_diff(
            ours["savings_totals"], ix["savings_totals"], ["period", "lens"], ["amount"], True
        )
        rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    no_mc, pandas_s = build_s - stability_s, pd_method_s + pd_mc_s
    print(
        f"{'index object (CREATE TABLE/VIEW)':<34} {'median s':>9} {'share':>6} {'planning s':>11}"
    )
    for name, seconds in sorted(object_s.items(), key=lambda kv: -kv[1]):
        print(f"{name:<34} {seconds:>9.3f} {seconds / build_s:>6.1%} {plan_s[name]:>11.3f}")
    print(f"\n{'what':<66} {'seconds':>8} {'ratio':>9}")
    for what, seconds, ratio in (
        (f"GROUP BY scan of the source table ({n_rows:,} rows)", scan_s, ""),
        ("GROUP BY per cell (item, area, period) of the same rows", cell_s, ""),
        ("indexc index build (/ GROUP BY per cell)", build_s, f"{build_s / cell_s:.2f}x"),
        ("indexc index build, metric_values .. top (/ scan)", build_s, f"{build_s / scan_s:.2f}x"),
        (
            f"  of which stability, {draws:,} draws (/ scan)",
            stability_s,
            f"{stability_s / scan_s:.2f}x",
        ),
        ("  without stability (/ scan)", no_mc, f"{no_mc / scan_s:.2f}x"),
        (
            "pandas, everything but the draws (/ indexc without)",
            pd_method_s,
            f"{pd_method_s / no_mc:.2f}x",
        ),
        (
            "  of which the treatment report (/ indexc treatment)",
            pd_report_s,
            f"{pd_report_s / object_s[f'index__{INDEX}__treatment']:.2f}x",
        ),
        ("pandas, the draws (/ indexc stability)", pd_mc_s, f"{pd_mc_s / stability_s:.2f}x"),
        ("pandas, everything (/ indexc index build)", pandas_s, f"{pandas_s / build_s:.2f}x"),
        (
            "pandas, everything but the treatment report (/ indexc index build)",
            pandas_s - pd_report_s,
            f"{(pandas_s - pd_report_s) / build_s:.2f}x",
        ),
        ("index objects over the metric views (warm-up, one run)", with_views, ""),
    ):
        print(f"{what:<66} {seconds:>8.3f} {ratio:>9}")
    print(
        "\nagreement, pandas vs indexc (max absolute difference; inf: rows or missing values differ):"
    )
    for what, d in diffs.items():
        print(f"  {what:<30} {d:.2e}  {'ok' if d <= TOLERANCE else 'DIFFERS'}")
    print(
        f"\nmemory: peak RSS {rss_duckdb:.2f} GB when the DuckDB timings end, {rss_end:.2f} GB at the end (pandas "
        f"included); DuckDB's own peak (sampled) {memory.peak / 2**30:.2f} GB\n"
        f"whole run {time.perf_counter() - started:.0f} s"
    )
    comparable = "" if diffs["index scores"] <= TOLERANCE else "  (scores disagree: not comparable)"
    print("\ntargets:")
    print(
        f"  index build <= {TARGET_SCAN:g}x a GROUP BY scan: {build_s / scan_s:.2f}x  "
        f"{'PASS' if build_s / scan_s <= TARGET_SCAN else 'FAIL'}"
    )
    print(
        f"  index build <= {TARGET_SCAN:g}x a GROUP BY per cell: {build_s / cell_s:.2f}x  "
        f"{'PASS' if build_s / cell_s <= TARGET_SCAN else 'FAIL'}"
    )
    print(
        f"  indexc >= {TARGET_PANDAS:g}x faster than pandas (everything): {pandas_s / build_s:.2f}x  "
        f"{'PASS' if pandas_s / build_s >= TARGET_PANDAS else 'FAIL'}{comparable}"
    )
    print(
        f"  peak memory <= {TARGET_GB:g} GB (when the DuckDB timings end): {rss_duckdb:.2f} GB  "
        f"{'PASS' if rss_duckdb <= TARGET_GB else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
