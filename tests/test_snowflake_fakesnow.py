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
import re
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, copy_project
from fakesnow_server import SWAP, StandInConnection
from ruamel.yaml import YAML

from indexc.engines import snowflake as snowflake_engine
from indexc.generate.publish import is_published
from indexc.generate.snowflake_check import snowflake_problems
from indexc.plan.nodes import Materialisation
from indexc.project import Project
from indexc.spec.targets import SnowflakeTarget

POLICY = "indexc: 2\nsnapshot_policies:\n  - {id: latest, surface: [{latest: 3}]}\n"
TOLERANCE = 1e-9
INSERT_ROWS = 500
ENVIRONMENT = {
    "SNOWFLAKE_ACCOUNT": "fakesnow",
    "SNOWFLAKE_USER": "indexc",
    "SNOWFLAKE_PASSWORD": "not a secret",
    "SNOWFLAKE_ROLE": "INDEXC_BUILDER",
    "SNOWFLAKE_WAREHOUSE": "INDEXC",
    "SNOWFLAKE_HOST": "127.0.0.1",
    "SNOWFLAKE_PROTOCOL": "http",
}


def point_at_fakesnow(project: Path) -> None:
    """Give the project's Snowflake target the host, port and protocol of the local server."""
    yaml = YAML()
    path = project / "targets" / "snowflake.yaml"
    spec = yaml.load(path)
    spec["connection"].update(
        {
            "host": {"env": "SNOWFLAKE_HOST"},
            "port": {"env": "SNOWFLAKE_PORT"},
            "protocol": {"env": "SNOWFLAKE_PROTOCOL"},
        }
    )
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
        cursor.execute(
            f"CREATE OR REPLACE TABLE {table} (" + ", ".join(f'"{h}" VARCHAR' for h in header) + ")"
        )
        row = "(" + ", ".join(["%s"] * len(header)) + ")"
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} VALUES " + ", ".join([row] * len(chunk)),
                [None if cell == "" else cell for r in chunk for cell in r],
            )


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
        return exact + tuple(
            (v is None, round(v, 6) if v is not None else 0.0) for v in row if isinstance(v, float)
        )

    return sorted(rows, key=key)


def differences(expected: list[tuple], actual: list[tuple]) -> str | None:
    if len(expected) != len(actual):
        return f"{len(expected)} rows on DuckDB, {len(actual)} on fakesnow"
    for want, got in zip(sorted_rows(expected), sorted_rows(actual), strict=True):
        for a, b in zip(want, got, strict=True):
            if isinstance(a, float) or isinstance(b, float):
                if a is None or b is None or abs(a - b) > TOLERANCE * max(1.0, abs(a)):
                    return f"{want} on DuckDB, {got} on fakesnow"
            elif a != b and not (isinstance(a, datetime.date) and str(a) == str(b)):
                return f"{want} on DuckDB, {got} on fakesnow"
    return None


REAL_CONNECT = snowflake_engine.connect


def stand_in_for_snowflake(monkeypatch, fail_at: int | None = None) -> list[StandInConnection]:
    """Connections made by indexc go through StandInConnection (see tests/fakesnow_server.py)."""
    made: list[StandInConnection] = []

    def connect(*args, **kwargs):
        made.append(StandInConnection(REAL_CONNECT(*args, **kwargs), fail_at))
        return made[-1]

    monkeypatch.setattr(snowflake_engine, "connect", connect)
    return made


def prepare_fakesnow(project: Path, port: int) -> tuple[SnowflakeTarget, dict[str, str]]:
    """The project's database on the server, with its sources loaded and none of the schemas an earlier
    test of the session left (fakesnow cannot drop a database); the environment to reach it."""
    point_at_fakesnow(project)
    target = Project(project).build("snowflake", write=False).target
    environment = {**ENVIRONMENT, "SNOWFLAKE_PORT": str(port)}
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    try:
        cursor = connection.cursor()
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS {target.database}")
        for schema in (
            target.schema_,
            target.published,
            target.published + "__SWAP",
            target.snapshots,
        ):
            cursor.execute(f'DROP SCHEMA IF EXISTS "{target.database}"."{schema.upper()}" CASCADE')
        load_sources(cursor, project, target)
    finally:
        connection.close()
    return target, environment


