"""SQL for snapshots: the append-only tables, and the consumption views a snapshot policy surfaces.

Each consumption view reads only the snapshot schema, never the build: published on Snowflake,
the same view is created again in the published schema (generate/publish.py), and it must read
the same rows there. Which snapshots a policy surfaces is worked out in the view from the
registry, so a snapshot taken after the run shows at once, without another run.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.targets import SqlTarget
from indexc.generate.templating import render
from indexc.plan.snapshots import REGISTRY, ConsumptionNode, SnapshotTableNode
from indexc.spec.snapshots import FinancialYearEnd, Latest, Pinned

REGISTRY_COLUMNS = (
    ("snapshot_id", "BIGINT"),
    ("as_of", "DATE"),
    ("label", "VARCHAR"),
    ("spec_hash", "VARCHAR"),
    ("compiler_version", "VARCHAR"),
    ("target", "VARCHAR"),
    ("geography_date", "DATE"),
    ("published_at", "TIMESTAMP"),
    ("taken_at", "TIMESTAMP"),
)


def empty_copy(target: SqlTarget, of: exp.Table) -> exp.Select:
    """No rows, the columns of `of` after a snapshot id: what a snapshot table starts as."""
    return (
        exp.select(exp.alias_(exp.cast(exp.null(), "BIGINT"), "snapshot_id"), exp.Star())
        .from_(of)
        .where(exp.false())
    )


def snapshot_table(node: SnapshotTableNode, target: SqlTarget) -> exp.Expression:
    if node.source_object is None:
        return registry_query()
    return empty_copy(target, target.object_table(node.source_object))


def registry_query() -> exp.Select:
    return exp.select(
        *[exp.alias_(exp.cast(exp.null(), kind), name) for name, kind in REGISTRY_COLUMNS]
    ).where(exp.false())


def ensure(target: SqlTarget, table: str, query: exp.Expression) -> exp.Create:
    return exp.Create(
        this=target.snapshot_table(table), kind="TABLE", exists=True, expression=query
    )


def consumption(node: ConsumptionNode, target: SqlTarget) -> exp.Expression:
    """The surfaced snapshots, or one frozen output of each (templates/consumption.sql.j2)."""
    policy, frozen = node.policy, node.frozen_table
    return render(
        "consumption.sql.j2",
        target,
        registry_table=REGISTRY,
        frozen_table=frozen,
        events=node.events,
        successions=node.successions,
        periods=policy.periods,
        latest=max((r.latest for r in policy.surface if isinstance(r, Latest)), default=0),
        year_end=any(isinstance(r, FinancialYearEnd) for r in policy.surface),
        pins=sorted({p for r in policy.surface if isinstance(r, Pinned) for p in r.pinned}),
        areas=frozen is not None
        and not frozen.endswith("__savings_totals"),  # the one output without areas
        neighbours=frozen is not None and frozen.endswith("__neighbours"),
    )
