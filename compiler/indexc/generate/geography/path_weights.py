"""The weights of dynamic paths: the shares along a path, multiplied per period.

A path through several apportioned events weighs the product of its factors'
shares; a factor without a share for a period leaves the path without a weight
for it, never a guessed one.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, col, inner_join, lit, table, union_all
from indexc.generate.geography.tables import typed_values
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import PathWeightsNode

FACTOR_COLUMNS = [
    ("path_id", "varchar"),
    ("position", "int"),
    ("factor_count", "int"),
    ("level", "varchar"),
    ("event_id", "varchar"),
    ("direction", "varchar"),
    ("from_code", "varchar"),
    ("to_code", "varchar"),
]


def path_weights(node: PathWeightsNode, target: SqlTarget) -> exp.Expression:
    """Each path's apportioned factors multiplied per period: one inner join per factor position."""
    factors = typed_values(
        [tuple(getattr(f, c) for c, _ in FACTOR_COLUMNS) for f in node.factors],
        "factors",
        FACTOR_COLUMNS,
    )
    selects = []
    for count in sorted({f.factor_count for f in node.factors}):
        query: exp.Select | None = None
        product: exp.Expression | None = None
        for position in range(1, count + 1):
            f, s = f"f{position}", f"s{position}"
            matches = [
                exp.EQ(this=col(k, s), expression=col(k, f))
                for k in ("level", "event_id", "direction", "from_code", "to_code")
            ]
            if position == 1:
                query = (
                    exp.select(col("path_id", f), col("period", s), copy=False)
                    .from_(table("factors", f), copy=False)
                    .join(
                        inner_join(target.object_table(node.shares_object, s), and_all(matches)),
                        copy=False,
                    )
                )
                conditions = [
                    exp.EQ(this=col("position", f), expression=lit(1)),
                    exp.EQ(this=col("factor_count", f), expression=lit(count)),
                ]
            else:
                assert query is not None  # built at position 1
                on = and_all(
                    [
                        exp.EQ(this=col("path_id", f), expression=col("path_id", "f1")),
                        exp.EQ(this=col("position", f), expression=lit(position)),
                    ]
                )
                query = query.join(inner_join(table("factors", f), on), copy=False).join(
                    inner_join(
                        target.object_table(node.shares_object, s),
                        and_all(
                            [
                                *matches,
                                exp.EQ(this=col("period", s), expression=col("period", "s1")),
                            ]
                        ),
                    ),
                    copy=False,
                )
            product = (
                col("share", s)
                if product is None
                else exp.Mul(this=product, expression=col("share", s))
            )
        assert query is not None and product is not None  # every path has a factor
        query = query.select(alias(product, "weight"), copy=False).where(
            and_all(
                [*conditions, exp.Not(this=exp.Is(this=product.copy(), expression=exp.Null()))]
            ),
            copy=False,
        )
        selects.append(query)
    return union_all(selects).with_("factors", as_=factors, copy=False)
