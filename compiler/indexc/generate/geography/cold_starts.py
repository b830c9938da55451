"""The cold starts of measures whose apportioning is forbidden, read from their restated tables.

Each restated row of such a measure that a divided area would have given says so in
`cold_start_from` (generate/restate.py); this table gathers them with the area's name.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, col, left_join, lit, union_all
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import ColdStartsNode


def cold_starts(node: ColdStartsNode, target: SqlTarget) -> exp.Expression:
    rows = union_all(
        [
            exp.select(
                alias(lit(measure), "measure"),
                col("area_code"),
                col("period"),
                col("cold_start_from"),
                copy=False,
            )
            .from_(target.object_table(obj), copy=False)
            .where(exp.Not(this=exp.Is(this=col("cold_start_from"), expression=exp.Null())))
            for measure, obj in node.restated
        ]
    )
    return (
        exp.select(
            col("measure", "c"),
            col("area_code", "c"),
            col("name", "a"),
            col("period", "c"),
            col("cold_start_from", "c"),
            copy=False,
        )
        .from_(rows.subquery("c", copy=False), copy=False)
        .join(
            left_join(
                target.object_table(node.areas_object, "a"),
                exp.EQ(this=col("area_code", "a"), expression=col("area_code", "c")),
            ),
            copy=False,
        )
    )
