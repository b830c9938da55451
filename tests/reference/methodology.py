"""The whole of docs/methodology.md in plain Python: every output table of one index.

`compute_index` returns {table name: rows}, the table names being the suffixes of
`index__<id>__<table>` in the doc's "Output tables" (scenario tables as `scenario__<s>__<table>`).
Each row is a dict with exactly the doc's columns. The steps live in sibling modules, one per group
of sections of the doc; this module runs them in order and adds stability, the Top N and scenarios.
"""

from __future__ import annotations

from reference.aggregate import borrowed_scores, group_ranks, lens_and_index_scores
from reference.inputs import Inputs
from reference.peers import neighbours, productivity, savings, savings_totals
from reference.scoring import metric_scores
from reference.screening import COLUMNS as SCREENED_COLUMNS
from reference.screening import screen
from reference.spec import IndexSpec, apply_scenario
from reference.stats import competition_ranks, quantile, weighted_mean, weyl_multipliers

TABLES = (
    "screened",
    "metric_scores",
    "treatment",
    "lens_scores",
    "scores",
    "group_ranks",
    "productivity",
    "neighbours",
    "savings",
    "savings_totals",
    "stability",
    "top",
)

COLUMNS = {
    "screened": SCREENED_COLUMNS,
    "metric_scores": [
        "metric",
        "area_code",
        "period",
        "value",
        "imputed",
        "treated_value",
        "score",
    ],
    "treatment": [
        "metric",
        "period",
        "method",
        "high_points",
        "low_points",
        "log_applied",
        "skew_before",
        "kurtosis_before",
        "skew_after",
        "kurtosis_after",
    ],
    "lens_scores": [
        "lens",
        "area_code",
        "period",
        "score",
        "children_used",
        "children_total",
        "coverage",
        "rank",
    ],
    "scores": [
        "area_code",
        "period",
        "score",
        "lenses_used",
        "lenses_total",
        "coverage",
        "ranked",
        "rank",
        "previous_rank",
        "rank_change",
    ],
    "group_ranks": [
        "grouping",
        "group_code",
        "lens",
        "area_code",
        "period",
        "rank",
        "areas_ranked",
    ],
    "productivity": [
        "lens",
        "area_code",
        "period",
        "outcome_score",
        "spend",
        "spend_index",
        "outcome_rank",
        "spend_rank",
        "productivity",
        "productivity_rank",
    ],
    "neighbours": ["area_code", "period", "neighbour_code", "distance", "neighbour_rank"],
    "savings": [
        "saving",
        "lens",
        "area_code",
        "period",
        "unit_cost",
        "volume",
        "benchmark",
        "amount",
    ],
    "savings_totals": ["period", "lens", "amount"],
    "stability": ["area_code", "period", "draws", "median_rank", "rank_p05", "rank_p95", "p_top"],
    "top": [
        "period",
        "rank",
        "headline_rank",
        "area_code",
        "name",
        "score",
        "lenses_used",
        "lenses_total",
        "coverage",
        "rank_change",
        "productivity",
        "productivity_rank",
        "savings",
        "median_rank",
        "rank_p05",
        "rank_p95",
        "p_top",
    ],
    "deltas": [
        "area_code",
        "period",
        "baseline_score",
        "scenario_score",
        "score_delta",
        "baseline_rank",
        "scenario_rank",
        "rank_delta",
        "baseline_savings",
        "scenario_savings",
        "savings_delta",
    ],
}

# What a scenario recomputes (§10), besides its deltas.
SCENARIO_TABLES = ("lens_scores", "scores", "savings", "savings_totals")

# The natural key of each table: what identifies a row when comparing with the SQL.
KEYS = {
    "screened": ["area_code", "period", "rule", "lens"],
    "metric_scores": ["metric", "area_code", "period"],
    "treatment": ["metric", "period"],
    "lens_scores": ["lens", "area_code", "period"],
    "scores": ["area_code", "period"],
    "group_ranks": ["grouping", "group_code", "lens", "area_code", "period"],
    "productivity": ["lens", "area_code", "period"],
    "neighbours": ["area_code", "period", "neighbour_code"],
    "savings": ["saving", "area_code", "period"],
    "savings_totals": ["period", "lens"],
    "stability": ["area_code", "period"],
    "top": ["period", "area_code"],
    "deltas": ["area_code", "period"],
}