SAMPLED = (
    "health_indicators_els.csv",
    "outcomes_indicators_els.csv",
    "homelessness_temporary_accommodation_la_quarterly.csv",
    "homelessness_duties_la_quarterly.csv",
    "revenue_outturn_net_expenditure_by_service.csv",
)
SAMPLE_AREAS = re.compile(
    r"E92000001|E12000008|E10000016|E07000(10[5-9]|11[0-6])|E06000035|E06000001"
    r"|E08000016|E08000038|E10000006|E07000(02[6-9]|03[01])|E06000063|E06000064"
    r"|E06000028|E06000029|E06000058|E09000001"
)
"""Kent and its districts, Medway, Hartlepool, Barnsley under both codes, Cumbria with its districts
and successors, Bournemouth, Poole and BCP, the City of London, the South East and England."""


KEPT_INDICATORS = {
    "cancer_early_diagnosis",  # calendar years, overlap, confidence limits
    "preventable_cvd_mortality",  # pooled three-year periods, latest
    "healthy_life_expectancy_male",  # pooled, on the codes of 2025
    "adults_smoking",  # five-year periods of districts, carried up to counties
    "obese_children_year_6",  # ISO 8601 years from 1 August
    "adult_obesity",  # ISO 8601 years from 16 November, areas left out
    "child_poverty_before_housing_costs",  # financial years, areas left out
    "english_and_maths_gcse_by_19",  # academic years
    "life_satisfaction",  # financial years on the codes of 2022
    "housing_affordability_ratio",  # points in time
    "healthy_life_expectancy_female",  # with its male twin: a lens of the health index
}
"""One indicator of each kind of period, code convention and declaration: the others repeat their SQL."""


UNSAMPLED_INDEXES = {
    "combined_authorities",  # no combined authority has all its members among the sampled areas
    "local_outcomes_framework",  # its SQL is of the shapes top_level's contextual lenses compile to
}


def keep_what_remains(entry, metrics: set[str]) -> None:
    """An index (or area map) of the example with only the metrics the sample keeps: a lens left
    with none is dropped (one reading another index or awaiting data stays), and so is
    productivity, a saving or a screening rule of a dropped lens or metric."""

    def named(item) -> str:
        return item if isinstance(item, str) else item["metric"]

    if "lenses" not in entry:  # an area map
        entry["metrics"] = [m for m in entry.get("metrics", []) if m in metrics]
        return

    def trimmed(lenses) -> list:
        out = []
        for lens in lenses:
            if "metrics" in lens:
                lens["metrics"] = [m for m in lens["metrics"] if named(m) in metrics]
            if "lenses" in lens:
                lens["lenses"] = trimmed(lens["lenses"])
            if lens.get("metrics") or lens.get("lenses") or "index" in lens or "status" in lens:
                if "status" in lens and lens["status"] == "contextual" and not lens.get("metrics"):
                    continue
                out.append(lens)
        return out

    entry["lenses"] = trimmed(entry["lenses"])
    lenses = {lens["id"] for lens in entry["lenses"]}
    entry["productivity"] = [
        p for p in entry.get("productivity", []) if p["lens"] in lenses and p["spend"] in metrics
    ]
    entry["savings"] = [
        s for s in entry.get("savings", []) if s["lens"] in lenses and s["unit_cost"] in metrics
    ]
    if not any("weight" in lens for lens in entry["lenses"]):
        entry["lenses"] = []  # nothing left that carries weight: the index goes


def with_a_sample_of_the_indicators(project: Path) -> Path:
    """The example with one indicator of each kind (`KEPT_INDICATORS`; the districts' measures all
    kept) and their files cut to a sample of areas, every row of those areas kept: each kind of
    period, code convention and aggregation is still read, and comparing every row of every object
    on fakesnow takes a minute or two rather than a quarter of an hour."""
    yaml = YAML()
    for kind in ("measures", "metrics"):
        path = project / "specs" / "indicators" / f"{kind}.yaml"
        document = yaml.load(path)
        document[kind] = [entry for entry in document[kind] if entry["id"] in KEPT_INDICATORS]
        assert len(document[kind]) == len(KEPT_INDICATORS)
        yaml.dump(document, path)
    specs = sorted((project / "specs").rglob("*.yaml"))
    kept = {m["id"] for path in specs for m in (yaml.load(path) or {}).get("metrics") or []}
    for path in specs:
        document = yaml.load(path)
        if any(kind in document for kind in ("indexes", "area_maps")):
            for entry in [*document.get("indexes", []), *document.get("area_maps", [])]:
                keep_what_remains(entry, kept)
            document["indexes"] = [
                i
                for i in document.get("indexes", [])
                if i["lenses"] and i["id"] not in UNSAMPLED_INDEXES
            ] or None
            yaml.dump({k: v for k, v in document.items() if v is not None}, path)
    indexes = {i["id"] for path in specs for i in (yaml.load(path) or {}).get("indexes") or []}
    for path in specs:  # an audience sees only the indexes that remain
        document = yaml.load(path)
        if "audiences" in document:
            for audience in document["audiences"]:
                if "indexes" in audience:
                    audience["indexes"] = [i for i in audience["indexes"] if i in indexes]
            document["audiences"] = [a for a in document["audiences"] if a.get("indexes", True)]
            yaml.dump(document, path)
    for name in SAMPLED:
        path = project / "examples" / "data" / name
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        kept = [row for row in rows if SAMPLE_AREAS.fullmatch(row.split(",", 1)[0])]
        assert len(kept) > 1000, name
        path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    return project


