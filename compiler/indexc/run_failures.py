"""What a run that failed says: the diagnostic of a check that found rows, or of a statement the engine refused.

Each names the spec behind the failing object, what was found, and where its SQL file is, so the
reader can go from the message to the cause without reading the build.
"""

from __future__ import annotations

from indexc.codes import Code, Severity
from indexc.engines import CHECK_EXAMPLES, CheckFailed, ObjectFailed
from indexc.errors import Diagnostic, Location
from indexc.plan.nodes import AuditCheckNode
from indexc.plan.refusals import EmptyResultCheckNode
from indexc.plan.smell import SmellCheckNode
from indexc.validate import Catalog


def check_failed(failure: CheckFailed, catalog: Catalog, sql_directory: str) -> Diagnostic:
    """A check returned rows; `sql_directory` is where the build's SQL files are (build/<target>...)."""
    node = failure.object.node
    examples = failure.examples[:CHECK_EXAMPLES]
    shown = ", ".join("(blank)" if value is None else repr(str(value)) for value in examples)
    more = " and more" if len(failure.examples) > len(examples) else ""
    if isinstance(node, EmptyResultCheckNode):
        found = (
            failure.examples[0] if failure.examples and failure.examples[0] is not None else "none"
        )
        return Diagnostic(
            node.code, f"{node.failure} {found}", catalog.where(*node.spec, *node.at), node.hint
        )
    if isinstance(node, SmellCheckNode):
        return Diagnostic(
            Code.GROSS_OUTLIER,
            f"smell test of measure {node.measure_id}: {node.failure}: "
            f"{'; '.join(str(v) for v in examples)}{more}",
            catalog.where(*node.spec),
            "nothing was changed in the database; correct the value in its file "
            "(x1000: pounds for thousands; x0.01: a fraction for a percentage), or, if it is right, accept it "
            f"under the measure's 'smell: accept:' with a reason; every flagged value is in {node.smell_object}",
        )
    if isinstance(node, AuditCheckNode):
        return Diagnostic(
            Code.AUDIT_FOUND_ROWS,
            f"audit {node.spec[1]}: {node.failure}: {shown}{more}",
            catalog.where(*node.spec),
            "nothing was changed in the database; correct the data, or make the audit 'severity: warn' to "
            f"build and read every row in {node.audit_object}",
            severity=Severity.ERROR,
        )
    return Diagnostic(
        Code.DATA_CHECK_FAILED,
        f"{node.spec[1]}: {node.failure}: {shown}{more}",
        catalog.where(*node.spec),
        f"nothing was changed in the database; the check is {sql_directory}/{failure.object.file_name}; "
        "correct the data or the source's declaration",
    )


def object_failed(
    failure: ObjectFailed, catalog: Catalog, target: str, sql_directory: str, target_file: Location
) -> Diagnostic:
    """The engine refused an object's statement; at its spec, or at the target file for an object of none."""
    spec = failure.object.node.spec
    location = catalog.where(*spec) if spec else target_file
    return Diagnostic(
        Code.ENGINE_REJECTED_STATEMENT,
        f"building {failure.object.name} on {target} failed: {failure.message}",
        location,
        f"the engine's message says what failed; the SQL is in {sql_directory}/{failure.object.file_name}. "
        "A conversion error means a value that is not a number, or a register date not written YYYY-MM-DD",
    )
