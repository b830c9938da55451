"""The one boundary of every command: a `UserError` becomes diagnostics and exit code 1.

Every command prints its diagnostics the same way, text or JSON, and takes
the same --format and --strict; a command's own module only parses its
options, calls the facade and prints what it returns.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from indexc.errors import (
    Diagnostic,
    NotShown,
    Severity,
    UserError,
    as_error,
    diagnostics_json,
    sort_diagnostics,
)

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


P = ParamSpec("P")
R = TypeVar("R")


def handles_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """The single boundary where user mistakes become diagnostics and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UserError as err:
            fmt = kwargs.get("fmt", "text")  # every command's --format, a string
            _print_diagnostics(err.diagnostics, fmt if isinstance(fmt, str) else "text")
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


def print_or_fail(diagnostics: list[Diagnostic], fmt: str, strict: bool) -> None:
    """Print warnings; under --strict they are errors, so the command stops with exit code 1."""
    if strict and diagnostics:
        raise UserError([as_error(d) for d in diagnostics])
    _print_diagnostics(sort_diagnostics(diagnostics), fmt)
