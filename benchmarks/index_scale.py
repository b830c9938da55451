"""What computing an index costs on DuckDB, next to one scan of its data and next to pandas.

Every `indexc run` rebuilds each index from every value of every metric, so the methodology of
docs/methodology.md must stay cheap beside the work a project does anyway. On a synthetic
national panel (153 councils of four types x 15 financial years x 2,000 measures of one long
source, 5% missing; one metric per measure in 20 pillars under 4 sub-indexes; winsorised,
min-max normalised, reweighted; productivity, type groups, a saving, 1,000 Monte Carlo draws):

- building the index costs at most 3x one plain GROUP BY scan of the same rows;
- it is at least 10x faster than the same methodology written in pandas;
- the national panel needs at most 4 GB of memory.

Sizes. The panel is measured at several sizes of areas x periods (default 153x15, the national panel,
then 306x15 and 306x30: each type's councils twice over, and 30 years ending in 2024-25), the
measures unchanged, each size in its own process so that its peak RSS is its own
(benchmarks/index_scale_sizes.py), and a table at the end shows how each side grows.

The untimed build. Before the timings the project is built on DuckDB as `indexc run` builds it (the
warm-up), the comparisons, trends and sentences included and timed apart, but not the project's
checks (data checks, guards, coverage: queries that must return no rows, read by nothing) unless
`--checks` is given: at 2,000 measures two of them take many minutes (their SQL repeats a subquery
per binding or per metric), which is a cost of checking, not of the index.

What each side includes. All sides run in one process, after a warm-up of each, alternating: a
DuckDB run (the scans and the index build, alternating which goes first), then a pandas run, and
again; medians of the runs. DuckDB runs in one connection to the database the build loaded, each
statement a CREATE TABLE AS in autocommit:
- the scan: `SELECT item, period, AVG(value), COUNT(*) FROM source__panel GROUP BY ALL` over
  the loaded long source table (every cell of the 2,000 measures, blanks included), and the same
  GROUP BY per cell (`item, area_code, period`), which writes one row per value as the index's
  first objects must: no build that keeps a score per value can come near 3x the first;
- the index build: every compiled statement of the index, `index__national__*`: the literal tables
  (`__bindings`, `__rules`, `__metric_edges`), `__metric_values` through `__top`, `__stability` (the
  draws) included, but not the comparisons, trends and sentences, which no pandas side makes.
  `metric_values` and `metric_scores` are views (creating them costs nothing; their readers pay for
  them), as `indexc run` builds them. The metric views, and the universe and population views the
  index reads, are first copied into tables of the same names: they are views over the source and
  would make the build pay 2,000 filtered scans of it (reported apart, from the warm-up, which is
  the build as `indexc run` executes it). So it is the methodology against one scan; reading files
  is part of neither side.
- pandas (benchmarks/index_scale_pandas.py): the same outputs (the treatment and its report of
  what was treated; normalisation; the lens tree with each lens's coverage; index, group and
  previous ranks; productivity; savings and their totals per lens; the most improved and the Top N;
  the Monte Carlo draws timed apart), written as a capable pandas user would, from the same metric
  values, spend per head, population and register already in memory, their keys categorical as
  loaded (made so once, untimed, as DuckDB's loading is). The draws are one matrix product of the
  draw weights with the ranked areas' sub-index scores, ranked per draw. Every output must agree
  with indexc's to 1e-9. The report is timed apart too, as a part of the whole.

Memory: peak RSS of the process (ru_maxrss; DuckDB runs in-process) after DuckDB's warm-up and
before any pandas run, which the target is judged on, and at the end (pandas included); DuckDB's
own peak, from duckdb_memory() sampled every 50 ms on a second cursor. The thread counts and the
load average at the start and the end are printed with the timings.

Run from the project root:  python benchmarks/index_scale.py [--sizes 153x15,306x15] [--repeat N] [--checks] [--quick]
Generation is deterministic (fixed seed) and needs no network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
from index_scale_data import (
    BENCH,
    INDEX,
    MIN_COVERAGE,
    MISSING,
    NOISE,
    SCHEMA,
    SEED,
    SEED_MC,
    SIZES,
    TOP,
    Shape,
    label,
    lens_tree,
    write_project,
)
from index_scale_floor import passes as floor_passes
from index_scale_floor import prepare as prepare_floor
from index_scale_pandas import (
    Method,
    categorical,
    max_diff,
    pandas_method,
    pandas_stability,
    pandas_top,
)
from index_scale_sizes import run_sizes

import indexc
from indexc.engines import duckdb as duckdb_engine
from indexc.plan.nodes import TemplateNode
from indexc.plan.template_params import LiteralTableParams
from indexc.project import Project

# objects of the index that `indexc run` builds and no pandas side makes: timed on neither side
LEFT_OUT = ("comparisons", "trends", "sentences")
TARGET_SCAN, TARGET_PANDAS, TARGET_GB, TOLERANCE = 3.0, 10.0, 4.0, 1e-9


# --- measurement -------------------------------------------------------------------------
class DuckMemory(threading.Thread):
    """Peak of DuckDB's own memory accounting, sampled from a second cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(daemon=True)
        self.cursor, self.peak, self.done = con.cursor(), 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            used = self.cursor.execute(
                "SELECT SUM(memory_usage_bytes) FROM duckdb_memory()"
            ).fetchone()[0]
            self.peak = max(self.peak, used or 0)


