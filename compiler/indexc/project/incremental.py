"""Generate and check only the objects whose planned node changed since the last build.

An object's SQL is a function of its planned node and the target, nothing else
(generate/__init__.py: a builder is given the node and the target). So the SQL of
every object is cached by its *node key*: the fingerprint of everything the node
holds (cache/fingerprint.py), of the target's settings and, through the cache's
header, of the toolchain (indexc's source, sqlglot's version). A changed metric
changes the nodes that hold it, and only those are generated again; every other
object's statement is the one the same node gave last time, byte for byte.

The statements are kept in PARTS entries by their key, so that a build that
changed a few objects writes a few entries, not the statements of every object.
The target's static check (`--check`) is cached the same way: a statement that
passed it once, with this toolchain, passes it again; it is recorded by its node's
key, which stands for the statement, so that no statement is read to tell. A node
the fingerprint cannot read is generated afresh every time (and its check recorded
by the statement's checksum); a damaged cache file is a miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp

from indexc.cache import Store, digest
from indexc.cache.fingerprint import Fingerprints, Unknown
from indexc.generate import CompiledObject, SqlTarget, generate
from indexc.plan import Plan


@dataclass(frozen=True)
class _Part(Plan):
    """Some of a plan's nodes, keeping the whole plan's levels (an object's file is named by its level)."""

    whole: dict[str, int] = field(default_factory=dict)

    def levels(self) -> dict[str, int]:
        return self.whole


class SqlCache:
    """The cached statements of one build directory's target (`slot`: duckdb, snowflake, a what-if's)."""

    def __init__(
        self,
        root: Path,
        slot: str,
        target: SqlTarget,
        *,
        enabled: bool = True,
        fingerprints: Fingerprints | None = None,
    ) -> None:
        """`fingerprints`: shared by the builds of one compilation, so that each node is read once
        whatever the number of targets."""
        self.store = Store(root, "sql", enabled=enabled)
        self.slot = slot
        self.target = target
        # object name -> node key, for the nodes the fingerprint read
        self.fingerprints = fingerprints or Fingerprints(REDUCERS)
        self.keys: dict[str, str] = {}
        self._target_key = Fingerprints(REDUCERS).of(
            (type(target).__qualname__, target.spec.model_dump(mode="json", by_alias=True))
        )
        head = self.store.load(slot)
        self._head = (
            isinstance(head, dict)
            and set(head) == {"target", "checked"}
            and head["target"] == self._target_key
            and isinstance(head["checked"], set)
        )
        self._checked: set[str] = head["checked"] if self._head else set()
        # a statement is found by its key, which names the target: a part is read whatever its head
        self._parts: dict[int, dict[str, str]] = {}
        self._sql: dict[str, str] = {}
        for part in range(PARTS):
            loaded = self.store.load(f"{slot}.{part}")
            if isinstance(loaded, dict):
                self._parts[part] = loaded
                self._sql.update(loaded)
        self.generated = 0  # objects generated this build, rather than taken from the cache

    def generate(self, plan: Plan) -> list[CompiledObject]:
        """Every object of the plan, in its order; only the nodes without a cached statement generated."""
        fingerprints = self.fingerprints
        for node in plan.nodes:
            try:
                self.keys[node.name] = digest(
                    f"{self._target_key}\0{fingerprints.of(node)}".encode("ascii")
                )
            except (Unknown, RecursionError):
                pass
        levels = plan.levels()
        missing = tuple(
            node for node in plan.nodes if self._sql.get(self.keys.get(node.name, "")) is None
        )
        fresh = {obj.name: obj for obj in generate(_Part(missing, levels), self.target)}
        self.generated = len(fresh)
        digits = max(2, len(str(max(levels.values(), default=0))))
        objects = []
        for node in plan.nodes:
            if node.name in fresh:
                objects.append(fresh[node.name])
                continue
            statement = self._sql[self.keys[node.name]]
            objects.append(CompiledObject(node, levels[node.name], statement, digits))
        for name, obj in fresh.items():
            if name in self.keys:
                self._sql[self.keys[name]] = obj.statement
        return objects

    def unchecked(self, objects: list[CompiledObject]) -> list[CompiledObject]:
        """The objects whose statement has not passed the target's static check with this toolchain."""
        return [obj for obj in objects if self._check_key(obj) not in self._checked]

    def _check_key(self, obj: CompiledObject) -> str:
        """What a passed check is recorded by: the object's node key, which stands for its statement
        (the statement cached under a key is the one its node gives), or the statement's checksum
        when its node has no key."""
        key = self.keys.get(obj.name)
        return f"node {key}" if key is not None else f"statement {_statement_key(obj.statement)}"

    def save(self, objects: list[CompiledObject], *, checked: bool) -> None:
        """Keep the statements of this build's objects only (the cache never grows past one build),
        and, when they were checked and passed, that they did. Only the parts whose statements
        changed are written again."""
        parts: list[dict[str, str]] = [{} for _ in range(PARTS)]
        for obj in objects:
            key = self.keys.get(obj.name)
            if key is not None and key in self._sql:
                parts[_part(key)][key] = self._sql[key]
        for number, statements in enumerate(parts):
            if statements != self._parts.get(number):
                self.store.dump(f"{self.slot}.{number}", statements)
        checks = {self._check_key(obj) for obj in objects}
        kept_checked = checks if checked else self._checked & checks
        if not self._head or kept_checked != self._checked:  # written last: the parts are whole
            self.store.dump(self.slot, {"target": self._target_key, "checked": kept_checked})


PARTS = 32  # the statements of a target are kept in this many entries: a change rewrites few


def _part(key: str) -> int:
    """The part that keeps the statement of a key (a hexadecimal digest)."""
    return int(key[:8], 16) % PARTS


def _expression(expression: exp.Expression) -> tuple[Any, ...]:
    """A sqlglot tree as what it is made of (its arguments, comments, type and metadata), without the
    pointer back to its parent that would make it a cycle."""
    return (expression.args, expression.comments, expression._type, expression._meta)


REDUCERS = ((exp.Expression, _expression),)


def _statement_key(statement: str) -> str:
    return digest(statement.encode("utf-8"))
