"""What changed in one spec entry, field by field, written as a reviewer reads it.

`indexc diff` and `indexc impact` both compare two versions of an entry (its JSON dump). Saying
`lenses` changed makes a reviewer hunt through the YAML; saying `lens outcomes: weight 2 -> 3`
does not. Entries of a list are named by their id (or the metric or code they hold), so reordering
a list is no change, and values are written as YAML flow text (`{area: code}`, `[a, b]`, `null`),
never as Python reprs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

ENTRY_KEYS = ("id", "metric", "code")  # what names an entry of a list, in the order tried
ABSENT = object()  # a key one side does not have


@dataclass(frozen=True)
class FieldChange:
    entries: tuple[
        str, ...
    ]  # the list entries it is inside, e.g. ("lens outcomes", "metric satisfaction")
    field: str  # the dotted path within the innermost entry; "" for an entry added or removed whole
    old: Any = ABSENT
    new: Any = ABSENT

    def __str__(self) -> str:
        if not self.field:
            return f"{' > '.join(self.entries)}: {'added' if self.old is ABSENT else 'removed'}"
        change = f"{yaml_text(self.old)} -> {yaml_text(self.new)}"
        return (
            f"{' > '.join(self.entries)}: {self.field} {change}"
            if self.entries
            else f"{self.field}: {change}"
        )


def yaml_text(value: Any) -> str:
    """A value as YAML flow text, as it would be written in a spec; `(none)` when the key is absent."""
    if value is ABSENT:
        return "(none)"
    if value is None:
        return "null"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {yaml_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_text(item) for item in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a weight written 3 is read as 3.0; say it as it was written
    return str(value)


def field_changes(old: dict, new: dict) -> list[FieldChange]:
    """Every leaf that differs between two dumps of one entry, in the order of the new entry's keys."""
    return list(_mapping((), "", old, new))


def _mapping(entries: tuple[str, ...], prefix: str, old: dict, new: dict) -> Iterator[FieldChange]:
    for key in [*new, *(k for k in old if k not in new)]:
        yield from _value(
            entries, f"{prefix}{key}", key, old.get(key, ABSENT), new.get(key, ABSENT)
        )


def _value(
    entries: tuple[str, ...], path: str, key: str, old: Any, new: Any
) -> Iterator[FieldChange]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        yield from _mapping(entries, f"{path}.", old, new)
    elif (
        isinstance(old, list)
        and isinstance(new, list)
        and (old_entries := _entries(old))
        and (new_entries := _entries(new))
    ):
        yield from _list(entries, _singular(key), old_entries, new_entries)
    else:
        yield FieldChange(entries, path, old, new)


def _list(
    entries: tuple[str, ...], noun: str, old: dict[str, dict], new: dict[str, dict]
) -> Iterator[FieldChange]:
    for name in [*new, *(n for n in old if n not in new)]:
        where = (*entries, f"{noun} {name}")
        if name not in old or name not in new:
            yield FieldChange(where, "", old.get(name, ABSENT), new.get(name, ABSENT))
        else:
            yield from _mapping(where, "", old[name], new[name])


def _entries(items: list) -> dict[str, dict] | None:
    """A list of mappings by name: their id (or metric, or code), else their position from 1."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in ENTRY_KEYS:
        names = [item.get(key) for item in items]
        if all(isinstance(name, str) for name in names) and len(set(names)) == len(names):
            return dict(zip(names, items, strict=True))
    return {str(position): item for position, item in enumerate(items, 1)}


def _singular(key: str) -> str:
    if key.endswith("ses"):
        return key[:-2]
    return key[:-1] if key.endswith("s") else key
