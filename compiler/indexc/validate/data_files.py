"""Before a local run: the files a DuckDB target reads exist and have the columns the sources declare.

A misspelt column would otherwise surface as an engine error deep in a run;
checking the CSV header first points at the source spec with a suggestion.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from indexc.errors import Diagnostic, Location
from indexc.load import load_file
from indexc.spec.sources import RegisterSource, Source
from indexc.spec.targets import DuckDBTarget, Target
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean
from indexc.validate.targets import target_path


def declared_columns(source: Source) -> Iterator[tuple[str, tuple]]:
    """Each physical column a source reads, with the path of its declaration in the source spec."""
    for role, column in source.columns.model_dump(by_alias=True).items():
        if isinstance(column, (list, tuple)):  # several item columns
            yield from ((name, ("columns", role, position)) for position, name in enumerate(column))
        elif column is not None:
            yield column, ("columns", role)
    if not isinstance(source, RegisterSource) and source.layout == "wide":
        for column in source.items:
            yield column, ("items", column)


CSV_DELIMITERS = ",;\t|"


def csv_header(path: Path) -> list[str]:
    """The first row, split on the delimiter DuckDB would detect among the usual ones."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        first = handle.readline()
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=CSV_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    return next(csv.reader([first], dialect), [])


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def check_data_files(root: Path, target: Target, catalog: Catalog, name: str) -> list[Diagnostic]:
    if not isinstance(target, DuckDBTarget):
        return []
    target_file, _ = load_file(target_path(root, name), root, "target")
    problems = []
    for source_id, relation in sorted(target.relations.items()):
        if source_id not in catalog.sources:
            continue
        path = root / relation.path
        if not _is_file(path):
            where = target_file.location(("relations", source_id, "path")) if target_file else Location(name)
            problems.append(Diagnostic("IX503", f"file not found for source '{source_id}': {relation.path}", where,
                                       "paths are relative to the project root"))
            continue
        if relation.file_format != "csv" or path.suffix.lower() != ".csv":
            continue  # Parquet and compressed CSV: DuckDB reads their columns itself
        try:
            header = csv_header(path)
        except UnicodeDecodeError as err:
            where = target_file.location(("relations", source_id, "path")) if target_file else Location(name)
            problems.append(Diagnostic("IX504", f"{relation.path} is not UTF-8 text ({err.reason})", where,
                                       "save the file as UTF-8"))
            continue
        except csv.Error as err:
            where = target_file.location(("relations", source_id, "path")) if target_file else Location(name)
            problems.append(Diagnostic("IX504", f"cannot read the header of {relation.path}: {err}", where,
                                       "the first line must name the columns"))
            continue
        present = {column.lower() for column in header}
        for column, at in declared_columns(catalog.sources[source_id]):
            if column.lower() not in present:
                hint = did_you_mean(column, header) or f"the file's columns are: {', '.join(header)}"
                problems.append(Diagnostic(
                    "IX504", f"column '{column}' of source '{source_id}' is not in {relation.path}",
                    catalog.where("sources", source_id, *at, key=at[0] == "items"), hint))
    return problems
