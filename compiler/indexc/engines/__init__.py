"""Engines execute compiled objects on a database; compiling never needs one.

What a run of compiled objects can end in is the same on every engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
class PublishFailed(Exception):
    """A publishing statement failed: the build is complete but was not published."""

    step: str
    message: str


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


Statement = Callable[[CompiledObject], tuple[list, int | None]]
"""Runs one object's statement on an engine: the first rows a check found, and the rows a table wrote."""


def run_in_order(
    objects: list[CompiledObject], run: Statement, progress: Progress | None
) -> list[BuiltObject]:
    """Every object in order, stopping at the first the engine rejects (ObjectFailed, raised by `run`) or
    the first check that finds rows (CheckFailed)."""
    built: list[BuiltObject] = []
    for position, obj in enumerate(objects, start=1):
        if progress:
            progress.starting(obj, position, len(objects))
        started = time.perf_counter()
        found, rows = run(obj)
        if found:
            raise CheckFailed(obj, tuple(row[0] for row in found))
        built.append(
            BuiltObject(
                obj.name, time.perf_counter() - started, obj.node.materialisation.value, rows
            )
        )
        if progress:
            progress.built(built[-1])
    return built


__all__ = [
    "CHECK_EXAMPLES",
    "BuiltObject",
    "CheckFailed",
    "ObjectFailed",
    "Progress",
    "PublishFailed",
    "run_in_order",
]
