"""`indexc show AREA`: one area's profile across every index a run published.

An analyst asked about one council wants, in one place, what the published tables say of it: its rank
and score in each index and period (latest first), and, for the period shown, its lens scores, its
peers, its projected savings, how stable its rank is, how old the data behind it is, its history
(predecessors, successors) and, where that part of the compiler has published them, its comparisons,
trends and sentences. Everything is read from the published schema (published.py), so the profile
never says what a consumer of the tables could not see. The profile is plain data (JSON-ready);
render.py prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlglot import exp

from indexc.generate.expressions import col
from indexc.geography import Geography
from indexc.geography.explain import related_events
from indexc.lookups.history import restated_history
from indexc.lookups.published import OPTIONAL_PARTS, Published, both, equals, plain
from indexc.plan.index_planner import index_object
from indexc.spec.indexes import Index
from indexc.validate.catalog import Catalog

Row = dict[str, Any]


def _clean(rows: list[Row], drop: tuple[str, ...] = ()) -> list[Row]:
    return [{k: plain(v) for k, v in row.items() if k not in drop} for row in rows]


def _ranked_counts(published: Published, index_id: str) -> dict[str, int]:
    query = (
        exp.select(col("period"), exp.alias_(exp.Count(this=col("rank")), "ranked"), copy=False)
        .from_(published.table(index_object(index_id, "scores")))
        .group_by(col("period"))
    )
    return {str(r["period"]): int(r["ranked"]) for r in published.rows(query)}


def _by_period(
    published: Published, index_id: str, part: str, code: str, columns: list[str]
) -> dict[str, Row]:
    if not published.has_index(index_id, part):
        return {}
    rows = published.select(
        index_object(index_id, part), ["period", *columns], equals("area_code", code)
    )
    return {str(r["period"]): r for r in rows}


def _periods(published: Published, index_id: str, code: str, period: str | None) -> list[Row]:
    """Rank and score in each period, latest first, with the headline rank and rank interval."""
    scores = published.select(
        index_object(index_id, "scores"),
        ["period", "score", "rank", "rank_change", "lenses_used", "lenses_total", "coverage"],
        both(equals("area_code", code), equals("period", period) if period else None),
        ["period"],
    )
    ranked = _ranked_counts(published, index_id)
    top = _by_period(published, index_id, "top", code, ["headline_rank"])
    kept = _by_period(published, index_id, "headline_exclusions", code, ["reason"])
    stability = _by_period(
        published, index_id, "stability", code, ["median_rank", "rank_p05", "rank_p95", "p_top"]
    )
    found = []
    for row in reversed(scores):
        p = str(row["period"])
        entry = {k: plain(v) for k, v in row.items()}
        entry["areas_ranked"] = ranked.get(p, 0)
        entry["headline_rank"] = top[p]["headline_rank"] if p in top else None
        entry["headline_excluded"] = kept[p]["reason"] if p in kept else None
        interval = stability.get(p)
        entry["rank_interval"] = (
            {k: plain(interval[k]) for k in ("median_rank", "rank_p05", "rank_p95", "p_top")}
            if interval
            else None
        )
        found.append(entry)
    return found


def _detail(
    published: Published,
    catalog: Catalog,
    index: Index,
    code: str,
    period: str,
    names: Mapping[str, str],
) -> Row:
    """What the published tables say of the area in one period."""
    index_id = index.id
    here = both(equals("area_code", code), equals("period", period))

    def rows(part: str, columns: list[str], order: list[str]) -> list[Row] | None:
        name = index_object(index_id, part)
        return published.select(name, columns, here, order) if published.has(name) else None

    lens_names = {lens.id: lens.description for _, lens, _ in index.walk()}
    lenses = rows("lens_scores", ["lens", "depth", "score", "rank"], ["depth", "lens"]) or []
    for lens in lenses:
        lens["description"] = lens_names.get(str(lens["lens"]), "")
    peers = rows("neighbours", ["neighbour_rank", "neighbour_code", "distance"], ["neighbour_rank"])
    for peer in peers or []:
        peer["name"] = names.get(str(peer["neighbour_code"]))
    savings = rows(
        "savings", ["saving", "lens", "unit_cost", "volume", "benchmark", "amount"], ["saving"]
    )
    recency = rows(
        "metric_values",
        ["metric", "value", "imputed", "data_period", "data_start", "data_end"],
        ["metric"],
    )
    for metric in recency or []:
        spec = catalog.metrics.get(str(metric["metric"]))
        metric["description"] = spec.description if spec else ""
    detail: Row = {
        "period": period,
        "lenses": _clean(lenses),
        "peers": _clean(peers) if peers is not None else None,
        "savings": _clean(savings) if savings is not None else None,
        "savings_total": (
            sum(float(s["amount"]) for s in savings if s["amount"] is not None) if savings else None
        ),
        "recency": _clean(recency) if recency is not None else None,
    }
    for part in OPTIONAL_PARTS:  # published by another part of the compiler, when it is built
        name = index_object(index_id, part)
        if published.has(name):
            detail[part] = _clean(published.select(name, ["*"], here), drop=("area_code", "period"))
    if "sentences" in detail:
        detail["sentences"].sort(key=lambda s: s.get("position") or 0)
    return detail


def _lineage(catalog: Catalog, code: str) -> Row:
    """The area's predecessors and successors (the events `indexc lineage` tells), one step each way."""
    area = catalog.areas.get(code)

    def named(other: str) -> Row:
        known = catalog.areas.get(other)
        return {"code": other, "name": known.name if known else None}

    predecessors, successors = [], []
    for event in related_events(catalog, code):
        into = [s.code for s in event.to]
        about = {"event": event.id, "type": event.type, "effective": event.effective.isoformat()}
        if code in into:
            predecessors += [{**named(c), **about} for c in event.from_ if c != code]
        if code in event.from_:
            successors += [{**named(c), **about} for c in into if c != code]
    return {
        "type": area.type if area else None,
        "valid_from": area.valid_from.isoformat() if area and area.valid_from else None,
        "valid_to": area.valid_to.isoformat() if area and area.valid_to else None,
        "predecessors": predecessors,
        "successors": successors,
        "events": [e.id for e in related_events(catalog, code)],
    }


