"""SQL written as templates: the methodology's queries read as SQL, not as tree-building code.

A template is DuckDB-flavoured SQL rendered by Jinja, parsed by sqlglot and
handed to the target like any built tree, so each target still writes its
own dialect. Objects are named through `ref(name)`, which leaves a marker
table that is swapped for the target's qualified object afterwards; no
template ever spells a schema or a dialect. Values enter as literals through
`num`, `plain` and `text`, never as raw interpolation.

Parsing is most of the cost of a template, and one template serves many objects (a smell test per
measure, a thousand at scale) that differ only in their names and values. So the values too leave
markers in the rendered text, and are swapped for their literals after parsing: the text of one
template is then the same for every object of one shape, and is parsed once (`_shape`); each object
copies the parsed tree and swaps its own tables and literals in. A marker that does not come back
as a plain column or string where it was written (a value in a position sqlglot reads otherwise)
sends that text down the old road: the literals written in, and the whole parsed as it stands.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import sqlglot
from sqlglot import exp

from indexc.generate.expressions import is_finite, valid_in_period
from indexc.generate.targets import SqlTarget

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARKER = "indexc_ref_"
TREE_MARKER = "indexc_tree_"
LITERAL_MARKER = "indexc_lit_"
# A literal's marker ends in "_", so that no marker is the start of another (indexc_lit_1_, indexc_lit_11_).
_LITERAL_IN_TEXT = re.compile(rf"'?({LITERAL_MARKER}\d+_)'?")

E = TypeVar("E", bound=exp.Expr)
Path_ = tuple[tuple[str, int | None], ...]  # arg keys (and list positions) from the root to a node


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def num(value: float | int) -> str:
    """A number as a DOUBLE literal: Snowflake would otherwise compute with fixed-point NUMBER."""
    return f"CAST({plain(value)} AS DOUBLE)"


def plain(value: float | int) -> str:
    """A number as written, for a long literal table that casts its column to DOUBLE once: a cast on
    every row of thousands costs the engine more to plan than the query costs to run."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return repr(float(value))


def text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _expression(sql: str) -> exp.Expression:
    parsed = sqlglot.parse_one(sql, read="duckdb")
    if not isinstance(parsed, exp.Expression):  # what sqlglot parses SQL into
        raise TypeError(f"not an expression: {sql}")
    return parsed


@cache
def _in_period(area: str, period: str) -> str:
    return valid_in_period(area, _expression(period)).sql("duckdb")


@cache
def _finite(value: str) -> str:
    return is_finite(_expression(value)).sql("duckdb")


def _literal(sql: str) -> exp.Expression:
    """A literal as sqlglot parses it where the template wrote it (`-1.5` is a negation of 1.5, `'it''s'`
    the string it's), built without the parser for the two forms `text` and `plain` write."""
    if len(sql) >= 2 and sql[0] == sql[-1] == "'":
        return exp.Literal(this=sql[1:-1].replace("''", "'"), is_string=True)
    try:
        number = float(sql)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and repr(number) == sql:
        if sql.startswith("-"):
            return exp.Neg(this=exp.Literal(this=sql[1:], is_string=False))
        return exp.Literal(this=sql, is_string=False)
    return _clone(_parsed_literal(sql))


@cache
def _parsed_literal(sql: str) -> exp.Expression:
    return _expression(sql)


@dataclass(frozen=True)
class _Shape:
    """A rendered text parsed once: the tree, and where its markers stand in it."""

    tree: exp.Expression | None  # None: a literal's marker is not where it was written
    markers: tuple[tuple[Path_, str], ...]  # the path to each marker node, and the marker


def _path(node: exp.Expr) -> Path_:
    steps: list[tuple[str, int | None]] = []
    while node.parent is not None and node.arg_key:
        steps.append((node.arg_key, node.index))
        node = node.parent
    return tuple(reversed(steps))


def _marker(node: exp.Expr) -> str | None:
    """The marker a node of a parsed template stands for: a table, a value column, a value string."""
    if isinstance(node, exp.Table) and not node.args.get("db"):
        name = node.name
        if name.startswith((MARKER, TREE_MARKER)):
            return name
    elif isinstance(node, exp.Column) and not node.args.get("table"):
        if node.name.startswith(LITERAL_MARKER):
            return node.name
    elif isinstance(node, exp.Literal) and node.is_string and node.this.startswith(LITERAL_MARKER):
        return str(node.this)
    return None


