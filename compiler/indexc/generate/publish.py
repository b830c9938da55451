"""Publishing: the statements that make a finished build what consumers read, in one step.

A run builds every object in the target's build schema (its staging area), runs the checks and
the error audits there, and only then publishes. Consumers read only the published schema, so
they never see a half-built or failed build:

- DuckDB runs the whole build and its publication in one transaction. The published schema holds
  a view per published object over the build schema; the views are re-pointed, and published
  objects the build no longer makes dropped, before the transaction commits.
- Snowflake commits each DDL statement as it runs, so the publication is built aside, in
  `<published>__SWAP` (tables cloned, views materialised, consumption views recreated), and
  `ALTER SCHEMA ... SWAP WITH` exchanges it with the published schema: one metadata operation.
  Afterwards `<published>__SWAP` holds the previous publication until the next run replaces it.

Both end with small tables that say what is published (publication_tables.py):
`indexc__publication` (spec hash, compiler version, geography date, when, and the what-if's name
if it is one), `indexc__published_indexes` (the same, per index) and `indexc__published_objects`
(which objects, and which of them a snapshot freezes).

Each index publishes on its own (`run --index`, plan/selection.py): a selective run publishes its
closure's objects and drops only its own indexes' objects that it no longer makes; every other
index's published objects are kept as they are. On Snowflake its swap schema starts as a clone of
the published schema. See docs/publishing.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from indexc.generate import CompiledObject, build
from indexc.generate import publication_tables as tables
from indexc.generate.publication_tables import (
    PUBLICATION,
    PUBLISHED_INDEXES,
    PUBLISHED_OBJECTS,
    Publication,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import ColdStartsNode, IndicatorsNode
from indexc.plan.nodes import Layer, Materialisation, Node
from indexc.plan.selection import Selection
from indexc.plan.snapshots import frozen_names

__all__ = [
    "PUBLICATION",
    "CommandStatement",
    "PUBLISHED_INDEXES",
    "PUBLISHED_OBJECTS",
    "Prune",
    "PruneSchemas",
    "Publication",
    "PublishStatement",
    "frozen_names",
    "is_published",
    "prune_statement",
    "publish_statements",
]

SWAP_SUFFIX = "__SWAP"

PUBLISHED_LAYERS = frozenset(
    {
        Layer.METRIC,
        Layer.UNIVERSE,
        Layer.METRIC_SCORES,
        Layer.LENS_SCORES,
        Layer.INDEX_SCORES,
        Layer.PEERS,
        Layer.STABILITY,
        Layer.SCENARIO,
        Layer.PUBLISH,
        Layer.AUDIT,
        Layer.CONSUMPTION,
    }
)


@dataclass(frozen=True)
class PublishStatement:
    name: str  # the object it publishes, or what it does
    sql: str


@dataclass(frozen=True)
class CommandStatement(PublishStatement):
    """A statement sqlglot reads only as a command (`CREATE ROLE`): its text is tested against the
    target's documented form instead of the static check, which cannot read it."""


@dataclass(frozen=True)
class Prune(PublishStatement):
    """Drop what a schema holds that the publication does not make: `sql` lists the schema's objects
    (name, type), and the engine drops, from `schema` (quoted), each that the run's publication does
    not keep and that belongs to what it publishes (all of them, unless the run is selective).
    `keep`: what this schema keeps, when it is not what the publication makes (an audience's views,
    generate/audiences.py; lower case on Snowflake)."""

    schema: str
    keep: frozenset[str] | None = None


@dataclass(frozen=True)
class PruneSchemas(PublishStatement):
    """Drop the schemas named `prefix...` that a publication no longer makes: `sql` lists schema names,
    and the engine drops (with what they hold) each that starts with `prefix` and is not in `keep`
    (both lower case), qualified by `within` (the quoted database and a dot, or nothing). The schemas
    of audiences the specs no longer declare (generate/audiences.py)."""

    prefix: str
    keep: frozenset[str]
    within: str


def is_published(node: Node) -> bool:
    if node.materialisation not in (Materialisation.TABLE, Materialisation.VIEW):
        return False
    return node.layer in PUBLISHED_LAYERS or isinstance(node, IndicatorsNode | ColdStartsNode)


def published(objects: list[CompiledObject]) -> list[CompiledObject]:
    return [obj for obj in objects if is_published(obj.node)]


def _select_all(table: exp.Table) -> exp.Select:
    return exp.select(exp.Star()).from_(table)


def prune_statement(target: SqlTarget, schema: str, keep: frozenset[str] | None = None) -> Prune:
    """The listing of `schema`'s tables and views, for the engine to drop what is not kept."""
    listing = (
        exp.select("table_name", "table_type")
        .from_(_information_schema(target))
        .where(
            exp.EQ(
                this=exp.Lower(this=exp.column("table_schema")),
                expression=exp.Lower(this=exp.Literal.string(schema)),
            )
        )
        .order_by("table_name")
    )
    return Prune(
        "pruning the published schema",
        target.render(listing),
        target.render(target.schema(schema)),
        keep,
    )


def _information_schema(target: SqlTarget) -> exp.Table:
    return target.object_table("tables", schema="information_schema")


