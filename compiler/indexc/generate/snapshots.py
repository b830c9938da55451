"""SQL for snapshots: the append-only tables, and the consumption views a snapshot policy surfaces.

Each consumption view reads only the snapshot schema, never the build: published on Snowflake,
the same view is created again in the published schema (generate/publish.py), and it must read
the same rows there. Which snapshots a policy surfaces is worked out in the view from the
registry, so a snapshot taken after the run shows at once, without another run.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from indexc.generate.targets import SqlTarget
from indexc.plan.snapshots import REGISTRY, ConsumptionNode, SnapshotTableNode
from indexc.spec.snapshots import FinancialYearEnd, Latest, Pinned

PLACEHOLDER = "indexc_snapshot_schema"
REGISTRY_COLUMNS = (("snapshot_id", "BIGINT"), ("as_of", "DATE"), ("label", "VARCHAR"), ("spec_hash", "VARCHAR"),
                    ("compiler_version", "VARCHAR"), ("target", "VARCHAR"), ("geography_date", "DATE"),
                    ("published_at", "TIMESTAMP"), ("taken_at", "TIMESTAMP"))


def _in_snapshot_schema(tree: exp.Expression, target: SqlTarget) -> exp.Expression:
    for table in list(tree.find_all(exp.Table)):
        if table.db == PLACEHOLDER:
            alias = table.alias
            table.replace(target.snapshot_table(table.name, alias or None))
    return tree


def empty_copy(target: SqlTarget, of: exp.Table) -> exp.Select:
    """No rows, the columns of `of` after a snapshot id: what a snapshot table starts as."""
    return (exp.select(exp.alias_(exp.cast(exp.null(), "BIGINT"), "snapshot_id"), exp.Star())
            .from_(of).where(exp.false()))


def snapshot_table(node: SnapshotTableNode, target: SqlTarget) -> exp.Expression:
    if node.source_object is None:
        return registry_query()
    return empty_copy(target, target.object_table(node.source_object))


def registry_query() -> exp.Select:
    return exp.select(*[exp.alias_(exp.cast(exp.null(), kind), name) for name, kind in REGISTRY_COLUMNS]).where(
        exp.false())


def ensure(target: SqlTarget, table: str, query: exp.Expression) -> exp.Create:
    return exp.Create(this=target.snapshot_table(table), kind="TABLE", exists=True, expression=query)


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def surfaced_sql(node: ConsumptionNode) -> str:
    """The common table expressions, ending with `surfaced`, of the surfaced snapshots, each with the
    rules that surface it (DuckDB SQL, the snapshot schema written as PLACEHOLDER)."""
    policy = node.policy
    latest = max((r.latest for r in policy.surface if isinstance(r, Latest)), default=0)
    year_end = any(isinstance(r, FinancialYearEnd) for r in policy.surface)
    pins = sorted({p for r in policy.surface if isinstance(r, Pinned) for p in r.pinned})
    year = "(YEAR(as_of) - CASE WHEN MONTH(as_of) < 4 THEN 1 ELSE 0 END)"
    events = ""
    event_column = "CAST(NULL AS VARCHAR)"
    if node.events:
        rows = ", ".join(f"({_string(e)}, CAST({_string(d.isoformat())} AS DATE))" for e, d in node.events)
        events = f""",
  events AS (SELECT * FROM (VALUES {rows}) AS events(event_id, effective)),
  at_events AS (
    SELECT event_id, snapshot_id FROM (
      SELECT events.event_id, registry.snapshot_id,
        ROW_NUMBER() OVER (PARTITION BY events.event_id ORDER BY registry.as_of DESC, registry.snapshot_id DESC) AS n
      FROM events JOIN {PLACEHOLDER}.{REGISTRY} AS registry ON registry.as_of <= events.effective) AS ordered
    WHERE n = 1),
  by_event AS (
    SELECT snapshot_id, STRING_AGG(event_id, ', ' ORDER BY event_id) AS lineage_events
    FROM at_events GROUP BY snapshot_id)"""
        event_column = "by_event.lineage_events"
    pinned = (f"(COALESCE(label, '') IN ({', '.join(map(_string, pins))}) OR CAST(as_of AS VARCHAR) IN ({', '.join(map(_string, pins))}))"
              if pins else "FALSE")
    return f"""
  ranked AS (
    SELECT registry.*,
      ROW_NUMBER() OVER (ORDER BY as_of DESC, snapshot_id DESC) AS recency,
      {year} AS financial_year,
      ROW_NUMBER() OVER (PARTITION BY {year} ORDER BY as_of DESC, snapshot_id DESC) AS place_in_year
    FROM {PLACEHOLDER}.{REGISTRY} AS registry){events},
  reasons AS (
    SELECT ranked.snapshot_id, as_of, label, spec_hash, compiler_version, target, geography_date, published_at,
      taken_at, recency <= {latest} AS latest,
      {"place_in_year = 1 AND financial_year < (SELECT MAX(financial_year) FROM ranked)" if year_end else "FALSE"}
        AS financial_year_end,
      {event_column} AS lineage_events,
      {pinned} AS pinned
    FROM ranked{" LEFT JOIN by_event ON by_event.snapshot_id = ranked.snapshot_id" if node.events else ""}),
  surfaced AS (
    SELECT * FROM reasons WHERE latest OR financial_year_end OR lineage_events IS NOT NULL OR pinned)"""


def _successions_sql(node: ConsumptionNode) -> str:
    if not node.successions:
        return ("SELECT CAST(NULL AS VARCHAR) AS code, CAST(NULL AS VARCHAR) AS successor, "
                "CAST(NULL AS DATE) AS effective, CAST(NULL AS DATE) AS until WHERE FALSE")
    rows = ", ".join(
        f"({_string(s.code)}, {_string(s.successor)}, CAST({_string(s.effective.isoformat())} AS DATE), "
        + (f"CAST({_string(s.until.isoformat())} AS DATE))" if s.until else "CAST(NULL AS DATE))")
        for s in node.successions)
    return f"SELECT * FROM (VALUES {rows}) AS successions(code, successor, effective, until)"


def consumption(node: ConsumptionNode, target: SqlTarget) -> exp.Expression:
    """The surfaced snapshots; or one frozen output of each, with period selection and, per area,
    when its code ended (if a lineage event ended it) and which codes stand for it now.

    Joins only, no correlated subqueries: Snowflake evaluates few of those."""
    surfaced = surfaced_sql(node)
    if node.frozen_table is None:
        return _in_snapshot_schema(sqlglot.parse_one(f"WITH {surfaced} SELECT * FROM surfaced", read="duckdb"), target)
    frozen = f"{PLACEHOLDER}.{node.frozen_table}"
    joins = ""
    if node.policy.periods == "latest":
        joins += (f" JOIN (SELECT snapshot_id, MAX(period) AS period FROM {frozen} GROUP BY snapshot_id) AS latest "
                  "ON latest.snapshot_id = frozen.snapshot_id AND latest.period = frozen.period")
    columns, ctes = "frozen.*", surfaced
    if not node.frozen_table.endswith("__savings_totals"):  # the one output without areas
        ctes += f", successions AS ({_successions_sql(node)})"
        columns += ", ended.ended_on AS area_ended_on, heirs.codes AS area_now_stood_for_by"
        joins += (" LEFT JOIN (SELECT code, MIN(effective) AS ended_on FROM successions GROUP BY code) AS ended"
                  " ON ended.code = frozen.area_code"
                  " LEFT JOIN (SELECT code, STRING_AGG(successor, ', ' ORDER BY successor) AS codes FROM successions"
                  " WHERE until IS NULL GROUP BY code) AS heirs ON heirs.code = frozen.area_code")
    query = f"""
WITH {ctes}
SELECT surfaced.as_of AS snapshot_as_of, surfaced.label AS snapshot_label, {columns}
FROM {frozen} AS frozen JOIN surfaced ON surfaced.snapshot_id = frozen.snapshot_id{joins}
"""
    tree = sqlglot.parse_one(query, read="duckdb")
    if node.frozen_table.endswith("__neighbours"):
        tree = _neighbours_in_force(tree, frozen)
    return _in_snapshot_schema(tree, target)


def _neighbours_in_force(tree: exp.Select, frozen: str) -> exp.Expression:
    """A neighbour whose code had ended by the snapshot's date is shown as the code(s) standing for it then."""
    in_force = sqlglot.parse_one(
        "COALESCE(heir.successor, frozen.neighbour_code) AS neighbour_code_in_force", read="duckdb")
    tree = tree.select(in_force, copy=False)
    return tree.join(
        "successions AS heir", on="heir.code = frozen.neighbour_code AND heir.effective <= surfaced.as_of "
        "AND (heir.until IS NULL OR surfaced.as_of < heir.until)", join_type="LEFT", dialect="duckdb", copy=False)