@cache
def _shape(sql: str) -> _Shape:
    tree = _expression(sql)
    markers = []
    for node in tree.walk():
        marker = _marker(node)
        if marker is not None:
            markers.append((_path(node), marker))
    found = Counter(m for _, m in markers if m.startswith(LITERAL_MARKER))
    if found != Counter(_LITERAL_IN_TEXT.findall(sql)):
        return _Shape(None, ())
    return _Shape(tree, tuple(markers))


def _clone(node: E) -> E:
    """A copy of a cached tree for one object, built through each class's constructor: about half the
    cost of `Expression.copy`, whose deep copy goes through Python's `copy` module even in sqlglot's
    compiled build; a shape is copied once for every object of it. What a parse leaves besides the
    arguments (token positions) is not kept: no printer reads it."""
    args: dict[str, Any] = {}
    for key, value in node.args.items():
        if isinstance(value, exp.Expr):
            args[key] = _clone(value)
        elif value.__class__ is list:
            args[key] = [_clone(x) if isinstance(x, exp.Expr) else x for x in value]
        else:
            args[key] = value
    new = node.__class__(**args)
    if node.comments:
        new.comments = node.comments[:]
    return new


def _at(root: exp.Expr, path: Path_) -> exp.Expr:
    node = root
    for key, index in path:
        value = node.args[key]
        node = value[index] if index is not None else value
    return node


def render(
    template: str, target: SqlTarget, trees: dict[str, exp.Expression] | None = None, **context: Any
) -> exp.Expression:
    """`trees`: queries built in Python for the target, which the template places with `tree(name)` where
    a table may stand. Only a long repetition of one shape is worth it: parsing a thousand copies of one
    SELECT costs more than building them."""
    refs: dict[str, tuple[str, bool]] = {}
    placed: dict[str, exp.Expression] = {}
    literals: dict[str, str] = {}  # marker -> the literal's SQL

    def ref(name: str, snapshot: bool = False) -> str:
        """An object of the build schema; with `snapshot`, a table of the snapshot schema."""
        marker = f"{MARKER}{len(refs)}"
        refs[marker] = (name, snapshot)
        return marker

    def tree(name: str) -> str:
        marker = f"{TREE_MARKER}{len(placed)}"
        placed[marker] = (trees or {})[name]
        return marker

    def literal(sql: str) -> str:
        marker = f"{LITERAL_MARKER}{len(literals)}_"
        literals[marker] = sql
        return marker

    sql = (
        _environment()
        .get_template(template)
        .render(
            ref=ref,
            tree=tree,
            num=lambda value: f"CAST({literal(plain(value))} AS DOUBLE)",
            plain=lambda value: literal(plain(value)),
            text=lambda value: "'" + literal(text(value)) + "'",
            in_period=_in_period,
            finite=_finite,
            **context,
        )
    )
    shape = _shape(sql)
    if shape.tree is None:  # the literals written in, and the text parsed as it stands
        written = _LITERAL_IN_TEXT.sub(lambda m: literals[m.group(1)], sql)
        parsed = _expression(written)
        markers = tuple((_path(n), m) for n in parsed.walk() if (m := _marker(n)) is not None)
    else:
        parsed, markers = _clone(shape.tree), shape.markers

    for path, marker in markers:
        node = _at(parsed, path)
        swapped = _swapped(node, marker, target, refs, placed, literals)
        if swapped is not node:
            node.replace(swapped)
    return parsed


def _swapped(
    node: exp.Expr,
    marker: str,
    target: SqlTarget,
    refs: dict[str, tuple[str, bool]],
    placed: dict[str, exp.Expression],
    literals: dict[str, str],
) -> exp.Expr:
    if marker in literals:
        return _literal(literals[marker])
    if marker in placed:
        built = placed[marker]
        if isinstance(built, exp.Values):  # a literal table takes the alias and names written
            built.set("alias", node.args.get("alias"))
            return built
        return exp.Subquery(this=built, alias=node.args.get("alias"))
    if marker in refs:
        name, snapshot = refs[marker]
        table = target.snapshot_table(name) if snapshot else target.object_table(name)
        table.set("alias", node.args.get("alias"))
        return table
    return node
