"""The `indexc` command: a thin layer over `Project`, with one error handler.

Commands parse options, call the facade and print. A `UserError` becomes its
diagnostics on stderr (text or JSON) and exit code 1; any other exception is a
bug in indexc and keeps its traceback.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from rich.console import Console

from indexc import __version__
from indexc.cli_errors import DiagnosingGroup, IsoDate
from indexc.codes import Code
from indexc.errors import (
    COMMAND_LINE,
    Diagnostic,
    NotShown,
    Severity,
    UserError,
    as_error,
    diagnostics_json,
    sort_diagnostics,
)
from indexc.geography import GeographyOptions
from indexc.geography.explain import explain_mermaid, explain_text
from indexc.migrate import CURRENT_VERSION
from indexc.progress import RunProgress
from indexc.project import Project
from indexc.report import print_rankings
from indexc.spec.targets import TARGET_MODELS
from indexc.validate.models import did_you_mean
from indexc.whatif_report import print_destination, print_what_if_results

REPORT_WIDTH = 150  # piped or captured output: wide enough for every column of the Top N
FORMATS = click.Choice(["text", "json"])


def _print_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> None:
    if fmt == "json":
        click.echo(diagnostics_json(diagnostics), err=True)
        return
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(), err=True)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    not_shown = sum(d.count for d in diagnostics if isinstance(d, NotShown))
    if diagnostics:
        click.echo(
            f"{errors} error(s), {warnings} warning(s)"
            + (f", {not_shown} further error(s) not shown" if not_shown else ""),
            err=True,
        )


def handles_user_errors(command):
    """The single boundary where user mistakes become diagnostics and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as err:
            _print_diagnostics(err.diagnostics, kwargs.get("fmt", "text"))
            sys.exit(1)

    return wrapper


format_option = click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="text",
    show_default=True,
    help="How to print diagnostics.",
)
strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Treat every warning as an error: print it as one and exit 1 (for CI).",
)


def _print_or_fail(diagnostics: list[Diagnostic], fmt: str, strict: bool) -> None:
    """Print warnings; under --strict they are errors, so the command stops with exit code 1."""
    if strict and diagnostics:
        raise UserError([as_error(d) for d in diagnostics])
    _print_diagnostics(sort_diagnostics(diagnostics), fmt)


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
def main(ctx: click.Context, project_dir: Path, geography_date, proposed: tuple[str, ...]) -> None:
    """indexc compiles index specs (YAML) into SQL for DuckDB and Snowflake."""
    options = GeographyOptions(geography_date.date() if geography_date else None, tuple(proposed))
    ctx.obj = Project(project_dir, options)


@main.command("validate")
@strict_option
@format_option
@click.pass_obj
@handles_user_errors
def validate_command(project: Project, strict: bool, fmt: str) -> None:
    """Check the specs and report every problem; builds nothing."""
    compilation, diagnostics = project.check()
    if compilation is None:
        raise UserError(diagnostics)
    _print_or_fail(diagnostics, fmt, strict)
    catalog = compilation.catalog
    summary = (
        f"ok: {len(catalog.sources)} sources, {len(catalog.measures)} measures, "
        f"{len(catalog.metrics)} metrics, {len(catalog.indexes)} indexes"
    )
    geography = compilation.geography
    if geography is not None:
        summary += (
            f"; {len(catalog.areas)} areas, {len(catalog.lineage)} lineage events "
            f"({len(geography.events)} modelled), restated onto the geography of {geography.date}"
        )
    click.echo(summary)


