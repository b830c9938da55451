"""Work on a list in two processes where the system can fork: half in a child, half here.

Generating a target's SQL (and holding it to the target's static check) is pure
Python, one object after another, so it runs on one core. At scale (thousands of
objects) it is worth splitting: after a fork the child has everything the parent
had (the plan, the target, every cache), so it can work through one half of the
objects while the parent works through the other, and send back only its
results, which are plain text.

The result is the serial one, in the same order: every item's result is a
function of the item alone (an object's SQL is a function of its node and the
target, generate/__init__.py), whichever process computed it. Should anything go
wrong in either half (an exception, a child that dies or sends nothing readable),
the whole list is worked through again here, serially, so that any error is the
one a serial run raises, for the first item that has it. Where forking is not
safe (`can_fork`: Windows has no fork), or the list is short, it is serial from
the start.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 400
"""Below this, a fork (tens of milliseconds for a large process) is not worth it."""


def can_fork() -> bool:
    """Whether forking is safe here: the system has fork, is not macOS (whose system libraries
    may not survive a fork; Python itself no longer forks there by default), and this process
    runs no other thread (one holding a lock, the import lock say, would leave the child waiting
    for it forever)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def _child(work: Callable[[T], R], items: Sequence[T], write: int) -> None:
    """Work through `items`, send the results down `write`, and leave without running anything
    of the parent's (exit handlers, buffered output): the child's only output is the pipe."""
    status = 1
    try:
        payload = pickle.dumps([work(item) for item in items], pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        status = 0
    except BaseException:  # noqa: B036 (the parent works the half again and meets any error itself)
        pass
    finally:
        os._exit(status)


def theirs(position: int) -> bool:
    """Whether the item at `position` is the child's: whether the fractional part of
    position x 0.618... (the golden ratio's, in 32-bit fixed point) is at least a half. Such
    fractions are spread evenly over any arithmetic progression of positions, so each process
    gets about half of the objects of every kind, however regularly the plan lists the kinds (it
    alternates a smell test and its check, say, which every other item would split by kind)."""
    return (position * 0x9E3779B9) & 0xFFFFFFFF >= 0x80000000


def in_two(work: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None) -> list[R]:
    """`[work(item) for item in items]`, the items at the positions `theirs` picks worked in a
    forked child."""
    if not can_fork() or len(items) < (MIN_ITEMS if min_items is None else min_items):
        return [work(item) for item in items]
    child = [theirs(position) for position in range(len(items))]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child leaves by os._exit; coverage never sees it)
        os.close(read)
        _child(work, [item for item, its in zip(items, child, strict=True) if its], write)
    os.close(write)
    pipe = os.fdopen(read, "rb")
    try:
        with pipe:
            ours = [work(item) for item, its in zip(items, child, strict=True) if not its]
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    except BaseException as err:
        _stop(pid)
        if not isinstance(err, Exception):  # an interrupt is not retried
            raise
        return [work(item) for item in items]  # meets the error in its place
    received = None
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            received = pickle.loads(data)
        except Exception:  # a child that died mid-write: its items are worked again here
            received = None
    if not isinstance(received, list) or len(received) != sum(child):
        return [work(item) for item in items]
    mine, its_results = iter(ours), iter(received)
    return [next(its_results) if its else next(mine) for its in child]


def _stop(pid: int) -> None:
    """The child, ended and reaped, when the parent gives up on it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
