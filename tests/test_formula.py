"""Formulas: what the allow-list admits, and how division is made safe in SQL."""

from __future__ import annotations

import pytest

from indexc.formula import parse_formula
from indexc.generate.inputs import _formula_sql


@pytest.mark.parametrize(
    "text, inputs",
    [
        ("spend", ("spend",)),
        ("spend * 1000 / population", ("spend", "population")),
        ("(a - b) / (a + b)", ("a", "b")),
        ("-a + abs(b) + sqrt(c) + ln(d) + exp(e) + power(f, 2) + round(g, 1)", tuple("abcdefg")),
    ],
)
def test_allowed_formulas_and_their_inputs(text: str, inputs: tuple[str, ...]) -> None:
    formula = parse_formula(text)
    assert formula.problems == ()
    assert formula.inputs == inputs


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("count(a)", "function 'count'"),
        ("a > 1", "is not allowed"),
        ("a % 2", "is not allowed"),
        ("case when a then 1 end", "is not allowed"),
        ("(select 1)", "is not allowed"),
        ("a; drop table x", "is not allowed"),
        ("coalesce(a, 0)", "function 'coalesce'"),
        ('"a" + 1', "not a plain measure or metric id"),
    ],
)
def test_refused_formulas(text: str, fragment: str) -> None:
    problems = parse_formula(text).problems
    assert problems and fragment in problems[0].message


def test_every_division_is_guarded_against_zero() -> None:
    sql = _formula_sql(parse_formula("a / b / (c - d)").expression).sql()
    assert sql == "a.value / NULLIF(b.value, 0) / NULLIF((c.value - d.value), 0)"
