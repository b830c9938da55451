"""The index benchmark at several sizes of areas x periods, each in its own process, and how each side grows.

A process's peak RSS only rises, so each size runs as a child of this one (benchmarks/index_scale.py with
one `--sizes`), prints its own report as it goes, and hands back its figures as JSON; the table at the end
sets them side by side, each figure also as a multiple of the first size's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from index_scale_data import Shape


def run_sizes(script: Path, shapes: list[Shape], forwarded: list[str]) -> None:
    """Each size in turn, the smallest first as given; the summary table once all have run."""
    results = []
    with tempfile.TemporaryDirectory(prefix="indexc-sizes-") as tmp:
        for shape in shapes:
            summary = Path(tmp) / f"{shape}.json"
            print(f"\n{'=' * 30} size {shape} (areas x periods) {'=' * 30}", flush=True)
            done = subprocess.run(
                [
                    sys.executable,
                    str(script),
                    *forwarded,
                    f"--sizes={shape}",
                    f"--summary={summary}",
                ],
                check=False,
            )
            if done.returncode != 0 or not summary.exists():
                print(f"size {shape} failed (exit {done.returncode}); the sizes before it follow")
                break
            results.append(json.loads(summary.read_text()))
    if results:
        print_growth(results)


def print_growth(results: list[dict]) -> None:
    first = results[0]
    print(f"\n{'=' * 30} growth with areas x periods {'=' * 30}")
    print(
        f"{'size':>8} {'cells':>12} {'indexc s':>9} {'x':>6} {'pandas s':>9} {'x':>6} {'pandas/indexc':>13} "
        f"{'each run':>22} {'RSS GB':>7} {'end GB':>7} {'DuckDB GB':>9} {'agree':>5}  load at start, end"
    )
    for r in results:
        print(
            f"{r['shape']:>8} {r['cells']:>12,} {r['build_s']:>9.3f} {r['build_s'] / first['build_s']:>5.2f}x "
            f"{r['pandas_s']:>9.3f} {r['pandas_s'] / first['pandas_s']:>5.2f}x {r['pandas_s'] / r['build_s']:>12.2f}x "
            f"{', '.join(f'{x:.2f}' for x in r['ratios']):>22} {r['rss_duckdb_gb']:>7.2f} {r['rss_end_gb']:>7.2f} "
            f"{r['duckdb_peak_gb']:>9.2f} {'yes' if r['agree'] else 'NO':>5}  {r['load'][0]}; {r['load'][1]}"
        )
    print(
        "\nindexc s: the index build (metric_values .. top, stability included), median of the A/B runs; "
        "pandas s: the same outputs in pandas, median; x: as a multiple of the first size's; RSS GB: peak "
        "RSS after DuckDB's warm-up, before any pandas run; end GB: with pandas; DuckDB GB: DuckDB's own "
        f"peak, sampled. DuckDB threads {first['threads']}; {os.cpu_count()} CPUs.\n"
        "the untimed build of each size (comparisons, trends, sentences: no pandas side makes them), s: "
        + "; ".join(
            f"{r['shape']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["warm_up"].items())
            for r in results
        )
        + "\nwhat 10x pandas asks of the build, against the method's three passes at their plainest and "
        "indexc's draws (benchmarks/index_scale_floor.py), s: "
        + "; ".join(
            f"{r['shape']}: needs {r['pandas_s'] / 10:.3f}, passes {r['floor_s']:.3f} + draws "
            f"{r['stability_s']:.3f} = {r['floor_s'] + r['stability_s']:.3f}"
            for r in results
        )
    )
