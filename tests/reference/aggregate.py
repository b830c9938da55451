"""Steps 4-6 of docs/methodology.md: the lens tree, the index score, ranks and group ranks.

Coverage follows "coverage counts observed data only": a metric child is *present* for coverage when
it has a score from an observed (not imputed) value, a lens child when at least one of its own
children is present (its coverage is above 0); scores use every child that has a score.
"""

from __future__ import annotations

from reference.inputs import Inputs
from reference.spec import IndexSpec, Node
from reference.stats import competition_ranks, weighted_mean


def node_result(node: Node, metric_rows: dict, default: dict, out: list, area: str, period: str):
    """(score, observed) of a node for one area and period; lens rows are appended to `out`."""
    if node.kind == "metric":
        row = metric_rows.get((node.id, area, period))
        if row is None or row["score"] is None:
            return None, False
        return row["score"], not row["imputed"]
    results = [
        (child, *node_result(child, metric_rows, default, out, area, period))
        for child in node.children
    ]
    used = [(child.weight, score) for child, score, _ in results if score is not None]
    if not used:
        return None, False
    total = sum(child.weight for child in node.children)
    present = sum(
        child.weight for child, score, observed in results if score is not None and observed
    )
    score = weighted_mean(node.aggregate or default, [w for w, _ in used], [s for _, s in used])
    out.append(
        {
            "lens": node.id,
            "area_code": area,
            "period": period,
            "score": score,
            "children_used": len(used),
            "children_total": len(node.children),
            "coverage": present / total,
        }
    )
    return score, present > 0


def top_level(index: IndexSpec, lens_results: dict[str, tuple[float, bool]], weights: list[float]):
    """Score, lenses used and coverage of the root over the top lenses (also used by stability)."""
    used_w, used_s, present, total = [], [], 0.0, 0.0
    for lens, weight in zip(index.lenses, weights, strict=True):
        total += weight
        score, observed = lens_results.get(lens.id, (None, False))
        if score is not None:
            used_w.append(weight)
            used_s.append(score)
            if observed:
                present += weight
    if not used_s:
        return None, 0, 0.0
    return weighted_mean(index.method["aggregate"], used_w, used_s), len(used_s), present / total


def lens_and_index_scores(
    index: IndexSpec, inputs: Inputs, metric_rows: list[dict], periods: list[str]
):
    """`lens_scores` and `scores` rows, plus each area's top-lens (score, observed) for stability."""
    by_key = {(r["metric"], r["area_code"], r["period"]): r for r in metric_rows}
    lens_rows: list[dict] = []
    score_rows: list[dict] = []
    tops: dict[tuple[str, str], dict[str, tuple[float, bool]]] = {}
    default = index.method["aggregate"]
    for period in periods:
        for area in sorted(inputs.members(period)):
            results = {
                lens.id: node_result(lens, by_key, default, lens_rows, area, period)
                for lens in index.lenses
            }
            score, used, coverage = top_level(
                index, results, [lens.weight for lens in index.lenses]
            )
            if score is None:
                continue
            tops[(area, period)] = results
            score_rows.append(
                {
                    "area_code": area,
                    "period": period,
                    "score": score,
                    "lenses_used": used,
                    "lenses_total": len(index.lenses),
                    "coverage": coverage,
                    "ranked": round(coverage, 9) >= index.method["min_coverage"],
                }
            )
    for period in periods:
        by_lens: dict[str, dict[str, dict]] = {}
        for row in lens_rows:
            if row["period"] == period:
                by_lens.setdefault(row["lens"], {})[row["area_code"]] = row
        for rows in by_lens.values():
            for area, rank in competition_ranks({a: r["score"] for a, r in rows.items()}).items():
                rows[area]["rank"] = rank
    rank_scores(score_rows, periods)
    return lens_rows, score_rows, tops


def rank_scores(score_rows: list[dict], periods: list[str]) -> None:
    """rank among ranked areas per period; previous_rank from the latest earlier period with a score."""
    ranks: dict[str, dict[str, int]] = {}
    for period in periods:
        rows = [r for r in score_rows if r["period"] == period]
        ranks[period] = competition_ranks({r["area_code"]: r["score"] for r in rows if r["ranked"]})
    scored = sorted({r["period"] for r in score_rows})
    for row in score_rows:
        earlier = [p for p in scored if p < row["period"]]
        row["rank"] = ranks[row["period"]].get(row["area_code"])
        row["previous_rank"] = ranks[earlier[-1]].get(row["area_code"]) if earlier else None
        both = row["rank"] is not None and row["previous_rank"] is not None
        row["rank_change"] = row["previous_rank"] - row["rank"] if both else None


def group_ranks(
    index: IndexSpec, inputs: Inputs, score_rows: list[dict], lens_rows: list[dict]
) -> list[dict]:
    """The rank of the index (lens '*', its ranked areas) and of every lens (areas with a lens score)
    within each group, per grouping of `ranks.groups` (default `peers.groups`) and period."""
    ranked = [("*", r) for r in score_rows if r["rank"] is not None]
    ranked += [(r["lens"], r) for r in lens_rows if r["score"] is not None]
    out: list[dict] = []
    for grouping in index.rank_groups:
        groups: dict[tuple[str, str, str], dict[str, float]] = {}
        for lens, row in ranked:
            group = inputs.group_of(grouping, row["area_code"], row["period"])
            if group is not None:
                key = (lens, group, row["period"])
                groups.setdefault(key, {})[row["area_code"]] = row["score"]
        for (lens, group, period), scores in sorted(groups.items()):
            for area, rank in competition_ranks(scores).items():
                out.append(
                    {
                        "grouping": grouping,
                        "group_code": group,
                        "lens": lens,
                        "area_code": area,
                        "period": period,
                        "rank": rank,
                        "areas_ranked": len(scores),
                    }
                )
    return out
