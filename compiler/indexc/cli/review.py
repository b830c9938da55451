"""The commands that explain the specs to a reviewer, building nothing in a database.

A pull request's diff against a git revision, the impact of a source's new
structure, the readiness of the specs for proposed events, an area's lineage, the HTML catalogue,
the editors' schemas, and what each audience reads.
"""

from __future__ import annotations

from pathlib import Path

import click

from indexc.cli.boundary import format_option, handles_user_errors
from indexc.project import TARGET_NAMES, Project


@click.command("diff")
@click.option(
    "--base",
    "base_ref",
    required=True,
    help="The git revision to compare with: main, HEAD~1, a commit.",
)
@click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Whose SQL to compare.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="Text, or markdown for a pull-request comment.",
)
@click.pass_obj
@handles_user_errors
def diff_command(project: Project, base_ref: str, target: str, fmt: str) -> None:
    """Compile a git revision and the working tree; show and classify what changed."""
    from indexc.diff import render_markdown, render_text

    found = project.diff(base_ref, target)
    click.echo(render_markdown(found) if fmt == "markdown" else render_text(found), nl=False)


@click.command("impact")
@click.option(
    "--source", "source_id", required=True, help="The source whose structure would change."
)
@click.option(
    "--structure",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="A YAML file: 'indexc: 2' and the proposed structure as a source entry under 'source:'.",
)
@format_option
@click.pass_obj
@handles_user_errors
def impact_command(project: Project, source_id: str, structure: Path, fmt: str) -> None:
    """List what a proposed structure of a source would break, before anything is run."""
    from indexc.impact import render_text

    click.echo(render_text(project.impact(source_id, structure)), nl=False)


@click.command("readiness")
@click.option(
    "--proposed",
    "proposed",
    multiple=True,
    metavar="EVENT",
    help="A proposed lineage event to model (repeatable; the events that go together).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="Text, or markdown for a review.",
)
@click.pass_obj
@handles_user_errors
def readiness_command(project: Project, proposed: tuple[str, ...], fmt: str) -> None:
    """Say how each measure's history is produced for the councils proposed events create or change."""
    from indexc.reorganisation.render import render_markdown, render_text

    found = project.readiness(tuple(proposed))
    click.echo(render_markdown(found) if fmt == "markdown" else render_text(found), nl=False)


@click.command("docs")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/docs"),
    show_default=True,
    help="Directory to write the catalogue to, relative to the project root.",
)
@click.pass_obj
@handles_user_errors
def docs_command(project: Project, out: Path) -> None:
    """Write an HTML catalogue: indexes, lenses, metrics, their sources and lineage, and the events."""
    page = project.write_docs(out)
    click.echo(
        f"wrote {page.relative_to(project.root) if page.is_relative_to(project.root) else page}"
    )


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/schema"),
    show_default=True,
    help="Directory to write the two schemas to, relative to the project root.",
)
@click.pass_obj
@handles_user_errors
def schema_command(project: Project, out: Path) -> None:
    """Write JSON Schemas of spec and target files, for editors (yaml-language-server)."""
    written = project.write_schemas(out)
    for path in written:
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        click.echo(f"wrote {shown}")


@click.command("lineage")
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "mermaid"]),
    default="text",
    show_default=True,
    help="Text, or a mermaid flowchart.",
)
@click.pass_obj
@handles_user_errors
def lineage_command(project: Project, code: str, fmt: str) -> None:
    """Explain an area's history: events, predecessors, successors and their weights."""
    click.echo(project.lineage(code, mermaid=fmt == "mermaid"))


@click.command("audiences")
@click.argument("name", required=False)
@click.option(
    "--target",
    "target",
    type=click.Choice(TARGET_NAMES),
    default="duckdb",
    show_default=True,
    help="Whose schemas and relations to show.",
)
@format_option
@click.pass_obj
@handles_user_errors
def audiences_command(project: Project, name: str | None, target: str, fmt: str) -> None:
    """List the audiences (what each sees, its schema, its role), or the relations NAME may read."""
    if name is not None:
        for logical, relation in project.audience_relations(name, target).items():
            click.echo(f"{logical}\t{relation}")
        return
    for audience in project.audiences(target):
        role = f"; role {audience.role}" if audience.role else ""
        click.echo(
            f"{audience.audience_id}: sees {audience.sees}; schema {audience.schema}{role}; "
            f"{len(audience.relations)} view(s)"
        )
