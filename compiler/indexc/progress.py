"""What `indexc run` shows while it builds: on a terminal, the object being built and how far the run
has come; in a log (CI, a pipe), a line for each object that took a while, so a long run says what it
is doing without burying the results; with -v, every object; with -q, nothing.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from indexc.engines import BuiltObject
from indexc.generate import CompiledObject

SLOW_SECONDS = 1.0  # objects at least this slow are named in a log


def describe(built: BuiltObject) -> str:
    """`built <object>: 1,234 rows in 0.12s`; a view says so instead of its rows; a check is `checked`."""
    if built.kind == "check":
        return f"checked {built.name} in {built.seconds:.2f}s"
    what = f": {built.rows:,} rows" if built.rows is not None else f" ({built.kind})"
    return f"built {built.name}{what} in {built.seconds:.2f}s"


class RunProgress:
    """The engines' `Progress`: told of each object as it starts and as it is built."""

    def __init__(self, console: Console, *, verbose: bool = False, quiet: bool = False) -> None:
        self.console, self.verbose, self.quiet = console, verbose, quiet
        self.built_objects: list[BuiltObject] = []
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> RunProgress:
        if self.console.is_terminal and not (self.quiet or self.verbose):
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("building", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def starting(self, obj: CompiledObject, position: int, total: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(
                self._task, total=total, completed=position - 1, description=f"building {obj.name}"
            )

    def built(self, built: BuiltObject) -> None:
        self.built_objects.append(built)
        if self.quiet or self._bar is not None:
            return
        if self.verbose or built.seconds >= SLOW_SECONDS:
            self.console.print(f"[dim]{describe(built)}[/dim]", highlight=False, soft_wrap=True)

    def summary(self, target: str) -> str:
        seconds = sum(b.seconds for b in self.built_objects)
        rows = sum(b.rows or 0 for b in self.built_objects)
        return f"built {len(self.built_objects)} objects on {target} in {seconds:.2f}s, {rows:,} rows written"
