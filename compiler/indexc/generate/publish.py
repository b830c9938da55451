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

Both end with two small tables that say what is published: `indexc__publication` (spec hash,
compiler version, geography date, when, and the what-if's name if it is one) and
`indexc__published_objects` (which objects, and which
of them a snapshot freezes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlglot import exp

from indexc import __version__
from indexc.generate import CompiledObject, build
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import IndicatorsNode
from indexc.plan.nodes import Layer, Materialisation, Node
from indexc.plan.snapshots import frozen_names

__all__ = ["Publication", "PublishStatement", "frozen_names", "is_published", "publish_statements"]

PUBLICATION = "indexc__publication"
PUBLISHED_OBJECTS = "indexc__published_objects"
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
class Publication:
    """What the published tables record about the build."""

    spec_hash: str
    geography_date: datetime.date | None
    target: str
    what_if: str | None = None  # the what-if's name (whatif.py), also when it was published as live


@dataclass(frozen=True)
class PublishStatement:
    name: str  # the object it publishes, or what it does
    sql: str


def is_published(node: Node) -> bool:
    if node.materialisation not in (Materialisation.TABLE, Materialisation.VIEW):
        return False
    return node.layer in PUBLISHED_LAYERS or isinstance(node, IndicatorsNode)


def published(objects: list[CompiledObject]) -> list[CompiledObject]:
    return [obj for obj in objects if is_published(obj.node)]


def _select_all(table: exp.Table) -> exp.Select:
    return exp.select(exp.Star()).from_(table)


def _publication_rows(
    objects: list[CompiledObject], publication: Publication, frozen: set[str]
) -> tuple[exp.Expression, exp.Expression]:
    """What is published: one row about the build, and a row per object (with whether snapshots freeze it)."""
    geography = (
        exp.cast(exp.Literal.string(publication.geography_date.isoformat()), "DATE")
        if publication.geography_date
        else exp.cast(exp.null(), "DATE")
    )
    about = exp.select(
        exp.alias_(exp.Literal.string(publication.spec_hash), "spec_hash"),
        exp.alias_(exp.Literal.string(__version__), "compiler_version"),
        exp.alias_(exp.Literal.string(publication.target), "target"),
        exp.alias_(geography, "geography_date"),
        exp.alias_(exp.CurrentTimestamp(), "published_at"),
        exp.alias_(
            exp.Literal.string(publication.what_if)
            if publication.what_if
            else exp.cast(exp.null(), "VARCHAR"),
            "what_if",
        ),
    )
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
    if not objects:
        listed = listed.where(exp.false())
    return about, listed


def publish_statements(
    target: SqlTarget, objects: list[CompiledObject], publication: Publication, frozen: set[str]
) -> list[PublishStatement]:
    """The statements that publish `objects` (the whole build) on `target`."""
    chosen = published(objects)
    about, listed = _publication_rows(chosen, publication, frozen)
    if target.name == "duckdb":
        schema = target.published_schema()
        statements = [
            PublishStatement(
                "published schema",
                target.render(exp.Create(this=schema, kind="SCHEMA", exists=True)),
            )
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
        for name, query in ((PUBLICATION, about), (PUBLISHED_OBJECTS, listed)):
            statements.append(
                PublishStatement(
                    name,
                    target.render(
                        exp.Create(
                            this=target.published_table(name),
                            kind="TABLE",
                            replace=True,
                            expression=query,
                        )
                    ),
                )
            )
        return statements
    swap = target.published_schema(SWAP_SUFFIX)
    statements = [
        PublishStatement(
            "published schema",
            target.render(exp.Create(this=target.published_schema(), kind="SCHEMA", exists=True)),
        ),
        PublishStatement("swap schema", _drop_schema(target, target.spec.published + SWAP_SUFFIX)),
        PublishStatement("swap schema", target.render(exp.Create(this=swap, kind="SCHEMA"))),
    ]
    for obj in chosen:
        into = target.published_table(obj.name, SWAP_SUFFIX)
        if (
            obj.node.layer is Layer.CONSUMPTION
        ):  # reads only the snapshot schema: the same view, beside
            created = exp.Create(this=into, kind="VIEW", expression=build(obj.node, target))
        elif obj.node.materialisation is Materialisation.TABLE:
            created = exp.Create(
                this=into, kind="TABLE", clone=exp.Clone(this=target.object_table(obj.name))
            )
        else:  # a view over the build schema would read the next run's half-built objects
            created = exp.Create(
                this=into, kind="TABLE", expression=_select_all(target.object_table(obj.name))
            )
        statements.append(PublishStatement(obj.name, target.render(created)))
    for name, query in ((PUBLICATION, about), (PUBLISHED_OBJECTS, listed)):
        statements.append(
            PublishStatement(
                name,
                target.render(
                    exp.Create(
                        this=target.published_table(name, SWAP_SUFFIX),
                        kind="TABLE",
                        expression=query,
                    )
                ),
            )
        )
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
