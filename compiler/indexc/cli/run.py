"""`indexc run`: build, check and publish in a database, then print each index's Top N.

The one command that changes a database's published schema, so the one whose
options (what-ifs, --publish-as-live, --strict) guard what it may publish.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console

from indexc.cli.boundary import format_option, handles_user_errors, print_or_fail, strict_option
from indexc.progress import RunProgress
from indexc.project import TARGET_NAMES, Project
from indexc.report import print_rankings
from indexc.whatif_report import print_destination, print_what_if_results

if TYPE_CHECKING:
    from indexc.project import Selection

REPORT_WIDTH = 150  # piped or captured output: wide enough for every column of the Top N


@click.command("run")
@click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Where to run: embedded DuckDB, or Snowflake through its connector.",
)
@click.option(
    "--index",
    "indexes",
    multiple=True,
    metavar="INDEX",
    help="Build and publish only this index (repeatable), with what it reads; the others' published "
    "objects are left as they are. Shows only its Top N.",
)
@click.option(
    "--period", default=None, help="Show this period (YYYY-YY) instead of the published one."
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Hide the progress and the run's summary; warnings and errors are always printed.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Report every object as it is built, with its rows and time.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="SCENARIO",
    help="A what-if of only this scenario beside the baseline (repeatable); prints its biggest rank movers.",
)
@click.option(
    "--as",
    "as_name",
    default=None,
    metavar="NAME",
    help="Name the what-if (its schemas are <schema>__whatif__NAME); makes any run a what-if.",
)
@click.option(
    "--publish-as-live",
    is_flag=True,
    help="Publish a what-if (--proposed, another --geography-date, --scenario, --as) as the live result.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run and publish in full even if nothing changed since the last run, reading no cache.",
)
@strict_option
@format_option
@click.pass_obj
@handles_user_errors
def run_command(
    project: Project,
    target: str,
    indexes: tuple[str, ...],
    period: str | None,
    quiet: bool,
    verbose: bool,
    scenarios: tuple[str, ...],
    as_name: str | None,
    publish_as_live: bool,
    no_cache: bool,
    strict: bool,
    fmt: str,
) -> None:
    """Build into the target's build schema, check, publish, and print each index's Top N.

    A what-if (--proposed, a --geography-date other than the default, --scenario or --as) builds and
    publishes into schemas of its own, never into the published schema, unless --publish-as-live.
    With --strict, a warning (of the specs, or found in the build) fails the run before anything is
    published.
    """
    if (
        strict and publish_as_live
    ):  # its warning (IX722) would fail a strict run only after it had published
        raise click.UsageError(
            "--strict and --publish-as-live: publishing a what-if as live warns (IX722), which "
            "--strict makes an error; give one of them"
        )
    project.use_cache = not no_cache
    console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else REPORT_WIDTH)
    err_console = Console(stderr=True, highlight=False)
    with RunProgress(err_console, verbose=verbose, quiet=quiet) as progress:
        rankings = project.run(
            target,
            indexes=indexes,
            period=period,
            progress=progress,
            scenarios=scenarios,
            as_name=as_name,
            publish_as_live=publish_as_live,
            strict=strict,
        )
    print_or_fail(project.run_warnings, fmt, strict)
    print_destination(project.run_what_if, project.run_schemas, err_console, quiet=quiet)
    if project.smell_accepted and not quiet:
        counts = ", ".join(
            f"{measure} {count}" for measure, count in sorted(project.smell_accepted.items())
        )
        err_console.print(
            f"smell tests: accepted in the specs, with a reason: {counts} (see smell__<measure>)",
            soft_wrap=True,
            markup=False,
        )
    if not quiet:
        summary = (
            f"nothing changed since the last run on {target} (specs, target, data files and "
            "database): nothing built or published"
            if project.run_skipped
            else progress.summary(target)
        )
        err_console.print(f"[dim]{summary}[/dim]", soft_wrap=True)
        if project.run_selection is not None:
            for line in published_indexes(project.run_selection):
                err_console.print(line, soft_wrap=True, markup=False)
    print_rankings(rankings, console)
    print_what_if_results(project.run_what_if_results, console)


def published_indexes(selection: Selection) -> list[str]:
    """What a selective run published: the indexes chosen, and those it published again because a
    chosen one reads them (docs/publishing.md); every other index's publication was left as it was."""
    kept = f"kept as they were: {', '.join(selection.kept)}" if selection.kept else "no other index"
    lines = [f"published: {', '.join(selection.chosen)} ({kept})"]
    lines += [
        f"also published: {index_id} (read by {', '.join(readers)})"
        for index_id, readers in selection.read_by.items()
    ]
    return lines
