"""The `indexc` command: a thin layer over `Project`, with one error handler.

Commands parse options, call the facade and print. A `UserError` becomes its
diagnostics on stderr (text or JSON) and exit code 1 (in `boundary`); any
other exception is a bug in indexc and keeps its traceback. The main group and
its global options live here; the commands live in this package's modules, one
per kind of command, and are registered on `main` (`indexc.cli:main`, the
entry point). A command's module is imported only when that command runs (or
help lists it): `indexc build` never loads what `indexc run` or `indexc report`
needs (a database engine, the console renderer, the charts).
"""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path
from typing import Any

import click

from indexc import __version__
from indexc.cli_errors import DiagnosingGroup, IsoDate
from indexc.project import Project

# each command's name -> the module of this package that defines it, and its name there
COMMANDS = {
    "validate": ("specs", "validate_command"),
    "build": ("specs", "build_command"),
    "run": ("run", "run_command"),
    "diff": ("review", "diff_command"),
    "impact": ("review", "impact_command"),
    "readiness": ("review", "readiness_command"),
    "docs": ("review", "docs_command"),
    "schema": ("review", "schema_command"),
    "migrate": ("specs", "migrate_command"),
    "lineage": ("review", "lineage_command"),
    "audiences": ("review", "audiences_command"),
    "snapshot": ("snapshot", "snapshot_group"),
    "status": ("status", "status_command"),
    "report": ("report", "report_command"),
    "show": ("lookups", "show_command"),
    "export": ("lookups", "export_command"),
    "serve": ("serve", "serve_command"),
}


class _Commands(dict[str, Any]):
    """The group's commands by name, each imported from its module on first use."""

    def __init__(self) -> None:
        super().__init__(dict.fromkeys(COMMANDS))

    def __getitem__(self, name: str) -> click.Command:
        command = super().__getitem__(name)
        if command is None:
            module, attribute = COMMANDS[name]
            command = getattr(importlib.import_module(f"indexc.cli.{module}"), attribute)
            super().__setitem__(name, command)
        return command

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def values(self) -> Any:
        return [self[name] for name in self]

    def items(self) -> Any:
        return [(name, self[name]) for name in self]


class _LazyGroup(DiagnosingGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands()


@click.group(cls=_LazyGroup)
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
    ctx.obj = Project.from_command_line(
        project_dir, geography_date.date() if geography_date else None, tuple(proposed)
    )
