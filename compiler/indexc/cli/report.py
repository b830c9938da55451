"""`indexc report`: the regular report of one index, as a static HTML page and a PDF of it.

It reads what a run published (or a snapshot froze, or an audience may see) and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click

from indexc.cli.boundary import format_option, handles_user_errors
from indexc.project import TARGET_NAMES, Project


@click.command("report")
@click.option("--index", "index_id", required=True, metavar="INDEX", help="The index to report.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The directory to write report.html and report.pdf to (created if missing).",
)
@click.option(
    "--snapshot",
    "snapshot_id",
    type=click.IntRange(min=1),
    default=None,
    metavar="ID",
    help="Report the rows this snapshot froze (see 'indexc snapshot list'); default: the live "
    "published schema.",
)
@click.option(
    "--audience",
    default=None,
    metavar="NAME",
    help="Read only what this audience may read (its views).",
)
@click.option(
    "--no-pdf", "no_pdf", is_flag=True, help="Write the HTML only; the PDF needs Chromium on PATH."
)
@click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Whose published results.",
)
@format_option
@click.pass_obj
@handles_user_errors
def report_command(
    project: Project,
    index_id: str,
    out: Path,
    snapshot_id: int | None,
    audience: str | None,
    no_pdf: bool,
    target: str,
    fmt: str,
) -> None:
    """Write the regular report of an index: its headline Top N, projected savings, biggest movers,
    each lens's contribution, the methodology in brief, data recency and caveats, as report.html
    (self-contained) and report.pdf (printed by headless Chromium)."""
    if snapshot_id is not None and audience is not None:
        raise click.UsageError(
            "--snapshot and --audience: an audience's views read the live published results; give "
            "one of them"
        )
    written = project.write_report(
        index_id,
        out,
        target_name=target,
        snapshot_id=snapshot_id,
        audience=audience,
        pdf=not no_pdf,
    )
    for path in written:
        click.echo(f"wrote {path}")
