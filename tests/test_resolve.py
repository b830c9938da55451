"""The dependency graph: a deterministic order, and every cycle found once."""

from __future__ import annotations

from indexc.resolve import Graph


def graph(**edges: str) -> Graph:
    return Graph(
        {("metrics", k): tuple(("metrics", d) for d in v.split()) for k, v in edges.items()}
    )


def test_order_puts_dependencies_first_and_breaks_ties_by_id() -> None:
    order = graph(c="a b", b="a", a="", d="").order()
    assert [name for _, name in order] == ["a", "b", "c", "d"]


def test_cycles_are_reported_as_closed_paths() -> None:
    cycles = graph(a="b", b="c", c="a", d="d", e="a").cycles()
    assert [[name for _, name in cycle] for cycle in cycles] == [["a", "b", "c", "a"], ["d", "d"]]


def test_an_acyclic_graph_has_no_cycles() -> None:
    assert graph(a="b c", b="c", c="").cycles() == []
