"""Before a local run: the files a DuckDB target reads exist, parse, and have the columns the sources declare.

A misspelt column, a ragged row or an unclosed quote would otherwise surface as
an engine error deep in a run (`Referenced column ... not found`); checking
every data file first, whatever its extension, points at the source spec or at
the file's line. No message quotes the file: only the columns the specs declare
(and a header cell that a declared column nearly spells, as a suggestion).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.load import load_file
from indexc.spec.sources import AreaMapSource, PivotedSource, RegisterSource, Source
from indexc.spec.targets import DuckDBTarget, FileRelation, Target
from indexc.validate.catalog import Catalog
from indexc.validate.csv_rows import bad_records, csv_header, pivoted_header, readable
from indexc.validate.models import did_you_mean
from indexc.validate.targets import target_path

COLUMN_NAME = re.compile(r"[A-Za-z_][\w .()%-]{0,63}")
"""A header cell offered as 'did you mean': only one shaped like a column name, never a line of text."""


def declared_columns(source: Source) -> Iterator[tuple[str, tuple]]:
    """Each physical column a source reads, with the path of its declaration in the source spec."""
    for role, column in source.columns.model_dump(by_alias=True).items():
        if isinstance(column, (list, tuple)):  # several item columns
            yield from ((name, ("columns", role, position)) for position, name in enumerate(column))
        elif column is not None:
            yield column, ("columns", role)
    if isinstance(source, AreaMapSource):
        yield from ((column, ("rows", column)) for column in source.rows)
    if not isinstance(source, RegisterSource) and source.layout == "wide":
        for column in source.items:
            yield column, ("items", column)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def parquet_columns(path: Path) -> list[str] | None:
    """The column names of a Parquet file, or None when DuckDB cannot read it as Parquet."""
    import duckdb

    with duckdb.connect() as connection:
        try:
            return [
                row[0]
                for row in connection.execute(
                    "DESCRIBE SELECT * FROM read_parquet($1)", [str(path)]
                ).fetchall()
            ]
        except duckdb.Error:
            return None


def _not_utf8(shown: str, err: UnicodeDecodeError, at: Location) -> Diagnostic:
    return Diagnostic(
        Code.CSV_HEADER_MISMATCH,
        f"{shown} is not UTF-8 text ({err.reason})",
        at,
        "save the file as UTF-8",
    )


def _file_columns(
    path: Path, relation: FileRelation, at: Location
) -> tuple[list[str] | None, list[Diagnostic]]:
    """The file's columns (None: not read here) and the records that do not parse, or why it cannot be read."""
    shown = relation.path
    if relation.file_format == "parquet":
        columns = parquet_columns(path)
        if columns is None:
            return None, [
                Diagnostic(
                    Code.CSV_HEADER_MISMATCH,
                    f"{shown} cannot be read as a Parquet file",
                    at,
                    "point the relation at a Parquet file, or say 'format: csv'",
                )
            ]
        return columns, []
    if not readable(path):
        return None, []
    try:
        header = csv_header(path)
        records, count = bad_records(path)
    except UnicodeDecodeError as err:
        return None, [_not_utf8(shown, err, at)]
    except csv.Error:
        return None, [
            Diagnostic(
                Code.CSV_HEADER_MISMATCH,
                f"cannot read the header of {shown}",
                at,
                "the first line must name the columns, separated by , ; tab or |",
            )
        ]
    more = f" ({count} records of this file cannot be read)" if count > len(records) else ""
    return header, [
        Diagnostic(
            Code.MALFORMED_CSV_RECORD,
            f"this record {record.problem}{more}",
            Location(shown, record.line, 1),
            "every record has one field per header column, a quoted field ends with a quote, "
            "and every line ends as the header's does",
        )
        for record in records
    ]


def _missing_columns(
    source_id: str, source: Source, columns: list[str], shown: str, catalog: Catalog
) -> Iterator[Diagnostic]:
    present = {column.lower() for column in columns}
    declared = list(declared_columns(source))
    found = [column for column, _ in declared if column.lower() in present]
    named = [column for column in columns if COLUMN_NAME.fullmatch(column)]
    for column, at in declared:
        if column.lower() not in present:
            hint = did_you_mean(column, named) or (
                f"of the columns source '{source_id}' declares, the file has "
                f"{', '.join(found) if found else 'none'}; its first line must name the columns"
            )
            yield Diagnostic(
                Code.CSV_HEADER_MISMATCH,
                f"column '{column}' of source '{source_id}' is not in {shown}",
                catalog.where("sources", source_id, *at, key=at[0] == "items"),
                hint,
            )


def _pivoted_file(
    path: Path, relation: FileRelation, source: PivotedSource, at: Location, catalog: Catalog
) -> list[Diagnostic]:
    """A pivoted source's file: CSV, with a header row naming its area column (after any title lines),
    its labels, and records of the header's width after it."""
    shown = relation.path
    if relation.file_format != "csv" or not readable(path):
        return [
            Diagnostic(
                Code.PIVOTED_FILE_NOT_CSV,
                f"pivoted source '{source.id}' is read from {shown}, which is not a plain CSV file",
                at,
                "a pivoted source reads a comma-separated text file line by line (title lines and "
                "repeated headers skipped): point the relation at the CSV as downloaded",
            )
        ]
    try:
        header = pivoted_header(path, source.columns.area)
    except UnicodeDecodeError as err:
        return [_not_utf8(shown, err, at)]
    except csv.Error:
        header = None
    if header is None:
        return [
            Diagnostic(
                Code.CSV_HEADER_MISMATCH,
                f"no line of {shown} names the area column '{source.columns.area}' of pivoted "
                f"source '{source.id}'",
                catalog.where("sources", source.id, "columns", "area"),
                "the header row of a pivoted file is the first line with a cell reading the area "
                "column's name (lines before it are titles): correct `columns: area:`, or the file",
            )
        ]
    missing = list(_missing_columns(source.id, source, header.cells, shown, catalog))
    more = (
        f" ({header.count} records of this file cannot be read)"
        if header.count > len(header.bad)
        else ""
    )
    return missing or [
        Diagnostic(
            Code.MALFORMED_CSV_RECORD,
            f"this record {record.problem}{more}",
            Location(shown, record.line, 1),
            f"after the header row (line {header.line}) every record has one field per header "
            "column, and a quoted field ends on its line",
        )
        for record in header.bad
    ]


def check_data_files(root: Path, target: Target, catalog: Catalog, name: str) -> list[Diagnostic]:
    if not isinstance(target, DuckDBTarget):
        return []
    target_file, _ = load_file(target_path(root, name), root, "target")
    problems = []
    for source_id, relation in sorted(target.relations.items()):
        if source_id not in catalog.sources:
            continue
        path = root / relation.path
        at = (
            target_file.location(("relations", source_id, "path"))
            if target_file
            else Location(name)
        )
        if not _is_file(path):
            problems.append(
                Diagnostic(
                    Code.DATA_FILE_NOT_FOUND,
                    f"file not found for source '{source_id}': {relation.path}",
                    at,
                    "paths are relative to the project root",
                )
            )
            continue
        source = catalog.sources[source_id]
        if isinstance(source, PivotedSource):
            problems += _pivoted_file(path, relation, source, at, catalog)
            continue
        columns, unreadable = _file_columns(path, relation, at)
        missing = (
            []
            if columns is None
            else list(
                _missing_columns(
                    source_id, catalog.sources[source_id], columns, relation.path, catalog
                )
            )
        )
        problems += (
            missing or unreadable
        )  # a wrong header explains its ragged records: report it alone
    return problems
