"""An audit's objects: the table of the rows it finds, and, for an `error` audit, the check that fails
the run when there are any. The query is generate/templates/audit.sql.j2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from indexc.plan.nodes import AuditCheckNode, AuditNode, Node
from indexc.plan.template_params import AuditParams
from indexc.validate.catalog import Catalog


def audit_object(audit_id: str) -> str:
    return f"audit__{audit_id}"


def audit_nodes(
    audit_id: str, catalog: Catalog, universe: str, metric_object: Callable[[str], str]
) -> list[Node]:
    audit = catalog.audits[audit_id]
    name = audit_object(audit_id)
    metrics = {m: metric_object(m) for m, _ in audit.metrics()}
    test = audit.model_dump(include={audit.test})[audit.test]
    finds = _describe(audit.test, test)
    nodes: list[Node] = [
        AuditNode(
            name=name,
            depends_on=tuple(sorted({universe, *metrics.values()})),
            spec=("audits", audit_id),
            description=f"Audit {audit_id} ({audit.severity}): {finds}",
            finds=finds,
            params=AuditParams(
                audit=audit_id,
                severity=audit.severity,
                test=audit.test,
                spec=test,
                objects=metrics,
                universe=universe,
            ),
        )
    ]
    if audit.severity == "error":
        nodes.append(
            AuditCheckNode(
                name=f"check__{name}",
                depends_on=(name,),
                spec=("audits", audit_id),
                description=f"Fails the run when audit {audit_id} finds a row",
                audit_object=name,
                failure=f"the error audit found {finds}",
            )
        )
    return nodes


def _describe(test: str, spec: Any) -> str:
    """`spec`: the test as dumped, a metric id (not_null) or the test's mapping."""
    if test == "not_null":
        return f"areas with no value of {spec}"
    if test == "range":
        bounds = [
            f">= {spec['min']:g}" if spec["min"] is not None else "",
            f"<= {spec['max']:g}" if spec["max"] is not None else "",
        ]
        return f"values of {spec['metric']} not {' and '.join(b for b in bounds if b)}"
    if test == "change":
        limits = [
            f"rose more than {spec['rise']:.0%}" if spec["rise"] is not None else "",
            f"fell more than {spec['fall']:.0%}" if spec["fall"] is not None else "",
        ]
        return f"values of {spec['metric']} that {' or '.join(x for x in limits if x)} in a year"
    return (
        f"areas where {spec['fell']['metric']} fell more than {spec['fell']['by']:.0%} while "
        f"{spec['rose']['metric']} rose more than {spec['rose']['by']:.0%} in a year"
    )
