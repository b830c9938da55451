"""Language versions: what changed between them, applied in memory on load or to the files in place.

A spec written for an older language must keep compiling, or a reviewer cannot
diff a branch against a base written before the change; so the loader upgrades
old files in memory and says so, and `indexc migrate` (migrate_files) rewrites
them. Every change is listed here once, with why it was made, and both paths
apply the same list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

FileRole = Literal["spec", "target", "structure"]
"""A spec file under specs/, a target file under targets/, or an `indexc impact` structure file."""

LANGUAGE_KEY = "indexc"
CURRENT_VERSION = 2
ANY_INDEX = "*"


@dataclass(frozen=True)
class Rename:
    """A key renamed from one version to the next, at every path matching `pattern`."""

    role: FileRole
    pattern: tuple[Any, ...]  # keys, with ANY_INDEX for any list position
    new: str
    why: str

    @property
    def old(self) -> str:
        return self.pattern[-1]


CHANGES: dict[int, tuple[Rename, ...]] = {
    1: (
        Rename(
            "spec",
            ("measures", ANY_INDEX, "weight"),
            "weighted_by",
            "a measure's `weight` named the measure that weights its mean when areas merge, while a lens's "
            "or metric's `weight` is a number; the same key meant two different things",
        ),
        Rename(
            "target",
            ("schema",),
            "build_schema",
            "since safe deployment, `schema` is only where a run builds; consumers read `published_schema`",
        ),
    ),
}
"""The changes from version N to N + 1."""


def renames_from(version: int, role: FileRole) -> Iterator[tuple[int, Rename]]:
    """Every rename a file of `version` goes through to reach the current version, oldest first."""
    for step in range(version, CURRENT_VERSION):
        for rename in CHANGES.get(step, ()):
            if rename.role == role:
                yield step, rename


def renamed_key_hint(key: Any, allowed: list[str]) -> str | None:
    """For a key a current file may not hold: the hint that it was renamed, if it was."""
    for step, changes in CHANGES.items():
        for rename in changes:
            if rename.old == key and rename.new in allowed:
                return (
                    f"'{rename.old}' became '{rename.new}' in language version {step + 1}; "
                    "'indexc migrate' upgrades files written before"
                )
    return None


def matching_paths(
    data: Any, pattern: tuple[Any, ...], prefix: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """The paths in `data` that match `pattern`, ending at an existing key."""
    if not pattern:
        yield prefix
        return
    head, rest = pattern[0], pattern[1:]
    if head == ANY_INDEX:
        if isinstance(data, list):
            for position, item in enumerate(data):
                yield from matching_paths(item, rest, prefix + (position,))
    elif isinstance(data, dict) and head in data:
        yield from matching_paths(data[head], rest, prefix + (head,))


def _rename_in_place(mapping: dict[Any, Any], old: str, new: str) -> None:
    """Rename a key keeping its position among its siblings."""
    items = [(new if key == old else key, value) for key, value in mapping.items()]
    mapping.clear()
    mapping.update(items)


def _rename_paths(table: dict[tuple[Any, ...], Any], paths: set[tuple[Any, ...]], new: str) -> dict:
    """The position table with every path below one of `paths` (all of one length) renamed, in one pass."""
    depth = len(next(iter(paths)))
    return {
        (key[: depth - 1] + (new,) + key[depth:] if key[:depth] in paths else key): mark
        for key, mark in table.items()
    }


@dataclass
class Upgrade:
    """What upgrading one file's data did: positions for the new key names, and what it renamed."""

    values: dict
    keys: dict
    renamed: list[tuple[tuple[Any, ...], Rename]]
    conflicts: list[tuple[tuple[Any, ...], Rename]]
    """Old keys written beside their new name: dropped from the data, and reported as errors."""


def upgrade_data(
    data: dict[str, Any], values: dict, keys: dict, version: int, role: FileRole
) -> Upgrade:
    """Apply the renames from `version` to the current one to loaded data and its recorded positions.

    Paths in `renamed` and `conflicts` are as written in the file. Each rename rewrites the position
    tables once for all its occurrences, so a large file upgrades in linear time.
    """
    renamed: list[tuple[tuple[Any, ...], Rename]] = []
    conflicts: list[tuple[tuple[Any, ...], Rename]] = []
    for _, rename in renames_from(version, role):
        done: set[tuple[Any, ...]] = set()
        for path in list(matching_paths(data, rename.pattern)):
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            if rename.new in parent:  # an error is reported; the new key is the one read meanwhile
                conflicts.append((path, rename))
                del parent[rename.old]
                continue
            _rename_in_place(parent, rename.old, rename.new)
            done.add(path)
            renamed.append((path, rename))
        if done:
            values, keys = (
                _rename_paths(values, done, rename.new),
                _rename_paths(keys, done, rename.new),
            )
    return Upgrade(values, keys, renamed, conflicts)
