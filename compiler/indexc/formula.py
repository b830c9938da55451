"""Metric formulas: parsed by sqlglot, then held to a small allow-list.

A formula is arithmetic over measure and metric ids, numbers and a few
functions that mean the same on every target. Anything else (strings, column
qualifiers, subqueries, engine-specific functions) is refused with its
position, so a formula can never smuggle SQL into the compiled output.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Tokenizer, TokenType

ALLOWED_FUNCTIONS: dict[type[exp.Expr], str] = {
    exp.Abs: "abs",
    exp.Exp: "exp",
    exp.Ln: "ln",
    exp.Pow: "power",
    exp.Round: "round",
    exp.Sqrt: "sqrt",
}
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Paren)
_TOKENIZER = Tokenizer()
# sqlglot's own dialect, tokenizer and parser, made once: `sqlglot.parse_one` makes all three again
# for every formula, which took most of the time of parsing a thousand of them
_DIALECT = Dialect.get_or_raise(None)
_FORMULA_TOKENIZER = _DIALECT.tokenizer()
_PARSER = _DIALECT.parser()
HINT_ALLOWED = (
    "a formula may use measure and metric ids, numbers, + - * / and parentheses, "
    f"and the functions {', '.join(sorted(ALLOWED_FUNCTIONS.values()))}"
)


@dataclass(frozen=True)
class FormulaProblem:
    message: str
    offset: int
    hint: str = HINT_ALLOWED


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its expression, the ids it names (with offsets) and any problems."""

    expression: exp.Expression | None
    names: tuple[tuple[str, int], ...]
    problems: tuple[FormulaProblem, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        """The distinct ids the formula uses, in order of first use."""
        return tuple(dict.fromkeys(name for name, _ in self.names))


def _offset(node: exp.Expr) -> int:
    """The leftmost source position recorded anywhere in `node`, or -1 if none was."""
    starts = [n.meta["start"] for n in node.walk() if n.meta.get("start") is not None]
    return min(starts, default=-1)


def _round_is_plain(node: exp.Round) -> bool:
    decimals = node.args.get("decimals")
    if isinstance(decimals, exp.Neg):
        decimals = decimals.this
    extra = {key for key, value in node.args.items() if value is not None} - {"this", "decimals"}
    whole = decimals is None or (
        isinstance(decimals, exp.Literal) and not decimals.is_string and decimals.this.isdigit()
    )
    return not extra and whole


def _check(node: exp.Expr, problems: list[FormulaProblem], names: list[tuple[str, int]]) -> None:
    if isinstance(node, exp.Column):
        if node.table or not isinstance(node.this, exp.Identifier) or node.this.quoted:
            problems.append(
                FormulaProblem(f"'{node.sql()}' is not a plain measure or metric id", _offset(node))
            )
        else:
            names.append((node.name, _offset(node)))
        return
    if isinstance(node, exp.Literal):
        if node.is_string:
            problems.append(
                FormulaProblem(
                    f"text literal {node.sql()} is not allowed in a formula", _offset(node)
                )
            )
        elif not math.isfinite(float(node.this)):
            problems.append(
                FormulaProblem(
                    f"the number {node.this} is too large",
                    _offset(node),
                    "numbers in a formula must be finite doubles",
                )
            )
        return
    if isinstance(node, exp.Round) and not _round_is_plain(node):
        problems.append(
            FormulaProblem(
                "round takes a value and, optionally, a whole number of decimals",
                _offset(node),
                "write round(x) or round(x, 2)",
            )
        )
        return
    if isinstance(node, exp.Func) and type(node) not in ALLOWED_FUNCTIONS:
        name = node.sql_name() if not isinstance(node, exp.Anonymous) else node.name
        problems.append(
            FormulaProblem(f"function '{name.lower()}' is not allowed in a formula", _offset(node))
        )
        return
    if not isinstance(node, ARITHMETIC) and type(node) not in ALLOWED_FUNCTIONS:
        hint = "write powers as power(x, y)" if isinstance(node, exp.BitwiseXor) else HINT_ALLOWED
        problems.append(
            FormulaProblem(f"'{node.sql()}' is not allowed in a formula", _offset(node), hint)
        )
        return
    for child in node.iter_expressions():
        _check(child, problems, names)


def usable_in_formulas(name: str) -> bool:
    """Whether a bare id reads back as itself in a formula (some SQL keywords, such as 'case', do not)."""
    tokens = _TOKENIZER.tokenize(name)
    if len(tokens) == 1 and tokens[0].token_type is TokenType.VAR:
        return True  # the common case, without a parse
    formula = parse_formula(name)
    return not formula.problems and formula.names == ((name, 0),)


def _parse_one(text: str) -> exp.Expr:
    """`sqlglot.parse_one(text)`, with the parser and tokenizer made once."""
    result = _PARSER.parse(_FORMULA_TOKENIZER.tokenize(text), text)
    if not result or result[0] is None:
        raise ParseError(f"No expression was parsed from '{text}'")
    return exp.Block(expressions=result) if len(result) > 1 else result[0]


def parse_formula(text: str) -> Formula:
    try:
        tree = _parse_one(text)
    except RecursionError:
        return Formula(
            None,
            (),
            (
                FormulaProblem(
                    "the formula nests too deeply",
                    0,
                    "split it into metrics that build on each other",
                ),
            ),
        )
    except ParseError as err:
        first = err.errors[0] if err.errors else {}
        offset = max(int(first.get("col", 1)) - 1, 0) if first.get("line", 1) == 1 else 0
        description = first.get("description") or str(err)
        if description.startswith("Required keyword"):
            description = "an operator is missing an operand"
        return Formula(
            None,
            (),
            (
                FormulaProblem(
                    f"formula does not parse: {description}",
                    offset,
                    "check the operators and parentheses",
                ),
            ),
        )
    except TokenError as err:
        return Formula(
            None,
            (),
            (FormulaProblem(f"formula does not parse: {err}", 0, "check for unbalanced quotes"),),
        )
    problems: list[FormulaProblem] = []
    names: list[tuple[str, int]] = []
    try:
        _check(tree, problems, names)
    except RecursionError:
        return Formula(
            None,
            (),
            (
                FormulaProblem(
                    "the formula nests too deeply",
                    0,
                    "split it into metrics that build on each other",
                ),
            ),
        )
    if not names and not problems:
        problems.append(
            FormulaProblem(
                "the formula uses no measure or metric",
                0,
                "a metric must be computed from at least one measure",
            )
        )
    # parse_one is typed to return Expr, the base of sqlglot's traits; every node it makes is an Expression
    expression = None if problems else typing.cast(exp.Expression, tree)
    return Formula(expression, tuple(names), tuple(problems))
