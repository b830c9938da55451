"""SQL of bindings side by side (validate/precedence.py): a row of a binding that yields to another by
precedence is read only where the preferred binding has no value for its area and period.

The test is a NOT EXISTS on the preferred binding's own rows, as contributed data supersedes public
data (generate/contributed.py), emitted only for a binding that yields: a measure whose bindings do
not overlap compiles to the SQL it always had.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

from indexc.generate.expressions import and_all, col, lit

ROW = "b"  # the alias of the yielding binding's rows
PREFERRED = "o"  # the alias of the preferred binding's rows


def qualified(condition: exp.Expr, table_alias: str) -> exp.Expr:
    """The condition with each unqualified column read from `table_alias`."""
    condition = condition.copy()
    for column in condition.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier(table_alias))
    return condition


def preferred_has_value(preferred: exp.Table, conditions: Iterable[exp.Expr]) -> exp.Exists:
    """A row of `preferred` (aliased PREFERRED) meeting `conditions` (a binding's rows with a value)
    has the area and period of the row aliased ROW."""
    same = [
        exp.EQ(this=col("area_code", PREFERRED), expression=col("area_code", ROW)),
        exp.EQ(this=col("period", PREFERRED), expression=col("period", ROW)),
    ]
    return exp.Exists(
        this=exp.select(lit(1), copy=False)
        .from_(preferred, copy=False)
        .where(and_all(same + [qualified(c, PREFERRED) for c in conditions]), copy=False)
    )
