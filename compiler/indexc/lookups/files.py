"""Writing an export's tables (tables.py): CSV and Parquet by the engine's own COPY, xlsx with openpyxl.

CSV and Parquet are written by DuckDB (`COPY (query) TO file`), so types reach Parquet as the database
holds them and nothing in between needs pyarrow; an `--out` directory receives one file per table,
named as the published object is. An xlsx workbook holds one sheet per table, in the order of the
export, with each cell typed as its value (numbers as numbers, dates as dates, blanks empty), so a
spreadsheet sums a column without converting it.

Nothing already there is lost silently: a file that would be replaced is refused (IX008) unless
`force`; and each file is written beside its final name and moved into place, so an export that fails
half-way leaves no half-written file where a complete one was.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlglot import exp

from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic, UserError
from indexc.lookups.published import Published
from indexc.lookups.tables import ExportTable

FORMATS = ("csv", "parquet", "xlsx")
FIXED_TIME = datetime.datetime(
    2000, 1, 1
)  # the workbook's created/modified stamps: same input, same cells


def planned_paths(out: Path, fmt: str, index_id: str, tables: list[ExportTable]) -> list[Path]:
    """The files an export writes: one per table in the `out` directory (csv, parquet), or `out`."""
    if fmt == "xlsx":
        return [out]
    return [out / f"index__{index_id}__{t.name}.{fmt}" for t in tables]


def refuse_overwrite(paths: list[Path], out: Path, fmt: str, force: bool) -> None:
    existing = [p for p in paths if p.exists()]
    if fmt != "xlsx" and out.exists() and not out.is_dir():
        raise UserError(
            [
                Diagnostic(
                    Code.INVALID_OPTION_VALUE,
                    f"invalid value for '--out': '{out}' is a file; {fmt} is written as one file per "
                    "table into a directory",
                    COMMAND_LINE,
                    "name a directory (it is created when missing), or use --format xlsx for one file",
                )
            ]
        )
    if fmt == "xlsx" and out.is_dir():
        raise UserError(
            [
                Diagnostic(
                    Code.INVALID_OPTION_VALUE,
                    f"invalid value for '--out': '{out}' is a directory; xlsx is one workbook",
                    COMMAND_LINE,
                    "name the workbook's file, such as --out results.xlsx",
                )
            ]
        )
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise UserError(
            [
                Diagnostic(
                    Code.INVALID_OPTION_VALUE,
                    f"invalid value for '--out': {shown} already exist(s) and would be replaced",
                    COMMAND_LINE,
                    "give --force to replace it, or another --out",
                )
            ]
        )


@contextlib.contextmanager
def _into_place(path: Path) -> Iterator[Path]:
    """A temporary name beside `path`, moved onto it once written; removed on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def copy_statement(table: ExportTable, path: Path, fmt: str) -> exp.Copy:
    options = [exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var(fmt.upper()))]
    if fmt == "csv":
        options.append(exp.CopyParameter(this=exp.var("HEADER"), expression=exp.true()))
    return exp.Copy(
        this=table.query.subquery(),
        kind=False,
        files=[exp.Literal.string(str(path))],
        params=options,
    )


def write_copies(
    published: Published,
    execute: Callable[[str], None],
    tables: list[ExportTable],
    paths: list[Path],
    fmt: str,
) -> None:
    for table, path in zip(tables, paths, strict=True):
        with _into_place(path) as temporary:
            execute(published.target.render(copy_statement(table, temporary, fmt)))


def _cell(value: Any) -> Any:
    if type(value).__name__ == "Decimal":
        return float(value)
    return value


def write_workbook(published: Published, tables: list[ExportTable], path: Path) -> None:
    from openpyxl import Workbook  # only an xlsx export needs it

    book = Workbook()
    book.remove(book.active)  # the default sheet: each table brings its own
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append(list(table.columns))
        for row in published.rows(table.query):
            sheet.append([_cell(row[c]) for c in table.columns])
    book.properties.created = book.properties.modified = FIXED_TIME
    with _into_place(path) as temporary:
        book.save(temporary)
