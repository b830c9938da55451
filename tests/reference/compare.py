"""Reads a DuckDB build into reference inputs and compares its output tables with the reference.

The comparison is by each table's natural key (methodology.KEYS), so a row missing on either side is
reported as such rather than as a shifted column; numbers agree within 1e-9 (absolute or relative).
"""

from __future__ import annotations

import math
from pathlib import Path

from reference.inputs import Inputs
from reference.methodology import COLUMNS, KEYS, compute_index
from reference.spec import IndexSpec, indexes_and_scenarios

TOLERANCE = 1e-9
SHOWN = 25


def relation_exists(connection, schema: str, name: str) -> bool:
    return bool(
        connection.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
    )


def read_relation(connection, schema: str, name: str) -> list[dict]:
    cursor = connection.execute(f'SELECT * FROM "{schema}"."{name}"')
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_values(connection, schema: str, name: str) -> dict[tuple[str, str], float]:
    return {
        (r["area_code"], r["period"]): r["value"]
        for r in read_relation(connection, schema, name)
        if r["value"] is not None
    }


def needed_ids(index: IndexSpec) -> set[str]:
    """Metrics and measures an index reads: its metrics, spends, unit costs, volumes and features."""
    ids = set(index.metric_ids())
    ids.update(p["spend"] for p in index.productivity)
    for saving in index.savings:
        ids.update((saving["unit_cost"], saving["volume"]))
    ids.update(f["metric"] for f in (index.peers.get("neighbours") or {}).get("features", []))
    floor = (index.publish.get("headline_policy") or {}).get("population")
    ids.update([floor["measure"]] if floor else [])
    return ids


def relations_like(connection, schema: str, pattern: str) -> list[str]:
    return [
        r[0]
        for r in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name LIKE ? ORDER BY table_name",
            [schema, pattern],
        ).fetchall()
    ]


def values_on_universe(
    connection, schema: str, kind: str, item: str, members: set[str], via: str | None
) -> dict[tuple[str, str], float]:
    """A metric's or measure's values on the universe's areas: its own where it has some on them,
    else those the area map named by `via`, or the one map carrying it, computes on them
    (spec-language, "Values on the universe's areas"). The maps' arithmetic is an input here, as the
    metrics' own formulas are."""
    if via is None:
        own = read_values(connection, schema, f"{kind}__{item}")
        if any(area in members for area, _ in own):
            return own
        maps = [
            m
            for m in relations_like(connection, schema, "area_map%")
            if m.startswith("area_map__") and m.endswith(f"__{kind}__{item}")
        ]
        if len(maps) != 1:
            return own
        return read_values(connection, schema, maps[0])
    return read_values(connection, schema, f"area_map__{via}__{kind}__{item}")


def read_inputs(connection, schema: str, index: IndexSpec) -> Inputs:
    """The index's inputs from the compiled `metric__`, `restated__`/`measure__`, `universe__` and
    `area_map__` objects: the values every engine computes before the index starts."""
    universe = [
        (r["area_code"], r["name"], r["type"], r["valid_from"], r["valid_to"])
        for r in read_relation(connection, schema, f"universe__{index.universe}")
    ]
    members = {row[0] for row in universe}
    vias = index.vias()
    metrics, measures = {}, {}
    for item in sorted(needed_ids(index)):
        if relation_exists(connection, schema, f"metric__{item}"):
            metrics[item] = values_on_universe(
                connection, schema, "metric", item, members, vias.get(item)
            )
        elif relation_exists(connection, schema, f"restated__{item}"):
            measures[item] = read_values(connection, schema, f"restated__{item}")
        else:
            measures[item] = values_on_universe(connection, schema, "measure", item, members, None)
    groupings = (
        set(index.peers["groups"]) | set(index.rank_groups) | {s["peers"] for s in index.savings}
    )
    if index.method["missing"]["method"] == "impute":
        groupings.add(index.method["missing"]["group"])
    area_maps = {
        g: [
            (r["from_code"], r["to_code"], r["valid_from"], r["valid_to"])
            for r in read_relation(connection, schema, f"area_map__{g}")
        ]
        for g in groupings - {"type", "neighbours"}
    }
    return Inputs(metrics, universe, measures, area_maps)


def in_reading_order(indexes: dict[str, IndexSpec]) -> list[IndexSpec]:
    """The indexes that are built, each after the indexes its lenses read."""
    ordered: dict[str, IndexSpec] = {}

    def visit(index: IndexSpec) -> None:
        if index.id in ordered:
            return
        for other in sorted(index.reads()):
            visit(indexes[other])
        ordered[index.id] = index

    for index in indexes.values():
        if index.built:
            visit(index)
    return list(ordered.values())


def reference_tables(project: Path, connection, schema: str) -> dict[str, dict[str, list[dict]]]:
    """Index id -> {table suffix: rows} for every index the project's specs declare and builds."""
    indexes, scenarios, directions = indexes_and_scenarios(project / "specs")
    tables: dict[str, dict[str, list[dict]]] = {}
    for index in in_reading_order(indexes):
        inputs = read_inputs(connection, schema, index)
        others = {i: tables[i] for i in index.reads()}
        tables[index.id] = compute_index(index, inputs, directions, scenarios, others)
    return tables


def same(actual, expected) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(actual, bool) or isinstance(expected, bool):
        return bool(actual) == bool(expected) and not isinstance(actual, str)
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if math.isnan(actual) or math.isnan(expected):
            return False
        return math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return str(actual) == str(expected)


def differences(name: str, actual: list[dict], expected: list[dict]) -> list[str]:
    """Every way the SQL rows of one table differ from the reference rows, as readable lines."""
    table = name.rpartition("__")[2]
    keys, columns = KEYS[table], COLUMNS[table]
    problems: list[str] = []
    if actual:
        absent = [c for c in columns if c not in actual[0]]
        if absent:
            return [f"{name}: columns {absent} are missing (has {sorted(actual[0])})"]

    def key_of(row):
        return tuple(None if row[k] is None else str(row[k]) for k in keys)

    by_key: dict[tuple, dict] = {}
    for row in actual:
        if key_of(row) in by_key:
            problems.append(
                f"{name}: row {dict(zip(keys, key_of(row), strict=True))} appears more than once"
            )
        by_key[key_of(row)] = row
    wanted = {key_of(row): row for row in expected}
    for key in sorted(set(wanted) - set(by_key), key=str):
        problems.append(
            f"{name}: missing row {dict(zip(keys, key, strict=True))}; expected {_short(wanted[key], keys)}"
        )
    for key in sorted(set(by_key) - set(wanted), key=str):
        problems.append(
            f"{name}: unexpected row {dict(zip(keys, key, strict=True))}: {_short(by_key[key], keys)}"
        )
    for key in sorted(set(by_key) & set(wanted), key=str):
        for column in columns:
            if column not in keys and not same(by_key[key][column], wanted[key][column]):
                problems.append(
                    f"{name} {dict(zip(keys, key, strict=True))}: {column} is {by_key[key][column]!r}, "
                    f"the reference has {wanted[key][column]!r}"
                )
    return problems


def report(problems: list[str], count: int) -> str:
    head = "\n".join(problems[:SHOWN])
    more = f"\n... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"{len(problems)} difference(s) in {count} reference row(s):\n{head}{more}"


def _short(row: dict, keys: list[str]) -> dict:
    return {k: v for k, v in row.items() if k not in keys}