@main.command("build")
@click.option(
    "--target",
    "targets",
    type=click.Choice(sorted(TARGET_MODELS)),
    required=True,
    multiple=True,
    help="Which target's SQL to write; repeat to build several from one compile.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to write; default build/<target>. Only with a single --target.",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="Hold every statement to the target's static check (Snowflake: parse, functions, types).",
)
@strict_option
@format_option
@click.pass_obj
@handles_user_errors
def build_command(
    project: Project,
    targets: tuple[str, ...],
    out: Path | None,
    check: bool,
    strict: bool,
    fmt: str,
) -> None:
    """Compile the specs to SQL files and a manifest; needs no database."""
    if out is not None and len(set(targets)) > 1:
        raise click.UsageError("--out takes a single --target")
    compilation = project.compile()
    _print_or_fail(compilation.warnings, fmt, strict)
    for target in dict.fromkeys(targets):
        build = project.build(target, out, check=check, compilation=compilation)
        shown = (
            build.path.relative_to(project.root)
            if build.path.is_relative_to(project.root)
            else build.path
        )
        click.echo(f"wrote {len(build.objects)} objects to {shown}")


@main.command("run")
@click.option(
    "--target",
    "target",
    type=click.Choice(sorted(TARGET_MODELS)),
    default="duckdb",
    show_default=True,
    help="Where to run: embedded DuckDB, or Snowflake through its connector.",
)
@click.option("--index", "index_id", default=None, help="Show only this index.")
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
@strict_option
@format_option
@click.pass_obj
@handles_user_errors
def run_command(
    project: Project,
    target: str,
    index_id: str | None,
    period: str | None,
    quiet: bool,
    verbose: bool,
    scenarios: tuple[str, ...],
    as_name: str | None,
    publish_as_live: bool,
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
    console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else REPORT_WIDTH)
    err_console = Console(stderr=True, highlight=False)
    with RunProgress(err_console, verbose=verbose, quiet=quiet) as progress:
        rankings = project.run(
            target,
            index_id=index_id,
            period=period,
            progress=progress,
            scenarios=scenarios,
            as_name=as_name,
            publish_as_live=publish_as_live,
            strict=strict,
        )
    _print_or_fail(project.run_warnings, fmt, strict)
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
        err_console.print(f"[dim]{progress.summary(target)}[/dim]", soft_wrap=True)
    print_rankings(rankings, console)
    print_what_if_results(project.run_what_if_results, console)


@main.command("diff")
@click.option(
    "--base",
    "base_ref",
    required=True,
    help="The git revision to compare with: main, HEAD~1, a commit.",
)
@click.option(
    "--target",
    "target",
    type=click.Choice(sorted(TARGET_MODELS)),
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


@main.command("impact")
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


@main.command("docs")
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


@main.command("schema")
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


@main.command("migrate")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if a file is not in the current language (for CI).",
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Print each file's change as a unified diff."
)
@format_option
@click.pass_obj
@handles_user_errors
def migrate_command(project: Project, check: bool, show_diff: bool, fmt: str) -> None:
    """Upgrade spec and target files to the current language in place, keeping comments and order."""
    migrated = project.migrate(write=not check)
    if not migrated:
        click.echo(f"every file is in language version {CURRENT_VERSION}")
        return
    for one in migrated:
        click.echo(
            f"{'would migrate' if check else 'migrated'} {one.path} "
            f"(version {one.version} -> {CURRENT_VERSION})"
        )
        for change in one.changes:
            click.echo(f"  {change}")
        if show_diff:
            click.echo(one.diff(), nl=False)
    if check:
        click.echo("run 'indexc migrate' to upgrade these files", err=True)
        sys.exit(1)


@main.command("lineage")
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
    compilation = project.compile()
    catalog, geography = compilation.catalog, compilation.geography
    if geography is None or code not in catalog.areas:
        raise UserError(
            [
                Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"unknown area code '{code}'",
                    COMMAND_LINE,
                    did_you_mean(code, catalog.areas) or "declare areas under 'areas:' in specs/",
                )
            ]
        )
    click.echo(
        explain_mermaid(catalog, geography, code)
        if fmt == "mermaid"
        else explain_text(catalog, geography, code)
    )


@main.group("snapshot")
def snapshot_group() -> None:
    """Freeze the published outputs (append-only), and list the snapshots taken."""


target_option = click.option(
    "--target",
    "target",
    type=click.Choice(sorted(TARGET_MODELS)),
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
def snapshot_take_command(project: Project, as_of, label: str, target: str, fmt: str) -> None:
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
