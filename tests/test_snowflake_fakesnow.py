"""The complete Snowflake build, run through the real connector on a local fakesnow server, gives
every object the DuckDB build gives (floats to 1e-9, Decimal read as float).

fakesnow (tests/fakesnow_server.py) runs Snowflake SQL on DuckDB, so it proves what the compiled
Snowflake text computes, not that Snowflake accepts it: test_snowflake_sql.py holds every
statement to Snowflake's grammar, functions and types besides. Each source is loaded, as text,
into the table the Snowflake target names, from the file the DuckDB target reads.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import math
from pathlib import Path

import duckdb
import pytest
from indexc.engines import snowflake as snowflake_engine
from indexc.plan.nodes import Materialisation
from indexc.project import Project
from indexc.spec.targets import SnowflakeTarget
from ruamel.yaml import YAML

TOLERANCE = 1e-9
INSERT_ROWS = 500
ENVIRONMENT = {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "indexc", "SNOWFLAKE_PASSWORD": "not a secret",
               "SNOWFLAKE_ROLE": "INDEXC_BUILDER", "SNOWFLAKE_WAREHOUSE": "INDEXC",
               "SNOWFLAKE_HOST": "127.0.0.1", "SNOWFLAKE_PROTOCOL": "http"}


def point_at_fakesnow(project: Path) -> None:
    """Give the project's Snowflake target the host, port and protocol of the local server."""
    yaml = YAML()
    path = project / "targets" / "snowflake.yaml"
    spec = yaml.load(path)
    spec["connection"].update({"host": {"env": "SNOWFLAKE_HOST"}, "port": {"env": "SNOWFLAKE_PORT"},
                               "protocol": {"env": "SNOWFLAKE_PROTOCOL"}})
    yaml.dump(spec, path)


def load_sources(cursor, project: Path, target: SnowflakeTarget) -> None:
    """Each source's file into its Snowflake table, every column text, blanks as NULL."""
    files = YAML(typ="safe").load(project / "targets" / "duckdb.yaml")["relations"]
    for source_id, relation in target.relations.items():
        with open(project / files[source_id]["path"], newline="", encoding="utf-8-sig") as f:
            header, *rows = list(csv.reader(f))
        table = f"{target.database}.{relation.table}"
        schema = table.rsplit(".", 1)[0]
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        cursor.execute(f"CREATE OR REPLACE TABLE {table} (" + ", ".join(f'"{h}" VARCHAR' for h in header) + ")")
        row = "(" + ", ".join(["%s"] * len(header)) + ")"
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start:start + INSERT_ROWS]
            cursor.execute(f"INSERT INTO {table} VALUES " + ", ".join([row] * len(chunk)),
                           [None if cell == "" else cell for r in chunk for cell in r])


def plain(value):
    """One Python value per SQL value, whichever engine read it."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def sorted_rows(rows: list[tuple]) -> list[tuple]:
    """Rows in one order on both sides: by their exact columns, then by their floats to 6 places."""
    def key(row):
        exact = tuple((v is None, str(v)) for v in row if not isinstance(v, float))
        return exact + tuple((v is None, round(v, 6) if v is not None else 0.0) for v in row if isinstance(v, float))
    return sorted(rows, key=key)


def differences(expected: list[tuple], actual: list[tuple]) -> str | None:
    if len(expected) != len(actual):
        return f"{len(expected)} rows on DuckDB, {len(actual)} on fakesnow"
    for want, got in zip(sorted_rows(expected), sorted_rows(actual)):
        for a, b in zip(want, got):
            if isinstance(a, float) or isinstance(b, float):
                if a is None or b is None or abs(a - b) > TOLERANCE * max(1.0, abs(a)):
                    return f"{want} on DuckDB, {got} on fakesnow"
            elif a != b and not (isinstance(a, datetime.date) and str(a) == str(b)):
                return f"{want} on DuckDB, {got} on fakesnow"
    return None


@pytest.mark.parametrize("project_name", ["example", "method"])
def test_the_snowflake_build_on_fakesnow_matches_duckdb(project_name, example_project, method_project,
                                                        fakesnow_port) -> None:
    project = {"example": example_project, "method": method_project}[project_name]
    point_at_fakesnow(project)
    duck = Project(project).build("duckdb")
    Project(project).run("duckdb")
    build = Project(project).build("snowflake", check=True)
    target = build.target
    environment = {**ENVIRONMENT, "SNOWFLAKE_PORT": str(fakesnow_port)}
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    try:
        cursor = connection.cursor()
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS {target.database}")
        load_sources(cursor, project, target)
        built = snowflake_engine.execute(connection, build.objects)
        assert [b.name for b in built] == [o.name for o in build.objects]

        compared = []
        with duckdb.connect(str(project / duck.target.database), read_only=True) as local:
            for obj in build.objects:
                if obj.node.materialisation not in (Materialisation.TABLE, Materialisation.VIEW):
                    continue
                expected = [tuple(map(plain, r)) for r in local.execute(
                    f'SELECT * FROM "{duck.target.schema_}"."{obj.name}"').fetchall()]
                actual = [tuple(map(plain, r)) for r in cursor.execute(
                    f'SELECT * FROM "{target.database}"."{target.schema_}"."{obj.name.upper()}"').fetchall()]
                problem = differences(expected, actual)
                assert problem is None, f"{obj.name}: {problem}"
                compared.append(obj.name)
    finally:
        connection.close()
    assert len(compared) > 40
    assert any(name.endswith("__top") for name in compared)


def test_credentials_are_read_from_the_named_variables_and_never_shown(method_project) -> None:
    point_at_fakesnow(method_project)
    target = Project(method_project).build("snowflake", write=False).target
    environment = {**ENVIRONMENT, "SNOWFLAKE_PORT": "1"}
    parameters = snowflake_engine.connection_parameters(target, environment)
    assert parameters["password"] == "not a secret" and parameters["port"] == 1
    assert parameters["database"] == "METHOD" and parameters["schema"] == "METHOD_INDEX"
    missing = {k: v for k, v in environment.items() if k != "SNOWFLAKE_PASSWORD"}
    with pytest.raises(snowflake_engine.CannotConnect, match="SNOWFLAKE_PASSWORD .connection.password. is not set"):
        snowflake_engine.connect(target, missing)
    with pytest.raises(snowflake_engine.CannotConnect, match="not a port number"):
        snowflake_engine.connect(target, {**environment, "SNOWFLAKE_PORT": "http"})
    with pytest.raises(snowflake_engine.CannotConnect) as refused:  # nothing listens on port 1
        snowflake_engine.connect(target, environment, login_timeout=5, network_timeout=5)
    assert "not a secret" not in str(refused.value)
