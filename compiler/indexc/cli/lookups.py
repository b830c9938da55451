"""The commands that look published results up after `indexc run`: an area's profile, an index's export.

Both read the target's published schema through the facade (`Project.show`, `Project.export`) and print
what it returns; nothing is built or changed in the database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from indexc.cli.boundary import format_option, handles_user_errors
from indexc.lookups.files import FORMATS
from indexc.lookups.render import print_profile
from indexc.project import TARGET_NAMES, Project

SHOW_WIDTH = 120  # piped or captured output


@click.command("show")
@click.argument("area")
@click.option(
    "--period",
    default=None,
    help="Only this financial year (YYYY-YY); default: every period, the detail of the latest.",
)
@click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Whose published schema to read.",
)
@format_option
@click.pass_obj
@handles_user_errors
def show_command(project: Project, area: str, period: str | None, target: str, fmt: str) -> None:
    """An area's profile across every published index: rank and score per index and period, lens
    scores, peers, savings, rank interval, data recency and lineage. AREA is a code or a name (any
    case). --format json prints the same as JSON."""
    profile = project.show(area, period, target)
    if fmt == "json":
        click.echo(json.dumps(profile, indent=2))
        return
    width = None if sys.stdout.isatty() else SHOW_WIDTH
    print_profile(profile, Console(width=width, soft_wrap=False, highlight=False))


@click.command("export")
@click.option("--index", "index_id", required=True, help="The index whose results to export.")
@click.option("--period", default=None, help="Only this financial year (YYYY-YY); default: all.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMATS),
    required=True,
    help="csv or parquet: one file per table in the --out directory; xlsx: one workbook, a sheet per table.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The directory (csv, parquet) or the workbook (xlsx) to write.",
)
@click.option(
    "--with-scores",
    is_flag=True,
    help="Also the lens scores, metric scores and metric values (with the data's periods).",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option(
    "--audience",
    default=None,
    metavar="NAME",
    help="Export only what this audience's views hold (indexc audiences NAME).",
)
@click.pass_obj
@handles_user_errors
def export_command(
    project: Project,
    index_id: str,
    period: str | None,
    file_format: str,
    out: Path,
    with_scores: bool,
    force: bool,
    audience: str | None,
) -> None:
    """Write an index's published results as tidy tables, names beside codes (DuckDB target)."""
    for path in project.export(
        index_id,
        out,
        file_format,
        period=period,
        with_scores=with_scores,
        force=force,
        audience=audience,
    ):
        click.echo(f"wrote {path}")
