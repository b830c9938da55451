"""Reading the published schema back for `indexc show` and `indexc export`.

Both commands answer from what a run published (docs/publishing.md), never from the build schema, which a
failed run may have left half-built: consumers and these commands see the same tables. The schema is
listed once, so that an object an index does not have (savings, stability) or that another part of the
compiler publishes only when it is built (comparisons, trends, sentences) is read when it is there and
left out, said so, when it is not. Every query is a sqlglot tree rendered by the target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from indexc.compilation import Query
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.index_planner import index_object

UNIVERSE_PREFIX = "universe__"
OPTIONAL_PARTS = ("comparisons", "trends", "sentences")
"""Objects of an index published beside its results (docs/methodology.md, section 11): read when the
published schema has them."""


def published_tables(query: Query, target: SqlTarget) -> frozenset[str]:
    """The tables and views of the published schema, lower-cased (Snowflake upper-cases names)."""
    lower = lambda name: exp.Lower(this=exp.column(name))  # noqa: E731
    sql = (
        exp.select(exp.alias_(lower("table_name"), "name"))
        .from_("information_schema.tables")
        .where(
            exp.EQ(
                this=lower("table_schema"),
                expression=exp.Literal.string(target.spec.published.lower()),
            )
        )
    )
    return frozenset(str(row["name"]) for row in query(target.render(sql)))


@dataclass(frozen=True)
class Published:
    """The published schema of one target, as a session reads it; or, with `relations`, only what an
    audience may read (`Project.audience_relations`: logical name -> the audience's view of it)."""

    query: Query
    target: SqlTarget
    tables: frozenset[str]
    relations: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(
        cls, query: Query, target: SqlTarget, relations: Mapping[str, str] | None = None
    ) -> Published:
        if relations is not None:
            visible = {name.lower(): relation for name, relation in relations.items()}
            return cls(query, target, frozenset(visible), visible)
        return cls(query, target, published_tables(query, target))

    def _schema_and_name(self, name: str) -> tuple[str, str]:
        if self.relations:
            table = exp.to_table(self.relations[name.lower()], dialect=self.target.dialect)
            return table.db, table.name
        return self.target.spec.published, name

    def has(self, name: str) -> bool:
        return name.lower() in self.tables

    def has_index(self, index_id: str, part: str = "scores") -> bool:
        return self.has(index_object(index_id, part))

    def table(self, name: str, alias: str | None = None) -> exp.Table:
        if self.relations:
            table = exp.to_table(self.relations[name.lower()], dialect=self.target.dialect)
        else:
            table = self.target.published_table(name)
        if alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        return table

    def rows(self, query: exp.Expression) -> list[dict[str, Any]]:
        return self.query(self.target.render(query))

    def select(
        self,
        name: str,
        columns: Sequence[str | exp.Expression] = ("*",),
        where: exp.Expr | None = None,
        order: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Rows of one published object, `where` they match, in `order`."""
        chosen = [exp.Star() if c == "*" else c for c in columns]
        query = exp.select(*chosen).from_(self.table(name))
        if where is not None:
            query = query.where(where)
        if order:
            query = query.order_by(*(col(c) for c in order))
        return self.rows(query)

    def columns(self, name: str) -> list[str]:
        """The columns of a published object, in their order, lower-cased."""
        schema, table = self._schema_and_name(name)
        lower = lambda column: exp.Lower(this=exp.column(column))  # noqa: E731
        sql = (
            exp.select(exp.alias_(lower("column_name"), "name"))
            .from_("information_schema.columns")
            .where(
                exp.and_(
                    exp.EQ(
                        this=lower("table_schema"),
                        expression=exp.Literal.string(schema.lower()),
                    ),
                    exp.EQ(this=lower("table_name"), expression=exp.Literal.string(table.lower())),
                )
            )
            .order_by("ordinal_position")
        )
        return [str(row["name"]) for row in self.rows(sql)]

    def universes(self) -> list[str]:
        return sorted(t for t in self.tables if t.startswith(UNIVERSE_PREFIX))

    def area_names(self) -> dict[str, str]:
        """Every area of a published universe with its name: the register row in force latest (a code
        renamed keeps its newest name)."""
        names: dict[str, tuple[str, str]] = {}
        for universe in self.universes():
            rows = self.select(universe, ["area_code", "name", "valid_from"])
            for row in rows:
                since = str(row["valid_from"] or "")
                code = str(row["area_code"])
                if row["name"] is not None and (code not in names or since >= names[code][1]):
                    names[code] = (str(row["name"]), since)
        return {code: name for code, (name, _) in sorted(names.items())}


def equals(column: str, value: str) -> exp.Expr:
    return exp.EQ(this=col(column), expression=lit(value))


def both(*conditions: exp.Expr | None) -> exp.Expr | None:
    chosen = [c for c in conditions if c is not None]
    return exp.and_(*chosen) if chosen else None


def plain(value: Any) -> Any:
    """A value as JSON writes it: dates as ISO text, decimals as floats."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if type(value).__name__ == "Decimal":
        return float(value)
    return value
