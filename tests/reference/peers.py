"""Steps 7-9 of docs/methodology.md: productivity, nearest neighbours, benchmarks and savings.

The spend of productivity, the unit cost and volume of a saving and the neighbour features are observed
values only (a metric of that id if there is one, else the measure): money is never projected from an
imputed value.
"""

from __future__ import annotations

import math

from reference.inputs import Inputs
from reference.spec import IndexSpec
from reference.stats import competition_ranks, mean, quantile, sample_sd


def _distance(za: list[float | None], zb: list[float | None], weights: list[float]) -> float | None:
    """The weighted Euclidean distance over the features with a spread (§7)."""
    terms = [w * (a - b) ** 2 for w, a, b in zip(weights, za, zb, strict=True) if a is not None]
    return math.sqrt(sum(terms)) if terms else None


def metric_value(
    metric: str, metric_rows: list[dict], inputs: Inputs, period: str
) -> dict[str, float]:
    """Area -> observed value of a metric in a period, for the universe areas kept by screening (a
    screened area has no savings and is no benchmark; see the module docstring)."""
    members = inputs.kept(period)
    return {
        a: v for (a, p), v in inputs.metrics.get(metric, {}).items() if p == period and a in members
    }


def productivity(
    index: IndexSpec,
    inputs: Inputs,
    metric_rows: list[dict],
    lens_rows: list[dict],
    periods: list[str],
) -> list[dict]:
    out: list[dict] = []
    for entry in index.productivity:
        for period in periods:
            spend = metric_value(entry["spend"], metric_rows, inputs, period)
            outcome = {
                r["area_code"]: r["score"]
                for r in lens_rows
                if r["lens"] == entry["lens"] and r["period"] == period and r["area_code"] in spend
            }
            if not outcome:
                continue
            outcome_rank = competition_ranks(outcome)
            spend_rank = competition_ranks({a: spend[a] for a in outcome})
            average = mean(spend[a] for a in outcome)
            rows = {}
            for area in sorted(outcome):
                if entry["method"] == "ratio":
                    index_value = spend[area] / average if average else None
                    value = outcome[area] / index_value if index_value else None
                else:
                    index_value = None
                    value = float(spend_rank[area] - outcome_rank[area])
                rows[area] = {
                    "lens": entry["lens"],
                    "area_code": area,
                    "period": period,
                    "outcome_score": outcome[area],
                    "spend": spend[area],
                    "spend_index": index_value,
                    "outcome_rank": outcome_rank[area],
                    "spend_rank": spend_rank[area],
                    "productivity": value,
                    "productivity_rank": None,
                }
            ranked = competition_ranks(
                {a: r["productivity"] for a, r in rows.items() if r["productivity"] is not None}
            )
            for area, rank in ranked.items():
                rows[area]["productivity_rank"] = rank
            out.extend(rows.values())
    return out


def neighbours(index: IndexSpec, inputs: Inputs, periods: list[str]) -> list[dict]:
    """The k nearest other areas per area and period, on features standardised over the universe
    areas that have every feature (§7); ties in distance go to the lower area code."""
    spec = index.peers.get("neighbours")
    if not spec:
        return []
    out: list[dict] = []
    for period in periods:
        members = inputs.members(period)
        columns = []
        for feature in spec["features"]:
            values = inputs.feature(feature["metric"])
            columns.append({a: v for (a, p), v in values.items() if p == period and a in members})
        areas = sorted(set(members).intersection(*[set(c) for c in columns]))
        if len(areas) < 2:
            continue
        z: dict[str, list[float | None]] = {a: [] for a in areas}
        for column in columns:
            centre, spread = mean(column[a] for a in areas), sample_sd(column[a] for a in areas)
            for a in areas:  # a feature with no spread adds nothing to any distance (§7)
                z[a].append((column[a] - centre) / spread if spread else None)
        weights = [f["weight"] for f in spec["features"]]

        for a in areas:
            near = [(_distance(z[a], z[b], weights), b) for b in areas if b != a]
            near.sort(
                key=lambda pair: (
                    pair[0] is None,
                    round(pair[0], 9) if pair[0] is not None else 0,
                    pair[1],
                )
            )
            for rank, (distance_ab, b) in enumerate(near[: spec["k"]], start=1):
                out.append(
                    {
                        "area_code": a,
                        "period": period,
                        "neighbour_code": b,
                        "distance": distance_ab,
                        "neighbour_rank": rank,
                    }
                )
    return out


def savings(
    index: IndexSpec,
    inputs: Inputs,
    metric_rows: list[dict],
    neighbour_rows: list[dict],
    periods: list[str],
) -> list[dict]:
    """saving = max(0, u - benchmark) x V x scale x improvement (§8); a group counts the area itself,
    neighbours do not. Every area with a unit cost gets a row; without a volume or any peer with a unit
    cost its benchmark or amount is unknown (None), never 0."""
    out: list[dict] = []
    near: dict[tuple[str, str], list[str]] = {}
    for row in neighbour_rows:
        near.setdefault((row["area_code"], row["period"]), []).append(row["neighbour_code"])
    for saving in index.savings:
        volume = inputs.feature(saving["volume"])
        for period in periods:
            cost = metric_value(saving["unit_cost"], metric_rows, inputs, period)
            for area in sorted(cost):
                if saving["peers"] == "neighbours":
                    peers = [b for b in near.get((area, period), []) if b in cost]
                else:
                    group = inputs.group_of(saving["peers"], area, period)
                    peers = [
                        b
                        for b in cost
                        if group is not None
                        and inputs.group_of(saving["peers"], b, period) == group
                    ]
                benchmark = (
                    quantile([cost[b] for b in peers], float(saving["quantile"])) if peers else None
                )
                heads = volume.get((area, period))
                amount = None
                if benchmark is not None and heads is not None:
                    amount = (
                        max(0.0, cost[area] - benchmark)
                        * heads
                        * float(saving["scale"])
                        * float(saving["improvement"])
                    )
                out.append(
                    {
                        "saving": saving["id"],
                        "lens": saving["lens"],
                        "area_code": area,
                        "period": period,
                        "unit_cost": cost[area],
                        "volume": heads,
                        "benchmark": benchmark,
                        "amount": amount,
                    }
                )
    return out


def savings_totals(saving_rows: list[dict]) -> list[dict]:
    """Per period, the sum per lens and for the index (`lens = '*'`)."""
    totals: dict[tuple[str, str], float] = {}
    for row in saving_rows:
        if row["amount"] is None:
            continue
        for lens in (row["lens"], "*"):
            totals[(row["period"], lens)] = totals.get((row["period"], lens), 0.0) + row["amount"]
    return [{"period": p, "lens": lens, "amount": v} for (p, lens), v in sorted(totals.items())]
