"""`indexc serve`: indexc imported once, in a process every later command is forked from.

A build after one metric changed spends most of its time starting Python and importing
indexc; with a server running, `indexc` hands the command to it instead (server.py says
how, and when it declines). The server runs in the foreground, where its log is seen,
until Ctrl-C.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import time

import click

import indexc
from indexc import server
from indexc.cli.boundary import format_option, handles_user_errors
from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic, UserError
from indexc.project import TARGET_NAMES


@click.command("serve")
@format_option
@handles_user_errors
def serve_command(fmt: str) -> None:  # noqa: ARG001 (the boundary reads it)
    """Keep indexc imported in a server: every later `indexc` command of this user and this
    installation runs in a fork of it, without starting Python and importing indexc again.
    Stop it with Ctrl-C; INDEXC_SERVER=off makes a command run in its own process."""
    name = os.environ.get(server.VARIABLE)
    if not server.supported() or name == server.OFF:
        raise UserError(
            [
                _not_started(
                    "this system has no abstract sockets (Linux only)"
                    if not server.supported()
                    else f"{server.VARIABLE}=off"
                )
            ]
        )
    started = time.perf_counter()

    def ready() -> None:
        click.echo(
            f"indexc: serving, indexc imported in {time.perf_counter() - started:.1f} s; "
            "stop with Ctrl-C",
            err=True,
        )

    try:
        why = server.serve(
            _run,
            preload,
            name=name,
            log=lambda line: click.echo(f"indexc: {line}", err=True),
            ready=ready,
        )
    except server.AlreadyServing:
        raise UserError([_not_started("another server of this installation is running")]) from None
    except server.NotForkable as err:
        raise UserError(
            [_not_started(f"{err}, and a process running several is not safely forked")]
        ) from None
    click.echo(f"indexc: the server has stopped: {why}", err=True)


def _not_started(why: str) -> Diagnostic:
    return Diagnostic(
        Code.SERVER_NOT_STARTED,
        f"the server cannot start: {why}",
        COMMAND_LINE,
        "commands run in their own processes without one; stop the other server (Ctrl-C) "
        f"or give each its own name with {server.VARIABLE}=NAME",
    )


# not imported by the server: the report's charts import matplotlib, and with it numpy, whose BLAS
# starts a thread as it is imported, and a process running a second thread is not safely forked
# (server.py refuses to serve then); `indexc report` imports them itself, as in its own process
LEFT_TO_THE_COMMAND = frozenset(
    {
        "indexc.report.charts",
        "indexc.report.regular",
        "indexc.project.reporting",
        "indexc.cli.report",
    }
)


def preload() -> None:
    """Import every module of indexc and build every spec model's validator, so that a command forked
    from the server imports and builds nothing (the models build on first use: spec/base.py); and
    read the toolchain the build cache is keyed by, which holds while the server does (server.py)."""
    from pydantic import BaseModel
    from sqlglot.dialects.dialect import Dialect

    from indexc.cache import toolchain

    for module in pkgutil.walk_packages(indexc.__path__, "indexc."):
        if not module.name.endswith(".__main__") and module.name not in LEFT_TO_THE_COMMAND:
            importlib.import_module(module.name)
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("indexc.") and not model.__pydantic_complete__:
            model.model_rebuild()
    for target in TARGET_NAMES:  # sqlglot imports a dialect's module when it is first asked for
        Dialect.get_or_raise(target)
    toolchain()


def _run(arguments: list[str]) -> int:
    """One command, as the `indexc` entry point runs it; its exit code."""
    from indexc.cli import main

    try:
        main.main(args=arguments, prog_name="indexc")  # standalone: it always leaves by SystemExit
    except SystemExit as leaving:
        code = leaving.code
        if code is None or isinstance(code, int):
            return code or 0
        click.echo(code, err=True)
        return 1