def timed(con, sql: str) -> float:
    start = time.perf_counter()
    con.execute(sql)
    return time.perf_counter() - start


def materialise(con, names: list[str]) -> None:
    """Copy each view into a table of the same name, readers before what they read, in one transaction."""
    views = {
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = ?", [SCHEMA]
        ).fetchall()
    }
    con.execute("BEGIN TRANSACTION")
    for name in names:
        if name in views:
            con.execute(f'CREATE TABLE {SCHEMA}."{name}__copy" AS SELECT * FROM {SCHEMA}."{name}"')
            con.execute(f'DROP VIEW {SCHEMA}."{name}"')
            con.execute(f'ALTER TABLE {SCHEMA}."{name}__copy" RENAME TO "{name}"')
    con.execute("COMMIT")


def duckdb_run(
    con, scans: dict[str, str], index_objects, first: str
) -> tuple[dict[str, float], dict[str, float]]:
    """One run of each DuckDB side, `first` ("scan" or "index") first."""
    scan_s: dict[str, float] = {}
    object_s: dict[str, float] = {}
    for side in (first, "index" if first == "scan" else "scan"):
        if side == "scan":
            scan_s.update({name: timed(con, scan) for name, scan in scans.items()})
        else:
            object_s.update({o.name: timed(con, o.statement) for o in index_objects})
    return scan_s, object_s


def pandas_run(inputs: dict, tree, polarity: dict[str, int], method: Method) -> dict:
    """One run of the pandas side: its outputs and how long each part took."""
    t0 = time.perf_counter()
    ours = pandas_method(*inputs.values(), tree, polarity, method)
    t1 = time.perf_counter()
    stability = pandas_stability(ours["subs"], ours["scores"], tree, method)
    t2 = time.perf_counter()
    top = pandas_top(ours, stability, method.top)
    return {
        "outputs": ours,
        "stability": stability,
        "top": top,
        "method_s": t1 - t0 + time.perf_counter() - t2,
        "draws_s": t2 - t1,
        "report_s": ours["report_seconds"],
    }


def blas_threads() -> str:
    """numpy's BLAS threads: threadpoolctl's count if installed, else the environment's, else unknown."""
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-not-found]
    except ImportError:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            if os.environ.get(name):
                return f"{os.environ[name]} ({name})"
        return "unknown (threadpoolctl not installed, no OPENBLAS/OMP/MKL_NUM_THREADS)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return ", ".join(f"{p['num_threads']} ({p['internal_api']})" for p in pools) or "no BLAS pool"


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--measures", type=int, default=2000, help="measures (and metrics), a multiple of 20"
    )
    parser.add_argument(
        "--draws", type=int, default=1000, help="Monte Carlo draws of rank stability"
    )
    parser.add_argument("--repeat", type=int, help="timed runs of each side (default 3, --quick 1)")
    parser.add_argument(
        "--sizes",
        help="areas x periods, comma-separated, each in its own process (default "
        f"{','.join(SIZES)}; --quick 153x15); areas a multiple of 153",
    )
    parser.add_argument(
        "--checks",
        action="store_true",
        help="run the project's checks in the untimed build too (left out by default)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 200 measures, 100 draws, 1 run, 153x15"
    )
    parser.add_argument(
        "--keep", help=argparse.SUPPRESS
    )  # generate into this directory and keep it
    parser.add_argument("--summary", help=argparse.SUPPRESS)  # one size's figures as JSON, here
    args = parser.parse_args()
    shapes = [
        Shape.parse(s)
        for s in (args.sizes or ("153x15" if args.quick else ",".join(SIZES))).split(",")
    ]
    if len(shapes) > 1:
        forwarded = [f"--measures={args.measures}", f"--draws={args.draws}"]
        forwarded += [f"--repeat={args.repeat}"] if args.repeat else []
        forwarded += [
            flag for flag, on in (("--quick", args.quick), ("--checks", args.checks)) if on
        ]
        run_sizes(Path(__file__), shapes, forwarded)
        return
    summary = run_one(args, shapes[0])
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary))