def stability(index: IndexSpec, score_rows: list[dict], tops: dict) -> list[dict]:
    """§9: D draws of Weyl multipliers on the weights of the top lenses that carry weight (a lens with
    a status has none to perturb), re-aggregated and re-ranked among the areas ranked in the
    baseline; quantiles of each area's ranks and the share of draws in the Top N."""
    spec = index.stability
    if not spec:
        return []
    draws, seed, noise = int(spec["draws"]), int(spec["seed"]), float(spec["weight_noise"])
    base = [lens.weight for lens in index.weighted_lenses]
    multipliers = [weyl_multipliers(d, seed, noise, len(base)) for d in range(1, draws + 1)]
    out: list[dict] = []
    for period in sorted({r["period"] for r in score_rows}):
        ranked = [
            r["area_code"] for r in score_rows if r["period"] == period and r["rank"] is not None
        ]
        if not ranked:
            continue
        ranks: dict[str, list[int]] = {a: [] for a in ranked}
        # Each area's scored top lenses (their positions among the weighted ones), read once.
        scored = {
            a: [
                (i, tops[(a, period)][lens.id][0])
                for i, lens in enumerate(index.weighted_lenses)
                if tops[(a, period)].get(lens.id, (None,))[0] is not None
            ]
            for a in ranked
        }
        method = index.method["aggregate"]
        for u in multipliers:
            weights = [w * m for w, m in zip(base, u, strict=True)]
            scores = {
                a: weighted_mean(method, [weights[i] for i, _ in s], [c for _, c in s])
                for a, s in scored.items()
            }
            for area, rank in competition_ranks(scores).items():
                ranks[area].append(rank)
        top = int(index.publish["top"])
        for area in sorted(ranked):
            rs = ranks[area]
            out.append(
                {
                    "area_code": area,
                    "period": period,
                    "draws": draws,
                    "median_rank": quantile(rs, 0.5),
                    "rank_p05": quantile(rs, 0.05),
                    "rank_p95": quantile(rs, 0.95),
                    "p_top": sum(r <= top for r in rs) / draws,
                }
            )
    return out


def area_savings(saving_rows: list[dict]) -> dict[tuple[str, str], float]:
    """Each area's savings summed over the index's savings, per period."""
    total: dict[tuple[str, str], float] = {}
    for row in saving_rows:
        if row["amount"] is None:
            continue
        key = (row["area_code"], row["period"])
        total[key] = total.get(key, 0.0) + row["amount"]
    return total


def kept_out(index: IndexSpec, inputs: Inputs, scores: list[dict]) -> set[tuple[str, str]]:
    """(area, period) the headline policy keeps out of the Top N (spec-language, headline policy): an
    area listed, or one whose population is under the floor, read in the period or else in the
    nearest period with a figure (the later of two as near); no figure at all keeps it out too."""
    policy = index.publish.get("headline_policy") or {}
    listed = {e["area"] for e in policy.get("exclude") or []}
    floor = policy.get("population")
    series: dict[str, dict[str, float]] = {}
    for (area, period), value in (
        inputs.measures.get(floor["measure"], {}) if floor else {}
    ).items():
        series.setdefault(area, {})[period] = value
    out = set()
    for row in scores:
        if row["rank"] is None:
            continue
        key = (row["area_code"], row["period"])
        if row["area_code"] in listed:
            out.add(key)
        elif floor:
            figures = series.get(row["area_code"], {})
            year = int(row["period"][:4])
            nearest = min(
                figures, key=lambda p: (abs(int(p[:4]) - year), -int(p[:4])), default=None
            )
            if nearest is None or figures[nearest] < float(floor["at_least"]):
                out.add(key)
    return out


def top_rows(index: IndexSpec, inputs: Inputs, tables: dict) -> list[dict]:
    """The headline Top N of every period: the ranked areas the headline policy keeps in, ranked again
    among themselves (ties share a place), those placed N or better, ordered by rank then code."""
    n = int(index.publish["top"])
    first = index.productivity[0]["lens"] if index.productivity else None
    productivity = {
        (r["area_code"], r["period"]): r for r in tables["productivity"] if r["lens"] == first
    }
    stable = {(r["area_code"], r["period"]): r for r in tables["stability"]}
    saved = area_savings(tables["savings"])
    out_of_headline = kept_out(index, inputs, tables["scores"])
    eligible = [
        r
        for r in tables["scores"]
        if r["rank"] is not None and (r["area_code"], r["period"]) not in out_of_headline
    ]
    place = {}
    for period in {r["period"] for r in eligible}:
        ranks = sorted(r["rank"] for r in eligible if r["period"] == period)
        for r in eligible:
            if r["period"] == period:
                place[r["area_code"], period] = 1 + sum(1 for x in ranks if x < r["rank"])
    out = []
    for row in sorted(eligible, key=lambda r: (r["period"], r["rank"], r["area_code"])):
        if place[row["area_code"], row["period"]] > n:
            continue
        key = (row["area_code"], row["period"])
        prod, stab = productivity.get(key, {}), stable.get(key, {})
        out.append(
            {
                "period": row["period"],
                "rank": row["rank"],
                "headline_rank": place[key],
                "area_code": row["area_code"],
                "name": inputs.name(*key),
                "score": row["score"],
                "lenses_used": row["lenses_used"],
                "lenses_total": row["lenses_total"],
                "coverage": row["coverage"],
                "rank_change": row["rank_change"],
                "productivity": prod.get("productivity"),
                "productivity_rank": prod.get("productivity_rank"),
                "savings": saved.get(key),
                "median_rank": stab.get("median_rank"),
                "rank_p05": stab.get("rank_p05"),
                "rank_p95": stab.get("rank_p95"),
                "p_top": stab.get("p_top"),
            }
        )
    return out


