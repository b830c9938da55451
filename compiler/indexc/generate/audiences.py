"""Audiences on a target: a schema of views per audience over the published schema, and its grants.

Each audience (spec kind `audiences`, plan/audiences.py) gets the schema
`<published_schema>__audience__<id>` (upper case on Snowflake), holding one view per object it may
read, named as the published object. The statements run after the publication (on Snowflake after
the swap, so the views read the schema consumers now read) with every run that publishes, so the
views always match the publication and the specs:

1. the schema is created if missing;
2. what it holds that this audience no longer sees is dropped (for a selective run, only what belongs
   to the selected indexes, as in the published schema: docs/publishing.md);
3. each view is created or replaced: on Snowflake a SECURE VIEW, whose definition and underlying
   objects its readers cannot see;
4. Snowflake only: the audience's role is created if missing and granted USAGE on the database and
   on the audience's schema and SELECT on each of its views. Nothing else: the role never touches the
   published, build or snapshot schemas (a secure view reads them with its owner's rights).

A what-if that is not published as live gets no audience views (project/database.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot import exp

from indexc.generate import CompiledObject
from indexc.generate.publication_tables import TABLES
from indexc.generate.publish import (
    CommandStatement,
    PruneSchemas,
    PublishStatement,
    prune_statement,
    published,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.audiences import AudiencePlan, AudienceView, audience_plans
from indexc.spec.targets import SnowflakeTarget
from indexc.validate.catalog import Catalog

SCHEMA_INFIX = "__audience__"


@dataclass(frozen=True)
class AudienceSql:
    """One audience's statements on one target, and what it may read: `relations` maps each published
    object it sees to its view of it, as the target writes it; `role` is None on DuckDB."""

    audience_id: str
    sees: str
    description: str
    schema: str
    role: str | None
    relations: dict[str, str]
    statements: list[PublishStatement] = field(default_factory=list)


def schema_name(target: SqlTarget, audience_id: str) -> str:
    """`<published_schema>__audience__<id>`, in Snowflake's upper case there."""
    infix = SCHEMA_INFIX + audience_id
    return target.spec.published + (infix.upper() if target.spec.upper_case_defaults else infix)


def _column(name: str) -> exp.Column:
    return exp.column(exp.to_identifier(name))


def view_query(target: SqlTarget, view: AudienceView) -> exp.Select:
    """The published object, whole, or cut to a headline's columns and period."""
    source = target.published_table(view.source)
    columns: list[exp.Expression] = (
        [exp.Star()] if view.columns is None else [_column(c) for c in view.columns]
    )
    query = exp.select(*columns).from_(source)
    if view.period is None:
        return query
    if view.period == "latest" and view.scores is not None:
        latest = exp.select(exp.Max(this=_column("period"))).from_(
            target.published_table(view.scores)
        )
        return query.where(exp.EQ(this=_column("period"), expression=exp.Subquery(this=latest)))
    return query.where(exp.EQ(this=_column("period"), expression=exp.Literal.string(view.period)))


def _create_view(target: SqlTarget, schema: str, view: AudienceView) -> exp.Create:
    secure = isinstance(target.spec, SnowflakeTarget)
    return exp.Create(
        this=target.object_table(view.name, schema=schema),
        kind="VIEW",
        replace=True,
        expression=view_query(target, view),
        properties=exp.Properties(expressions=[exp.SecureProperty()]) if secure else None,
    )


def _role(name: str) -> exp.Identifier:
    return exp.to_identifier(name)


def _grant(privilege: str, kind: str, securable: exp.Table, role: str) -> exp.Grant:
    return exp.Grant(
        privileges=[exp.GrantPrivilege(this=exp.var(privilege))],
        kind=kind,
        securable=securable,
        principals=[exp.GrantPrincipal(this=_role(role), kind="ROLE")],
    )


