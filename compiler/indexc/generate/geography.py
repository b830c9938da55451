"""SQL for the geography layers: register, area map, shares, path weights and indicators.

Static tables come from the specs as typed VALUES; the shares of apportioned
edges are computed from the raw values of their basis measures, per period,
so a basis missing for one territory leaves the share unknown rather than
guessed (and a check says so, at the event).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sqlglot import exp

from indexc.generate.expressions import (
    alias,
    and_all,
    cast,
    col,
    inner_join,
    lit,
    period_first_day,
    table,
    text,
    union_all,
    window,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import (
    AreasNode,
    BasisCheckNode,
    IndicatorsNode,
    PathsNode,
    PathWeightsNode,
    SharesNode,
)

Value = str | float | int | bool | datetime.date | None


def literal(value: Value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, datetime.date):
        return lit(value.isoformat())
    return lit(value)


def typed_values(
    rows: Sequence[Sequence[Value]], name: str, columns: Sequence[tuple[str, str]]
) -> exp.Select:
    """SELECT CAST(c AS type) ... FROM (VALUES ...): a literal table whose column types never depend on its rows."""
    typed = [
        alias(
            cast(col(column), kind)
            if kind != "boolean"
            else exp.Cast(this=col(column), to=exp.DataType(this=exp.DataType.Type.BOOLEAN)),
            column,
        )
        for column, kind in columns
    ]
    if not rows:
        empty = [
            alias(cast(exp.Null(), kind) if kind != "boolean" else exp.Null(), column)
            for column, kind in columns
        ]
        return exp.select(*empty, copy=False).where(
            exp.EQ(this=lit(1), expression=lit(0)), copy=False
        )
    values = exp.Values(
        expressions=[exp.Tuple(expressions=[literal(v) for v in row]) for row in rows],
        alias=exp.TableAlias(
            this=exp.to_identifier(name), columns=[exp.to_identifier(c) for c, _ in columns]
        ),
    )
    return exp.select(*typed, copy=False).from_(values, copy=False)


def areas(node: AreasNode, target: SqlTarget) -> exp.Expression:
    columns = [
        ("area_code", "varchar"),
        ("name", "varchar"),
        ("type", "varchar"),
        ("parent", "varchar"),
        ("valid_from", "date"),
        ("valid_to", "date"),
        ("provisional", "boolean"),
    ]
    return typed_values(
        [
            (a.code, a.name, a.type, a.parent, a.valid_from, a.valid_to, a.provisional)
            for a in node.areas
        ],
        "areas",
        columns,
    )


def paths(node: PathsNode, target: SqlTarget) -> exp.Expression:
    columns = [
        ("path_id", "varchar"),
        ("level", "varchar"),
        ("from_code", "varchar"),
        ("geo_from", "varchar"),
        ("geo_to", "varchar"),
        ("to_code", "varchar"),
        ("weight", "double"),
        ("dynamic", "boolean"),
        ("frozen", "boolean"),
        ("contributors", "int"),
        ("route", "varchar"),
    ]
    return typed_values(
        [
            (
                p.path_id,
                p.level,
                p.from_code,
                p.geo_from,
                p.geo_to,
                p.to_code,
                p.weight,
                p.dynamic,
                p.frozen,
                p.contributors,
                p.route,
            )
            for p in node.paths
        ],
        "paths",
        columns,
    )


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
