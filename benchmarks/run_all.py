"""Every benchmark in one run, one after another on the same machine, with every target's verdict at the end.

A figure measured on another day, under another load, cannot be set beside today's; docs/benchmarks.md
quotes one run of this script. Each benchmark runs in its own process (so none inherits another's
memory peak), its output streamed as it comes, then the lines under each one's "targets:" are
gathered into one summary with the machine's load before and after.

Run from the project root:  python benchmarks/run_all.py [--quick]
`--quick` runs each benchmark at its smallest size: a check that all of them still run, not figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = (
    ("compile_vs_dbt.py", ("--sizes", "100,1000,5000")),
    ("compile_scale.py", ()),
    ("portfolio_compile.py", ()),
    ("restate_scale.py", ()),
    ("index_scale.py", ()),
)
QUICK = (
    ("compile_vs_dbt.py", ("--sizes", "100", "--repeat", "1")),
    ("compile_scale.py", ("--sizes", "100", "--repeat", "1", "--no-memory")),
    ("portfolio_compile.py", ("--repeat", "1")),
    ("restate_scale.py", ("--quick", "--repeat", "1")),
    ("index_scale.py", ("--quick",)),
)


def targets_of(output: str) -> list[str]:
    """The lines after a 'targets' heading, up to the next blank line."""
    lines, taking = [], False
    for line in output.splitlines():
        if line.strip().lower().startswith("targets"):
            taking = True
            continue
        if taking and not line.strip():
            taking = False
        elif taking:
            lines.append(line.rstrip())
    return lines


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest sizes only: a smoke run")
    args = parser.parse_args()
    print(
        f"benchmarks on {platform.node()}: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load()}",
        flush=True,
    )
    summary: list[tuple[str, float, int, list[str]]] = []
    for script, script_args in QUICK if args.quick else FULL:
        print(f"\n===== {script} {' '.join(script_args)} =====", flush=True)
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(HERE / script), *script_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        output = []
        for line in process.stdout:
            print(line, end="", flush=True)
            output.append(line)
        code = process.wait()
        summary.append((script, time.perf_counter() - start, code, targets_of("".join(output))))
    print(f"\n===== summary (load average now {load()}) =====")
    for script, seconds, code, lines in summary:
        status = "" if code == 0 else f"  EXITED {code}"
        print(f"{script} ({seconds:.0f} s){status}")
        for line in lines or ["  (no targets printed)"]:
            print(f"  {line.strip()}")
    sys.exit(max((code for _, _, code, _ in summary), default=0))


if __name__ == "__main__":
    main()
