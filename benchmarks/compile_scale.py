"""How long indexc takes to compile, and how much memory it needs, as a project grows.

The example project has seven metrics; the real indexes will have thousands, and
analysts run `indexc build` on every save and CI runs it on every pull request. This
script generates synthetic but realistic projects of 100, 1,000 and 5,000 metrics
(long and wide sources, a register, measures with effective-dated bindings, rate and
ratio formulas, one index of twelve lenses, specs split over many files, and DuckDB and
Snowflake targets binding every source), checks that each compiles with zero
diagnostics, and then times load, validate, resolve, plan and SQL generation (no files
written) per target, and for both targets together as `indexc build --target duckdb
--target snowflake` does it: one front end, then one generator per target.
It also measures the peak memory of one compile of the largest project in a fresh
process, imports included, and checks the figures against the targets:

- 1,000 metrics compile for both targets in under 2 s;
- 5,000 metrics compile (both targets) in under 500 MB peak resident memory;
- time grows no faster than linearly: (time at 5,000 / time at 1,000) / 5 <= 1.2.

Run from the project root:  python benchmarks/compile_scale.py [--sizes 100,1000,5000] [--repeat N]
Generation is deterministic (fixed seed) and needs no network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import indexc
from indexc.project import Project
from indexc.validate.targets import load_target

SEED = 20260101
TARGETS = ("duckdb", "snowflake")
LENSES = (
    "adult_social_care",
    "childrens_services",
    "public_health",
    "housing",
    "waste",
    "climate",
    "transport",
    "planning",
    "education",
    "finance",
    "community_safety",
    "culture_leisure",
)
MEASURES_PER_SOURCE = 100
BOTH_UNDER_S_AT_1000 = 2.0
PEAK_UNDER_MB_AT_5000 = 500.0
MAX_GROWTH_RATIO = 1.2


# --- generation --------------------------------------------------------------------------
def _source(k: int, rng: random.Random) -> dict:
    """A data source: two in three are long, one in three wide, with a mix of period formats."""
    if k % 3 == 2:
        grain, fmt = rng.choice([("financial_year_ending", "YYYY"), ("financial_year", "YYYY-YY")])
        return {
            "id": f"dataset_{k:03d}",
            "layout": "wide",
            "grain": grain,
            "format": fmt,
            "items": {},
            "columns": "{area: gss_code, period: year}",
        }
    fmt = rng.choice(["YYYY-YY", "YYYY/YY"])
    return {
        "id": f"dataset_{k:03d}",
        "layout": "long",
        "grain": "financial_year",
        "format": fmt,
        "items": {},
        "columns": "{area: area_code, period: financial_year, item: indicator_code, value: value}",
    }


def _item(source: dict, measure: str) -> str:
    """The name a source gives a measure: an indicator code (long) or a column name (wide)."""
    code = measure if source["layout"] == "wide" else f"{source['id'][-3:]}_{measure.upper()}"
    source["items"][code] = f"Synthetic indicator {measure} as published in {source['id']}"
    return code


def generate_project(root: Path, n_metrics: int, seed: int = SEED) -> None:
    """Write specs/ and targets/ for a project of `n_metrics` metrics under `root`."""
    rng = random.Random(seed)
    sources = [_source(k, rng) for k in range(max(4, n_metrics // MEASURES_PER_SOURCE))]
    by_theme: dict[str, list[str]] = {lens: [] for lens in LENSES}
    lens_of: dict[str, str] = {}

    for i in range(n_metrics):
        measure, metric, theme = f"m_{i:05d}", f"k_{i:05d}", LENSES[i % len(LENSES)]
        primary, secondary = rng.sample(sources, 2)
        if rng.random() < 0.15:  # the data moved to another publication in 2019-20
            bindings = [
                f"{{source: {primary['id']}, item: {_item(primary, measure)}, periods: {{to: 2018-19}}}}",
                f"{{source: {secondary['id']}, item: {_item(secondary, measure)}, "
                "periods: {from: 2019-20}}",
            ]
        else:
            periods = ", periods: {from: 2015-16}" if rng.random() < 0.3 else ""
            bindings = [f"{{source: {primary['id']}, item: {_item(primary, measure)}{periods}}}"]
        kind = rng.random()
        if kind < 0.4:  # a count per 1,000 residents
            additivity, unit, formula, metric_unit = (
                "sum",
                "count",
                f"{measure} * 1000 / population",
                "per_1000",
            )
        elif kind < 0.65:  # a share of another measure
            other = f"m_{(i + rng.randrange(1, max(2, n_metrics))) % n_metrics:05d}"
            additivity, unit, formula, metric_unit = (
                "sum",
                "count",
                f"100 * {measure} / {other}",
                "percent",
            )
        else:  # a published rate or score, used as is
            additivity, unit, formula, metric_unit = "mean", "score", measure, "score"
        weight = "\n    weighted_by: population" if additivity == "mean" else ""
        by_theme[theme].append(
            f"  - id: {measure}\n    description: Synthetic measure {i}\n    unit: {unit}\n"
            f"    additivity: {additivity}{weight}\n    bindings:\n"
            + "".join(f"      - {b}\n" for b in bindings)
        )
        by_theme[theme].append(
            f"  - id: {metric}\n    version: {1 + i % 3}\n    description: Synthetic metric {i}\n"
            f"    formula: {formula}\n    direction: {rng.choice(['higher_is_better', 'lower_is_better'])}\n"
            f"    unit: {metric_unit}\n"
        )
        lens_of[metric] = theme

    specs = root / "specs"
    for sub in ("sources", "themes", "indexes"):
        (specs / sub).mkdir(parents=True, exist_ok=True)
    for theme, entries in by_theme.items():  # each theme file: its measures, then its metrics
        (specs / "themes" / f"{theme}.yaml").write_text(
            "indexc: 2\nmeasures:\n"
            + "".join(entries[0::2])
            + "metrics:\n"
            + "".join(entries[1::2])
        )
    for s in sources:
        items = "".join(f"      {code}: {text}\n" for code, text in s["items"].items())
        (specs / "sources" / f"{s['id']}.yaml").write_text(
            f"indexc: 2\nsources:\n  - id: {s['id']}\n    description: Synthetic {s['layout']} data set\n"
            f"    layout: {s['layout']}\n    columns: {s['columns']}\n"
            f'    period: {{grain: {s["grain"]}, format: "{s["format"]}"}}\n    items:\n{items}'
        )
    (specs / "sources" / "population.yaml").write_text(
        "indexc: 2\nsources:\n  - id: population_estimates\n    layout: wide\n"
        '    columns: {area: gss_code, period: mid_year}\n    period: {grain: mid_year, format: "YYYY"}\n'
        "    items:\n      all_ages: All-age resident population at 30 June\n"
        "  - id: area_register\n    layout: register\n"
        "    columns: {area: gss_code, name: name, type: code_prefix, valid_from: start_date, valid_to: end_date}\n"
        "measures:\n  - id: population\n    unit: people\n    additivity: sum\n"
        "    bindings:\n      - {source: population_estimates, item: all_ages}\n"
    )

    metrics = sorted(lens_of)
    extra = {
        m: rng.choice([t for t in LENSES if t != lens_of[m]])
        for m in rng.sample(metrics, len(metrics) // 30)
    }
    lenses = []
    for j, theme in enumerate(LENSES):
        members = [m for m in metrics if lens_of[m] == theme or extra.get(m) == theme]
        lines = "".join(
            f"          - {{metric: {m}, weight: 0.5}}\n"
            if extra.get(m) == theme
            else f"          - {m}\n"
            for m in members
        )
        lenses.append(
            f"      - id: {theme}\n        weight: {1 + j % 3}\n        metrics:\n{lines}"
        )
    (specs / "indexes" / "top_level.yaml").write_text(
        "indexc: 2\nuniverses:\n  - id: upper_tier\n    register: area_register\n    types: [E06, E08, E09, E10]\n"
        'indexes:\n  - id: top_level\n    version: "2026.1"\n    universe: upper_tier\n'
        "    method: {treat: none, normalise: zscore, missing: reweight, aggregate: arithmetic}\n"
        "    lenses:\n" + "".join(lenses) + "    publish: {top: 10, period: latest}\n"
    )

    all_sources = [s["id"] for s in sources] + ["population_estimates", "area_register"]
    (root / "targets").mkdir(exist_ok=True)
    (root / "targets" / "duckdb.yaml").write_text(
        "indexc: 2\ntarget: duckdb\ndatabase: build/bench.duckdb\nbuild_schema: indexc_build\nrelations:\n"
        + "".join(
            f"  {s}: {{path: data/{s}.{'parquet' if k % 4 == 3 else 'csv'}}}\n"
            for k, s in enumerate(all_sources)
        )
    )
    (root / "targets" / "snowflake.yaml").write_text(
        "indexc: 2\ntarget: snowflake\nconnection:\n  account: {env: SNOWFLAKE_ACCOUNT}\n"
        "  user: {env: SNOWFLAKE_USER}\n"
        "  password: {env: SNOWFLAKE_PASSWORD}\ndatabase: INDEXC\nbuild_schema: INDEX_BUILD\nrelations:\n"
        + "".join(f"  {s}: {{table: RAW.{s.upper()}}}\n" for s in all_sources)
    )


def check_clean(root: Path) -> int:
    """Fail loudly unless the project has zero diagnostics for the specs and both targets; return object count."""
    project = Project(root)
    compilation, diagnostics = project.check()
    for target in TARGETS:
        if compilation is not None:
            diagnostics += load_target(project.root, target, compilation.catalog)[1]
    if diagnostics:
        shown = "\n".join(d.render() for d in diagnostics[:20])
        sys.exit(f"generated project {root} has {len(diagnostics)} diagnostics:\n{shown}")
    return sum(len(project.build(target, write=False).objects) for target in TARGETS)


# --- measurement -------------------------------------------------------------------------
def compile_for(root: Path, targets: tuple[str, ...]) -> None:
    """What `indexc build --target duckdb --target snowflake` does: one front end, one generator per target."""
    project = Project(root)
    compilation = project.compile()
    for target in targets:
        project.build(target, write=False, compilation=compilation)


def timed(root: Path, targets: tuple[str, ...]) -> float:
    start = time.perf_counter()
    compile_for(root, targets)
    return time.perf_counter() - start


def measure_time(root: Path, repeat: int) -> dict[str, float]:
    runs: dict[str, list[float]] = {"duckdb": [], "snowflake": [], "both": []}
    for _ in range(repeat):
        runs["duckdb"].append(timed(root, ("duckdb",)))
        runs["snowflake"].append(timed(root, ("snowflake",)))
        runs["both"].append(timed(root, TARGETS))
    return {key: statistics.median(values) for key, values in runs.items()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux, ru_maxrss also counts the parent's peak at fork
    time (it survives fork and exec), so the benchmark's own footprint would leak in; VmHWM does not."""
    try:
        status = Path("/proc/self/status").read_text()
        return (
            next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
            / 1024
        )
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_compile(root: str, trace: bool) -> None:
    """Run in a fresh process: one compile for both targets, then report memory as JSON on stdout."""
    import tracemalloc

    imports_mb = peak_rss_mb()
    if trace:
        tracemalloc.start()
    compile_for(Path(root), TARGETS)
    result = {"peak_rss_mb": peak_rss_mb(), "imports_mb": imports_mb}
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps(result))


