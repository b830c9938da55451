"""The indicators of a restated area: new, terminated, and since when its history runs.

A restated series mixes areas that did not exist for all its periods; the
indicators say so per area and period, so that a reader can tell an area's
short history from missing data.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, col, inner_join, period_first_day, table
from indexc.generate.geography.tables import typed_values
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import IndicatorsNode


def indicators(node: IndicatorsNode, target: SqlTarget) -> exp.Expression:
    history = typed_values(
        [(h.level, h.area_code, h.geo_from, h.geo_to, h.history_from) for h in node.history],
        "history",
        [
            ("level", "varchar"),
            ("area_code", "varchar"),
            ("geo_from", "varchar"),
            ("geo_to", "varchar"),
            ("history_from", "varchar"),
        ],
    )
    periods = (
        exp.union(
            *[
                exp.select(col("area_code"), col("period"), copy=False).from_(
                    target.object_table(obj), copy=False
                )
                for obj in node.restated_objects
            ],
            distinct=True,
        )
        if len(node.restated_objects) > 1
        else (
            exp.select(col("area_code"), col("period"), copy=False)
            .distinct(copy=False)
            .from_(target.object_table(node.restated_objects[0]), copy=False)
        )
    )
    first_day = period_first_day(col("period", "p"))
    is_new = exp.func(
        "COALESCE", exp.GT(this=col("valid_from", "a"), expression=first_day), exp.false()
    )
    terminated = exp.func(
        "COALESCE", exp.LT(this=col("valid_to", "a"), expression=first_day.copy()), exp.false()
    )
    history_match = and_all(
        [
            exp.EQ(this=col("area_code", "h"), expression=col("area_code", "p")),
            exp.Between(this=col("period", "p"), low=col("geo_from", "h"), high=col("geo_to", "h")),
        ]
    )
    return (
        exp.select(
            col("level", "h"),
            col("area_code", "p"),
            col("name", "a"),
            col("period", "p"),
            alias(is_new, "is_new"),
            alias(col("valid_from", "a"), "new_since"),
            alias(terminated, "is_terminated"),
            alias(col("valid_to", "a"), "terminated_after"),
            col("history_from", "h"),
            copy=False,
        )
        .from_(table("restated_periods", "p"), copy=False)
        .join(
            inner_join(
                target.object_table(node.areas_object, "a"),
                exp.EQ(this=col("area_code", "a"), expression=col("area_code", "p")),
            ),
            copy=False,
        )
        .join(inner_join(table("history", "h"), history_match), copy=False)
        .with_("history", as_=history, copy=False)
        .with_("restated_periods", as_=periods, copy=False)
    )
