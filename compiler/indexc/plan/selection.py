"""Selective builds: the part of a plan that some indexes need (`build --index`, `run --index`).

The portfolio's indexes are built and published on their own: a run of one index must not rebuild,
replace or drop another's objects. So the plan is cut to a *closure*:

- the objects each selected index owns (its `index__<id>__*` objects, its checks, the objects of its
  scenarios, the snapshot tables of its outputs), found on the node graph, not by name;
- every object those read, transitively: sources, measures, geography, metrics, universes, and the
  objects of any other index they read (which is then selected too, whole, and said so: a lens that
  reads index B's score publishes B again, never half of it);
- the checks, audits and smell tests of the shared objects in the closure, which guard what it
  publishes, and the snapshot surfaces (consumption views) of its outputs.

Nothing else: the metrics no selected index reads and the objects of the other indexes stay as the
last run that selected them left them. `select` takes the ids chosen, so whatever decides which
indexes a run builds (a lifecycle's deferred indexes, say) hands its choice here; naming an index
selects it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic
from indexc.plan import Plan
from indexc.plan.nodes import Layer, Node
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean

FOLLOWERS = frozenset({Layer.AUDIT, Layer.CHECK, Layer.CONSUMPTION})
"""Layers of the shared objects that only watch or surface others: built when all they read is built."""


@dataclass(frozen=True)
class Selection:
    """The indexes a selective build makes, and the objects of its closure."""

    chosen: tuple[str, ...]  # as asked, in order
    indexes: frozenset[str]  # chosen, and every index whose objects they read
    read_by: Mapping[
        str, tuple[str, ...]
    ]  # an index selected for being read -> the indexes reading it
    names: frozenset[str]  # the objects of the closure
    owned: Mapping[str, str]  # every object of the whole plan that one index owns -> that index
    kept: tuple[str, ...] = ()  # the other indexes built by default, whose publications it keeps

    def claims(self, name: str) -> bool:
        """Whether a published object belongs to a selected index: one of theirs in the plan, or one named
        after one of them that the specs no longer make (dropped when the selection publishes)."""
        owner = self.owned.get(name)
        if owner is not None:
            return owner in self.indexes
        return any(name.startswith(prefix) for prefix in self.prefixes())

    def prefixes(self) -> tuple[str, ...]:
        """How the objects of the selected indexes are named, for those the plan no longer holds."""
        return tuple(
            prefix
            for index_id in sorted(self.indexes)
            for prefix in (f"index__{index_id}__", f"check__index__{index_id}__")
        )


def owners(plan: Plan, catalog: Catalog) -> dict[str, frozenset[str]]:
    """The indexes each node belongs to: its own (an index's object, check or scenario), else those of
    the objects it reads that belong to one (a snapshot table of an index's output); none for shared
    objects (sources, measures, metrics, universes, geography)."""
    found: dict[str, frozenset[str]] = {}
    for node in plan.nodes:  # in dependency order: what a node reads is known before it
        own = _own_index(node, catalog)
        if own is not None:
            found[node.name] = frozenset({own})
        else:
            found[node.name] = frozenset().union(
                *(found.get(d, frozenset()) for d in node.depends_on)
            )
    return found


def _own_index(node: Node, catalog: Catalog) -> str | None:
    index_id = getattr(node, "index_id", None)  # TemplateNode, CoverageCheckNode
    if isinstance(index_id, str):
        return index_id
    if node.spec is None:
        return None
    kind, spec_id = node.spec
    if kind == "indexes":
        return spec_id
    if kind == "scenarios" and spec_id in catalog.scenarios:
        return catalog.scenarios[spec_id].index
    return None


def select(plan: Plan, catalog: Catalog, index_ids: Iterable[str]) -> Selection:
    """The closure of `index_ids` (known indexes: see `unknown_indexes`) in `plan`."""
    chosen = tuple(dict.fromkeys(index_ids))
    belongs = owners(plan, catalog)
    by_name = {node.name: node for node in plan.nodes}
    indexes, read_by = _indexes_read(plan, belongs, by_name, chosen)
    names: set[str] = set()
    waiting = [n.name for n in plan.nodes if belongs[n.name] and belongs[n.name] <= indexes]
    while waiting:
        name = waiting.pop()
        if name not in names:
            names.add(name)
            waiting.extend(by_name[name].depends_on)
    for node in plan.nodes:  # dependency order: an audit's check follows its audit in
        if (
            node.name not in names
            and not belongs[node.name]
            and node.layer in FOLLOWERS
            and node.depends_on
            and all(d in names for d in node.depends_on)
        ):
            names.add(node.name)
    owned = {name: next(iter(o)) for name, o in belongs.items() if len(o) == 1}
    kept = tuple(sorted(i for i in set(catalog.indexes) - indexes if not _on_hold(catalog, i)))
    return Selection(chosen, frozenset(indexes), read_by, frozenset(names), owned, kept)


def _indexes_read(
    plan: Plan,
    belongs: Mapping[str, frozenset[str]],
    by_name: Mapping[str, Node],
    chosen: tuple[str, ...],
) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """The chosen indexes and, transitively, the indexes whose objects theirs read."""
    reads: dict[str, set[str]] = {}
    for node in plan.nodes:
        if len(belongs[node.name]) != 1:  # shared, or watching several indexes: reads for none
            continue
        for reader in belongs[node.name]:
            for dep in node.depends_on:
                if dep in by_name:
                    reads.setdefault(reader, set()).update(belongs[dep] - {reader})
    indexes = set(chosen)
    read_by: dict[str, tuple[str, ...]] = {}
    waiting = list(chosen)
    while waiting:
        reader = waiting.pop()
        for read in sorted(reads.get(reader, ())):
            if read not in indexes:
                indexes.add(read)
                read_by[read] = (reader,)
                waiting.append(read)
            elif read in read_by and reader not in read_by[read]:
                read_by[read] = (*read_by[read], reader)
    return indexes, {k: tuple(sorted(v)) for k, v in sorted(read_by.items())}


def selected_plan(plan: Plan, selection: Selection) -> Plan:
    """The plan's nodes of the closure, in the plan's order."""
    return Plan(tuple(node for node in plan.nodes if node.name in selection.names))


def unknown_indexes(catalog: Catalog, index_ids: Iterable[str], option: str) -> list[Diagnostic]:
    """IX102 for each index asked for on the command line that the specs do not define."""
    return [
        Diagnostic(
            Code.UNKNOWN_REFERENCE,
            f"unknown index '{index_id}' in {option}",
            COMMAND_LINE,
            did_you_mean(index_id, catalog.indexes)
            or f"indexes: {', '.join(sorted(catalog.indexes)) or 'none defined'}",
        )
        for index_id in dict.fromkeys(index_ids)
        if index_id not in catalog.indexes
    ]


__all__ = [
    "Selection",
    "owners",
    "select",
    "selected_plan",
    "unknown_indexes",
]


def _on_hold(catalog: Catalog, index_id: str) -> bool:
    """An index not built by default (a plan made by hand may hold no spec for it)."""
    return bool(getattr(catalog.indexes.get(index_id), "on_hold", False))
