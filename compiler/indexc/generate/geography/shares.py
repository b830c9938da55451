"""The shares of apportioned edges, and the check that their basis is complete.

The shares are computed from the raw values of their basis measures, per
period, so a basis missing for one territory leaves the share unknown rather
than guessed; `basis_check` says so, at the event, as does a negative basis.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    col,
    inner_join,
    lit,
    table,
    text,
    union_all,
    window,
)
from indexc.generate.geography.tables import typed_values
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import BasisCheckNode, SharesNode

EVERY_PERIOD = "*"  # the period of a backward share: one share, whatever the period restated
PART_COLUMNS = [
    ("level", "varchar"),
    ("effective", "varchar"),
    ("first_period", "varchar"),
    ("last_before", "varchar"),
    ("event_id", "varchar"),
    ("from_code", "varchar"),
    ("to_code", "varchar"),
    ("measure", "varchar"),
    ("basis_code", "varchar"),
    ("scale", "double"),
    ("terms", "int"),
    ("forward_siblings", "int"),
    ("backward_siblings", "int"),
]
EDGE_KEYS = (
    "level",
    "effective",
    "first_period",
    "last_before",
    "event_id",
    "from_code",
    "to_code",
)


def shares(node: SharesNode, target: SqlTarget) -> exp.Expression:
    """Forward: an edge's part of what its predecessor had; backward: of what its successor has.

    A part is the basis of the territory moved, Σ scale × basis(code) over its
    terms, known only when every term has a value; a share is known only when
    every sibling part is.
    """
    parts = typed_values(
        [tuple(getattr(p, c) for c, _ in PART_COLUMNS) for p in node.parts], "parts", PART_COLUMNS
    )
    basis = union_all(
        [
            exp.select(
                alias(lit(measure), "measure"),
                col("area_code"),
                col("period"),
                col("value"),
                copy=False,
            ).from_(target.object_table(obj), copy=False)
            for measure, obj in node.basis_objects
        ]
    )
    part = exp.Sum(this=exp.Mul(this=col("scale", "p"), expression=col("value", "b")))
    part_values = (
        exp.select(
            *[col(k, "p") for k in EDGE_KEYS],
            col("period", "b"),
            alias(part, "part"),
            alias(exp.Max(this=col("forward_siblings", "p")), "forward_siblings"),
            alias(exp.Max(this=col("backward_siblings", "p")), "backward_siblings"),
            copy=False,
        )
        .from_(table("parts", "p"), copy=False)
        .join(
            inner_join(
                table("basis", "b"),
                and_all(
                    [
                        exp.EQ(this=col("measure", "b"), expression=col("measure", "p")),
                        exp.EQ(this=col("area_code", "b"), expression=col("basis_code", "p")),
                    ]
                ),
            ),
            copy=False,
        )
        .group_by(*[col(k, "p") for k in EDGE_KEYS], col("period", "b"), copy=False)
        .having(
            exp.EQ(this=exp.Count(this=exp.Star()), expression=exp.Max(this=col("terms", "p"))),
            copy=False,
        )
    )

    def share(partition: tuple[str, ...], siblings: str) -> exp.Expression:
        whole = window(exp.Sum(this=col("part")), partition)
        found = window(exp.Count(this=exp.Star()), partition)
        known = exp.EQ(this=found, expression=col(siblings))
        return exp.Case(
            ifs=[
                exp.If(
                    this=known,
                    true=exp.Div(
                        this=col("part"), expression=exp.Nullif(this=whole, expression=lit(0))
                    ),
                )
            ]
        )

    forward = exp.select(
        col("level"),
        col("effective"),
        col("event_id"),
        alias(lit("forward"), "direction"),
        col("from_code"),
        col("to_code"),
        col("period"),
        col("part"),
        alias(share(("level", "event_id", "from_code", "period"), "forward_siblings"), "share"),
        copy=False,
    ).from_(table("part_values"), copy=False)
    frozen = (
        exp.select(
            col("level"),
            col("effective"),
            col("first_period"),
            col("event_id"),
            col("from_code"),
            col("to_code"),
            col("part"),
            alias(share(("level", "effective", "to_code"), "backward_siblings"), "share"),
            copy=False,
        )
        .from_(table("part_values"), copy=False)
        .where(exp.EQ(this=col("period"), expression=col("last_before")), copy=False)
    )
    backward = exp.select(
        col("level"),
        col("effective"),
        col("event_id"),
        alias(lit("backward"), "direction"),
        alias(col("to_code"), "from_code"),
        alias(col("from_code"), "to_code"),
        alias(lit(EVERY_PERIOD), "period"),
        col("part"),
        col("share"),
        copy=False,
    ).from_(table("frozen_shares"), copy=False)
    return (
        union_all([forward, backward])
        .with_("parts", as_=parts, copy=False)
        .with_("basis", as_=basis, copy=False)
        .with_("part_values", as_=part_values, copy=False)
        .with_("frozen_shares", as_=frozen, copy=False)
    )


def basis_check(node: BasisCheckNode, target: SqlTarget) -> exp.Expression:
    """Periods in which the event has some but not all of the parts it is apportioned by."""
    edge = exp.Concat(expressions=[col("from_code"), lit(">"), col("to_code")])
    found = alias(exp.Count(this=exp.Distinct(expressions=[edge])), "found")
    mine = exp.EQ(this=col("event_id"), expression=lit(node.event_id))
    selects = []
    if node.forward_expected:
        selects.append(
            exp.select(
                col("period"), found, alias(lit(node.forward_expected), "expected"), copy=False
            )
            .from_(target.object_table(node.shares_object), copy=False)
            .where(
                and_all(
                    [
                        mine,
                        exp.EQ(this=col("direction"), expression=lit("forward")),
                        exp.In(
                            this=col("from_code"),
                            expressions=[lit(c) for c in node.forward_origins],
                        ),
                        exp.LT(this=col("period"), expression=lit(node.first_period)),
                    ]
                ),
                copy=False,
            )
            .group_by(col("period"), copy=False)
        )
    if node.backward_expected:
        backward = (
            exp.select(found.copy(), copy=False)
            .from_(target.object_table(node.shares_object), copy=False)
            .where(
                and_all([mine.copy(), exp.EQ(this=col("direction"), expression=lit("backward"))]),
                copy=False,
            )
        )
        selects.append(
            exp.select(
                alias(lit(f"before {node.first_period}"), "period"),
                col("found"),
                alias(lit(node.backward_expected), "expected"),
                copy=False,
            ).from_(backward.subquery("frozen", copy=False), copy=False)
        )
    counted = union_all(selects)
    problem = exp.Concat(
        expressions=[
            col("period"),
            lit(": "),
            text(col("found")),
            lit(" of "),
            text(col("expected")),
            lit(" territories"),
        ]
    )
    missing = (
        exp.select(alias(problem, "problem"), copy=False)
        .from_(counted.subquery("counted", copy=False), copy=False)
        .where(exp.LT(this=col("found"), expression=col("expected")), copy=False)
    )
    negative = (  # a negative basis would give a negative share: money created in one place, lost in another
        exp.select(
            alias(
                exp.Concat(
                    expressions=[
                        col("period"),
                        lit(": negative basis for "),
                        col("from_code"),
                        lit(">"),
                        col("to_code"),
                    ]
                ),
                "problem",
            ),
            copy=False,
        )
        .distinct(copy=False)
        .from_(target.object_table(node.shares_object), copy=False)
        .where(
            and_all(
                [
                    mine.copy(),
                    exp.LT(this=col("part"), expression=lit(0)),
                    exp.Paren(
                        this=exp.or_(
                            exp.EQ(this=col("direction"), expression=lit("backward")),
                            exp.LT(this=col("period"), expression=lit(node.first_period)),
                        )
                    ),
                ]
            ),
            copy=False,
        )
    )
    return (
        exp.select(col("problem"), copy=False)
        .from_(union_all([missing, negative]).subquery("problems", copy=False), copy=False)
        .order_by(col("problem"), copy=False)
    )
