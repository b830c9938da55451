"""Finding the area a person means (lookups/areas.py): codes and names in any case, a suggestion for a
typo, and no guess between two codes that share a name. Fast: no database."""

from __future__ import annotations

import pytest

from indexc.errors import UserError
from indexc.lookups.areas import resolve_area

NAMES = {
    "E09000001": "City of London",
    "E06000053": "Isles of Scilly",
    "R1": "Recoded",
    "R2": "Recoded",
}


@pytest.mark.parametrize(
    "text, code",
    [
        ("E09000001", "E09000001"),
        ("e09000001", "E09000001"),
        ("city of LONDON", "E09000001"),
        ("  Isles of Scilly ", "E06000053"),
    ],
)
def test_a_code_or_a_name_in_any_case(text: str, code: str) -> None:
    assert resolve_area(text, NAMES, "the register") == code


def test_a_typo_is_refused_with_the_area_meant() -> None:
    with pytest.raises(UserError) as raised:
        resolve_area("Isles of Scily", NAMES, "the register")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code.value == "IX407" and diagnostic.location.file == "command line"
    assert diagnostic.hint == "did you mean Isles of Scilly (E06000053)?"


def test_a_shared_name_is_not_guessed() -> None:
    with pytest.raises(UserError) as raised:
        resolve_area("recoded", NAMES, "the register")
    assert "held by 2 areas: R1, R2" in raised.value.diagnostics[0].message


def test_nothing_close_asks_for_a_code() -> None:
    with pytest.raises(UserError) as raised:
        resolve_area("zzzz", NAMES, "the register")
    assert "E09000001" in (raised.value.diagnostics[0].hint or "")
