"""Engines execute compiled objects on a database; compiling never needs one.

What a run of compiled objects can end in is the same on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from indexc.generate import CompiledObject

CHECK_EXAMPLES = 5


@dataclass(frozen=True)
class ObjectFailed(Exception):
    """A statement the engine rejected: usually the data, not indexc, is at fault."""

    object: CompiledObject
    message: str


@dataclass(frozen=True)
class CheckFailed(Exception):
    """A check found rows: the data breaks a promise the specs make about it."""

    object: CompiledObject
    examples: tuple  # up to CHECK_EXAMPLES + 1 values, so callers can tell there are more


@dataclass(frozen=True)
class BuiltObject:
    name: str
    seconds: float
    kind: str = "table"  # the object's materialisation: table, view, check or schema
    rows: int | None = None  # rows written, where the engine says


class Progress(Protocol):
    """Told of each object as it starts and as it is built, so a long run can show where it is."""

    def starting(self, obj: CompiledObject, position: int, total: int) -> None: ...

    def built(self, built: BuiltObject) -> None: ...


def built_object(obj: CompiledObject, seconds: float, rows: int | None = None) -> BuiltObject:
    return BuiltObject(obj.name, seconds, obj.node.materialisation.value, rows)


__all__ = ["CHECK_EXAMPLES", "BuiltObject", "CheckFailed", "ObjectFailed", "Progress", "built_object"]
