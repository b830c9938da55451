"""`indexc status`: every index of the portfolio, whatever its lifecycle, and what is built of it.

Reads, never writes: a database that was never built is not created, and its indexes show as not built.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console

from indexc.cli.boundary import format_option, handles_user_errors
from indexc.portfolio import print_statuses
from indexc.project import TARGET_NAMES, Project

STATUS_WIDTH = 160  # piped or captured output: wide enough for the lenses column


@click.command("status")
@click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Whose database to read what is built and published.",
)
@format_option
@click.pass_obj
@handles_user_errors
def status_command(project: Project, target: str, fmt: str) -> None:
    """List every index: status and reason, universe, lenses, periods with data, last published and
    from which snapshot. --format json prints the same as JSON."""
    statuses = project.status(target)
    if fmt == "json":
        click.echo(json.dumps([s.to_json() for s in statuses], indent=2))
        return
    if not statuses:
        click.echo("no indexes declared")
        return
    width = None if sys.stdout.isatty() else STATUS_WIDTH
    print_statuses(statuses, Console(width=width, soft_wrap=False, highlight=False))