WHERE_READ = {"source_line", "file", "line"}
"""Columns saying where a value was read: a file's line on DuckDB, a table (no line) on Snowflake."""


def rows_of(cursor, table: str, columns: list[str] | None = None) -> list[tuple]:
    listed = ", ".join(f'"{c.upper()}"' for c in columns) if columns else "*"
    return [
        tuple(map(plain, r)) for r in cursor.execute(f"SELECT {listed} FROM {table}").fetchall()
    ]


@pytest.mark.fakesnow
@pytest.mark.parametrize("project_name", ["example", "method", "values", "transition"])
def test_the_snowflake_build_on_fakesnow_matches_duckdb(
    project_name, example_project, method_project, fakesnow_port, monkeypatch, tmp_path
) -> None:
    """`indexc run --target snowflake` (Project.run): every object, built and published, as on DuckDB.

    `values` has missing markers in its data and confidence limits (tests/test_missing_values.py);
    `transition` an old and a new feed side by side, and its reconciliation (tests/test_precedence.py)."""
    project = {
        "example": with_a_sample_of_the_indicators(example_project),
        "method": method_project,
        "values": copy_project(FIXTURES / "values", tmp_path / "values"),
        "transition": copy_project(FIXTURES / "transition", tmp_path / "transition"),
    }[project_name]
    target, environment = prepare_fakesnow(project, fakesnow_port)
    duck = Project(project).build("duckdb")
    duck_rankings = Project(project).run("duckdb")
    build = Project(project).build("snowflake", check=True)
    made = stand_in_for_snowflake(monkeypatch)
    rankings = Project(project, environ=environment).run("snowflake")
    assert statically_checked(made) > len(build.objects)
    assert [(r.index_id, r.period, len(r.rows)) for r in rankings] == [
        (r.index_id, r.period, len(r.rows)) for r in duck_rankings
    ]

    compared = []
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    try:
        cursor = connection.cursor()
        with duckdb.connect(str(project / duck.target.database), read_only=True) as local:
            for obj in build.objects:
                if obj.node.materialisation not in (Materialisation.TABLE, Materialisation.VIEW):
                    continue
                table = f'"{duck.target.schema_}"."{obj.name}"'
                columns = [
                    c
                    for (c, *_) in local.execute(f"DESCRIBE {table}").fetchall()
                    if c not in WHERE_READ
                ]
                expected = [
                    tuple(map(plain, r))
                    for r in local.execute(
                        "SELECT " + ", ".join(f'"{c}"' for c in columns) + f" FROM {table}"
                    ).fetchall()
                ]
                actual = rows_of(
                    cursor, f'"{target.database}"."{target.schema_}"."{obj.name.upper()}"', columns
                )
                problem = differences(expected, actual)
                assert problem is None, f"{obj.name}: {problem}"
                if is_published(obj.node):
                    published = rows_of(
                        cursor,
                        f'"{target.database}"."{target.published}"."{obj.name.upper()}"',
                        columns,
                    )
                    assert differences(expected, published) is None, f"published {obj.name}"
                compared.append(obj.name)
    finally:
        connection.close()
    assert len(compared) > (20 if project_name in ("values", "transition") else 40)
    assert any(name.endswith("__top") for name in compared)


