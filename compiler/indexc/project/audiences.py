"""What the facade says of audiences: each one's schema of views on a target, and the relations a
command reading for an audience may use (`Project.audience_relations`).

A command given `--audience NAME` reads only the relations named here, so what it shows can never
exceed what the audience's views hold. The relations are worked out from the specs and the target,
as the publication makes them (generate/audiences.py), without opening a database.
"""

from __future__ import annotations

from indexc.codes import Code
from indexc.compilation import Compilation
from indexc.errors import COMMAND_LINE, Diagnostic, UserError
from indexc.generate import sql_target
from indexc.generate.audiences import AudienceSql, audiences_sql
from indexc.generate.publication_tables import TABLES
from indexc.generate.publish import is_published
from indexc.plan.audiences import audience_plans
from indexc.spec.targets import Target
from indexc.validate.models import did_you_mean


def audiences_on(compilation: Compilation, target: Target) -> list[AudienceSql]:
    """Every audience of the specs on `target`, over what a full run publishes."""
    names = [node.name for node in compilation.plan.nodes if is_published(node)]
    plans = audience_plans(compilation.catalog, names, TABLES)
    return audiences_sql(sql_target(target), plans)


def refuse_unknown_audience(compilation: Compilation, name: str) -> None:
    """IX719 for an audience the specs do not declare, with the one meant or those there are."""
    declared = sorted(compilation.catalog.audiences)
    if name in declared:
        return
    hint = did_you_mean(name, declared) or (
        f"the audiences are {', '.join(declared)}"
        if declared
        else "the specs declare no audiences: add them under 'audiences:' in a spec file "
        "(docs/spec-language.md, Audiences)"
    )
    raise UserError(
        [Diagnostic(Code.UNKNOWN_AUDIENCE, f"unknown audience '{name}'", COMMAND_LINE, hint)]
    )
