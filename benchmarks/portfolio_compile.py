"""Whether compiling the example stays linear as its portfolio of indexes grows.

The example went from one index to six (specs/indexes/). An index whose compile cost grew faster
than its objects (a lens that reads another index, screening, group ranks per lens) would show as
more time per object in a build of the whole portfolio than in a build of one index. This script
compiles the example for both targets, with the static Snowflake check, as `indexc build --target
duckdb --target snowflake` does (no files written), for growing selections of the portfolio
(`--index`), alternating the selections within each round, and prints per selection the objects,
the median time and the time per 1,000 objects. Linear: the time per object of the whole
portfolio is within 1.25x that of the smallest selection.

Run from the project root:  python benchmarks/portfolio_compile.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from indexc.project import Project

ROOT = Path(__file__).resolve().parents[1]
SELECTIONS = (
    ("adult_social_care",),
    ("adult_social_care", "top_level"),
    ("adult_social_care", "top_level", "local_outcomes_framework", "health_by_condition"),
    (),  # everything built: every index not on hold
)
MAX_PER_OBJECT_RATIO = 1.25


def compile_once(project: Project, selection: tuple[str, ...]) -> tuple[int, float]:
    """Objects for both targets and the seconds the compile took, front end included."""
    start = time.perf_counter()
    compilation = project.compile(selected=selection)
    objects = sum(
        len(
            project.build(
                target, write=False, check=True, compilation=compilation, indexes=selection
            ).objects
        )
        for target in ("duckdb", "snowflake")
    )
    return objects, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    project = Project(ROOT)
    compile_once(project, ())  # imports and caches warm, for every selection alike
    times: dict[tuple[str, ...], list[float]] = {s: [] for s in SELECTIONS}
    counts: dict[tuple[str, ...], int] = {}
    for _ in range(args.repeat):
        for selection in SELECTIONS:  # alternating: each round runs every selection once
            counts[selection], seconds = compile_once(project, selection)
            times[selection].append(seconds)
    print(f"{'selection':<70} {'objects':>8} {'median s':>9} {'s per 1,000':>12}")
    per_object = {}
    for selection in SELECTIONS:
        median = statistics.median(times[selection])
        per_object[selection] = median / counts[selection]
        name = ", ".join(selection) or "the whole portfolio"
        print(
            f"{name:<70} {counts[selection]:>8} {median:>9.2f} "
            f"{1000 * per_object[selection]:>12.3f}"
        )
    ratio = per_object[()] / per_object[SELECTIONS[0]]
    verdict = "linear" if ratio <= MAX_PER_OBJECT_RATIO else "NOT linear"
    print(
        f"time per object, whole portfolio / one index: {ratio:.2f} "
        f"(target <= {MAX_PER_OBJECT_RATIO}): {verdict}"
    )


if __name__ == "__main__":
    main()