def baseline_tables(
    index: IndexSpec, inputs: Inputs, directions: dict[str, str], others: dict
) -> dict[str, list[dict]]:
    """Every baseline output table of one index, screening and steps 1-11 in the doc's order;
    `others` holds the baseline tables of the indexes its lenses read."""
    periods = inputs.periods(index.metric_ids())
    tables: dict[str, list[dict]] = {}
    tables["screened"] = screen(index, inputs, periods)
    tables["metric_scores"], tables["treatment"] = metric_scores(index, inputs, directions, periods)
    tables["lens_scores"], tables["scores"], tops = lens_and_index_scores(
        index, inputs, tables["metric_scores"], periods, borrowed_scores(index, others)
    )
    tables["group_ranks"] = group_ranks(index, inputs, tables["scores"], tables["lens_scores"])
    tables["productivity"] = productivity(
        index, inputs, tables["metric_scores"], tables["lens_scores"], periods
    )
    tables["neighbours"] = neighbours(index, inputs, periods)
    tables["savings"] = savings(
        index, inputs, tables["metric_scores"], tables["neighbours"], periods
    )
    tables["savings_totals"] = savings_totals(tables["savings"])
    tables["stability"] = stability(index, tables["scores"], tops)
    tables["top"] = top_rows(index, inputs, tables)
    return tables


def deltas(baseline: dict, scenario: dict) -> list[dict]:
    """Per area and period: baseline and scenario score, rank and total saving, and scenario - baseline."""

    def diff(a, b):
        return None if a is None or b is None else b - a

    base = {(r["area_code"], r["period"]): r for r in baseline["scores"]}
    alt = {(r["area_code"], r["period"]): r for r in scenario["scores"]}
    base_saved, alt_saved = area_savings(baseline["savings"]), area_savings(scenario["savings"])
    out = []
    for key in sorted(set(base) | set(alt)):
        b, s = base.get(key, {}), alt.get(key, {})
        row = {
            "area_code": key[0],
            "period": key[1],
            "baseline_score": b.get("score"),
            "scenario_score": s.get("score"),
            "baseline_rank": b.get("rank"),
            "scenario_rank": s.get("rank"),
            "baseline_savings": base_saved.get(key),
            "scenario_savings": alt_saved.get(key),
        }
        row["score_delta"] = diff(row["baseline_score"], row["scenario_score"])
        row["rank_delta"] = diff(row["baseline_rank"], row["scenario_rank"])
        row["savings_delta"] = diff(row["baseline_savings"], row["scenario_savings"])
        out.append({c: row[c] for c in COLUMNS["deltas"]})
    return out


def compute_index(
    index: IndexSpec,
    inputs: Inputs,
    directions: dict[str, str],
    scenarios: list[dict] = (),
    others: dict | None = None,
) -> dict[str, list[dict]]:
    """All output tables of an index and of its scenarios, keyed by the object-name suffix. `others`
    holds the tables of the indexes its lenses read (computed first); a scenario reads their baseline."""
    others = others or {}
    tables = baseline_tables(index, inputs, directions, others)
    for scenario in scenarios:
        if scenario["index"] != index.id:
            continue
        changed = apply_scenario(index, scenario)
        changed.stability = None  # not recomputed by a scenario (§10): drawing it is wasted time
        alternative = baseline_tables(changed, inputs, directions, others)
        for name in SCENARIO_TABLES:
            tables[f"scenario__{scenario['id']}__{name}"] = alternative[name]
        tables[f"scenario__{scenario['id']}__deltas"] = deltas(tables, alternative)
    return {
        name: [{c: row[c] for c in COLUMNS[name.rpartition("__")[2]]} for row in rows]
        for name, rows in tables.items()
    }
