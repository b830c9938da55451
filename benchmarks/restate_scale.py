"""What restating a measure onto one geography costs on DuckDB, next to a plain copy of its rows.

Every measure whose source is published on the codes of its day is restated onto the
geography of one date before any metric is computed, so restatement sits on the path of
every build, over the largest tables a project has. Its SQL joins each measure row to
the map of lineage paths (and, for apportioned splits, to the shares of each period),
then aggregates. This script checks the target that this costs little more than the
work a project would do anyway:

- restating 10 million measure rows on DuckDB costs at most 2x a plain copy of the same rows,
  measured side by side in one process and one connection (so with the same DuckDB threads).
  A copy is the honest floor: every restatement writes each row at least once. The copy is the
  one a DuckDB user writes to copy a table, `CREATE TABLE ... AS SELECT * FROM measure`: every
  column of the rows, as the restated table carries each row's own columns (its data period and
  dates) beside its value and provenance. Until 2026-12-07 the copy took three columns (area,
  period, value) while the restatement writes ten, and writing columns is most of the work: a
  plain scan writing ten columns like the restated table's cost 2.4x the three-column copy in
  CPU (1 million rows, 2 threads), so that ratio measured columns more than restating. That
  three-column copy and a plain GROUP BY over area and period (with one row per area and
  period, a one-group-per-row aggregation, the comparator until 2026-12) are timed beside them
  for reference.

Each statement's wall time and CPU time (user + system of this process, which runs DuckDB's
threads) are medians over runs whose order rotates; on a shared machine the CPU ratio is the
steadier of the two, and the load average is printed with them.

The project is synthetic, in the style of tests/fixtures/geo: lineage like that of real
reorganisations (county splits apportioned by the population of their districts, merges,
recodes, and chains of them, on nine dates), Parquet sources on the codes in force in each
period, a `sum` measure (spend) and a population-weighted `mean` measure (satisfaction) of
the same shape. Restated spend must keep the raw total, or the timings mean nothing.

Run from the project root:  python benchmarks/restate_scale.py [--rows N] [--repeat K] [--quick]
Generation is deterministic (fixed seed) and needs no network.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import indexc
from indexc.engines import duckdb as duckdb_engine
from indexc.project import Project

SEED = 20260101
PERIODS = (
    500  # financial years 1525-26 .. 2024-25: a synthetic panel, long so that areas stay realistic
)
LAST_YEAR = 2024
DATES = (1974, 1986, 1996, 1998, 2009, 2019, 2020, 2021, 2023)  # reorganisations, each on 1 April
SPLITS, RECODES = 0.002, 0.003  # per date, as a share of the areas in force
TARGET_RATIO = 2.0
SCHEMA, BENCH = "restate_bench", "timing"


# --- generation --------------------------------------------------------------------------
class Register:
    """Areas with the first and last year (start of period) they are in force, and the events between them."""

    def __init__(self) -> None:
        self.areas: dict[str, dict] = {}
        self.events: list[str] = []
        self.counter = 0

    def new(self, prefix: str, kind: str, first: int | None, parent: str | None = None) -> str:
        self.counter += 1
        code = f"{prefix}{self.counter:06d}"
        self.areas[code] = {"type": kind, "first": first, "last": None, "parent": parent}
        return code

    def end(self, code: str, year: int) -> None:
        self.areas[code]["last"] = year - 1


def pick(reg: Register, rng: random.Random, live: list[str], year: int) -> str:
    """End an area in force, half the time one an earlier event made (a chain)."""
    free = [c for c in live if reg.areas[c]["first"] != year]
    recent = [c for c in free if reg.areas[c]["first"] is not None]
    choice = rng.choice(recent if recent and rng.random() < 0.5 else free)
    live.remove(choice)
    reg.end(choice, year)
    return choice


def plan_lineage(n_areas: int, rng: random.Random) -> Register:
    """n_areas upper-tier areas in force in every period: each split into k is paired with merges
    that remove k - 1 areas, so every period has the same number of codes."""
    reg = Register()
    per_date = max(1, round(n_areas * SPLITS))
    counties = []
    for _ in range(per_date * (len(DATES) + 1)):  # some counties never split
        county = reg.new("E10", "CTY", None)
        counties.append(
            (county, [reg.new("E07", "DIS", None, county) for _ in range(rng.randint(2, 4))])
        )
    live = [
        reg.new("E06", "UA", None) for _ in range(n_areas - len(counties))
    ]  # unitaries in force
    for year in DATES:
        day, extra = f"{year}-04-01", 0
        for n in range(per_date):
            county, districts = counties.pop(0)
            k = min(len(districts), rng.choice([2, 2, 3]))
            cut = sorted(rng.sample(range(1, len(districts)), k - 1))
            groups = [
                districts[a:b] for a, b in zip([0, *cut], [*cut, len(districts)], strict=True)
            ]
            successors = [reg.new("E06", "UA", year) for _ in groups]
            to = ", ".join(
                f"{{code: {s}, districts: [{', '.join(g)}]}}"
                for s, g in zip(successors, groups, strict=True)
            )
            reg.events.append(
                f"  - {{id: split_{year}_{n:04d}, effective: {day}, type: split, from: [{county}], "
                f"to: [{to}], apportion: {{by: population}}}}\n"
            )
            for j, (s, g) in enumerate(
                zip(successors, groups, strict=True)
            ):  # the districts, in the lower tier
                reg.events.append(
                    f"  - {{id: districts_{year}_{n:04d}_{j}, effective: {day}, type: merge, "
                    f"from: [{', '.join(g)}], to: [{s}]}}\n"
                )
                for d in g:
                    reg.end(d, year)
            reg.end(county, year)
            extra += k - 1
            live.extend(successors)
        n = 0
        while extra > 0:  # merges of 2 or 3 areas, as many codes removed as the splits added
            size = min(rng.choice([2, 2, 3]), extra + 1)
            members = [
                pick(reg, rng, live, year) for _ in range(size)
            ]  # may re-merge a split: two paths C -> M
            merged = reg.new("E06", "UA", year)
            reg.events.append(
                f"  - {{id: merge_{year}_{n:04d}, effective: {day}, type: merge, "
                f"from: [{', '.join(members)}], to: [{merged}], apportion: {{by: population}}}}\n"
            )
            extra, n = extra - (size - 1), n + 1
            live.append(merged)
        for n in range(max(1, round(n_areas * RECODES))):
            old, new = pick(reg, rng, live, year), reg.new("E06", "UA", year)
            reg.events.append(
                f"  - {{id: recode_{year}_{n:04d}, effective: {day}, type: recode, "
                f"from: [{old}], to: [{new}]}}\n"
            )
            live.append(new)
    return reg


def write_project(root: Path, reg: Register, first_year: int) -> None:
    """specs/ and targets/ as in tests/fixtures/geo, and the Parquet sources under data/."""
    (root / "specs").mkdir(parents=True)
    (root / "targets").mkdir()
    (root / "data").mkdir()
    areas = []
    for code, a in reg.areas.items():
        fields = [f"code: {code}", f"name: Area {code}", f"type: {a['type']}"]
        fields += [f"parent: {a['parent']}"] if a["parent"] else []
        fields += [f"valid_from: {a['first']}-04-01"] if a["first"] else []
        fields += [f"valid_to: {a['last'] + 1}-03-31"] if a["last"] else []
        areas.append(f"  - {{{', '.join(fields)}}}\n")
    (root / "specs" / "geography.yaml").write_text(
        "indexc: 2\nlevels:\n  - {id: upper, types: [UA, CTY]}\n  - {id: lower, types: [UA, DIS]}\n"
        "areas:\n" + "".join(areas) + "lineage:\n" + "".join(reg.events)
    )
    (root / "specs" / "data.yaml").write_text("""indexc: 2