def run_one(args: argparse.Namespace, shape: Shape) -> dict:
    """The benchmark at one size, in this process (its peak RSS is this size's); returns its figures."""
    n_measures, draws = (200, 100) if args.quick else (args.measures, args.draws)
    repeat = args.repeat or (1 if args.quick else 3)
    started = time.perf_counter()
    print(
        f"indexc index benchmark: Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas "
        f"{pd.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, seed {SEED}\n"
        f"indexc from {Path(indexc.__file__).parent}\n"
    )

    with tempfile.TemporaryDirectory(prefix="indexc-index-") as tmp:
        root = Path(args.keep or tmp) / "project"
        polarity = write_project(root, n_measures, draws, shape)
        n_areas, n_cells = shape.areas, shape.areas * shape.periods * n_measures
        print(
            f"shape {shape}: {n_areas} councils ({', '.join(f'{n} {k}' for k, _, n in shape.types)}) x "
            f"{shape.periods} years ({label(shape.first_year)} to {label(shape.first_year + shape.periods - 1)}) "
            f"x {n_measures:,} measures = {n_cells:,} cells, {MISSING:.0%} missing; 4 sub-indexes x 5 "
            f"pillars x {n_measures // 20} metrics; {draws:,} draws; generated in "
            f"{time.perf_counter() - started:.1f} s"
        )
        t0 = time.perf_counter()
        build = Project(root).build("duckdb", write=False)
        prefix = f"index__{INDEX}__"
        index_objects = [
            o
            for o in build.objects
            if o.name.startswith(prefix) and o.name.removeprefix(prefix) not in LEFT_OUT
        ]
        assert not {f"{prefix}{x}" for x in LEFT_OUT} & {
            d for o in index_objects for d in o.node.depends_on
        }
        print(
            f"compiled {len(build.objects):,} objects ({len(index_objects)} of the index timed; "
            f"{', '.join(LEFT_OUT)} left out of both sides) in {time.perf_counter() - t0:.1f} s"
        )
        con = duckdb_engine.connect(root / build.target.database)
        t0 = time.perf_counter()
        objects = [
            o for o in build.objects if args.checks or not o.is_check
        ]  # checks read, none is read
        built = {b.name: b.seconds for b in duckdb_engine.execute(con, objects, root)}
        with_views = sum(built[o.name] for o in index_objects)
        slowest = sorted(built.items(), key=lambda kv: -kv[1])[:6]
        warm_left_out = {x: built[prefix + x] for x in LEFT_OUT}
        print(
            f"built on DuckDB as `indexc run` does (the warm-up), "
            f"{'checks included' if args.checks else f'but for its {len(build.objects) - len(objects):,} checks'}, "
            f"in {time.perf_counter() - t0:.1f} s: loading "
            f"{sum(s for n, s in built.items() if n.startswith('source__')):.1f} s, index objects over the metric "
            f"views {with_views:.2f} s (metric_values {built[f'index__{INDEX}__metric_values']:.2f} s), "
            + ", ".join(f"{x} {built[prefix + x]:.2f} s" for x in LEFT_OUT)
            + "; slowest: "
            + ", ".join(f"{n} {sec:.2f} s" for n, sec in slowest)
        )
        names = {o.name for o in build.objects}
        reads = {
            d
            for o in index_objects
            if not (
                isinstance(o.node, TemplateNode) and isinstance(o.node.params, LiteralTableParams)
            )
            # literal tables read nothing: their
            for d in o.node.depends_on
            if d in names and not d.startswith("index__")
        }  # dependencies order them
        t0 = time.perf_counter()
        materialise(con, [o.name for o in reversed(build.objects) if o.name in reads])
        print(
            f"materialised the {len(reads):,} views the index reads in {time.perf_counter() - t0:.1f} s"
        )

        source = f"{SCHEMA}.source__panel"
        n_rows = con.execute(f"SELECT COUNT(*) FROM {source}").fetchone()[0]
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {BENCH}")
        scans = {
            "coarse": f"CREATE OR REPLACE TABLE {BENCH}.scan AS SELECT item, period, AVG(value) AS value, "
            "COUNT(*) AS n "
            f"FROM {source} GROUP BY ALL",
            "cell": f"CREATE OR REPLACE TABLE {BENCH}.cells AS SELECT item, area_code, period, AVG(value) AS value, "
            f"COUNT(*) AS n FROM {source} GROUP BY ALL",
        }
        values = con.execute(
            f"SELECT 'k_' || substr(item, 2) AS metric, area_code, period, value FROM {source} "
            "WHERE value IS NOT NULL"
        ).df()
        t0 = time.perf_counter()
        inputs = {  # the pandas side's inputs as it holds them, its keys factorised once
            "values": categorical(values),
            "register": con.execute(
                f"SELECT area_code, name, type FROM {SCHEMA}.source__councils"
            ).df(),
            "spend_per_head": con.execute(
                f"SELECT area_code, period, value AS spend FROM {SCHEMA}.metric__spend_per_head "
                "WHERE value IS NOT NULL"
            ).df(),
            "population": con.execute(
                f"SELECT area_code, period, value AS volume FROM {SCHEMA}.measure__population"
            ).df(),
        }
        del values
        categorised_s = time.perf_counter() - t0
        method = Method(
            INDEX, tuple(k for k, _, _ in shape.types), MIN_COVERAGE, TOP, draws, SEED_MC, NOISE
        )
        tree = lens_tree(n_measures)
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        load_start = load()
        print(
            f"\ntiming: DuckDB threads {threads}; numpy BLAS threads {blas_threads()}; pandas one thread; "
            f"load average (1, 5, 15 min) {load_start} at start\n"
            f"a warm-up of each side, then {repeat} runs alternating DuckDB and pandas in this process "
            f"(medians); the pandas inputs loaded and their keys made categorical in {categorised_s:.2f} s, "
            "untimed, as DuckDB's loading is\n"
        )
        memory = DuckMemory(con)
        memory.start()
        for scan in scans.values():
            timed(con, scan)
        for o in index_objects:
            timed(con, o.statement)
        rss_duckdb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
        # after the memory figure: the floor's copies of the values are not the build's
        prepare_floor(con, SCHEMA, INDEX)
        floor = {f"floor: {name}": sql for name, sql in floor_passes().items()}
        scans = {**scans, **floor}  # timed with the scans, in this order
        for sql in floor.values():
            timed(con, sql)
        pandas_run(inputs, tree, polarity, method)
        scan_times: dict[str, list[float]] = {name: [] for name in scans}
        per_object: dict[str, list[float]] = {o.name: [] for o in index_objects}
        runs = []
        for rep in range(repeat):
            scan_run, object_run = duckdb_run(
                con, scans, index_objects, "scan" if rep % 2 == 0 else "index"
            )
            for name, seconds in scan_run.items():
                scan_times[name].append(seconds)
            for name, seconds in object_run.items():
                per_object[name].append(seconds)
            runs.append(pandas_run(inputs, tree, polarity, method))
        memory.done.set()
        memory.join()
        load_end = load()
        scan_s = statistics.median(scan_times["coarse"])
        cell_s = statistics.median(scan_times["cell"])
        floor_s = statistics.median(
            sum(run) for run in zip(*(scan_times[n] for n in floor), strict=True)
        )
        build_runs = [sum(run) for run in zip(*per_object.values(), strict=True)]
        build_s = statistics.median(build_runs)
        object_s = {n: statistics.median(t) for n, t in per_object.items()}
        stability_s = object_s[f"index__{INDEX}__stability"]
        plan_s = {
            o.name: timed(con, "EXPLAIN " + o.statement.split(" AS\n", 1)[1]) for o in index_objects
        }

        ix = {
            part: con.execute(f"SELECT * FROM {SCHEMA}.index__{INDEX}__{part}").df()
            for part in (
                "metric_scores",
                "lens_scores",
                "scores",
                "group_ranks",
                "productivity",
                "savings",
                "savings_totals",
                "stability",
                "treatment",
                "most_improved",
                "top",
            )
        }
        con.close()

        pd_method_s = statistics.median(r["method_s"] for r in runs)
        pd_mc_s = statistics.median(r["draws_s"] for r in runs)
        pd_report_s = statistics.median(r["report_s"] for r in runs)
        pandas_runs = [r["method_s"] + r["draws_s"] for r in runs]
        ours, our_stability, our_top = runs[-1]["outputs"], runs[-1]["stability"], runs[-1]["top"]
        ap = ["area_code", "period"]
        checks = {  # what, (pandas, indexc, keys, columns)
            "treatment report": (
                ours["treatment"],
                ix["treatment"],
                ["metric", "period"],
                [
                    "lower_bound",
                    "upper_bound",
                    "high_points",
                    "low_points",
                    "value_min",
                    "value_max",
                    "skew_before",
                    "kurtosis_before",
                    "skew_after",
                    "kurtosis_after",
                    "treated_min",
                    "treated_max",
                    "treated_mean",
                    "treated_sd",
                ],
            ),
            "metric scores": (
                ours["metric_scores"],
                ix["metric_scores"],
                ["metric", *ap],
                ["treated_value", "score"],
            ),
            "lens scores and ranks": (
                ours["lens_scores"],
                ix["lens_scores"],
                ["lens", *ap],
                ["score", "rank", "children_used", "coverage"],
            ),
            "index scores": (
                ours["scores"].rename(columns={"children_used": "lenses_used"}),
                ix["scores"],
                ap,
                ["score", "lenses_used", "coverage"],
            ),
            "index, previous ranks": (
                ours["scores"],
                ix["scores"],
                ap,
                ["rank", "previous_rank", "rank_change"],
            ),
            "group ranks": (
                ours["group_ranks"].rename(columns={"type": "group_code"}),
                ix["group_ranks"],
                ["lens", "group_code", *ap],
                ["rank"],
            ),
            "productivity and ranks": (
                ours["productivity"],
                ix["productivity"],
                ap,
                ["spend_index", "productivity", "outcome_rank", "spend_rank", "productivity_rank"],
            ),
            "stability": (
                our_stability,
                ix["stability"],
                ap,
                ["median_rank", "rank_p05", "rank_p95", "p_top"],
            ),
            "most improved": (
                ours["most_improved"],
                ix["most_improved"],
                ap,
                ["position", "rank_change"],
            ),
            "top": (
                our_top,
                ix["top"],
                ap,
                ["rank", "score", "productivity", "median_rank", "p_top"],
            ),
        }
        diffs = {what: max_diff(*args) for what, args in checks.items()}
        diffs["savings (relative)"] = max_diff(
            ours["savings"], ix["savings"], ap, ["benchmark", "amount"], True
        )
        diffs["top, savings (relative)"] = max_diff(our_top, ix["top"], ap, ["savings"], True)
        diffs["savings totals (relative)"] = max_diff(
            ours["savings_totals"], ix["savings_totals"], ["period", "lens"], ["amount"], True
        )
        rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    no_mc, pandas_s = build_s - stability_s, pd_method_s + pd_mc_s
    print(
        f"{'index object (CREATE TABLE/VIEW)':<34} {'median s':>9} {'share':>6} {'planning s':>11}"
    )
    for name, seconds in sorted(object_s.items(), key=lambda kv: -kv[1]):
        print(f"{name:<34} {seconds:>9.3f} {seconds / build_s:>6.1%} {plan_s[name]:>11.3f}")
    print(f"\n{'what':<66} {'seconds':>8} {'ratio':>9}")
    for what, seconds, ratio in (
        (f"GROUP BY scan of the source table ({n_rows:,} rows)", scan_s, ""),
        ("GROUP BY per cell (item, area, period) of the same rows", cell_s, ""),
        ("indexc index build (/ GROUP BY per cell)", build_s, f"{build_s / cell_s:.2f}x"),
        ("indexc index build, metric_values .. top (/ scan)", build_s, f"{build_s / scan_s:.2f}x"),
        (
            f"  of which stability, {draws:,} draws (/ scan)",
            stability_s,
            f"{stability_s / scan_s:.2f}x",
        ),
        ("  without stability (/ scan)", no_mc, f"{no_mc / scan_s:.2f}x"),
        (
            "pandas, everything but the draws (/ indexc without)",
            pd_method_s,
            f"{pd_method_s / no_mc:.2f}x",
        ),
        (
            "  of which the treatment report (/ indexc treatment)",
            pd_report_s,
            f"{pd_report_s / object_s[f'index__{INDEX}__treatment']:.2f}x",
        ),
        ("pandas, the draws (/ indexc stability)", pd_mc_s, f"{pd_mc_s / stability_s:.2f}x"),
        ("pandas, everything (/ indexc index build)", pandas_s, f"{pandas_s / build_s:.2f}x"),
        (
            "pandas, everything but the treatment report (/ indexc index build)",
            pandas_s - pd_report_s,
            f"{(pandas_s - pd_report_s) / build_s:.2f}x",
        ),
        (
            "the method's three passes at their plainest (/ indexc index build)",
            floor_s,
            f"{build_s / floor_s:.2f}x",
        ),
        *((f"  {name}", statistics.median(scan_times[name]), "") for name in floor),
        ("index objects over the metric views (warm-up, one run)", with_views, ""),
    ):
        print(f"{what:<66} {seconds:>8.3f} {ratio:>9}")
    print(
        "\neach run, pandas everything / indexc index build (A/B pairs, in order): "
        + ", ".join(f"{p / b:.2f}x" for p, b in zip(pandas_runs, build_runs, strict=True))
        + f"\nload average (1, 5, 15 min) at the end {load_end}"
    )
    print(
        "\nagreement, pandas vs indexc (max absolute difference; inf: rows or missing values differ):"
    )
    for what, d in diffs.items():
        print(f"  {what:<30} {d:.2e}  {'ok' if d <= TOLERANCE else 'DIFFERS'}")
    print(
        f"\nmemory: peak RSS {rss_duckdb:.2f} GB after DuckDB's warm-up (before any pandas run), "
        f"{rss_end:.2f} GB at the end (pandas "
        f"included); DuckDB's own peak (sampled) {memory.peak / 2**30:.2f} GB\n"
        f"whole run {time.perf_counter() - started:.0f} s"
    )
    comparable = "" if diffs["index scores"] <= TOLERANCE else "  (scores disagree: not comparable)"
    print("\ntargets:")
    print(
        f"  index build <= {TARGET_SCAN:g}x a GROUP BY scan: {build_s / scan_s:.2f}x  "
        f"{'PASS' if build_s / scan_s <= TARGET_SCAN else 'FAIL'}"
    )
    print(
        f"  index build <= {TARGET_SCAN:g}x a GROUP BY per cell: {build_s / cell_s:.2f}x  "
        f"{'PASS' if build_s / cell_s <= TARGET_SCAN else 'FAIL'}"
    )
    print(
        f"  indexc >= {TARGET_PANDAS:g}x faster than pandas (everything): {pandas_s / build_s:.2f}x  "
        f"{'PASS' if pandas_s / build_s >= TARGET_PANDAS else 'FAIL'}{comparable}"
    )
    needed = pandas_s / TARGET_PANDAS  # what the target asks of the build, in this run's terms
    print(
        f"    (that needs the build in {needed:.3f} s: {needed / cell_s:.2f}x the GROUP BY per cell, "
        f"against {build_s / cell_s:.2f}x now; the method's three passes at their plainest take "
        f"{floor_s:.3f} s and indexc's draws {stability_s:.3f} s, {floor_s + stability_s:.3f} s "
        f"together: {'more' if floor_s + stability_s > needed else 'less'} than that)"
    )
    print(
        f"  peak memory <= {TARGET_GB:g} GB (DuckDB's warm-up, before pandas): {rss_duckdb:.2f} GB  "
        f"{'PASS' if rss_duckdb <= TARGET_GB else 'FAIL'}"
    )
    return {
        "shape": str(shape),
        "measures": n_measures,
        "cells": n_cells,
        "rows": n_rows,
        "build_s": build_s,
        "stability_s": stability_s,
        "pandas_s": pandas_s,
        "ratios": [p / b for p, b in zip(pandas_runs, build_runs, strict=True)],
        "cell_s": cell_s,
        "floor_s": floor_s,
        "warm_up": {"index over views": with_views, **{x: warm_left_out[x] for x in LEFT_OUT}},
        "rss_duckdb_gb": rss_duckdb,
        "rss_end_gb": rss_end,
        "duckdb_peak_gb": memory.peak / 2**30,
        "threads": threads,
        "load": [load_start, load_end],
        "agree": max(diffs.values()) <= TOLERANCE,
    }


if __name__ == "__main__":
    main()
