"""What a data file holds, read the way DuckDB will read it, without ever quoting it.

A ragged row or a quote that is never closed makes DuckDB guess another
dialect, and the run then fails far from the cause (`Referenced column "area"
not found`). Reading every record here first reports the file and line instead.
Nothing read is put in a message: a target may point at any file (even
/etc/passwd), and a diagnostic must not become a way to print it.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CSV_DELIMITERS = ",;\t|"
UNCHECKED_COMPRESSION = (".zst",)
"""Compressed CSV that DuckDB reads but Python's standard library cannot: its columns are left to DuckDB."""


@dataclass(frozen=True)
class BadRecord:
    """A record DuckDB could not read as the header says: where it starts and what is wrong, in our words."""

    line: int
    problem: str


def readable(path: Path) -> bool:
    return not path.name.lower().endswith(UNCHECKED_COMPRESSION)


def _open(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, newline="", encoding="utf-8-sig")


def _delimiter(first_line: str) -> str:
    """The delimiter DuckDB would detect among the usual ones, from the header line."""
    try:
        return csv.Sniffer().sniff(first_line, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ","


def csv_header(path: Path) -> list[str]:
    """The first row, split on the delimiter DuckDB would detect."""
    with _open(path) as handle:
        first = handle.readline()
    return next(csv.reader([first], delimiter=_delimiter(first), strict=True), [])


def _ending(line: str) -> str:
    return (
        "CR LF"
        if line.endswith("\r\n")
        else "LF"
        if line.endswith("\n")
        else "CR"
        if line.endswith("\r")
        else ""
    )


def bad_records(path: Path, limit: int = 3) -> tuple[list[BadRecord], int]:
    """Up to `limit` records DuckDB would refuse (a field count other than the header's, a quote never
    closed, a line ending other than the header's), and how many there are in all."""
    found: list[BadRecord] = []
    count = 0

    def bad(line: int, problem: str) -> None:
        nonlocal count
        count += 1
        if len(found) < limit:
            found.append(BadRecord(line, problem))

    with _open(path) as handle:
        first = handle.readline()
        delimiter, header_ending = _delimiter(first), _ending(first)
        width = len(next(csv.reader([first], delimiter=delimiter, strict=True), []))

        def lines() -> Iterator[str]:
            for number, text in enumerate(handle, start=2):
                ending = _ending(text)
                if ending and header_ending and ending != header_ending:
                    bad(number, f"ends its line with {ending}, the header with {header_ending}")
                yield text

        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        line = 1  # the last line read: the header's
        while True:
            start = line + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                bad(start, _csv_problem(str(err)))
                break  # the reader cannot go on after a malformed record
            line = reader.line_num + 1
            if record and len(record) != width:
                bad(start, f"has {len(record)} fields, the header {width}")
    found.sort(key=lambda record: record.line)
    return found, count


def _csv_problem(message: str) -> str:
    """Python's csv message in plain words; none of them quotes the data."""
    if "unexpected end of data" in message or "newline inside string" in message:
        return "opens a quoted field that is never closed"
    if "expected after" in message:
        return "closes a quoted field and goes on before the next delimiter"
    if "NUL" in message:
        return "holds a NUL character: not a text file"
    if "field larger than field limit" in message:
        return "has a field longer than 131,072 characters (a quote never closed?)"
    return f"cannot be read as CSV ({message})"


@dataclass
class PivotedHeader:
    """Where a pivoted file's header row is (the first record with a cell reading its area column's
    name), its cells, and the records after it DuckDB's reading of it would get wrong."""

    line: int
    cells: list[str]
    bad: list[BadRecord]
    count: int


def pivoted_header(path: Path, area: str, limit: int = 3) -> PivotedHeader | None:
    """The header of a pivoted (comma-separated) file, or None when no record names `area`. Records
    before it are titles and are not read; after it, a record has the header's width (or is blank) and
    no quoted field holds a line break (generate/targets.py reads the file line by line)."""
    wanted = area.strip().lower()
    header: PivotedHeader | None = None
    with _open(path) as handle:
        reader = csv.reader(handle, strict=True)
        line = 1
        for record in reader:
            start, line = line, reader.line_num + 1
            if header is None:
                if any(cell.strip().lower() == wanted for cell in record):
                    header = PivotedHeader(start, record, [], 0)
                continue
            problem = None
            if line - start > 1:
                problem = "holds a line break inside a quoted field, which a pivoted file cannot"
            elif record and len(record) != len(header.cells):
                problem = f"has {len(record)} fields, the header {len(header.cells)}"
            if problem:
                header.count += 1
                if len(header.bad) < limit:
                    header.bad.append(BadRecord(start, problem))
    return header
