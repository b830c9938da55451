"""The facade's lookups: `indexc show` and `indexc export` read what the last run published.

Both open the target's database only to read it, and refuse with IX406, before reading anything, when
there is nothing to read: no database (the project was never run), or an index the run did not publish.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexc.codes import Code
from indexc.compilation import Build, Compilation
from indexc.engines import sessions
from indexc.errors import COMMAND_LINE, Diagnostic, UserError, errors_in
from indexc.generate import sql_target
from indexc.lookups import files
from indexc.lookups.areas import resolve_area
from indexc.lookups.profile import area_profile
from indexc.lookups.published import Published, equals
from indexc.lookups.tables import export_tables
from indexc.plan.index_planner import index_object
from indexc.plan.selection import unknown_indexes
from indexc.project.database import refuse_unknown_period
from indexc.spec.targets import DuckDBTarget
from indexc.validate.targets import load_target


@dataclass(frozen=True)
class Reading:
    compilation: Compilation
    published: Published
    session: sessions.Session


def _nothing_published(message: str, hint: str) -> UserError:
    return UserError([Diagnostic(Code.NOTHING_PUBLISHED, message, COMMAND_LINE, hint)])


@contextlib.contextmanager
def reading(
    project: Any,
    compilation: Compilation,
    target_name: str,
    relations: Mapping[str, str] | None = None,
) -> Iterator[Reading]:
    """The published schema of the target's database, or only an audience's `relations` of it; IX406
    when the project has never been run there. `project`: the facade, whose `session` opens the
    database."""
    target, diagnostics = load_target(project.root, target_name, compilation.catalog)
    if target is None or errors_in(diagnostics):
        raise UserError(diagnostics)
    if isinstance(target, DuckDBTarget) and not (project.root / target.database).is_file():
        raise _nothing_published(
            f"no database at {target.database}: nothing has been run on target {target_name}",
            "run `indexc run` first; show and export read what it published",
        )
    build = Build(target_name, target, [], None, compilation)
    with project.session(build) as session:
        published = Published.read(session.query, sql_target(target), relations)
        yield Reading(compilation, published, session)


def _names(compilation: Compilation, published: Published | None) -> dict[str, str]:
    names = {code: area.name for code, area in compilation.catalog.areas.items()}
    if published is not None:
        names.update({c: n for c, n in published.area_names().items() if c not in names})
    return names


def show(project: Any, area: str, period: str | None, target_name: str) -> dict[str, Any]:
    refuse_unknown_period(period)
    compilation = project.compile()
    if compilation.catalog.areas:  # the register is in the specs: an unknown area needs no database
        resolve_area(area, _names(compilation, None), "the register (specs/)")
    with reading(project, compilation, target_name) as found:
        names = _names(compilation, found.published)
        code = resolve_area(area, names, "the register or the published indexes")
        profile = area_profile(
            found.published,
            compilation.catalog,
            code,
            names.get(code),
            period,
            names,
            compilation.geography,
        )
    if period and not profile["indexes"]:
        raise UserError(
            [
                Diagnostic(
                    Code.PERIOD_NOT_SCORED,
                    f"no published index scores {code} in period '{period}'",
                    COMMAND_LINE,
                    "leave out --period to see every period it is scored in",
                )
            ]
        )
    return profile


def export(
    project: Any,
    index_id: str,
    out: Path,
    fmt: str,
    period: str | None,
    with_scores: bool,
    force: bool,
    audience: str | None = None,
) -> list[Path]:
    """An index's published results as files; for an `audience`, only what its views hold."""
    refuse_unknown_period(period)
    compilation = project.compile(selected=(index_id,))
    unknown = unknown_indexes(compilation.catalog, (index_id,), "--index")
    if unknown:
        raise UserError(unknown)
    index = compilation.catalog.indexes[index_id]
    out = out if out.is_absolute() else Path.cwd() / out
    relations = None if audience is None else project.audience_relations(audience, "duckdb")
    with reading(project, compilation, "duckdb", relations) as found:
        published = found.published
        if audience is not None and not published.has_index(index_id, "top"):
            raise _nothing_published(
                f"audience '{audience}' sees nothing of index '{index_id}'",
                f"`indexc audiences {audience}` lists what it may read",
            )
        if audience is None and not published.has_index(index_id):
            raise _nothing_published(
                f"index '{index_id}' is not published: {index_object(index_id, 'scores')} is not "
                "in the published schema",
                f"run `indexc run --index {index_id}` first",
            )
        if period is not None:
            _refuse_unscored(published, index_id, period)
        tables = export_tables(published, compilation.catalog, index, period, with_scores)
        paths = files.planned_paths(out, fmt, index_id, tables)
        files.refuse_overwrite(paths, out, fmt, force)
        if fmt == "xlsx":
            files.write_workbook(published, tables, out)
        else:
            files.write_copies(published, found.session.execute, tables, paths, fmt)
    return paths


def _refuse_unscored(published: Published, index_id: str, period: str) -> None:
    scores = index_object(index_id, "scores" if published.has_index(index_id) else "top")
    if published.select(scores, ["period"], equals("period", period)):
        return
    periods = sorted({str(r["period"]) for r in published.select(scores, ["period"])})
    raise UserError(
        [
            Diagnostic(
                Code.PERIOD_NOT_SCORED,
                f"index '{index_id}' has no scores for period '{period}'",
                COMMAND_LINE,
                f"scored periods: {', '.join(periods) or 'none'}",
            )
        ]
    )
