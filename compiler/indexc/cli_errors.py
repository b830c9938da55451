"""Command-line mistakes as diagnostics: a code, a hint and exit code 1, like every other user mistake.

Click reports a bad command line (an unknown option, an impossible date, `--out`
naming a file) as free text with exit code 2, which a CI script or an editor
cannot tell from any other failure. The top-level group turns each of click's
usage errors into an IX007 (the command line cannot be read) or IX008 (an option's
value is not valid) diagnostic, printed as text or, with `--format json`, as JSON.
`--help` and a bare `indexc` still print help.
"""

from __future__ import annotations

import datetime
import re
from typing import IO, Any

import click

from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic, diagnostics_json

ARGV = "indexc.argv"
ISO_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoDate(click.DateTime):
    """A date written YYYY-MM-DD; says whether a value is not written so or names a day that does not exist."""

    name = "YYYY-MM-DD"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def get_metavar(  # noqa: ARG002 (click's signature)
        self, param: click.Parameter, ctx: click.Context | None = None
    ) -> str:
        return self.name

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value
        try:
            return datetime.datetime.strptime(value, "%Y-%m-%d")
        except ValueError as err:
            if ISO_DATE_SHAPE.fullmatch(value):
                self.fail(f"{value!r} is not a date that exists ({err})", param, ctx)
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)


def _hint(err: click.UsageError) -> str:
    command = " ".join(["indexc", *err.ctx.command_path.split()[1:]]) if err.ctx else "indexc"
    param = getattr(err, "param", None)
    if (
        isinstance(err, click.BadParameter)
        and not isinstance(err, click.MissingParameter)
        and param is not None
    ):
        if isinstance(param.type, click.DateTime):
            return "write a date that exists, as YYYY-MM-DD, such as 2020-02-29"
        if isinstance(param.type, click.Path) and not param.type.file_okay:
            return "give the path of a directory, not of a file"
        if isinstance(param.type, click.Path) and not param.type.dir_okay:
            return "give the path of a file, not of a directory"
        if isinstance(param.type, click.Choice):
            return f"choose one of: {', '.join(map(str, param.type.choices))}"
    return f"see '{command} --help'"


def usage_diagnostic(err: click.UsageError) -> Diagnostic:
    """IX008 for a value an option or argument does not accept; IX007 for any other unreadable command line."""
    invalid_value = isinstance(err, click.BadParameter) and not isinstance(
        err, click.MissingParameter
    )
    message = " ".join(err.format_message().split()).rstrip(".")
    return Diagnostic(
        Code.INVALID_OPTION_VALUE if invalid_value else Code.UNREADABLE_COMMAND_LINE,
        message[:1].lower() + message[1:],
        COMMAND_LINE,
        _hint(err),
    )


def wants_json(argv: list[str]) -> bool:
    """Whether the command line asked for `--format json`, read before (or without) click parsing it."""
    pairs = zip(argv, argv[1:] + [""], strict=True)
    return "--format=json" in argv or any(
        option == "--format" and value == "json" for option, value in pairs
    )


class CommandLineError(click.ClickException):
    """A usage error shown as its diagnostic; click's `main` prints it with `show` and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, diagnostic: Diagnostic, as_json: bool) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic, self.as_json = diagnostic, as_json

    def show(self, file: IO[Any] | None = None) -> None:  # noqa: ARG002 (diagnostics go to stderr)
        if self.as_json:
            click.echo(diagnostics_json([self.diagnostic]), err=True)
        else:
            click.echo(self.diagnostic.render(), err=True)
            click.echo("1 error(s), 0 warning(s)", err=True)


class DiagnosingGroup(click.Group):
    """The top-level group: usage errors of its own options and of every subcommand become diagnostics."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        argv = list(args)
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as err:
            raise _as_diagnostic(err, argv) from None
        ctx.meta[ARGV] = argv
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            raise _as_diagnostic(err, ctx.meta.get(ARGV, [])) from None


def _as_diagnostic(err: click.UsageError, argv: list[str]) -> click.ClickException:
    if isinstance(err, click.exceptions.NoArgsIsHelpError):
        return err  # a bare 'indexc' or 'indexc snapshot': help, as click prints it
    return CommandLineError(usage_diagnostic(err), wants_json(argv))