sources:
  - {id: finance, layout: wide, columns: {area: area, period: year}, period: {grain: financial_year, format: "YYYY-YY"},
     geography: {level: upper, codes: as_published}, items: {spend: Spend}}
  - {id: people, layout: wide, columns: {area: area, period: mid_year}, period: {grain: mid_year, format: "YYYY"},
     geography: {level: upper, codes: as_published}, items: {people: Residents}}
  - {id: survey, layout: long, columns: {area: area, period: year, item: question, value: answer},
     period: {grain: financial_year, format: "YYYY-YY"}, geography: {level: upper, codes: as_published},
     items: {SAT: Satisfied (%)}}
measures:
  - {id: spend, unit: gbp, additivity: sum, bindings: [{source: finance, item: spend}],
     smell: {off: "synthetic values drawn at random"}}
  - {id: population, unit: people, additivity: sum, bindings: [{source: people, item: people}],
     smell: {off: "synthetic values drawn at random"}}
  - {id: satisfaction, unit: percent, additivity: mean, weighted_by: population,
     bindings: [{source: survey, item: SAT}], smell: {off: "synthetic values drawn at random"}}
""")
    (root / "targets" / "duckdb.yaml").write_text(
        f"indexc: 2\ntarget: duckdb\ndatabase: build/bench.duckdb\nbuild_schema: {SCHEMA}\nrelations:\n"
        + "".join(f"  {s}: {{path: data/{s}.parquet}}\n" for s in ("finance", "people", "survey"))
    )
    spans = root / "spans.csv"  # each code's years in force, to generate the data in SQL
    spans.write_text(
        "code,type,first,last\n"
        + "".join(
            f"{c},{a['type']},{a['first'] or first_year},{a['last'] or LAST_YEAR}\n"
            for c, a in reg.areas.items()
        )
    )
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE rows AS SELECT code, type, y, y::VARCHAR || '-' || lpad(((y + 1) % 100)::VARCHAR, 2, "
        f"'0') AS label, hash(code || ':' || y::VARCHAR) AS h FROM read_csv('{spans}'), "
        f"range(greatest(first, {first_year}), last + 1) AS t(y)"
    )
    upper = "WHERE type <> 'DIS'"
    for name, select in (
        (
            "finance",
            (
                f"SELECT code AS area, label AS year, round(1000 + (h % 9000000) / 100, 2) AS spend "
                f"FROM rows {upper}"
            ),
        ),
        (
            "people",
            "SELECT code AS area, y::VARCHAR AS mid_year, 20000 + h % 480000 AS people FROM rows",
        ),
        (
            "survey",
            (
                f"SELECT code AS area, label AS year, 'SAT' AS question, "
                f"round(40 + (h >> 8) % 5000 / 100, 2) AS answer FROM rows {upper}"
            ),
        ),
    ):
        con.execute(f"COPY ({select}) TO '{root / 'data' / name}.parquet' (FORMAT parquet)")
    con.close()


# --- measurement -------------------------------------------------------------------------
def cpu_seconds() -> float:
    """User + system time of this process: DuckDB's threads run in it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, float]:
    """Wall and CPU seconds of one statement."""
    start, cpu = time.perf_counter(), cpu_seconds()
    con.execute(sql)
    return time.perf_counter() - start, cpu_seconds() - cpu