def create_role_statement(target: SqlTarget, role: str) -> str:
    """`CREATE ROLE IF NOT EXISTS <role>`: sqlglot has no expression for it, so it is a Command whose
    role is rendered (quoted) by the target; its text is tested against Snowflake's documented form."""
    return target.render(
        exp.Command(this="CREATE", expression=f"ROLE IF NOT EXISTS {target.render(_role(role))}")
    )


def _grants(
    target: SqlTarget, plan: AudiencePlan, schema: str, role: str
) -> list[PublishStatement]:
    database = exp.Table(this=exp.to_identifier(target.spec.database))
    on = f"role {role}"
    statements = [
        CommandStatement(on, create_role_statement(target, role)),
        PublishStatement(on, target.render(_grant("USAGE", "DATABASE", database, role))),
        PublishStatement(on, target.render(_grant("USAGE", "SCHEMA", target.schema(schema), role))),
    ]
    for view in plan.views:
        granted = _grant("SELECT", "VIEW", target.object_table(view.name, schema=schema), role)
        statements.append(PublishStatement(on, target.render(granted)))
    return statements


def audience_sql(target: SqlTarget, plan: AudiencePlan) -> AudienceSql:
    """The statements that (re)create one audience's schema of views, and on Snowflake its grants.
    Its prune drops what the schema holds outside the plan's views; in a selective run, the engine
    drops only what the selection claims, as in the published schema."""
    schema = schema_name(target, plan.audience_id)
    role = (
        target.spec.audience_role(plan.audience_id)
        if isinstance(target.spec, SnowflakeTarget)
        else None
    )
    keep = frozenset(view.name.lower() for view in plan.views)  # lower: as the engines compare
    statements = [
        PublishStatement(
            f"audience {plan.audience_id}",
            target.render(exp.Create(this=target.schema(schema), kind="SCHEMA", exists=True)),
        ),
        replace(prune_statement(target, schema, keep), name=f"pruning audience {plan.audience_id}"),
    ]
    statements += [
        PublishStatement(view.name, target.render(_create_view(target, schema, view)))
        for view in plan.views
    ]
    if role is not None:
        statements += _grants(target, plan, schema, role)
    relations = {
        view.name: target.render(target.object_table(view.name, schema=schema))
        for view in plan.views
    }
    return AudienceSql(
        plan.audience_id,
        plan.audience.sees,
        plan.audience.description,
        schema,
        role,
        relations,
        statements,
    )


def audiences_sql(target: SqlTarget, plans: list[AudiencePlan]) -> list[AudienceSql]:
    return [audience_sql(target, plan) for plan in plans]


def compile_audiences(
    target: SqlTarget, catalog: Catalog, objects: list[CompiledObject]
) -> list[AudienceSql]:
    """Every audience of the specs over what `objects` publish (a selective build's: its closure's)."""
    names = [obj.name for obj in published(objects)]
    return audiences_sql(target, audience_plans(catalog, names, TABLES))


def withdrawn_audiences(target: SqlTarget, audiences: list[AudienceSql]) -> PruneSchemas:
    """Drop the audience schemas of audiences the specs no longer declare (their views would still
    read the live publication): the engine drops each schema named `<published>__audience__...` that
    is not one of `audiences`'. Run after them, with every publication of the live result."""
    prefix = schema_name(target, "")
    listing = (
        exp.select(_column("schema_name"))
        .from_(target.object_table("schemata", schema="information_schema"))
        .where(
            exp.Like(
                this=exp.Lower(this=_column("schema_name")),
                expression=exp.Literal.string(prefix.lower() + "%"),
            )
        )
        .order_by(_column("schema_name"))
    )
    within = (
        target.render(exp.to_identifier(target.spec.database)) + "."
        if isinstance(target.spec, SnowflakeTarget)
        else ""
    )
    return PruneSchemas(
        "dropping the schemas of audiences no longer declared",
        target.render(listing),
        prefix.lower(),
        frozenset(audience.schema.lower() for audience in audiences),
        within,
    )