def measure_memory(root: Path) -> dict[str, float]:
    """Peak RSS of an untraced child (imports included), and tracemalloc's peak from a second child."""

    def child(*flags: str) -> dict[str, float]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(root), *flags],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    # tracing inflates RSS, so only its traced peak is kept
    return {**child(), "traced_peak_mb": child("--trace")["traced_peak_mb"]}


# --- report ------------------------------------------------------------------------------
def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated metric counts")
    parser.add_argument(
        "--repeat", type=int, help="repetitions per size (default 5, or 3 from 5,000 metrics)"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the peak-memory subprocesses"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_compile(args.child, args.trace)

    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(
        f"indexc compile benchmark: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, seed {SEED}\nindexc from {Path(indexc.__file__).parent}\n"
    )
    results, memory = {}, None
    with tempfile.TemporaryDirectory(prefix="indexc-bench-") as tmp:
        for n in sizes:
            root = Path(tmp) / f"metrics_{n}"
            generate_project(root, n)
            objects = check_clean(root)  # also the warm-up compile
            repeat = args.repeat or (3 if n >= 5000 else 5)
            results[n] = {
                **measure_time(root, repeat),
                "objects": objects,
                "repeat": repeat,
                "files": len(list((root / "specs").rglob("*.yaml"))),
            }
            print(
                f"  {n:>6,} metrics: {results[n]['files']} spec files, {objects} objects for both targets, "
                f"median of {repeat} runs, both targets {results[n]['both']:.3f} s"
            )
        if not args.no_memory:
            memory = measure_memory(Path(tmp) / f"metrics_{sizes[-1]}")

    print(
        f"\n{'metrics':>8} {'files':>6} {'objects':>8} {'duckdb s':>9} {'snowflake s':>12} {'both s':>8} "
        f"{'us/metric':>10}"
    )
    for n, r in results.items():
        print(
            f"{n:>8,} {r['files']:>6} {r['objects']:>8} {r['duckdb']:>9.3f} {r['snowflake']:>12.3f} "
            f"{r['both']:>8.3f} {r['both'] / n * 1e6:>10.0f}"
        )
    growth = None
    if 1000 in results and 5000 in results:
        ratios = {
            k: results[5000][k] / results[1000][k] / 5 for k in ("duckdb", "snowflake", "both")
        }
        growth = ratios["both"]
        print(
            "growth ratio (t5000 / t1000) / 5: "
            + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
            + "   (1.00 = linear)"
        )
    if memory:
        print(
            f"peak memory, {sizes[-1]:,} metrics, both targets, fresh process: "
            f"peak RSS {memory['peak_rss_mb']:.0f} MB (imports alone {memory['imports_mb']:.0f} MB), "
            f"tracemalloc peak {memory['traced_peak_mb']:.0f} MB"
        )

    both_1000 = results[1000]["both"] if 1000 in results else None
    peak = memory["peak_rss_mb"] if memory and sizes[-1] == 5000 else None
    print("\ntargets:")
    print(
        f"  1,000 metrics, both targets < {BOTH_UNDER_S_AT_1000:g} s: "
        + (
            f"{both_1000:.3f} s  {verdict(both_1000 < BOTH_UNDER_S_AT_1000)}"
            if both_1000 is not None
            else verdict(None)
        )
    )
    print(
        f"  5,000 metrics, peak memory < {PEAK_UNDER_MB_AT_5000:g} MB: "
        + (
            f"{peak:.0f} MB  {verdict(peak < PEAK_UNDER_MB_AT_5000)}"
            if peak is not None
            else verdict(None)
        )
    )
    print(
        f"  growth ratio <= {MAX_GROWTH_RATIO:g} (linear): "
        + (
            f"{growth:.2f}  {verdict(growth <= MAX_GROWTH_RATIO)}"
            if growth is not None
            else verdict(None)
        )
    )


if __name__ == "__main__":
    main()
