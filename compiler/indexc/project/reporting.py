"""The facade's regular report: choose where it reads (live, a snapshot, an audience's views), read it,
write the HTML and print the PDF.

Where it reads is decided here and nowhere else (report/relations.py): `--snapshot ID` must name a
snapshot taken on the target (IX408), `--audience NAME` reads only the relations
`Project.audience_relations(NAME)` gives. The HTML is written before the PDF is printed,
so a missing Chromium (IX409) still leaves the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from indexc.codes import Code
from indexc.compilation import Build, Compilation, Query
from indexc.errors import COMMAND_LINE, Diagnostic, UserError, errors_in
from indexc.generate import sql_target
from indexc.generate.targets import SqlTarget
from indexc.plan.selection import unknown_indexes
from indexc.project.outputs import unwritable
from indexc.report import pdf, regular, relations
from indexc.validate.targets import load_target


def report(
    project: Any,
    index_id: str,
    out: Path,
    target_name: str,
    snapshot_id: int | None,
    audience: str | None,
    pdf: bool,
) -> list[Path]:
    """`Project.write_report`: the index checked, the target loaded, the audience's relations asked of
    the facade (`project`), then the report read and written in one session."""
    compilation = project.compile(selected=(index_id,))
    unknown = unknown_indexes(compilation.catalog, (index_id,), "--index")
    if unknown:
        raise UserError(unknown)
    target, diagnostics = load_target(project.root, target_name, compilation.catalog)
    if target is None or errors_in(diagnostics):
        raise UserError(diagnostics)
    visible = None if audience is None else project.audience_relations(audience, target_name)
    build = Build(target_name, target, [], None, compilation)
    with project.session(build) as session:
        return write_report(
            session.query,
            sql_target(target),
            compilation,
            index_id,
            out,
            snapshot_id,
            (audience, visible) if audience is not None and visible is not None else None,
            pdf,
        )


def _unknown(message: str, hint: str) -> UserError:
    return UserError([Diagnostic(Code.REPORT_SOURCE_UNKNOWN, message, COMMAND_LINE, hint)])


def tables_and_drawn(
    query_rows: Query,
    target: SqlTarget,
    index_id: str,
    snapshot_id: int | None,
    audience: tuple[str, Mapping[str, str]] | None,
) -> tuple[relations.Tables, regular.Drawn]:
    """Where the report reads, and what it says about it."""
    if audience is not None:
        name, visible = audience
        tables = relations.audience(query_rows, target, name, visible)
        return tables, regular.drawn_live(tables, index_id)
    if snapshot_id is None:
        tables = relations.live(query_rows, target)
        return tables, regular.drawn_live(tables, index_id)
    taken = relations.snapshots_taken(query_rows, target)
    row = next((r for r in taken if int(r["snapshot_id"]) == snapshot_id), None)
    if row is None:
        shown = ", ".join(
            f"{r['snapshot_id']} ({r['as_of']}{' ' + r['label'] if r['label'] else ''})"
            for r in taken
        )
        raise _unknown(
            f"snapshot {snapshot_id} was never taken on {target.name}",
            f"snapshots: {shown}" if shown else "no snapshot was taken: see 'indexc snapshot take'",
        )
    tables = relations.snapshot(query_rows, target, snapshot_id)
    return tables, regular.drawn_from_snapshot(tables, row)


def write_report(
    query_rows: Query,
    target: SqlTarget,
    compilation: Compilation,
    index_id: str,
    out: Path,
    snapshot_id: int | None,
    audience: tuple[str, Mapping[str, str]] | None,
    with_pdf: bool,
) -> list[Path]:
    """report.html (and report.pdf, `with_pdf`) of one index in `out`."""
    catalog = compilation.catalog
    tables, drawn = tables_and_drawn(query_rows, target, index_id, snapshot_id, audience)
    report = regular.read(
        tables, catalog.indexes[index_id], catalog.indexes, drawn, compilation.spec_hash
    )
    try:
        page = regular.write(report, out)
    except OSError as err:
        raise unwritable("the report", out, err) from None
    return [page, pdf.print_pdf(page)] if with_pdf else [page]
