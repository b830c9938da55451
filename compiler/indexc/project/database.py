"""The facade's work against a database: opening a session, deploying a run, taking a snapshot.

A run changes what consumers read, so its steps are kept in one place: the
build is deployed and its warnings are read before anything is published
(with --strict, a warning stops it), and a failure of the engine becomes a
diagnostic naming the target file, never a traceback. The run's warnings are
recorded on the facade (`RunState`) as they are read, so that they survive a
publish that fails after them.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from indexc import run_failures, run_warnings, smell_report, snapshots
from indexc.codes import Code
from indexc.compilation import Build
from indexc.engines import CheckFailed, ObjectFailed, Progress, PublishFailed, sessions
from indexc.errors import COMMAND_LINE, Diagnostic, Location, UserError, as_error
from indexc.generate import sql_target
from indexc.generate.audiences import withdrawn_audiences
from indexc.generate.publish import Publication, PublishStatement, frozen_names, publish_statements
from indexc.plan.lifecycle import built_indexes
from indexc.project.outputs import BUILD_DIR
from indexc.spec.base import is_period_label
from indexc.whatif import WhatIf


class RunState(Protocol):
    """What the facade keeps of the last run: its warnings, and the smells its specs accept."""

    run_warnings: list[Diagnostic]
    smell_accepted: dict[str, int]


@contextlib.contextmanager
def open_session(
    root: Path, build: Build, environ: Mapping[str, str] | None, target_location: Location
) -> Iterator[sessions.Session]:
    """A session on the build's target database; a clear IX704 when it cannot be opened."""
    try:
        opened = sessions.open_session(root, build.target, sql_target(build.target), environ)
    except sessions.CannotOpen as err:
        hint = (
            (
                "another program may hold it open (a notebook, the duckdb shell): close it, or set 'database:' "
                "in the target file to another file"
            )
            if build.target_name == "duckdb"
            else (
                "set the environment variables the target's 'connection:' names, or name a connection of the "
                "connector's connections.toml with 'connection: {name: ...}'"
            )
        )
        raise UserError(
            [Diagnostic(Code.DATABASE_UNREACHABLE, str(err), target_location, hint)]
        ) from None
    try:
        yield opened
    finally:
        opened.close()


def deploy(
    state: RunState,
    database: sessions.Session,
    build: Build,
    statements: list[PublishStatement],
    directory: str,
    progress: Progress | None,
    strict: bool,
    root: Path,
    target_location: Location,
) -> None:
    """Build every object and publish; the run's warnings are read in between (`strict`: they stop it)."""

    def warnings_before_publishing() -> None:
        read_run_warnings(state, database, build, root, strict)

    try:
        database.deploy(
            build.objects, statements, progress, warnings_before_publishing, build.selection
        )
    except (ObjectFailed, CheckFailed, PublishFailed) as failure:
        raise UserError(
            run_failures.deploy_failed(
                failure,
                database.query,
                build,
                root,
                f"{BUILD_DIR}/{directory}",
                target_location,
            )
        ) from None


def read_run_warnings(
    state: RunState, database: sessions.Session, build: Build, root: Path, strict: bool
) -> None:
    """What the build found worth saying (run_warnings.py, smell_report.py), read before publishing."""
    target_sql = sql_target(build.target)
    try:
        with contextlib.chdir(root):  # a lost item's report reads the source's data
            state.run_warnings = run_warnings.after_run(
                database.query, build.objects, build.compilation, target_sql
            )
            smells = smell_report.read(database.query, build.objects, build.compilation, target_sql)
    except sessions.QueryFailed as failed:  # the engine failed: nothing is published (IX708)
        raise PublishFailed("reading the build's warnings", str(failed)) from failed
    state.run_warnings += smells.warnings
    state.smell_accepted = smells.accepted
    if strict and state.run_warnings:
        raise UserError([as_error(d) for d in state.run_warnings])


def take_snapshot(
    database: sessions.Session,
    build: Build,
    as_of: datetime.date,
    label: str,
    geography_date: datetime.date | None,
    target_location: Location,
) -> snapshots.Taken:
    """Freeze what is published (snapshots.py); a refusal or an engine's failure is a diagnostic."""
    try:
        return snapshots.take(database, sql_target(build.target), as_of, label, geography_date)
    except snapshots.Refused as refused:
        raise UserError(
            [Diagnostic(refused.code, str(refused), target_location, refused.hint)]
        ) from None
    except sessions.QueryFailed as failed:
        raise UserError(
            [
                Diagnostic(
                    Code.SNAPSHOT_NOT_TAKEN,
                    f"the snapshot was not taken: {failed}",
                    target_location,
                    "nothing of it was written; the engine's message says what failed",
                )
            ]
        ) from None


def refuse_unknown_period(period: str | None) -> None:
    if period is not None and not is_period_label(period):
        raise UserError(
            [
                Diagnostic(
                    Code.PERIOD_NOT_SCORED,
                    f"'{period}' is not a financial year",
                    COMMAND_LINE,
                    "write periods as YYYY-YY, such as 2016-17",
                )
            ]
        )


def statements_to_publish(build: Build, whatif: WhatIf | None) -> list[PublishStatement]:
    """The statements that publish the build, stamped with what it was compiled from."""
    geography = build.compilation.geography
    selection = build.selection
    publication = Publication(
        build.compilation.spec_hash,
        geography.date if geography else None,
        build.target_name,
        whatif.name if whatif else None,
        tuple(sorted(selection.indexes if selection else built_indexes(build.compilation.catalog))),
    )
    frozen = set(frozen_names(build.compilation.catalog.indexes))
    statements = publish_statements(
        sql_target(build.target), build.objects, publication, frozen, selection
    )
    if whatif is not None and not whatif.publish_as_live:
        return statements  # a what-if's own publication is no audience's
    # each audience's views over the publication, once it is in place (generate/audiences.py)
    target = sql_target(build.target)
    audiences = [s for audience in build.audiences for s in audience.statements]
    return statements + audiences + [withdrawn_audiences(target, build.audiences)]
