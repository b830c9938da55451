"""How often the garbage collector runs while indexc compiles.

Kept apart from the front end so that taking it costs no import: the compiler's own modules,
imported inside `fewer_collections`, allocate as much as a small compile (their classes, the
spec models, sqlglot's tables), and at the default thresholds that set off hundreds of
collections before compiling began.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

COMPILE_GC_THRESHOLD = (
    100_000  # allocations between young-generation collections (CPython default: 700)
)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the garbage collector's young generation less often while compiling.

    Compiling allocates hundreds of thousands of small, short-lived sqlglot
    nodes; at the default thresholds the collector ran often enough to take
    about a third of compile time (measured by benchmarks/compile_scale.py).
    Young collections still run, so garbage trees are still freed. What
    exists on entry (the specs, the plan) is frozen out of the collector's
    sight: the full collections a growing heap sets off would otherwise scan
    it again and again, which made compile time grow faster than the project.
    """
    previous = gc.get_threshold()
    gc.set_threshold(COMPILE_GC_THRESHOLD, *previous[1:])
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*previous)