def _records(
    target: SqlTarget,
    chosen: list[CompiledObject],
    publication: Publication,
    frozen: set[str],
    suffix: str,
    selection: Selection | None,
) -> list[PublishStatement]:
    """The statements that write the publication's tables (publication_tables.py) in the schema."""
    about = tables.about_query(publication)
    indexes = tables.indexes_query(publication)
    listed = tables.objects_query(chosen, frozen)
    replace = target.name == "duckdb" or selection is not None  # else the swap schema is new

    def create(name: str, query: exp.Select) -> PublishStatement:
        made = exp.Create(
            this=target.published_table(name, suffix),
            kind="TABLE",
            replace=replace,
            expression=query,
        )
        return PublishStatement(name, target.render(made))

    if selection is None:
        return [
            create(tables.PUBLICATION, about),
            create(tables.PUBLISHED_INDEXES, indexes),
            create(tables.PUBLISHED_OBJECTS, listed),
        ]
    changes = [
        (tables.PUBLISHED_INDEXES, indexes, tables.indexes_replaced(publication)),
        (tables.PUBLISHED_OBJECTS, listed, tables.objects_replaced(chosen, selection)),
    ]
    return [create(tables.PUBLICATION, about)] + [
        PublishStatement(name, target.render(statement))
        for name, query, replaced in changes
        for statement in tables.in_place(target.published_table(name, suffix), query, replaced)
    ]


def publish_statements(
    target: SqlTarget,
    objects: list[CompiledObject],
    publication: Publication,
    frozen: set[str],
    selection: Selection | None = None,
) -> list[PublishStatement]:
    """The statements that publish `objects` on `target`: the whole build, or the closure of a
    `selection` (plan/selection.py), whose publication keeps the other indexes' objects."""
    chosen = published(objects)
    if target.name == "duckdb":
        statements = [
            PublishStatement(
                "published schema",
                target.render(
                    exp.Create(this=target.published_schema(), kind="SCHEMA", exists=True)
                ),
            ),
            prune_statement(target, target.spec.published),
        ]
        for obj in chosen:
            statements.append(
                PublishStatement(
                    obj.name,
                    target.render(
                        exp.Create(
                            this=target.published_table(obj.name),
                            kind="VIEW",
                            replace=True,
                            expression=_select_all(target.object_table(obj.name)),
                        )
                    ),
                )
            )
        return statements + _records(target, chosen, publication, frozen, "", selection)
    return _snowflake_statements(target, chosen, publication, frozen, selection)


def _snowflake_statements(
    target: SqlTarget,
    chosen: list[CompiledObject],
    publication: Publication,
    frozen: set[str],
    selection: Selection | None,
) -> list[PublishStatement]:
    """Built aside in the swap schema, then swapped. A selective run starts the swap schema as a clone
    of the published one, so the other indexes' objects are kept as they are, and replaces its own."""
    swap = target.published_schema(SWAP_SUFFIX)
    selective = selection is not None
    statements = [
        PublishStatement(
            "published schema",
            target.render(exp.Create(this=target.published_schema(), kind="SCHEMA", exists=True)),
        ),
        PublishStatement("swap schema", _drop_schema(target, target.spec.published + SWAP_SUFFIX)),
        PublishStatement(
            "swap schema",
            target.render(
                exp.Create(
                    this=swap,
                    kind="SCHEMA",
                    clone=exp.Clone(this=target.published_schema()) if selective else None,
                )
            ),
        ),
    ]
    if selective:
        statements.append(prune_statement(target, target.spec.published + SWAP_SUFFIX))
    for obj in chosen:
        into = target.published_table(obj.name, SWAP_SUFFIX)
        if (
            obj.node.layer is Layer.CONSUMPTION
        ):  # reads only the snapshot schema: the same view, beside
            created = exp.Create(
                this=into, kind="VIEW", replace=selective, expression=build(obj.node, target)
            )
        elif obj.node.materialisation is Materialisation.TABLE:
            created = exp.Create(
                this=into,
                kind="TABLE",
                replace=selective,
                clone=exp.Clone(this=target.object_table(obj.name)),
            )
        else:  # a view over the build schema would read the next run's half-built objects
            created = exp.Create(
                this=into,
                kind="TABLE",
                replace=selective,
                expression=_select_all(target.object_table(obj.name)),
            )
        statements.append(PublishStatement(obj.name, target.render(created)))
    statements += _records(target, chosen, publication, frozen, SWAP_SUFFIX, selection)
    statements.append(PublishStatement("swap", swap_statement(target)))
    return statements


def swap_statement(target: SqlTarget) -> str:
    """`ALTER SCHEMA <swap> SWAP WITH <published>`: sqlglot reads it only as a command, so it is
    written out here and its text is tested against Snowflake's documented form."""
    return (
        f"ALTER SCHEMA {target.render(target.published_schema(SWAP_SUFFIX))} "
        f"SWAP WITH {target.render(target.published_schema())}"
    )


def reset_build_schema(target: SqlTarget) -> str | None:
    """Snowflake: start each run without the build schema (its first object creates it again), so
    no object of an earlier build (or of another kind: CREATE OR REPLACE VIEW cannot replace a
    table) is left behind. Nothing reads it but the run. DuckDB needs none: its run is one
    transaction and drops what changed kind."""
    if target.name == "duckdb":
        return None
    return _drop_schema(target, target.spec.schema_)


def _drop_schema(target: SqlTarget, name: str) -> str:
    parts = target.schema_parts(name)
    schema = exp.Table(db=parts["db"], catalog=parts.get("catalog"))
    return target.render(exp.Drop(tables=[schema], kind="SCHEMA", exists=True, cascade=True))
