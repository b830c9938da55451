"""`indexc snapshot`: freeze the published outputs, append-only, and list the snapshots taken.

A group of its own: a snapshot is kept forever, so taking one is never a side
effect of another command.
"""

from __future__ import annotations

import datetime

import click

from indexc.cli.boundary import format_option, handles_user_errors
from indexc.cli_errors import IsoDate
from indexc.project import TARGET_NAMES, Project


@click.group("snapshot")
def snapshot_group() -> None:
    """Freeze the published outputs (append-only), and list the snapshots taken."""


target_option = click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Whose published outputs.",
)


@snapshot_group.command("take")
@click.option(
    "--as-of",
    "as_of",
    type=IsoDate(),
    required=True,
    help="The date the data is as of (YYYY-MM-DD).",
)
@click.option("--label", default="", help="A name for the snapshot, such as 'budget-2025'.")
@target_option
@format_option
@click.pass_obj
@handles_user_errors
def snapshot_take_command(
    project: Project, as_of: datetime.datetime, label: str, target: str, fmt: str
) -> None:
    """Freeze what the last run published; a snapshot of the same date and label is refused."""
    taken = project.take_snapshot(target, as_of.date(), label)
    rows = sum(taken.frozen.values())
    click.echo(
        f"snapshot {taken.snapshot_id} as of {as_of.date()}{f' ({label})' if label else ''}: "
        f"{len(taken.frozen)} outputs, {rows:,} rows frozen"
    )


@snapshot_group.command("list")
@target_option
@format_option
@click.pass_obj
@handles_user_errors
def snapshot_list_command(project: Project, target: str, fmt: str) -> None:
    """Every snapshot taken, oldest first."""
    rows = project.snapshots(target)
    if not rows:
        click.echo("no snapshots taken")
        return
    for row in rows:
        click.echo(
            f"{row['snapshot_id']:>4}  {row['as_of']}  {row['label'] or '-':<20} {row['spec_hash'][:19]}  "
            f"indexc {row['compiler_version']}  taken {str(row['taken_at'])[:19]}"
        )