def _shown(index: Index, periods: list[Row]) -> str:
    """The period whose detail is shown: the one the index publishes (`publish.period`) when the area has
    it, else the latest in which the area is ranked, else the latest (`periods` are latest first)."""
    have = [str(p["period"]) for p in periods]
    if index.publish.period in have:
        return str(index.publish.period)
    ranked = [str(p["period"]) for p in periods if p["rank"] is not None]
    return (ranked or have)[0]


def area_profile(
    published: Published,
    catalog: Catalog,
    code: str,
    name: str | None,
    period: str | None,
    names: Mapping[str, str],
    geography: Geography | None = None,
) -> Row:
    """The profile of area `code` in every published index that scores it: `period`, or every period
    (the detail then of the period `_shown` chooses). Indexes in the order `indexc run` shows them (the
    headline first). With the `geography` compiled, how its history was restated, per measure."""
    indexes = sorted(catalog.indexes.values(), key=lambda i: (not i.publish.headline, i.id))
    found = []
    scored: set[str] = set()
    for index in indexes:
        if not published.has_index(index.id):
            continue
        periods = _periods(published, index.id, code, period)
        if not periods:
            continue
        scored |= {str(p["period"]) for p in periods}
        detail = _detail(published, catalog, index, code, _shown(index, periods), names)
        found.append(
            {
                "index": index.id,
                "version": index.version,
                "headline": index.publish.headline,
                "top": index.publish.top,
                "periods": periods,
                "detail": detail,
            }
        )
    return {
        "area_code": code,
        "name": name,
        "period": period,
        "indexes": found,
        "lineage": _lineage(catalog, code),
        "restated_history": restated_history(catalog, geography, code, sorted(scored)),
    }
