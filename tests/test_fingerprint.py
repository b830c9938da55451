"""Fingerprints decide how to read a value from its class once; every value still reads as itself.

The walk (compiler/indexc/cache/fingerprint.py) keeps one reading per class rather than testing
each value. These tests hold it to what the fingerprint promises: two values that differ in any
part, type included, never share a fingerprint, and what cannot be read is refused. The values are
synthetic, made up for the test.
"""

from __future__ import annotations

import enum
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

from indexc.cache.fingerprint import INLINE, Fingerprints, Unknown


class Colour(enum.IntEnum):
    RED = 1


class Tag(str):
    pass


class Pairs(dict[str, Any]):
    pass


Point = namedtuple("Point", "x y")


@dataclass(frozen=True)
class Leaf:
    value: Any


@dataclass(frozen=True)
class Callable_:
    value: int

    def __call__(self) -> int:
        return self.value


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any = None) -> None:
        self.a = a
        if b is not None:
            self.b = b


class Empty:
    pass


class Model(BaseModel):
    a: int = 0
    b: tuple[str, ...] = ()


class Tree:
    """A value that points back at its holder, read through a reducer as the fingerprint's caller
    reads a syntax tree."""

    def __init__(self, label: str, children: tuple[Tree, ...] = ()) -> None:
        self.label, self.children, self.parent = label, children, None
        for child in children:
            child.parent = self  # type: ignore[assignment]


class Row:
    """A value read through a reducer to a tuple of plain values, or to a long one."""

    def __init__(self, *cells: Any) -> None:
        self.cells = cells


REDUCERS = ((Tree, lambda tree: (tree.label, tree.children)), (Row, lambda row: row.cells))


def distinct(*values: Any) -> None:
    """Every value has its own fingerprint, read by one walker (whose readings of classes are then
    shared between them) and each by a fresh one; and the two agree."""
    shared = Fingerprints(REDUCERS)
    one = [shared.of(value) for value in values]
    fresh = [Fingerprints(REDUCERS).of(value) for value in values]
    assert one == fresh
    assert len(set(one)) == len(values), one


def test_values_of_different_types_that_print_alike_are_told_apart() -> None:
    distinct(1, 1.0, True, "1", Colour.RED, Tag("1"), b"1", None, "None")
    distinct((1, 2), [1, 2], Point(1, 2), (1, (2,)), ((1, 2),), {"x": 1, "y": 2})
    distinct({"a": 1}, Pairs(a=1), {"a": "1"}, {"a": Leaf(1)}, frozenset({"a"}), {"a"})
    distinct(Leaf(1), Leaf(1.0), Leaf("1"), Leaf((1,)), Leaf(Leaf(1)), Callable_(1))
    distinct(Slotted(1), Slotted(1, 2), Slotted(1, 3), Leaf, Slotted, int)


def test_containers_written_out_and_digested_are_told_apart() -> None:
    small = tuple(Leaf(i) for i in range(INLINE))
    large = tuple(Leaf(i) for i in range(INLINE + 1))
    distinct(small, large, small[:-1], list(small), {i: leaf for i, leaf in enumerate(large)})


def test_a_pydantic_model_reads_as_its_fields_and_which_were_given() -> None:
    distinct(Model(), Model(a=1), Model(b=("x",)), Model(a=0), Leaf(Model()))
    assert Fingerprints().of(Model(a=1)) == Fingerprints().of(Model(a=1))


def test_sets_read_in_sorted_order_and_shared_objects_alike() -> None:
    members = [f"m{i}" for i in range(40)]
    assert Fingerprints().of(frozenset(members)) == Fingerprints().of(frozenset(reversed(members)))
    shared = Leaf(tuple(range(100)))
    walker = Fingerprints()
    assert walker.of(Leaf((shared, shared))) == Fingerprints().of(
        Leaf((Leaf(tuple(range(100))), Leaf(tuple(range(100)))))
    )


def test_a_reduced_value_reads_as_what_it_is_made_of() -> None:
    distinct(
        Tree("a"),
        Tree("b"),
        Tree("a", (Tree("b"),)),
        Tree("a", (Tree("c"),)),
        Tree("a", (Tree("b"), Tree("c"))),
    )
    assert Fingerprints(REDUCERS).of(Tree("a", (Tree("b"),))) == Fingerprints(REDUCERS).of(
        Tree("a", (Tree("b"),))
    )
    long = tuple(range(INLINE + 1))
    distinct(Row(1, "a"), Row(1, ("a",)), Row("1", "a"), Row(*long), Row(*long[:-1], "x"), (1, "a"))


def test_what_cannot_be_read_is_refused_whenever_it_is_met() -> None:
    walker = Fingerprints()
    for value in (lambda: 1, Empty(), print, Leaf(print), [Empty()]):
        with pytest.raises(Unknown):
            walker.of(value)
    assert walker.of(Callable_(2)) != walker.of(Leaf(2))  # a callable dataclass reads as data
    with pytest.raises(Unknown):
        walker.of(Leaf(lambda: 2))  # the class read once before is refused again


@dataclass(frozen=True)
class Node:
    name: str
    depends_on: tuple[str, ...]
    parts: dict[str, Any] = field(default_factory=dict)


def test_one_changed_part_anywhere_in_a_node_changes_its_fingerprint() -> None:
    base = Node("n", ("a", "b"), {"leaf": Leaf((1, 2.5, "x")), "set": frozenset({"p", "q"})})
    changed = [
        Node("m", ("a", "b"), base.parts),
        Node("n", ("a",), base.parts),
        Node("n", ("a", "b"), {**base.parts, "leaf": Leaf((1, 2.5, "y"))}),
        Node("n", ("a", "b"), {**base.parts, "leaf": Leaf((1, 2, "x"))}),
        Node("n", ("a", "b"), {**base.parts, "set": frozenset({"p"})}),
        Node("n", ("a", "b"), {"set": base.parts["set"], "leaf": base.parts["leaf"]}),
    ]
    distinct(base, *changed)
