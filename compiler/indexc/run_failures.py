"""What a run that failed says: the diagnostic of a check that found rows, or of a statement the engine refused.

`deploy_failed` turns each way a deploy can stop (engines/__init__.py) into the diagnostics a run
raises: a guard's through guard_reports.py, every other check's and statement's here, and a
publication's that failed as IX708.

Each names the spec behind the failing object, what was found, and where its SQL file is, so the
reader can go from the message to the cause without reading the build.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from indexc import guard_reports
from indexc.codes import Code, Severity
from indexc.compilation import Build, Query
from indexc.engines import CHECK_EXAMPLES, CheckFailed, ObjectFailed, PublishFailed
from indexc.errors import Diagnostic, Location
from indexc.generate import sql_target
from indexc.plan.nodes import AuditCheckNode, CheckNode, PeriodCheckNode, defined_by
from indexc.plan.refusals import EmptyResultCheckNode
from indexc.plan.smell import SmellCheckNode
from indexc.spec.period_labels import grains_reading
from indexc.spec.targets import FileRelation
from indexc.validate import Catalog


def check_failed(failure: CheckFailed, catalog: Catalog, sql_directory: str) -> Diagnostic:
    """A check returned rows; `sql_directory` is where the build's SQL files are (build/<target>...)."""
    node = failure.object.node
    if not isinstance(node, CheckNode):  # only a check's statement returns rows
        raise TypeError(f"{node.name} is not a check")
    spec = defined_by(node)
    examples = failure.examples[:CHECK_EXAMPLES]
    shown = ", ".join("(blank)" if value is None else repr(str(value)) for value in examples)
    more = " and more" if len(failure.examples) > len(examples) else ""
    if isinstance(node, EmptyResultCheckNode):
        found = (
            failure.examples[0] if failure.examples and failure.examples[0] is not None else "none"
        )
        return Diagnostic(
            node.code, f"{node.failure} {found}", catalog.where(*spec, *node.at), node.hint
        )
    if isinstance(node, SmellCheckNode):
        return Diagnostic(
            Code.GROSS_OUTLIER,
            f"smell test of measure {node.measure_id}: {node.failure}: "
            f"{'; '.join(str(v) for v in examples)}{more}",
            catalog.where(*spec),
            "nothing was changed in the database; correct the value in its file "
            "(x1000: pounds for thousands; x0.01: a fraction for a percentage), or, if it is right, accept it "
            f"under the measure's 'smell: accept:' with a reason; every flagged value is in {node.smell_object}",
        )
    if isinstance(node, AuditCheckNode):
        return Diagnostic(
            Code.AUDIT_FOUND_ROWS,
            f"audit {spec[1]}: {node.failure}: {shown}{more}",
            catalog.where(*spec),
            "nothing was changed in the database; correct the data, or make the audit 'severity: warn' to "
            f"build and read every row in {node.audit_object}",
            severity=Severity.ERROR,
        )
    return Diagnostic(
        Code.DATA_CHECK_FAILED,
        f"{spec[1]}: {node.failure}: {shown}{more}",
        catalog.where(*spec),
        f"nothing was changed in the database; the check is {sql_directory}/{failure.object.file_name}; "
        "correct the data or the source's declaration" + _readers(node, examples),
    )


def _readers(node: CheckNode, examples: tuple) -> str:
    """For refused periods, the declarations that would read them: a label is never guessed."""
    if not isinstance(node, PeriodCheckNode):
        return ""
    said = []
    for label in [str(e) for e in examples if e is not None]:
        readers = grains_reading(label)
        if readers:
            said.append(f"'{label}' reads as period: grain {' or '.join(readers)}")
    return ("; " + "; ".join(said)) if said else ""


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


def deploy_failed(
    failure: ObjectFailed | CheckFailed | PublishFailed,
    query: Query,
    build: Build,
    root: Path,
    sql_directory: str,
    target_file: Location,
) -> list[Diagnostic]:
    """Why a deploy stopped; `query` reads the build (a guard's report looks at what it stopped)."""
    catalog = build.compilation.catalog
    if isinstance(failure, ObjectFailed):
        return [object_failed(failure, catalog, build.target_name, sql_directory, target_file)]
    if isinstance(failure, CheckFailed):
        if isinstance(failure.object.node, guard_reports.GUARDS):
            return guard_failed(failure, query, build, root)
        return [check_failed(failure, catalog, sql_directory)]
    return [
        Diagnostic(
            Code.PUBLISHING_FAILED,
            f"publishing the build on {build.target_name} failed at {failure.step}: {failure.message}",
            target_file,
            f"the published schema {build.target.published} is as it was before the run; the build is "
            f"in {build.target.schema_}",
        )
    ]


def guard_failed(failure: CheckFailed, query: Query, build: Build, root: Path) -> list[Diagnostic]:
    """A guard's check found rows: every row, with its source's file (guard_reports.py)."""
    files = {
        source: relation.path if isinstance(relation, FileRelation) else relation.table
        for source, relation in build.target.relations.items()
    }
    with contextlib.chdir(root):  # where a DuckDB target's data paths start, as when building
        return guard_reports.failed(
            failure.object.node,
            failure.examples,
            query,
            build.objects,
            build.compilation.catalog,
            sql_target(build.target),
            files,
        )
