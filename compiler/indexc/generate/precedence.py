"""SQL of bindings side by side (validate/precedence.py): a row of a binding that yields to another by
precedence is read only where the preferred binding has no value for its area and period.

The test is a NOT EXISTS on the preferred binding's own rows, as contributed data supersedes public
data (generate/contributed.py), emitted only for a binding that yields: a measure whose bindings do
not overlap compiles to the SQL it always had.

Feeds on different codes are chosen between after restatement (plan/precedence.py): `restated_choice`
keeps, per area and period, the row of the first restated feed with a value, every column as the
restatement gives it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

from indexc.generate.expressions import and_all, col, lit, union_all
from indexc.generate.targets import SqlTarget
from indexc.plan.precedence import RestatedChoiceNode

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


def _null(table_alias: str) -> exp.Expr:
    return exp.Is(this=col("value", table_alias), expression=exp.Null())


def restated_choice(node: RestatedChoiceNode, target: SqlTarget) -> exp.Expression:
    """Each restated feed's rows (all columns) for the areas and periods no feed before it has a
    value for; a row without a value only where no feed has one and no feed before it has the row."""
    selects = []
    for k, feed in enumerate(node.feeds):
        before = [
            exp.Not(
                this=preferred_has_value(
                    target.object_table(other, PREFERRED),
                    [exp.or_(exp.Not(this=_null(PREFERRED)), _null(ROW))],
                )
            )
            for other in node.feeds[:k]
        ]
        after = [
            exp.Not(
                this=preferred_has_value(
                    target.object_table(other, PREFERRED), [exp.Not(this=_null(PREFERRED))]
                )
            )
            for other in node.feeds[k + 1 :]
        ]
        conditions = before + ([exp.or_(exp.Not(this=_null(ROW)), and_all(after))] if after else [])
        select = exp.select(
            exp.Column(this=exp.Star(), table=exp.to_identifier(ROW)), copy=False
        ).from_(target.object_table(feed, ROW), copy=False)
        selects.append(select.where(and_all(conditions), copy=False) if conditions else select)
    return union_all(selects)
