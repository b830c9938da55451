"""Steps 4-6 of docs/methodology.md: the lens tree, the index score, ranks and group ranks.

Coverage follows "coverage counts observed data only": a metric child is *present* for coverage when
it has a score from an observed (not imputed) value, a lens child when at least one of its own
children is present (its coverage is above 0); scores use every child that has a score.

A lens with a status (contextual) is scored and listed but left out of its parent: not in its
scores, `children_used`, `children_total` or coverage. A lens reading another index takes that
index's score as it is (`borrowed`, worked out by reference.borrowed from the reference's own tables of
the other index), as one child of weight 1 observed where the other index has observed data.
"""

from __future__ import annotations

from reference.inputs import Inputs
from reference.spec import IndexSpec, Node
from reference.stats import competition_ranks, weighted_mean


def lens_row(lens: str, area: str, period: str, score: float, used: int, total: int, cover: float):
    return {
        "lens": lens,
        "area_code": area,
        "period": period,
        "score": score,
        "children_used": used,
        "children_total": total,
        "coverage": cover,
    }


def node_result(node: Node, scope: dict, out: list, area: str, period: str):
    """(score, observed) of a node for one area and period; lens rows are appended to `out`.

    `scope` holds the metric rows by key ("metrics"), the index's default mean ("default") and the
    scores of lenses reading another index by lens, area and period ("borrowed")."""
    if node.kind == "metric":
        row = scope["metrics"].get((node.id, area, period))
        if row is None or row["score"] is None:
            return None, False
        return row["score"], not row["imputed"]
    if node.reads:
        score, observed = scope["borrowed"].get((node.id, area, period), (None, False))
        if score is not None:
            out.append(lens_row(node.id, area, period, score, 1, 1, 1.0 if observed else 0.0))
        return score, observed
    results = [(child, *node_result(child, scope, out, area, period)) for child in node.children]
    weighed = [(child, score, observed) for child, score, observed in results if child.weighted]
    used = [(child.weight, score) for child, score, _ in weighed if score is not None]
    if not used:
        return None, False
    total = sum(child.weight for child, _, _ in weighed)
    present = sum(
        child.weight for child, score, observed in weighed if score is not None and observed
    )
    method = node.aggregate or scope["default"]
    score = weighted_mean(method, [w for w, _ in used], [s for _, s in used])
    out.append(lens_row(node.id, area, period, score, len(used), len(weighed), present / total))
    return score, present > 0


def top_level(index: IndexSpec, lens_results: dict[str, tuple[float, bool]], weights: list[float]):
    """Score, lenses used and coverage of the root over the top lenses that carry weight, `weights`
    being theirs (also used by stability, which perturbs them)."""
    used_w, used_s, present, total = [], [], 0.0, 0.0
    for lens, weight in zip(index.weighted_lenses, weights, strict=True):
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
    index: IndexSpec, inputs: Inputs, metric_rows: list[dict], periods: list[str], borrowed: dict
):
    """`lens_scores` and `scores` rows, plus each area's top-lens (score, observed) for stability.
    Areas screened out of a period (Inputs.kept) have neither."""
    scope = {
        "metrics": {(r["metric"], r["area_code"], r["period"]): r for r in metric_rows},
        "default": index.method["aggregate"],
        "borrowed": borrowed,
    }
    lens_rows: list[dict] = []
    score_rows: list[dict] = []
    tops: dict[tuple[str, str], dict[str, tuple[float, bool]]] = {}
    weights = [lens.weight for lens in index.weighted_lenses]
    for period in periods:
        for area in sorted(inputs.kept(period)):
            results = {
                lens.id: node_result(lens, scope, lens_rows, area, period) for lens in index.lenses
            }
            score, used, coverage = top_level(index, results, weights)
            if score is None:
                continue
            tops[(area, period)] = results
            score_rows.append(
                {
                    "area_code": area,
                    "period": period,
                    "score": score,
                    "lenses_used": used,
                    "lenses_total": len(weights),
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


def borrowed_scores(index: IndexSpec, others: dict[str, dict[str, list[dict]]]) -> dict:
    """(lens, area, period) -> (score, observed) of every lens of `index` reading another index: that
    index's score of the lens named (every area with one), else its own score (the areas it ranks),
    observed where its coverage is above 0. `others` holds the reference's tables of other indexes."""
    found: dict[tuple[str, str, str], tuple[float, bool]] = {}

    def walk(node: Node) -> None:
        if node.reads:
            tables = others[node.reads["id"]]
            if node.reads["lens"]:
                rows = [r for r in tables["lens_scores"] if r["lens"] == node.reads["lens"]]
            else:
                rows = [r for r in tables["scores"] if r["rank"] is not None]
            for row in rows:
                key = (node.id, row["area_code"], row["period"])
                found[key] = (row["score"], row["coverage"] > 0)
        for child in node.children:
            walk(child)

    for lens in index.lenses:
        walk(lens)
    return found
