"""Language versions: what changed between them, applied in memory on load or to the files in place.

A spec written for an older language must keep compiling, or a reviewer cannot
diff a branch against a base written before the change; so the loader upgrades
old files in memory and says so, and `indexc migrate` (migrate_files) rewrites
them. Every change is listed here once, with why it was made, and both paths
apply the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Literal

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
        Rename("spec", ("measures", ANY_INDEX, "weight"), "weighted_by",
               "a measure's `weight` named the measure that weights its mean when areas merge, while a lens's "
               "or metric's `weight` is a number; the same key meant two different things"),
        Rename("target", ("schema",), "build_schema",
               "since safe deployment, `schema` is only where a run builds; consumers read `published_schema`"),
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
                return (f"'{rename.old}' became '{rename.new}' in language version {step + 1}; "
                        "'indexc migrate' upgrades files written before")
    return None


def matching_paths(data: Any, pattern: tuple[Any, ...], prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
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


def _rename_path(table: dict[tuple[Any, ...], Any], path: tuple[Any, ...], new: str) -> dict[tuple[Any, ...], Any]:
    depth = len(path)
    return {(key[:depth - 1] + (new,) + key[depth:] if key[:depth] == path else key): mark
            for key, mark in table.items()}


def upgrade_data(data: dict[str, Any], values: dict, keys: dict, version: int, role: FileRole,
                 ) -> tuple[dict, dict, list[tuple[tuple[Any, ...], Rename]]]:
    """Apply the renames from `version` to the current one to loaded data and its recorded positions.

    Returns the new position tables and the renamed paths (as written in the file), for the warning.
    """
    renamed: list[tuple[tuple[Any, ...], Rename]] = []
    for _, rename in renames_from(version, role):
        for path in list(matching_paths(data, rename.pattern)):
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            if rename.new in parent:
                continue  # both keys written: the model reports the old one as unknown
            _rename_in_place(parent, rename.old, rename.new)
            values, keys = _rename_path(values, path, rename.new), _rename_path(keys, path, rename.new)
            renamed.append((path, rename))
    return values, keys, renamed
