"""The `indexc` command: a thin layer over `Project`, with one error handler.

Commands parse options, call the facade and print. A `UserError` becomes its
diagnostics on stderr (text or JSON) and exit code 1 (in `boundary`); any
other exception is a bug in indexc and keeps its traceback. The main group and
its global options live here; the commands live in this package's modules, one
per kind of command, and are registered on `main` (`indexc.cli:main`, the
entry point).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from indexc import __version__
from indexc.cli import lookups, report, review, run, snapshot, specs, status
from indexc.cli_errors import DiagnosingGroup, IsoDate
from indexc.project import GeographyOptions, Project


@click.group(cls=DiagnosingGroup)
@click.version_option(__version__, prog_name="indexc")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project root, holding specs/ and targets/.",
)
@click.option(
    "--geography-date",
    type=IsoDate(),
    default=None,
    help="Restate onto the geography in force on this date (YYYY-MM-DD); default: the latest event's.",
)
@click.option(
    "--proposed",
    multiple=True,
    metavar="EVENT",
    help="Also model this proposed lineage event (repeatable).",
)
@click.pass_context
def main(
    ctx: click.Context,
    project_dir: Path,
    geography_date: datetime.datetime | None,
    proposed: tuple[str, ...],
) -> None:
    """indexc compiles index specs (YAML) into SQL for DuckDB and Snowflake."""
    options = GeographyOptions(geography_date.date() if geography_date else None, tuple(proposed))
    ctx.obj = Project(project_dir, options)


for command in (
    specs.validate_command,
    specs.build_command,
    run.run_command,
    review.diff_command,
    review.impact_command,
    review.readiness_command,
    review.docs_command,
    review.schema_command,
    specs.migrate_command,
    review.lineage_command,
    review.audiences_command,
    snapshot.snapshot_group,
    status.status_command,
    report.report_command,
    lookups.show_command,
    lookups.export_command,
):
    main.add_command(command)