def statically_checked(made: list[StandInConnection]) -> int:
    """Every statement indexc sent passes the static Snowflake check; the swap's text is tested in
    test_snowflake_sql.py (sqlglot reads it only as a command)."""
    sent = [sql for connection in made for sql in connection.sent if not SWAP.match(sql)]
    problems = [f"{sql[:80]}: {p}" for sql in sent for p in snowflake_problems(sql)]
    assert problems == []
    return len(sent)


def schema_state(cursor, target: SnowflakeTarget, schema: str) -> dict[str, list]:
    """Each table and view of a schema with its rows (fakesnow lists views in information_schema.views only)."""
    names = sorted(
        {
            r[0]
            for view in ("tables", "views")
            for r in cursor.execute(
                f"SELECT table_name FROM {target.database}.information_schema.{view} "
                f"WHERE table_schema = '{schema}'"
            ).fetchall()
        }
    )
    return {
        name: sorted(map(repr, rows_of(cursor, f'"{target.database}"."{schema}"."{name}"')))
        for name in names
    }


def published_state(cursor, target: SnowflakeTarget) -> dict[str, list]:
    """The published schema and the snapshot schema: neither may change when a run fails."""
    published = schema_state(cursor, target, target.published)
    published.update(
        {f"snapshots.{k}": v for k, v in schema_state(cursor, target, target.snapshots).items()}
    )
    return published


@pytest.mark.slow
def test_credentials_are_read_from_the_named_variables_and_never_shown(method_project) -> None:
    point_at_fakesnow(method_project)
    target = Project(method_project).build("snowflake", write=False).target
    environment = {**ENVIRONMENT, "SNOWFLAKE_PORT": "1"}
    parameters = snowflake_engine.connection_parameters(target, environment)
    assert parameters["password"] == "not a secret" and parameters["port"] == 1
    assert parameters["database"] == "METHOD" and parameters["schema"] == "METHOD_INDEX"
    missing = {k: v for k, v in environment.items() if k != "SNOWFLAKE_PASSWORD"}
    with pytest.raises(
        snowflake_engine.CannotConnect, match="SNOWFLAKE_PASSWORD .connection.password. is not set"
    ):
        snowflake_engine.connect(target, missing)
    with pytest.raises(snowflake_engine.CannotConnect, match="not a port number"):
        snowflake_engine.connect(target, {**environment, "SNOWFLAKE_PORT": "http"})
    with pytest.raises(snowflake_engine.CannotConnect) as refused:  # nothing listens on port 1
        snowflake_engine.connect(target, environment, login_timeout=5, network_timeout=5)
    assert "not a secret" not in str(refused.value)


@pytest.mark.fakesnow
def test_indexc_run_and_snapshot_on_snowflake_from_the_command_line(
    tiny_project, fakesnow_port, monkeypatch
) -> None:
    """`indexc run --target snowflake` with the credentials in a connections.toml named by the target."""
    from click.testing import CliRunner

    from indexc.cli import main

    target, _ = prepare_fakesnow(tiny_project, fakesnow_port)
    settings = tiny_project / "private" / "connections.toml"
    settings.parent.mkdir()
    settings.write_text(
        f'[local]\naccount = "fakesnow"\nuser = "indexc"\npassword = "not a secret"\n'
        f'host = "127.0.0.1"\nport = {fakesnow_port}\nprotocol = "http"\n'
    )
    settings.chmod(0o600)
    yaml = YAML()
    path = tiny_project / "targets" / "snowflake.yaml"
    spec = yaml.load(path)
    spec["connection"] = {"name": "local", "connections_file": "private/connections.toml"}
    yaml.dump(spec, path)
    stand_in_for_snowflake(monkeypatch)
    runner = CliRunner()
    ran = runner.invoke(main, ["--project", str(tiny_project), "run", "--target", "snowflake"])
    assert ran.exit_code == 0, ran.output
    assert "built 49 objects on snowflake" in ran.stderr and "AAA" in ran.stdout
    taken = runner.invoke(
        main,
        [
            "--project",
            str(tiny_project),
            "snapshot",
            "take",
            "--target",
            "snowflake",
            "--as-of",
            "2018-03-31",
        ],
    )
    assert taken.exit_code == 0, taken.output
    assert taken.stdout.startswith("snapshot 1 as of 2018-03-31: ")
    listed = runner.invoke(
        main, ["--project", str(tiny_project), "snapshot", "list", "--target", "snowflake"]
    )
    assert listed.exit_code == 0 and "2018-03-31" in listed.stdout
    assert not any("not a secret" in r.output for r in (ran, taken, listed))
