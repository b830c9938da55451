"""A content fingerprint of any planned node: equal exactly when everything the node holds is equal.

The SQL of an object is a function of its planned node and the target, so the node's
fingerprint keys the object's cached SQL (project/incremental.py). It walks what the
node holds, dataclasses, pydantic models, containers and scalars, each tagged with
its type, so values that print alike but differ in type never collide. A set is
fingerprinted by its sorted members, not by its iteration order (which changes from
one process to the next with string hashing). Anything the walk does not know raises
`Unknown`, and that node is then generated afresh rather than trusted: a fingerprint
may miss, it may never match two different nodes. A kind of value that points back at
what holds it (a syntax tree's node at its parent) is read through a *reducer* its
caller gives: a function to what the value is made of, without the back pointers.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

SCALARS = (
    str,
    int,
    float,
    bool,
    bytes,
    type(None),
    decimal.Decimal,
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    PurePath,
    complex,
)


# values whose repr says what they are, exactly (of these types, not subclasses): a digest, the other
# form, never starts with a type's name and a colon
PLAIN = frozenset({str, int, float, bool, type(None)})


# a small container is written out in its holder's text, not digested (most of a node's are small;
# a large one, such as a geography's, is digested once per build and then named by its digest)
INLINE = 16


class Unknown(Exception):
    """A value the fingerprint cannot read in a stable way."""


class Fingerprints:
    """Fingerprints of values, remembering each object's while they are alive (nodes share large parts,
    such as the geography, which is then read once per build, not once per node)."""

    def __init__(self, reducers: tuple[tuple[type, Callable[[Any], Any]], ...] = ()) -> None:
        self._seen: dict[int, tuple[Any, str]] = {}  # id -> (the object, kept alive; its digest)
        self._reducers = reducers
        self._slots: dict[type, tuple[str, ...]] = {}  # the slots of each class, read once

    def of(self, value: Any) -> str:
        kind = type(value)
        if kind in PLAIN:
            return f"{kind.__name__}:{value!r}"
        if kind is tuple or kind is list:
            for item in value:
                if type(item) not in PLAIN:
                    break
            else:  # the repr of plain values tells them apart
                return f"{kind.__name__}:{value!r}"
        elif kind is dict:
            for key, item in value.items():
                if type(key) not in PLAIN or type(item) not in PLAIN:
                    break
            else:
                return f"dict:{value!r}"
        elif isinstance(value, SCALARS) or isinstance(value, enum.Enum):
            return _scalar(value)
        if (kind is tuple or kind is list or kind is dict) and len(value) <= INLINE:
            return self._parts(value)  # written out: cheaper than a digest of its own
        known = self._seen.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        result = hashlib.sha256(self._parts(value).encode("utf-8")).hexdigest()
        self._seen[id(value)] = (value, result)
        return result

    def _each(self, values: Any) -> list[str]:
        """`of` of each value, a plain one written out here rather than in a call of its own (most
        values a node holds are plain: this is most of the walk)."""
        return [
            f"{type(item).__name__}:{item!r}" if type(item) in PLAIN else self.of(item)
            for item in values
        ]

    def _parts(self, value: Any) -> str:
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        if isinstance(value, (tuple, list)):
            return f"{kind}[{','.join(self._each(value))}]"
        if isinstance(value, dict):
            keys, items = self._each(value.keys()), self._each(value.values())
            return f"{kind}{{{','.join(f'{k}:{v}' for k, v in zip(keys, items, strict=True))}}}"
        if isinstance(value, (set, frozenset)):
            return f"{kind}{{{','.join(sorted(self._each(value)))}}}"
        if isinstance(value, type):
            return f"type {value.__module__}.{value.__qualname__}"
        for kind_of, reduce in self._reducers:
            if isinstance(value, kind_of):
                return f"{kind}<{self.of(reduce(value))}>"
        if callable(value) and not dataclasses.is_dataclass(value):
            raise Unknown(kind)
        return f"{kind}({self._attributes(value)})"

    def _attributes(self, value: Any) -> str:
        """Every attribute an object holds: its `__dict__` and every slot of its classes."""
        cls = type(value)
        names = self._slots.get(cls)
        if names is None:
            found: list[str] = []
            for each in cls.__mro__:
                for slot in each.__dict__.get("__slots__", ()):
                    if slot not in ("__dict__", "__weakref__") and slot not in found:
                        found.append(slot)
            names = self._slots[cls] = tuple(found)
        state = dict(getattr(value, "__dict__", {}))
        if not state and not names:
            raise Unknown(f"{cls.__qualname__} holds nothing the fingerprint can read")
        for name in names:
            state[name] = getattr(value, name, _MISSING)
        ordered = sorted(state)
        items = self._each([state[name] for name in ordered])
        return ",".join(f"{name}={item}" for name, item in zip(ordered, items, strict=True))


_MISSING = "<unset slot>"


def _scalar(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"