def side_by_side(
    con, sides: dict[str, tuple[str, ...]], repeat: int
) -> dict[str, tuple[tuple[float, float], ...]]:
    """Median (wall, CPU) seconds of each statement per measure (restated, copy, three-column copy,
    GROUP BY); the order rotates run by run, so no statement always follows the same one."""
    runs: dict[str, list[list[tuple[float, float]]]] = {
        m: [[] for _ in sql] for m, sql in sides.items()
    }
    for statements in sides.values():  # warm-up, untimed
        for sql in statements:
            timed(con, sql)
    for rep in range(repeat):
        for measure, statements in sides.items():
            order = list(range(len(statements)))
            for i in order[rep % len(order) :] + order[: rep % len(order)]:
                runs[measure][i].append(timed(con, statements[i]))
    return {
        m: tuple(
            (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for r in rs
        )
        for m, rs in runs.items()
    }


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the spend source")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each statement")
    parser.add_argument("--quick", action="store_true", help="a 1,000,000-row smoke run")
    parser.add_argument(
        "--keep", help=argparse.SUPPRESS
    )  # generate into this directory and keep it
    args = parser.parse_args()
    rows = 1_000_000 if args.quick else args.rows
    started = time.perf_counter()
    print(
        f"indexc restatement benchmark: Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, seed {SEED}\nindexc from {Path(indexc.__file__).parent}\n"
    )

    with tempfile.TemporaryDirectory(prefix="indexc-restate-") as tmp:
        root = Path(args.keep or tmp) / "project"
        n_areas = rows // PERIODS
        reg = plan_lineage(n_areas, random.Random(SEED))
        write_project(root, reg, LAST_YEAR - PERIODS + 1)
        kinds = {
            t: sum(1 for a in reg.areas.values() if a["type"] == t) for t in ("UA", "CTY", "DIS")
        }
        print(
            f"shape: {n_areas:,} upper-tier areas in force in each of {PERIODS} periods "
            f"({LAST_YEAR - PERIODS + 1}-{(LAST_YEAR - PERIODS + 2) % 100:02d} to {LAST_YEAR}-"
            f"{(LAST_YEAR + 1) % 100:02d}); register of {len(reg.areas):,} codes ({kinds['UA']:,} UA, "
            f"{kinds['CTY']:,} CTY, {kinds['DIS']:,} DIS); {len(reg.events):,} lineage events on {len(DATES)} dates"
        )
        print(f"generated in {time.perf_counter() - started:.1f} s")

        t0 = time.perf_counter()
        project = Project(root)
        build = project.build("duckdb", write=False)
        compiled = {o.name: o.statement for o in build.objects}
        paths = build.compilation.geography.closure.paths
        print(
            f"compiled {len(build.objects)} objects in {time.perf_counter() - t0:.1f} s; {len(paths):,} paths, "
            f"{sum(1 for p in paths if p.factors):,} apportioned from data, geography date "
            f"{build.compilation.geography.date}"
        )
        con = duckdb_engine.connect(root / build.target.database)
        t0 = time.perf_counter()
        built = {b.name: b.seconds for b in duckdb_engine.execute(con, build.objects, root)}
        print(
            f"built on DuckDB in {time.perf_counter() - t0:.1f} s (restated__spend {built['restated__spend']:.2f} s, "
            f"restated__satisfaction {built['restated__satisfaction']:.2f} s, shares and path weights "
            f"{built['geography__shares'] + built['geography__path_weights']:.2f} s)"
        )

        raw = scalar(con, f"SELECT SUM(value) FROM {SCHEMA}.measure__spend")
        restated = scalar(con, f"SELECT SUM(value) FROM {SCHEMA}.restated__spend")
        unknown = scalar(con, f"SELECT COUNT(*) FROM {SCHEMA}.restated__spend WHERE value IS NULL")
        drift = abs(restated - raw) / abs(raw)
        print(
            f"conservation: raw spend {raw:,.2f}, restated {restated:,.2f}, relative difference {drift:.1e} "
            f"({'ok' if drift <= 1e-9 else 'BROKEN'}), {unknown} restated values unknown"
        )
        if drift > 1e-9 or unknown:
            sys.exit("restatement lost or created spend: the timings below would mean nothing")

        # both statements read the same materialised input: the measure views' filter is paid by neither
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {BENCH}")
        for m in ("spend", "satisfaction", "population"):
            con.execute(
                f"CREATE OR REPLACE TABLE {BENCH}.measure__{m} AS SELECT * FROM {SCHEMA}.measure__{m}"
            )
        pairs = {}
        for m, agg in (("spend", "SUM"), ("satisfaction", "AVG")):
            restate_sql = (
                compiled[f"restated__{m}"]
                .replace(f'"{SCHEMA}"."measure__', f'"{BENCH}"."measure__')
                .replace(f'"{SCHEMA}"."restated__', f'"{BENCH}"."restated__')
            )
            assert f'"{BENCH}"."measure__{m}"' in restate_sql, (
                "the restatement no longer reads the measure table"
            )
            copy_sql = (  # what copying a table is: every column of its rows
                f"CREATE OR REPLACE TABLE {BENCH}.copy__{m} AS SELECT * FROM {BENCH}.measure__{m}"
            )
            narrow_sql = (
                f"CREATE OR REPLACE TABLE {BENCH}.narrow__{m} AS SELECT area_code, period, value "
                f"FROM {BENCH}.measure__{m}"
            )
            plain_sql = (
                f"CREATE OR REPLACE TABLE {BENCH}.plain__{m} AS SELECT area_code, period, {agg}(value) AS value "
                f"FROM {BENCH}.measure__{m} GROUP BY area_code, period"
            )
            pairs[m] = (restate_sql, copy_sql, narrow_sql, plain_sql)
        threads = scalar(con, "SELECT current_setting('threads')")
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"\ntiming: DuckDB threads {threads} for every statement (one connection), input "
            f"materialised from the measure views, warm-up then median of {args.repeat} runs, "
            f"rotating order; load average before timing {load}\n"
        )
        medians = side_by_side(con, pairs, args.repeat)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        columns = {
            m: (
                len(con.execute(f"SELECT * FROM {BENCH}.restated__{m} LIMIT 0").description),
                len(con.execute(f"SELECT * FROM {BENCH}.copy__{m} LIMIT 0").description),
            )
            for m in medians
        }

        print(
            f"{'measure':<14} {'rows':>12} {'groups':>12} {'plain groups':>13} {'restated s':>11} {'copy s':>8} "
            f"{'3-col copy s':>13} {'GROUP BY s':>11} {'/ copy':>7} {'/ 3-col':>8} {'/ GROUP BY':>11}"
        )
        for m, ((r, _), (c, _), (n, _), (p, _)) in medians.items():
            n_rows = scalar(con, f"SELECT COUNT(*) FROM {BENCH}.measure__{m}")
            groups = scalar(con, f"SELECT COUNT(*) FROM {BENCH}.restated__{m}")
            plain_groups = scalar(con, f"SELECT COUNT(*) FROM {BENCH}.plain__{m}")
            print(
                f"{m:<14} {n_rows:>12,} {groups:>12,} {plain_groups:>13,} {r:>11.3f} {c:>8.3f} "
                f"{n:>13.3f} {p:>11.3f} {r / c:>6.2f}x {r / n:>7.2f}x {r / p:>10.2f}x"
            )
        print(
            f"\nCPU seconds (user + system, all DuckDB threads); load average after timing {load}"
        )
        for m, ((_, r), (_, c), (_, n), (_, p)) in medians.items():
            print(
                f"{m:<14} restated {r:.3f}, copy {c:.3f}, 3-col copy {n:.3f}, GROUP BY {p:.3f}: "
                f"{r / c:.2f}x the copy, {r / n:.2f}x the 3-col copy, {r / p:.2f}x the GROUP BY"
            )
        for m, (restated_columns, copied_columns) in columns.items():
            print(
                f"{m:<14} columns written: restated {restated_columns}, copy {copied_columns}, "
                "3-col copy 3, GROUP BY 3"
            )
        con.close()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MB; whole run {time.perf_counter() - started:.0f} s")
    print("\ntargets (wall time; CPU in brackets):")
    for m, ((r, rc), (c, cc), _, _) in medians.items():
        print(
            f"  restating {m} ({'sum' if m == 'spend' else 'mean'}) costs <= {TARGET_RATIO:g}x a plain copy "
            f"of its rows: {r / c:.2f}x ({rc / cc:.2f}x)  {'PASS' if r / c <= TARGET_RATIO else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
