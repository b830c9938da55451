"""Scenarios that model proposed reorganisations: the whole chain again, on another geography.

Applying proposed lineage events changes which councils exist, so every
object from the restated measures to the index differs. The scenario's plan
is the project's plan built on that geography (with the scenario's weights
and savings), and every node that differs from the baseline's, or reads one
that does, is renamed `scenario__<id>__<name>`; sources and everything else
that is the same are shared, never built twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from indexc.geography import Geography
from indexc.plan.nodes import Materialisation, Node
from indexc.spec.indexes import Scenario


def prefix_of(scenario: Scenario) -> str:
    return f"scenario__{scenario.id}__"


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """Object names replaced wherever a node holds them: fields, tuples, lists and template parameters."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, tuple):
        return tuple(_renamed(item, names) for item in value)
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, names) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                f.name: _renamed(getattr(value, f.name), names)
                for f in dataclasses.fields(value)
                if f.init
            },
        )
    return value


def scenario_geography_nodes(
    scenario: Scenario,
    baseline: list[Node],
    plan_on: Callable[[Geography], list[Node]],
    geography: Geography,
) -> list[Node]:
    """The scenario's nodes that differ from the baseline's, renamed; the rest are the baseline's own."""
    base = {node.name: node for node in baseline}
    nodes = plan_on(geography)
    differs: set[str] = set()
    for node in nodes:  # dependency order: a node differs if it, or anything it reads, differs
        if (
            node.name not in base
            or base[node.name] != node
            or any(d in differs for d in node.depends_on)
        ):
            differs.add(node.name)
    names = {name: prefix_of(scenario) + name for name in differs}
    renamed = {names[node.name]: _renamed(node, names) for node in nodes if node.name in differs}
    return _needed_by_the_index(renamed, prefix_of(scenario) + f"index__{scenario.index}__")


def _needed_by_the_index(nodes: dict[str, Node], index_prefix: str) -> list[Node]:
    """What the scenario's index reads, directly or not, and the checks guarding it; nothing else is built."""
    needed: set[str] = set()
    waiting = [name for name in nodes if name.startswith(index_prefix)]
    while waiting:
        name = waiting.pop()
        if name in needed or name not in nodes:
            continue
        needed.add(name)
        waiting.extend(nodes[name].depends_on)
    guards = {
        name
        for name, node in nodes.items()
        if node.materialisation is Materialisation.CHECK
        and all(d in needed or d not in nodes for d in node.depends_on)
    }
    return [node for name, node in nodes.items() if name in needed | guards]
