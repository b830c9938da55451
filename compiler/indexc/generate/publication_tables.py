"""The tables that say what is published: the last publication, each index's, and every object.

- `indexc__publication`: one row about the last run that published (spec hash, compiler version,
  target, geography date, when, what-if), whichever indexes it selected.
- `indexc__published_indexes`: one row per index, about the run that last published it. A run of
  the whole build replaces the table; a selective run (`run --index`) replaces only its indexes' rows
  and keeps the others', since their objects are kept as they were.
- `indexc__published_objects`: every object the schema publishes, with whether snapshots freeze it.
  A selective run replaces the rows of what it publishes, drops those of the objects no longer in
  the schema, and keeps the others': the table lists kept objects too, so a snapshot still freezes
  every index's outputs. The rows it replaces are those of what it publishes and of what its
  indexes own (`Selection.claims`: the objects the engine drops are among them).

A selective run changes the two lists in place (DELETE, then INSERT), in the transaction of the
publication on DuckDB and in the swap schema (a clone of the published one) on Snowflake.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from indexc import __version__
from indexc.generate import CompiledObject
from indexc.plan.selection import Selection

PUBLICATION = "indexc__publication"
PUBLISHED_OBJECTS = "indexc__published_objects"
PUBLISHED_INDEXES = "indexc__published_indexes"
TABLES = (PUBLICATION, PUBLISHED_INDEXES, PUBLISHED_OBJECTS)


@dataclass(frozen=True)
class Publication:
    """What the published tables record about the build."""

    spec_hash: str
    geography_date: datetime.date | None
    target: str
    what_if: str | None = None  # the what-if's name (whatif.py), also when it was published as live
    indexes: tuple[str, ...] = ()  # the indexes it publishes


def _typed_null(kind: str) -> exp.Expression:
    return exp.cast(exp.null(), kind)


def about_query(publication: Publication) -> exp.Select:
    """The row of `indexc__publication`."""
    return exp.select(*_stamp(publication, with_target=True))


def _stamp(publication: Publication, *, with_target: bool) -> list[exp.Expr]:
    geography = (
        exp.cast(exp.Literal.string(publication.geography_date.isoformat()), "DATE")
        if publication.geography_date
        else _typed_null("DATE")
    )
    stamped = exp.CurrentTimestamp()  # typed in the per-index list, as its columns are declared
    columns: list[exp.Expr] = [
        exp.alias_(exp.Literal.string(publication.spec_hash), "spec_hash"),
        exp.alias_(exp.Literal.string(__version__), "compiler_version"),
    ]
    columns += [exp.alias_(exp.Literal.string(publication.target), "target")] if with_target else []
    return columns + [
        exp.alias_(geography, "geography_date"),
        exp.alias_(stamped if with_target else exp.cast(stamped, "TIMESTAMP"), "published_at"),
        exp.alias_(
            exp.Literal.string(publication.what_if)
            if publication.what_if
            else _typed_null("VARCHAR"),
            "what_if",
        ),
    ]


def indexes_query(publication: Publication) -> exp.Select:
    """The rows of `indexc__published_indexes`: one per index the publication publishes."""
    rows = [exp.Tuple(expressions=[exp.Literal.string(i)]) for i in publication.indexes]
    query = exp.select(
        exp.alias_(exp.cast(exp.column("index_id", table="chosen"), "VARCHAR"), "index_id"),
        *_stamp(publication, with_target=False),
    ).from_(
        exp.Values(
            expressions=rows or [exp.Tuple(expressions=[exp.null()])],
            alias=exp.TableAlias(
                this=exp.to_identifier("chosen"), columns=[exp.to_identifier("index_id")]
            ),
        )
    )
    return query if rows else query.where(exp.false())


def objects_query(objects: Sequence[CompiledObject], frozen: set[str]) -> exp.Select:
    """The rows of `indexc__published_objects` for `objects`, with whether snapshots freeze each."""
    rows = [
        exp.Tuple(
            expressions=[
                exp.Literal.string(o.name),
                exp.Literal.string(o.node.materialisation.value),
                exp.Boolean(this=o.name in frozen),
            ]
        )
        for o in objects
    ]
    rows = rows or [exp.Tuple(expressions=[exp.null(), exp.null(), exp.false()])]
    listed = exp.select("name", "kind", "frozen").from_(
        exp.Values(
            expressions=rows,
            alias=exp.TableAlias(
                this=exp.to_identifier("published"),
                columns=[exp.to_identifier(c) for c in ("name", "kind", "frozen")],
            ),
        )
    )
    return listed if objects else listed.where(exp.false())


def in_place(table: exp.Table, query: exp.Select, replaced: exp.Expression) -> list[exp.Expression]:
    """A selective run's change to one of the lists: created empty when missing (a schema published
    before the list existed), the rows `replaced` deleted, then the new rows inserted."""
    return [
        exp.Create(
            this=table.copy(), kind="TABLE", exists=True, expression=query.copy().where(exp.false())
        ),
        exp.Delete(this=table.copy(), where=exp.Where(this=replaced)),
        exp.insert(query.copy(), table.copy()),
    ]


def indexes_replaced(publication: Publication) -> exp.Expression:
    """The rows of `indexc__published_indexes` a selective run replaces: its indexes'."""
    return exp.column("index_id").isin(*(exp.Literal.string(i) for i in publication.indexes))


def objects_replaced(objects: Sequence[CompiledObject], selection: Selection) -> exp.Expression:
    """The rows of `indexc__published_objects` a selective run replaces: those of what it publishes,
    and those of the selected indexes' objects it no longer makes (the engine drops those objects:
    `Selection.claims`, written here in SQL)."""
    name = exp.column("name")
    owned = selection.owned
    theirs = sorted(n for n, index_id in owned.items() if index_id in selection.indexes)
    named = [
        exp.EQ(
            this=exp.Left(this=name.copy(), expression=exp.Literal.number(len(prefix))),
            expression=exp.Literal.string(prefix),
        )
        for prefix in selection.prefixes()
    ]
    unplanned = exp.and_(
        exp.not_(_among(name, sorted(owned))), exp.or_(*named) if named else exp.false()
    )
    claimed = exp.Or(this=_among(name, theirs), expression=exp.paren(unplanned))
    return exp.Or(this=_among(name, [o.name for o in objects]), expression=claimed)


def _among(column: exp.Column, names: Sequence[str]) -> exp.Expression:
    if not names:
        return exp.false()
    return column.copy().isin(*(exp.Literal.string(n) for n in names))
