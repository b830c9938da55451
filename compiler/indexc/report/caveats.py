"""The report's caveats: everything the method did that a reader of the Top N must know, read from the
published tables of the period: councils screened out, councils scored but not ranked, councils the
headline policy kept out of the Top N, values imputed or treated, councils of the Top N scored on fewer
lenses than the index has, and whether the specs have changed since the tables were published.
A caveat the place cannot show (a table it does not hold) says so instead of staying silent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from indexc.generate.expressions import col, lit
from indexc.plan.index_planner import index_object
from indexc.report.headline import Headline, in_period
from indexc.report.relations import Tables
from indexc.spec.indexes import Index


def _listed(codes: list[str], names: dict[str, str], limit: int = 12) -> str:
    shown = [f"{names.get(c, c)} ({c})" for c in codes[:limit]]
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return ", ".join(shown) + more


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def screened(tables: Tables, index: Index, period: str, names: dict[str, str]) -> str | None:
    if not index.method.screen:
        return None
    table = index_object(index.id, "screened")
    if not tables.columns(table):
        return f"Screened out: not shown ({table} cannot be read here)."
    rows = tables.read(table, ["area_code"], in_period(period), order=("area_code",))
    codes = sorted({r["area_code"] for r in rows})
    if not codes:
        return f"Screened out in {period}: no council (every council had enough values)."
    return (
        f"Screened out in {period}, before treatment (no score, no rank): "
        f"{_plural(len(codes), 'council')}: {_listed(codes, names)}."
    )


def unranked(tables: Tables, index: Index, period: str, names: dict[str, str]) -> str:
    table = index_object(index.id, "scores")
    rows = tables.read(
        table,
        ["area_code", "coverage"],
        exp.and_(in_period(period), exp.Not(this=col("ranked"))),
        order=("area_code",),
    )
    if not rows:
        return f"Not ranked in {period}: no council; every council with a score is ranked."
    return (
        f"Not ranked in {period}: {_plural(len(rows), 'council')} whose scored lenses carry less than "
        f"{index.method.min_coverage:.0%} of the weight (scored, shown in the full results, not in "
        f"the Top {index.publish.top}): {_listed([r['area_code'] for r in rows], names)}."
    )


def exclusions(index: Index, headline: Headline, period: str) -> str:
    policy = index.publish.headline_policy
    if headline.exclusions:
        kept = "; ".join(
            f"{r['name'] or r['area_code']} ({r['area_code']}, rank {r['rank']}): {r['reason']}"
            for r in headline.exclusions
        )
        return (
            f"Kept out of the headline Top {index.publish.top} in {period} by the index's headline "
            f"policy (they keep their place in the full ranking): {kept}."
        )
    if headline.exclusions_read:
        return f"Headline policy: no council was kept out of the headline in {period}."
    if policy is not None:
        return (
            "Headline policy: the index has one, but the tables read here have no "
            f"{index_object(index.id, 'headline_exclusions')} (published by an older indexc, or "
            "not frozen in this snapshot): the councils it kept out are not listed."
        )
    if headline.ordered_by == "rank":
        return (
            "Headline policy: none read; the Top N is the first N of the full ranking (these tables "
            "have no headline_rank: published before headline policies, or the index has none)."
        )
    return "Headline policy: none; the headline Top N is the first N of the full ranking."


def imputed(tables: Tables, index: Index, period: str) -> str:
    table = index_object(index.id, "metric_scores")
    if isinstance(index.method.missing, str):
        return (
            "Missing values: none imputed; a council missing a metric or a lens is scored on what it "
            "has, its weights rescaled (see the Lenses column)."
        )
    if not tables.has(table, "imputed"):
        return f"Imputed values: not counted ({table} cannot be read here)."
    [row] = tables.read(
        table,
        [exp.alias_(exp.Count(this=exp.Star()), "values")],
        exp.and_(in_period(period), col("imputed")),
    )
    how = index.method.missing
    return (
        f"Imputed values in {period}: {_plural(int(row['values']), 'value')}, each the {how.impute} "
        f"of the council's {how.group}."
    )


def treated(tables: Tables, index: Index, period: str) -> str | None:
    if all(index.method.treatment_of(m).method == "none" for m in index.metric_ids()):
        return None
    table = index_object(index.id, "treatment")
    if not tables.has(table, "high_points", "low_points", "log_applied"):
        return f"Treated values: not counted ({table} cannot be read here)."
    by_period = index.method.scope == "period" and tables.has(table, "scope")
    where = exp.EQ(this=col("scope"), expression=lit(period)) if by_period else None
    rows = tables.read(table, ["high_points", "low_points", "log_applied"], where)
    winsorised = sum(1 for r in rows if (r["high_points"] or 0) + (r["low_points"] or 0) > 0)
    points = sum((r["high_points"] or 0) + (r["low_points"] or 0) for r in rows)
    logged = sum(1 for r in rows if r["log_applied"])
    unit = f"metrics in {period}" if where is not None else "metrics (over all periods)"
    return (
        f"Treated outliers: {winsorised} of {len(rows)} {unit} winsorised "
        f"({_plural(points, 'point')}), {logged} log-transformed."
    )


def fewer_lenses(headline: Headline) -> str | None:
    short = [
        f"{r.name} ({r.lenses_used} of {r.lenses_total})"
        for r in headline.rows
        if r.lenses_used is not None and r.lenses_total and r.lenses_used < r.lenses_total
    ]
    if not short:
        return None
    return f"Scored on fewer lenses than the index has, in the Top N: {'; '.join(short)}."


def contributed(tables: Tables, index: Index, period: str) -> str | None:
    """Where the Top N was computed with data councils contributed (docs/governance.md): whose values
    are behind which row. Only an audience within the contributions' consent reads such a table."""
    top = index_object(index.id, "top")
    if not tables.has(top, "provenance", "contributed_by"):
        return None
    rows = tables.read(
        top,
        ["area_code", "name", "contributed_by"],
        exp.and_(in_period(period), exp.EQ(this=col("provenance"), expression=lit("contributed"))),
        order=("area_code",),
    )
    if not rows:
        return (
            f"Contributed data: this computation reads data councils contributed under consent; no "
            f"council of the Top N in {period} has a contributed value behind its score."
        )
    behind = "; ".join(
        f"{r['name'] or r['area_code']} ({r['area_code']}): contributed by {r['contributed_by']}"
        for r in rows
    )
    return (
        "Contributed data: this computation reads data councils contributed under consent, which "
        f"moves every council's score; in {period}, contributed values are behind: {behind}."
    )


def caveats(
    tables: Tables,
    index: Index,
    period: str,
    headline: Headline,
    names: dict[str, str],
    specs_changed: Callable[[], str | None],
) -> list[str]:
    found: list[Any] = [
        screened(tables, index, period, names),
        unranked(tables, index, period, names),
        exclusions(index, headline, period),
        imputed(tables, index, period),
        treated(tables, index, period),
        fewer_lenses(headline),
        contributed(tables, index, period),
        specs_changed(),
    ]
    return [c for c in found if c]
