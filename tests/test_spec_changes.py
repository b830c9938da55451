"""Field-by-field changes of one spec entry, as `indexc diff` and `indexc impact` print them."""

from __future__ import annotations

from indexc.spec_changes import field_changes


def changes(old: dict, new: dict) -> list[str]:
    return [str(change) for change in field_changes(old, new)]


def test_entries_of_a_list_are_named_by_id_and_reordering_them_is_no_change() -> None:
    old = {"lenses": [{"id": "cost", "weight": 1.0}, {"id": "outcome", "weight": 3.0}]}
    assert changes(old, {"lenses": old["lenses"][::-1]}) == []
    new = {"lenses": [{"id": "outcome", "weight": 2.5}, {"id": "access", "weight": 1.0}]}
    assert changes(old, new) == [
        "lens outcome: weight 3 -> 2.5",
        "lens access: added",
        "lens cost: removed",
    ]


def test_entries_without_a_name_are_numbered_from_one() -> None:
    old = {"bindings": [{"source": "s", "item": "SAT"}, {"source": "s", "item": "SURVEY2"}]}
    new = {"bindings": [{"source": "s", "item": "SAT"}, {"source": "s", "item": "SURVEY3"}]}
    assert changes(old, new) == ["binding 2: item SURVEY2 -> SURVEY3"]


def test_values_are_yaml_flow_text() -> None:
    assert changes(
        {"columns": {"area": "code"}, "from": ["A", "B"], "valid": None, "restate": True},
        {
            "columns": {"area": "code", "item": ["a", "b"]},
            "from": ["A"],
            "valid": {"min": 0.0},
            "restate": False,
        },
    ) == [
        "columns.item: (none) -> [a, b]",
        "from: [A, B] -> [A]",
        "valid: null -> {min: 0}",
        "restate: true -> false",
    ]
