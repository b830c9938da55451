"""The commands on the specs themselves, which need no database: validate, build, migrate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from indexc.cli.boundary import format_option, handles_user_errors, print_or_fail, strict_option
from indexc.errors import UserError
from indexc.project import CURRENT_VERSION, TARGET_NAMES, Project

if TYPE_CHECKING:
    from indexc.project.together import Built


@click.command("validate")
@strict_option
@format_option
@click.pass_obj
@handles_user_errors
def validate_command(project: Project, strict: bool, fmt: str) -> None:
    """Check the specs and report every problem; builds nothing."""
    compilation, diagnostics = project.check()
    if compilation is None:
        raise UserError(diagnostics)
    print_or_fail(diagnostics, fmt, strict)
    catalog = compilation.catalog
    summary = (
        f"ok: {len(catalog.sources)} sources, {len(catalog.measures)} measures, "
        f"{len(catalog.metrics)} metrics, {len(catalog.indexes)} indexes"
    )
    on_hold = sum(1 for index in catalog.indexes.values() if index.on_hold)
    if on_hold:
        summary += f" ({on_hold} on hold: not built unless selected)"
    geography = compilation.geography
    if geography is not None:
        summary += (
            f"; {len(catalog.areas)} areas, {len(catalog.lineage)} lineage events "
            f"({len(geography.events)} modelled), restated onto the geography of {geography.date}"
        )
    click.echo(summary)


@click.command("build")
@click.option(
    "--target",
    "targets",
    type=click.Choice(TARGET_NAMES),
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
@click.option(
    "--index",
    "indexes",
    multiple=True,
    metavar="INDEX",
    help="Only the objects this index needs (repeatable): its own, and everything they read.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read nothing from the cache under .indexc/cache and write everything afresh.",
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
    indexes: tuple[str, ...],
    no_cache: bool,
    strict: bool,
    fmt: str,
) -> None:
    """Compile the specs to SQL files and a manifest; needs no database.

    When nothing the build reads has changed and its directory is as it wrote it, it writes nothing
    and says the build is up to date; otherwise only the objects whose specs changed are generated
    again, and only the files whose content changed are written (docs/cli.md).
    """
    if out is not None and len(set(targets)) > 1:
        raise click.UsageError("--out takes a single --target")
    targets = tuple(dict.fromkeys(targets))
    project.use_cache = not no_cache
    inputs, fresh = project.fresh_builds(targets, out, check=check, indexes=indexes)
    if len(fresh) == len(targets):  # nothing to do: the specs are not even loaded
        print_or_fail(fresh[targets[0]].warnings, fmt, strict)
        for one in fresh.values():
            click.echo(f"{_shown(project, one.path)} is up to date ({one.objects} objects)")
        return
    compilation = project.compile(selected=indexes)  # an index on hold is planned when named
    print_or_fail(compilation.warnings, fmt, strict)

    def report(built: Built) -> None:
        shown = _shown(project, built.path)
        if built.generated == built.objects:  # nothing reused: a build as if for the first time
            click.echo(f"wrote {built.objects} objects to {shown}")
        else:
            click.echo(
                f"wrote {built.objects} objects to {shown} ({built.generated} generated, the "
                f"others from the cache; {built.written} files written, the others unchanged)"
            )

    def build(chosen: tuple[str, ...]) -> None:
        project.build_targets(
            chosen,
            report,
            out,
            check=check,
            compilation=compilation,
            indexes=indexes,
            inputs=inputs,
        )

    if not fresh:
        build(targets)
        return
    for target in targets:  # one up to date: the others are built one by one, in their places
        if target in fresh:
            one = fresh[target]
            click.echo(f"{_shown(project, one.path)} is up to date ({one.objects} objects)")
        else:
            build((target,))


def _shown(project: Project, path: Path) -> Path:
    return path.relative_to(project.root) if path.is_relative_to(project.root) else path


@click.command("migrate")
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
