"""What a run says under a Top N with a headline policy: who may appear in it, who was kept out of it in
the period and why. The Top N then skips areas of the full ranking, so the reader is told which, with the
reasons the build wrote (`index__<id>__headline_exclusions`), never left to wonder where rank 1 went.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from indexc.compilation import Query
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.methodology import index_object
from indexc.spec.indexes import Index


def exclusions_sql(target: SqlTarget, index_id: str, period: str, below: int | None) -> str:
    """The areas kept out in `period`, in rank order; `below`: only those ranked at most this (the
    last rank of the Top N), the ones it would otherwise have shown."""
    where: exp.Expr = exp.EQ(this=col("period"), expression=lit(period))
    if below is not None:
        where = exp.and_(where, exp.LTE(this=col("rank"), expression=lit(below)))
    query = (
        exp.select("area_code", "name", "rank", "population", "population_period", "reason")
        .from_(target.object_table(index_object(index_id, "headline_exclusions")))
        .where(where)
        .order_by(col("rank"), col("area_code"))
    )
    return target.render(query)


def policy_words(index: Index) -> str | None:
    """The policy in one sentence; None without one."""
    policy = index.publish.headline_policy
    if policy is None:
        return None
    parts = []
    if policy.population:
        parts.append(
            f"areas with a {policy.population.measure} under {policy.population.at_least:,.15g}"
        )
    if policy.exclude:
        parts.append(", ".join(e.area for e in policy.exclude) + " (listed)")
    kept = " and ".join(parts) or "no area"
    return (
        f"headline policy: {kept} are kept out of the Top {index.publish.top}; the full ranking "
        f"({index_object(index.id, 'scores')}) keeps them"
    )


def headline_notes(
    query_rows: Query,
    target: SqlTarget,
    index: Index,
    period: str | None,
    rows: list[dict[str, Any]],
) -> tuple[str, ...]:
    """The policy, why (its description), and who it kept out of this period's Top N."""
    words = policy_words(index)
    if words is None or period is None:
        return ()
    policy = index.publish.headline_policy
    notes = [words + (f". {policy.description.strip()}" if policy and policy.description else "")]
    # those ranked above the last area shown were passed over; when fewer than N areas could be shown,
    # every area kept out was
    full = len(rows) >= index.publish.top
    last = max((int(row["rank"]) for row in rows), default=None) if full else None
    kept = query_rows(exclusions_sql(target, index.id, period, last))
    if kept:
        notes.append(
            f"kept out of the Top {index.publish.top} in {period}: "
            + "; ".join(
                f"{r['name'] or r['area_code']} ({r['area_code']}, rank {r['rank']}): {r['reason']}"
                for r in kept
            )
            + f" (see {index_object(index.id, 'headline_exclusions')})"
        )
    return tuple(notes)
