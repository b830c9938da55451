"""SQL written as templates: the methodology's queries read as SQL, not as tree-building code.

A template is DuckDB-flavoured SQL rendered by Jinja, parsed by sqlglot and
handed to the target like any built tree, so each target still writes its
own dialect. Objects are named through `ref(name)`, which leaves a marker
table that is swapped for the target's qualified object afterwards; no
template ever spells a schema or a dialect. Values enter as literals through
`num` and `text`, never as raw interpolation.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import sqlglot
from sqlglot import exp

from indexc.generate.expressions import is_finite, valid_in_period
from indexc.generate.targets import SqlTarget

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARKER = "indexc_ref_"
TREE_MARKER = "indexc_tree_"


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
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return f"CAST({float(value)!r} AS DOUBLE)"


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


def _in_period(area: str, period: str) -> str:
    return valid_in_period(area, _expression(period)).sql("duckdb")


def _finite(value: str) -> str:
    return is_finite(_expression(value)).sql("duckdb")


def render(
    template: str, target: SqlTarget, trees: dict[str, exp.Expression] | None = None, **context: Any
) -> exp.Expression:
    """`trees`: queries built in Python for the target, which the template places with `tree(name)` where
    a table may stand. Only a long repetition of one shape is worth it: parsing a thousand copies of one
    SELECT costs more than building them."""
    refs: dict[str, tuple[str, bool]] = {}
    placed: dict[str, exp.Expression] = {}

    def ref(name: str, snapshot: bool = False) -> str:
        """An object of the build schema; with `snapshot`, a table of the snapshot schema."""
        marker = f"{MARKER}{len(refs)}"
        refs[marker] = (name, snapshot)
        return marker

    def tree(name: str) -> str:
        marker = f"{TREE_MARKER}{len(placed)}"
        placed[marker] = (trees or {})[name]
        return marker

    sql = (
        _environment()
        .get_template(template)
        .render(
            ref=ref,
            tree=tree,
            num=num,
            plain=plain,
            text=text,
            in_period=_in_period,
            finite=_finite,
            **context,
        )
    )
    parsed = sqlglot.parse_one(sql, read="duckdb")

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.args.get("db") and node.name in placed:
            built = placed[node.name]
            if isinstance(
                built, exp.Values
            ):  # a literal table takes the alias and column names written
                built.set("alias", node.args.get("alias"))
                return built
            return exp.Subquery(this=built, alias=node.args.get("alias"))
        if isinstance(node, exp.Table) and node.name in refs and not node.args.get("db"):
            name, snapshot = refs[node.name]
            table = target.snapshot_table(name) if snapshot else target.object_table(name)
            table.set("alias", node.args.get("alias"))
            return table
        return node

    return parsed.transform(swap, copy=False)
