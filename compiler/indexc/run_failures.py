"""What a run that failed says: the diagnostic of a check that found rows, or of a statement the engine refused.

`deploy_failed` turns each way a deploy can stop (engines/__init__.py) into the diagnostics a run
raises: a guard's through guard_reports.py, every other check's and statement's here, and a
publication's that failed as IX708.

Each names the spec behind the failing object, what was found, and where its SQL file is, so the
reader can go from the message to the cause without reading the build.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

from indexc import guard_reports
from indexc.codes import Code, Severity
from indexc.compilation import Build, Query
from indexc.engines import CHECK_EXAMPLES, CheckFailed, ObjectFailed, PublishFailed
from indexc.errors import Diagnostic, Location
from indexc.generate import pivoted, sql_target
from indexc.generate.values import SEPARATOR
from indexc.plan.coverage import SEPARATOR as COVERAGE_SEPARATOR
from indexc.plan.coverage import CoverageCheckNode
from indexc.plan.nodes import (
    AuditCheckNode,
    CheckNode,
    LimitCheckNode,
    PeriodCheckNode,
    PivotedHeaderCheckNode,
    ValueCheckNode,
    defined_by,
)
from indexc.plan.refusals import EmptyResultCheckNode
from indexc.plan.smell import SmellCheckNode
from indexc.spec.period_labels import grains_reading
from indexc.spec.sources import DataSource, LongSource, PivotedSource
from indexc.spec.targets import FileRelation
from indexc.validate import Catalog
from indexc.validate.csv_rows import csv_header, pivoted_header, readable
from indexc.validate.data_files import parquet_columns


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
    if isinstance(node, CoverageCheckNode):
        return coverage_failed(node, failure.examples, catalog)
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


def coverage_failed(node: CoverageCheckNode, found: tuple, catalog: Catalog) -> Diagnostic:
    """A lens, metric or measure of an index without a value in the published period: the first found,
    at the index's entry naming it, with the others after it (each with its reason)."""
    rows = [str(row).split(COVERAGE_SEPARATOR, 2) for row in found[:CHECK_EXAMPLES]]
    (kind, item_id, reason), *others = rows
    path = next(i.path for i in node.items if (i.kind, i.id) == (kind, item_id))
    also = "; ".join(f"{k} '{i}': {r}" for k, i, r in others)
    more = " and more" if len(found) > len(rows) else ""
    hints = {
        "no data": "check the data's periods, or publish a period the data covers",
        "wrong level": "carry the metric onto the universe's areas with an area map "
        "(its `metrics`), or compare areas of the data's level",
        "codes never in force": "restate the data onto the register's codes (lineage), or "
        "correct the codes",
    }
    return Diagnostic(
        Code.NO_VALUE_IN_PUBLISHED_PERIOD,
        f"index '{node.index_id}': {kind} '{item_id}' has no value for any area of its universe: "
        f"{reason}" + (f"; also {also}{more}" if also else ""),
        catalog.where("indexes", node.index_id, *path),
        next((h for k, h in hints.items() if reason.startswith(k)), hints["no data"]),
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
        "A conversion error means a register or area-map date not written YYYY-MM-DD, or an area-map "
        "weight that is not a number (a data value that is not a number is IX717)",
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
        if isinstance(failure.object.node, ValueCheckNode):
            return value_failed(failure.object.node, failure.examples, build, root)
        if isinstance(failure.object.node, LimitCheckNode):
            return [limits_failed(failure.object.node, failure.examples, build)]
        if isinstance(failure.object.node, PivotedHeaderCheckNode):
            return [header_failed(failure.object.node.source, failure.examples, build)]
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


CELL_SHOWN = 40
"""Characters of a cell quoted in IX717: enough to recognise a marker, too few to print a file through it."""


def _header(relation: FileRelation, root: Path, source: DataSource) -> list[str]:
    """The columns of a source's file in order, to give a cell's column number; [] when unread. A
    pivoted file's are on its header row, after its title lines."""
    path = root / relation.path
    try:
        if relation.file_format == "parquet":
            return parquet_columns(path) or []
        if isinstance(source, PivotedSource):
            header = pivoted_header(path, source.columns.area) if readable(path) else None
            return header.cells if header else []
        return csv_header(path) if readable(path) else []
    except (OSError, UnicodeDecodeError, csv.Error):  # read a moment ago; say less, not fail
        return []


def value_failed(node: ValueCheckNode, found: tuple, build: Build, root: Path) -> list[Diagnostic]:
    """IX717, one per cell (`LINE | COLUMN | CELL`), at its file, line and column; on a table (no lines),
    at the column's declaration in the source spec."""
    source, catalog = node.source, build.compilation.catalog
    relation = build.target.relations[source.id]
    header = (
        [name.strip().lower() for name in _header(relation, root, source)]
        if isinstance(relation, FileRelation)
        else []
    )
    markers = "; ".join(source.missing_markers) or "none (`missing: []`)"
    shown = found[:CHECK_EXAMPLES]
    diagnostics = []
    for number, text in enumerate(shown, start=1):
        line, column, cell = str(text).split(SEPARATOR, 2)
        cell = cell if len(cell) <= CELL_SHOWN else cell[: CELL_SHOWN - 1] + "…"
        where = ""
        if isinstance(relation, FileRelation) and line:
            position = header.index(column.lower()) + 1 if column.lower() in header else 0
            at = Location(relation.path, int(line), position)
        else:  # a table has no lines: point at the column's declaration and name the table
            at = catalog.where("sources", source.id, *_declared_at(source, column))
            where = f" in {getattr(relation, 'table', None) or getattr(relation, 'path', '')}"
        diagnostics.append(
            Diagnostic(
                Code.VALUE_NOT_A_NUMBER,
                f"value {cell!r} in column '{column}' of source '{source.id}'{where} is not a number "
                "and not one of the source's missing markers"
                + (" (and more cells like it)" if number == len(shown) < len(found) else ""),
                at,
                f"the missing markers in force: {markers}; add it to `missing:` if the publisher uses it "
                "for no value, otherwise correct the cell; nothing was changed in the database",
            )
        )
    return diagnostics


def _declared_at(source: DataSource, column: str) -> tuple:
    """Where the source spec names a value column: its role under `columns`, or its item (a
    pivoted source's only item, whatever period heads the column)."""
    if isinstance(source, LongSource):
        role = next(r for r, c in source.columns.value_columns.items() if c == column)
        return ("columns", role)
    if isinstance(source, PivotedSource):
        return ("items", source.item)
    return ("items", column)


def header_failed(source: PivotedSource, found: tuple, build: Build) -> Diagnostic:
    """IX749 from the header check's first `KIND | LINE | COLUMN | TEXT` (generate/pivoted.py): at
    the file's line and column, or, on a table, at the declaration to correct, naming the table."""
    catalog = build.compilation.catalog
    relation = build.target.relations[source.id]
    in_file = isinstance(relation, FileRelation)
    where = relation.path if isinstance(relation, FileRelation) else f"table {relation.table}"
    kind, line, column, text = str(found[0]).split(pivoted.SEPARATOR, 3)
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    cell = text if len(text) <= CELL_SHOWN else text[: CELL_SHOWN - 1] + "…"
    at_cell = Location(
        where, int(line) if line.isdigit() else 0, int(column) if column.isdigit() else 0
    )
    if kind == pivoted.NO_HEADER:
        return Diagnostic(
            Code.PIVOTED_HEADER_UNREADABLE,
            f"pivoted source '{source.id}': no line of {where} names its area column "
            f"'{source.columns.area}', so it has no header row and no periods",
            catalog.where("sources", source.id, "columns", "area"),
            "the header row is the first line with a cell reading the area column's name (title "
            "lines before it are skipped): correct `columns: area:` or the data; nothing was "
            "changed in the database",
        )
    if kind == pivoted.NO_HEADING:
        return Diagnostic(
            Code.PIVOTED_HEADER_UNREADABLE,
            f"pivoted source '{source.id}': value {cell!r} in {where} (line {line}, column "
            f"{column}) is under no heading{more}",
            at_cell if in_file else catalog.where("sources", source.id, "columns", "area"),
            "every column of values is headed by its period on the header row: correct the "
            "file; nothing was changed in the database",
        )
    parsing = source.period
    readers = grains_reading(text)
    reads = f"; '{text}' reads as period: grain {' or '.join(readers)}" if readers else ""
    return Diagnostic(
        Code.PIVOTED_HEADER_UNREADABLE,
        f"pivoted source '{source.id}': heading {cell!r} of {where} (line {line}, column {column}) "
        f"is not a period written {parsing.format} ({parsing.grain}){more}",
        at_cell if in_file else catalog.where("sources", source.id, "period"),
        "each heading but the area column and `columns: labels:` is a period: declare the "
        f"source's `period:` as the headings are written, or list the column under labels{reads}; "
        "nothing was changed in the database",
    )


def limits_failed(node: LimitCheckNode, found: tuple, build: Build) -> Diagnostic:
    """IX718 at the source's `lci`, from `LINE | AREA | PERIOD | LCI | VALUE | UCI | ITEM` texts."""
    relation = build.target.relations[node.source_id]
    where = relation.path if isinstance(relation, FileRelation) else f"table {relation.table}"
    rows = []
    for text in found[:CHECK_EXAMPLES]:
        line, area, period, lci, value, uci, item = str(text).split(SEPARATOR, 6)
        at_line = f", line {line}" if line else ""
        rows.append(f"{area} {period} {item}: {lci} <= {value} <= {uci} fails ({where}{at_line})")
    more = " and more" if len(found) > CHECK_EXAMPLES else ""
    return Diagnostic(
        Code.VALUE_OUTSIDE_LIMITS,
        f"source '{node.source_id}': value(s) outside their own confidence limits: "
        f"{'; '.join(rows)}{more}",
        build.compilation.catalog.where("sources", node.source_id, "columns", "lci"),
        "nothing was changed in the database; a value lies between its lower (lci) and upper (uci) "
        "limits: check that the columns are not swapped and that the rows were not shifted",
    )
