"""Two targets' builds side by side, when little changed: the second in a forked process.

After a small change, a build generates a few objects and writes a few files, and most of
its time goes to work each target does on its own: reading its cached statements, keying
every object, checking, comparing and recording the build directory. The planned nodes'
fingerprints, the longest part, are shared (project/incremental.py). So once the first
target has generated what changed, and its fingerprints are made, the second target is
built in a fork of this process, on the other core, while the first goes on.

Nothing a reader sees differs from building the targets one after the other. The second
target writes its directory only once the first has generated and checked everything
(`before_writing`), so a first target that fails leaves the second's directory as it was,
as when the second was never reached. Each target's line is reported in order, and an
error of the second is raised here, after the first is reported, with the second
process's traceback in its notes. If the second process dies or sends nothing readable,
the second target is built again here. A large change (many objects generated, and so many
files written) is built one target after the other: two processes creating thousands of
files at once are slower than one (docs/benchmarks.md), and generation is already split
over both cores then (generate/halves.py).
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexc.generate.halves import MIN_ITEMS, can_fork
from indexc.project.builds import default_out
from indexc.project.update import exclusive

if TYPE_CHECKING:
    from indexc.compilation import Build, Compilation
    from indexc.project import Project


@dataclass(frozen=True)
class Built:
    """What a command says of one target's build."""

    path: Path
    objects: int
    generated: int
    written: int


class _Stopped(Exception):
    """The first target failed: the second writes nothing."""


def build_targets(
    project: Project,
    targets: tuple[str, ...],
    report: Callable[[Built], None],
    *,
    out: Path | None,
    check: bool,
    compilation: Compilation,
    indexes: tuple[str, ...],
    inputs: dict[str, str | None],
) -> None:
    """Build `targets` in order, reporting each as it is done; two side by side when worth it."""

    def build(target: str, **hooks: Any) -> Built:
        made = project.build(
            target,
            out,
            check=check,
            compilation=compilation,
            indexes=indexes,
            inputs=inputs[target],
            **hooks,
        )
        return _built(project, made)

    if len(targets) != 2 or not project.use_cache or out is not None or not can_fork():
        for target in targets:
            report(build(target))
        return
    first, second = targets
    with exclusive(default_out(project.root, first)):  # other commands wait; the second shares it
        _side_by_side(build, first, second, report)


def _side_by_side(
    build: Callable[..., Built], first: str, second: str, report: Callable[[Built], None]
) -> None:
    other: list[_Second] = []

    def after_generating(generated: int) -> None:
        if generated < MIN_ITEMS and can_fork():
            other.append(_Second(lambda go: build(second, before_writing=go)))

    try:
        report(build(first, after_generating=after_generating, before_writing=lambda: _go(other)))
    except BaseException:
        for process in other:
            process.stop()
        raise
    done = other[0].result() if other else None
    report(done if done is not None else build(second))


def _go(other: list[_Second]) -> None:
    for process in other:
        process.go()


def _built(project: Project, made: Build) -> Built:
    if made.path is None:  # a build that writes its files has their path
        raise ValueError(f"the build for {made.target_name} wrote no files")
    generated, written = project.build_work.get(made.path, (len(made.objects), 0))
    return Built(made.path, len(made.objects), generated, written)


class _Second:
    """The second target's build, in a forked child that waits for `go` before writing."""

    def __init__(self, build: Callable[[Callable[[], None]], Built]) -> None:
        self._build = build
        go_read, go_write = os.pipe()
        self._go: int | None = go_write
        self._read, result_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child leaves by os._exit
            os.close(go_write)
            os.close(self._read)
            self._child(go_read, result_write)
        os.close(go_read)
        os.close(result_write)

    def _child(self, go_read: int, result_write: int) -> None:
        def wait_for_go() -> None:
            if os.read(go_read, 1) != b"1":
                raise _Stopped

        try:
            outcome: tuple[str, Any] = ("built", self._build(wait_for_go))
        except _Stopped:
            outcome = ("stopped", None)
        except BaseException as err:  # noqa: B036 (raised again in the parent, as if built there)
            err.add_note(f"(in the process that built the second target)\n{traceback.format_exc()}")
            outcome = ("raised", err)
        try:
            try:
                payload = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
            except Exception:  # an error that cannot be sent: the parent builds the target again
                payload = pickle.dumps(("lost", None))
            with os.fdopen(result_write, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)

    def go(self) -> None:
        """The first target has generated and checked everything: the second may write."""
        if self._go is not None:
            os.write(self._go, b"1")
            os.close(self._go)
            self._go = None

    def stop(self) -> None:
        """The first target failed: the second writes nothing; wait for it to end."""
        if self._go is not None:
            os.close(self._go)
            self._go = None
        self._outcome()

    def result(self) -> Built | None:
        """The second target's build, or None if it must be built again here; its error raised."""
        self.go()
        kind, value = self._outcome()
        if kind == "built" and isinstance(value, Built):
            return value
        if kind == "raised" and isinstance(value, BaseException):
            raise value
        return None

    def _outcome(self) -> tuple[str, Any]:
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        try:
            outcome = pickle.loads(data)
        except Exception:  # a child that died mid-write
            return ("lost", None)
        return outcome if isinstance(outcome, tuple) and len(outcome) == 2 else ("lost", None)
