"""The objects snapshots and snapshot policies need in a build.

Snapshot tables live in the target's snapshot schema and are only ever created when missing (the
run never replaces, empties or drops one); `indexc snapshot take` appends to them. A policy adds
consumption views: the snapshots it surfaces, and each frozen output of those snapshots.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from indexc.plan.nodes import Layer, Materialisation, Node
from indexc.spec.snapshots import SnapshotPolicy
from indexc.validate.catalog import Catalog

FROZEN_PARTS = (
    "metric_values",
    "screened",
    "metric_scores",
    "lens_scores",
    "scores",
    "productivity",
    "neighbours",
    "savings",
    "savings_totals",
    "stability",
    "group_ranks",
    "most_improved",
    "top",
    "headline_exclusions",
)
"""What a snapshot freezes of each index: its scores and ranks, metric values, lens scores, savings
and peers (the baseline's, not the scenarios'); and the geography's indicators (new, terminated)."""
FROZEN_GEOGRAPHY = "geography__indicators"
REGISTRY = "indexc__snapshots"
SNAPSHOT_SCHEMA_OBJECT = "snapshot_schema"
TERMINATING = (
    "merge",
    "split",
    "recode",
)  # events after which a predecessor's code is no longer in force


@dataclass(frozen=True, kw_only=True)
class SnapshotSchemaNode(Node):
    layer = Layer.SNAPSHOT
    materialisation = Materialisation.SCHEMA


@dataclass(frozen=True, kw_only=True)
class SnapshotTableNode(Node):
    """An append-only table of one output's frozen rows, created empty with the output's columns."""

    table: str
    source_object: str | None  # None: the registry of snapshots
    layer = Layer.SNAPSHOT
    materialisation = Materialisation.ENSURE


@dataclass(frozen=True)
class Succession:
    """`code` stands for `successor` from `effective` until `until` (a later event ended the successor)."""

    code: str
    successor: str
    effective: datetime.date
    until: datetime.date | None


@dataclass(frozen=True, kw_only=True)
class ConsumptionNode(Node):
    """A view over the snapshots one policy surfaces: the snapshots themselves (`frozen_table` None),
    or one frozen output of each, with terminated-area indicators."""

    policy: SnapshotPolicy
    frozen_table: str | None
    events: tuple[
        tuple[str, datetime.date], ...
    ]  # (id, effective) of the events the policy surfaces at
    successions: tuple[Succession, ...]
    layer = Layer.CONSUMPTION
    materialisation = Materialisation.VIEW


def successions(catalog: Catalog) -> tuple[Succession, ...]:
    """Every code an in-force event ended, with the codes standing for it from then on, following
    later events (A split into B and C, then B merged into D: A stands for C, then for C and D)."""
    events = sorted(
        (e for e in catalog.lineage.values() if e.status == "in_force" and e.type in TERMINATING),
        key=lambda e: (e.effective, e.id),
    )
    standing: dict[str, tuple[set[str], datetime.date]] = {}  # code -> (successors now, since)
    found: list[Succession] = []
    for event in events:
        ended = [code for code in event.from_ if code not in {s.code for s in event.to}]
        heirs = {s.code for s in event.to}
        for code, (successors, since) in list(standing.items()):
            touched = successors & set(ended)
            if touched:
                found.extend(
                    Succession(code, s, since, event.effective) for s in sorted(successors)
                )
                standing[code] = ((successors - touched) | heirs, event.effective)
        for code in ended:
            standing[code] = (set(heirs), event.effective)
    found.extend(
        Succession(code, s, since, None)
        for code, (successors, since) in standing.items()
        for s in sorted(successors)
    )
    return tuple(sorted(found, key=lambda s: (s.code, s.effective, s.successor)))


def snapshot_nodes(catalog: Catalog, built: list[Node]) -> list[Node]:
    if not catalog.snapshot_policies:
        return []
    names = {node.name for node in built}
    frozen = [name for name in frozen_names(catalog.indexes) if name in names]
    nodes: list[Node] = [
        SnapshotSchemaNode(
            name=SNAPSHOT_SCHEMA_OBJECT,
            depends_on=(),
            spec=None,
            description="The schema of the append-only snapshot tables",
        )
    ]
    nodes.append(
        SnapshotTableNode(
            name=f"snapshot__{REGISTRY}",
            depends_on=(SNAPSHOT_SCHEMA_OBJECT,),
            spec=None,
            description="Every snapshot taken: id, as-of date, label, spec hash, compiler",
            table=REGISTRY,
            source_object=None,
        )
    )
    nodes.extend(
        SnapshotTableNode(
            name=f"snapshot__{name}",
            depends_on=(SNAPSHOT_SCHEMA_OBJECT, name),
            spec=None,
            description=f"The frozen rows of {name}, one set per snapshot",
            table=name,
            source_object=name,
        )
        for name in frozen
    )
    chain = successions(catalog)
    for policy_id, policy in sorted(catalog.snapshot_policies.items()):
        events = _events(catalog, policy)
        spec = ("snapshot_policies", policy_id)
        registry = f"snapshot__{REGISTRY}"
        nodes.append(
            ConsumptionNode(
                name=f"consumption__{policy_id}__snapshots",
                depends_on=(registry,),
                spec=spec,
                description=f"The snapshots policy {policy_id} surfaces, and why",
                policy=policy,
                frozen_table=None,
                events=events,
                successions=chain,
            )
        )
        nodes.extend(
            ConsumptionNode(
                name=f"consumption__{policy_id}__{name}",
                depends_on=(registry, f"snapshot__{name}"),
                spec=spec,
                description=f"{name} in each snapshot policy {policy_id} surfaces",
                policy=policy,
                frozen_table=name,
                events=events,
                successions=chain,
            )
            for name in frozen
        )
    return nodes


def _events(catalog: Catalog, policy: SnapshotPolicy) -> tuple[tuple[str, datetime.date], ...]:
    chosen: set[str] = set()
    for rule in policy.surface:
        listed = getattr(rule, "lineage_events", None)
        if listed == "all":
            chosen |= {e.id for e in catalog.lineage.values() if e.status == "in_force"}
        elif listed:
            chosen |= set(listed)
    return tuple(sorted((e, catalog.lineage[e].effective) for e in chosen))


def frozen_names(index_ids: Iterable[str]) -> list[str]:
    return [f"index__{i}__{part}" for i in sorted(index_ids) for part in FROZEN_PARTS] + [
        FROZEN_GEOGRAPHY
    ]
