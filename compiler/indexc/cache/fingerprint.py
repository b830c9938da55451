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

Every build reads every node of the plan, thousands of them, so the walk is written for
speed: how a class is read is decided once per class (`_Reading`), not by a chain of
`isinstance` tests per value, and a plain value is written out where it is met rather
than in a call of its own. What it writes is the same text whichever way it is reached.
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


class _Reading(enum.Enum):
    """How the values of one class are read, decided from the class alone (`Fingerprints._reading`)."""

    SCALAR = "a scalar, by its type and repr"
    SEQUENCE = "a tuple or list (or a subclass), by its items in order"
    MAPPING = "a dict (or a subclass), by its keys and values in order"
    SET = "a set or frozenset, by its members sorted"
    TYPE = "a class, by its module and name"
    REDUCED = "through the reducer its caller gives"
    UNKNOWN = "a function or other callable: not read"
    OBJECT = "an object, by every attribute it holds"


class Fingerprints:
    """Fingerprints of values, remembering each object's while they are alive (nodes share large parts,
    such as the geography, which is then read once per build, not once per node)."""

    def __init__(self, reducers: tuple[tuple[type, Callable[[Any], Any]], ...] = ()) -> None:
        self._seen: dict[int, tuple[Any, str]] = {}  # id -> (the object, kept alive; its digest)
        self._reducers = reducers
        self._slots: dict[type, tuple[str, ...]] = {}  # the slots of each class, read once
        # each class's reading, its name as written, and its reducer (None unless REDUCED)
        self._classes: dict[type, tuple[_Reading, str, Callable[[Any], Any] | None]] = {}

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
            if len(value) <= INLINE:
                return self._parts(value)  # written out: cheaper than a digest of its own
        elif kind is dict:
            for key, item in value.items():
                if type(key) not in PLAIN or type(item) not in PLAIN:
                    break
            else:
                return f"dict:{value!r}"
            if len(value) <= INLINE:
                return self._parts(value)
        else:
            reading, name, _ = self._classes.get(kind) or self._reading(value)
            if reading is _Reading.SCALAR:
                return f"{name}:{value!r}"
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

    def _sequence(self, value: tuple[Any, ...]) -> str:
        """`of` of a small tuple: its repr when every item is plain, else its items written out."""
        if PLAIN.issuperset(map(type, value)):
            return f"tuple:{value!r}"
        return f"builtins.tuple[{','.join(self._each(value))}]"

    def _parts(self, value: Any) -> str:
        reading, kind, reduce = self._classes.get(type(value)) or self._reading(value)
        if reading is _Reading.OBJECT:
            return f"{kind}({self._attributes(value)})"
        if reading is _Reading.SEQUENCE:
            return f"{kind}[{','.join(self._each(value))}]"
        if reading is _Reading.MAPPING:
            plain, of = PLAIN, self.of
            pairs = [
                f"{type(key).__name__}:{key!r}:{type(item).__name__}:{item!r}"
                if type(key) in plain and type(item) in plain
                else f"{of(key)}:{of(item)}"
                for key, item in value.items()
            ]
            return f"{kind}{{{','.join(pairs)}}}"
        if reading is _Reading.REDUCED:
            assert reduce is not None
            reduced = reduce(value)
            if (
                type(reduced) is tuple and len(reduced) <= INLINE
            ):  # as `of` writes it, one call less
                return f"{kind}<{self._sequence(reduced)}>"
            return f"{kind}<{self.of(reduced)}>"
        if reading is _Reading.SET:
            return f"{kind}{{{','.join(sorted(self._each(value)))}}}"
        if reading is _Reading.TYPE:
            return f"type {value.__module__}.{value.__qualname__}"
        raise Unknown(kind)  # a callable; a scalar never reaches here (`of` writes it out)

    def _reading(self, value: Any) -> tuple[_Reading, str, Callable[[Any], Any] | None]:
        """How values of the class of `value` are read, in the order of the checks the walk makes:
        a scalar first, then containers, classes, reduced kinds, callables, and objects last. Each
        check depends on the class alone, so its answer holds for every value of the class."""
        kind = type(value)
        name = f"{kind.__module__}.{kind.__qualname__}"
        reduce = None
        if issubclass(kind, SCALARS) or issubclass(kind, enum.Enum):
            reading = _Reading.SCALAR
        elif issubclass(kind, (tuple, list)):
            reading = _Reading.SEQUENCE
        elif issubclass(kind, dict):
            reading = _Reading.MAPPING
        elif issubclass(kind, (set, frozenset)):
            reading = _Reading.SET
        elif issubclass(kind, type):
            reading = _Reading.TYPE
        else:
            reduce = next((r for kind_of, r in self._reducers if issubclass(kind, kind_of)), None)
            if reduce is not None:
                reading = _Reading.REDUCED
            elif callable(value) and not dataclasses.is_dataclass(value):
                reading = _Reading.UNKNOWN
            else:
                reading = _Reading.OBJECT
        self._classes[kind] = (reading, name, reduce)
        return reading, name, reduce

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
        state = getattr(value, "__dict__", None) or {}
        if names:
            state = dict(state)
            for name in names:
                state[name] = getattr(value, name, _MISSING)
        elif not state:
            raise Unknown(f"{cls.__qualname__} holds nothing the fingerprint can read")
        plain, of = PLAIN, self.of
        return ",".join(
            [
                f"{name}={type(item).__name__}:{item!r}"
                if type(item) in plain
                else f"{name}={of(item)}"
                for name in sorted(state)
                for item in (state[name],)
            ]
        )


_MISSING = "<unset slot>"
