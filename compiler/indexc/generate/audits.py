"""SQL for audits: the rows an audit finds (a template), and the check an `error` audit adds."""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, col, lit
from indexc.generate.targets import SqlTarget
from indexc.generate.templating import render
from indexc.plan.nodes import AuditCheckNode, AuditNode


def audit(node: AuditNode, target: SqlTarget) -> exp.Expression:
    return render(f"{node.params.template}.sql.j2", target, **node.params.context())


def audit_rows(node: AuditNode, target: SqlTarget) -> exp.Expression:
    """The rows a built audit table holds, in order, for the run's report."""
    return (
        exp.select(col("area_code"), col("period"), copy=False)
        .from_(target.object_table(node.name), copy=False)
        .order_by(col("period"), col("area_code"), copy=False)
    )


def audit_check(node: AuditCheckNode, target: SqlTarget) -> exp.Expression:
    """Each row the audit found, as `area period` text, in order."""
    shown = exp.Concat(expressions=[col("area_code"), lit(" "), col("period")])
    return (
        exp.select(alias(shown, "found"), copy=False)
        .from_(target.object_table(node.audit_object), copy=False)
        .order_by(col("found"), copy=False)
    )
