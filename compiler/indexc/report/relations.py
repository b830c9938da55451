"""Where the regular report reads its tables: the live published schema, a snapshot, or an audience.

Every table the report reads goes through `Tables.relation(name)`, by its logical name (such as
`index__top_level__top`), so that what the report may read is decided in one place: the published
schema (live), the frozen rows of one snapshot (`--snapshot`), or the relations an audience may read
(`--audience`, `Project.audience_relations`). A table the place does not hold (an object
of a newer indexc in an older database, an output a snapshot does not freeze, a view an audience is
not given) is absent, never an error: the report says what it could not show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from indexc.compilation import Query
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.snapshots import REGISTRY

SNAPSHOT_ID = "snapshot_id"


@dataclass(frozen=True)
class Located:
    """A logical table's physical relation: its schema and name (to find its columns), and the filter
    that keeps its rows (a snapshot's id)."""

    table: exp.Table
    schema: str
    name: str
    where: exp.Expr | None = None


@dataclass
class Tables:
    """The tables of one place, read by logical name. `describe`: the place, as the report says it."""

    query_rows: Query
    target: SqlTarget
    locate: Callable[[str], Located | None]
    describe: str
    kind: str  # live | snapshot | audience
    _columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def relation(self, name: str) -> exp.Expression | None:
        """THE way the report reads a table: its relation by logical name, None when the place lacks it."""
        located = self.locate(name)
        if located is None or not self.columns(name):
            return None
        if located.where is None:
            return located.table.copy()
        return (
            exp.select(exp.Star())
            .from_(located.table.copy())
            .where(located.where.copy())
            .subquery(name)
        )

    def columns(self, name: str) -> tuple[str, ...]:
        """The table's columns in lower case (a snapshot's id left out); none when it does not exist."""
        if name not in self._columns:
            located = self.locate(name)
            self._columns[name] = () if located is None else self._lookup(located)
        return self._columns[name]

    def has(self, name: str, *columns: str) -> bool:
        have = self.columns(name)
        return bool(have) and all(c in have for c in columns)

    def read(
        self,
        name: str,
        columns: Sequence[str | exp.Expr],
        where: exp.Expr | None = None,
        order: Sequence[str] = (),
        group: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Rows of one table; none when the place lacks it."""
        relation = self.relation(name)
        if relation is None:
            return []
        query = exp.select(*columns).from_(relation)
        if where is not None:
            query = query.where(where)
        if group:
            query = query.group_by(*(col(c) for c in group))
        if order:
            query = query.order_by(*(col(c) for c in order))
        return self.query_rows(self.target.render(query))

    def _lookup(self, located: Located) -> tuple[str, ...]:
        rows = self.query_rows(
            self.target.render(
                exp.select("column_name")
                .from_("information_schema.columns")
                .where(
                    exp.and_(
                        _same_name("table_schema", located.schema),
                        _same_name("table_name", located.name),
                    )
                )
                .order_by("ordinal_position")
            )
        )
        return tuple(
            r["column_name"].lower() for r in rows if r["column_name"].lower() != SNAPSHOT_ID
        )


def _same_name(column: str, name: str) -> exp.Expression:
    """Names compared ignoring case: DuckDB keeps them as written, Snowflake upper-cases them."""
    return exp.EQ(this=exp.Lower(this=exp.column(column)), expression=exp.Lower(this=lit(name)))


def live(query_rows: Query, target: SqlTarget) -> Tables:
    """The live published schema: what the last run published, which a later run replaces."""
    schema = target.spec.published

    def locate(name: str) -> Located:
        return Located(target.published_table(name), schema, name)

    return Tables(
        query_rows, target, locate, f"the live published schema {schema} (not a snapshot)", "live"
    )


def snapshot(query_rows: Query, target: SqlTarget, snapshot_id: int) -> Tables:
    """The rows one snapshot froze; an output it does not freeze is absent."""
    schema = target.spec.snapshots

    def locate(name: str) -> Located:
        keep = exp.EQ(this=col(SNAPSHOT_ID), expression=lit(snapshot_id))
        return Located(target.snapshot_table(name), schema, name, keep)

    return Tables(query_rows, target, locate, f"snapshot {snapshot_id} in {schema}", "snapshot")


def audience(
    query_rows: Query, target: SqlTarget, name: str, relations: Mapping[str, str]
) -> Tables:
    """What an audience may read (`Project.audience_relations`): its views, and nothing else."""

    def locate(logical: str) -> Located | None:
        qualified = relations.get(logical)
        if qualified is None:
            return None
        table = exp.to_table(qualified, dialect=target.dialect)
        return Located(table, table.db, table.name)

    return Tables(query_rows, target, locate, f"the views of audience {name}", "audience")


def snapshots_taken(query_rows: Query, target: SqlTarget) -> list[dict[str, Any]]:
    """The registry of snapshots, oldest first; none when no snapshot was ever taken."""
    registry = Tables(
        query_rows,
        target,
        lambda name: Located(target.snapshot_table(name), target.spec.snapshots, name),
        "",
        "snapshot",
    )
    return registry.read(REGISTRY, [exp.Star()], order=(SNAPSHOT_ID,))
