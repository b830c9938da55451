"""The index's method at its plainest on DuckDB: a floor under what any build of it can cost.

The target of 10x against pandas asks the index build to take a tenth of pandas's time. Whether any
DuckDB build could, on this machine, depends on the passes over the values that the method cannot
do without, whatever SQL is written for them:

1. the winsorising bounds: two quantiles of each metric's values per period;
2. the treated values' spread (their minimum and maximum, which min-max normalisation needs, and
   the sums the treatment's report needs), which needs the bounds first;
3. each value's score, weighted into its pillar per area and period, which needs the spread first.

Each pass here is written as plainly as it can be, over inputs already joined and held in memory
(temporary tables made untimed beforehand: the values with their metric, the metric-to-pillar
edges, every key coded as a small integer: the passes took half the time they took over the same
rows, in the same order, keyed by their text), and writes a temporary table. It leaves out what
the build also does (joining the values to their metrics and the universe, the directions, the
report's skewness and kurtosis, the lens tree above the pillars, the ranks, the type groups,
productivity, savings, the most improved, the Top N, and writing to the database file), so no
build of the method can take less than these three passes.

The 1,000 draws are a fourth pass the method needs, but they are not in the floor: the plainest
statement written for them here (a cross join of the sub-index scores with the draws' weights,
ranked per draw and period) took twice as long as indexc's own `stability`, so indexc's figure is
the one to add to the floor.
"""

from __future__ import annotations

import duckdb

PREFIX = "floor_"


def prepare(con: duckdb.DuckDBPyConnection, schema: str, index: str) -> None:
    """The floor's inputs, untimed: the values with their metric and the metric-to-pillar edges,
    every key a small integer (hashing and comparing those is cheaper than the codes' text)."""
    values, edges = (
        f'{schema}."index__{index}__metric_values"',
        f'{schema}."index__{index}__metric_edges"',
    )
    for key, source in (
        ("metric", values),
        ("area_code", values),
        ("period", values),
        ("lens", edges),
    ):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {PREFIX}{key}_codes AS SELECT {key}, "
            f"CAST(ROW_NUMBER() OVER (ORDER BY {key}) AS SMALLINT) AS code "
            f"FROM (SELECT DISTINCT {key} FROM {source})"
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {PREFIX}values AS SELECT m.code AS metric, "
        f"a.code AS area_code, p.code AS period, v.value FROM {values} AS v "
        f"JOIN {PREFIX}metric_codes AS m USING (metric) "
        f"JOIN {PREFIX}area_code_codes AS a USING (area_code) "
        f"JOIN {PREFIX}period_codes AS p USING (period)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {PREFIX}edges AS SELECT m.code AS metric, l.code AS lens, "
        f"CAST(e.weight AS DOUBLE) AS weight FROM {edges} AS e "
        f"JOIN {PREFIX}metric_codes AS m USING (metric) JOIN {PREFIX}lens_codes AS l USING (lens) "
        "WHERE e.depth = 2"
    )


def passes() -> dict[str, str]:
    """The three passes, each a statement, in the order they must run."""
    return {
        "bounds": f"CREATE OR REPLACE TEMP TABLE {PREFIX}bounds AS "
        "SELECT metric, period, QUANTILE_CONT(value, [0.05, 0.95]) AS q "
        f"FROM {PREFIX}values GROUP BY metric, period",
        "spread": f"CREATE OR REPLACE TEMP TABLE {PREFIX}spread AS "
        "SELECT metric, period, lo, hi, MIN(t) AS t_min, MAX(t) AS t_max, SUM(t) AS t1, "
        "SUM(t * t) AS t2 FROM (SELECT v.metric, v.period, b.q[1] AS lo, b.q[2] AS hi, "
        "LEAST(GREATEST(v.value, b.q[1]), b.q[2]) AS t "
        f"FROM {PREFIX}values AS v JOIN {PREFIX}bounds AS b USING (metric, period)"
        ") GROUP BY metric, period, lo, hi",
        "pillars": f"CREATE OR REPLACE TEMP TABLE {PREFIX}pillars AS "
        "SELECT e.lens, v.area_code, v.period, "
        "SUM(e.weight * (LEAST(GREATEST(v.value, s.lo), s.hi) - s.t_min) "
        "/ NULLIF(s.t_max - s.t_min, 0)) / SUM(e.weight) AS score "
        f"FROM {PREFIX}values AS v JOIN {PREFIX}spread AS s USING (metric, period) "
        f"JOIN {PREFIX}edges AS e USING (metric) GROUP BY e.lens, v.area_code, v.period",
    }
