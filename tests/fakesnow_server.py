"""A local fakesnow server for the Snowflake tests, run from its own virtualenv.

fakesnow pins its own sqlglot and duckdb, which differ from the project's, so it never
shares the project's environment: the first test that needs it creates a virtualenv from
the package registry (the pins are in DEVELOPERS.md and below), reused while the pins stay
the same, and runs `fakesnow -s` there as a separate process. The tests reach it through
the project's own snowflake-connector-python, as they would reach Snowflake.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

PINS = ("fakesnow[server]==0.12.1", "snowflake-connector-python>=4.8,<5")
CACHE = Path(__file__).resolve().parents[1] / ".cache"
START_SECONDS = 60
START_ATTEMPTS = 3


def virtualenv() -> Path:
    """The fakesnow virtualenv for these pins, created once; raises if the registry cannot be reached.

    Parallel test workers (pytest-xdist) may ask at once: the first creates it under a file lock
    while the others wait, then find it done.
    """
    home = CACHE / ("fakesnow-" + hashlib.sha256("\n".join(PINS).encode()).hexdigest()[:12])
    done = home / "installed"
    if done.exists():
        return home
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / (home.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
            subprocess.run(
                [str(home / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
                + list(PINS),
                check=True,
                stdin=subprocess.DEVNULL,
            )
            done.write_text("\n".join(PINS) + "\n")
    return home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _start(home: Path, log: Path) -> tuple[subprocess.Popen, int]:
    """A server on a port that was free a moment ago, tried on another port if it exits before it
    listens (something else, such as a parallel test worker's server, may have taken the port)."""
    for _ in range(START_ATTEMPTS):
        port = _free_port()
        with open(log, "w") as out:
            process = subprocess.Popen(
                [str(home / "bin" / "fakesnow"), "-s", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None and not _accepts(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        if process.poll() is None and _accepts(port):
            return process, port
        _stop(process)
        if time.monotonic() >= deadline:
            break  # hung rather than refused: another port would not help
    raise RuntimeError(f"fakesnow did not start on port {port}:\n{log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def server(log: Path) -> Iterator[int]:
    """A running server (in-memory databases) on a free port; stopped on exit."""
    process, port = _start(virtualenv(), log)
    try:
        yield port
    finally:
        _stop(process)


SWAP = re.compile(r'^ALTER SCHEMA ("[^"]+"\."[^"]+") SWAP WITH ("[^"]+"\."[^"]+")$')
CLONE = re.compile(r'^CREATE SCHEMA ("[^"]+"\."[^"]+__SWAP") CLONE ("[^"]+"\."[^"]+")$')
REPLACE_CLONE = re.compile(r'^CREATE OR REPLACE TABLE ("[^"]+"\."[^"]+"\."[^"]+") CLONE ')
ACCESS = re.compile(r"^(CREATE ROLE|GRANT) ")
"""Statements fakesnow 0.12.1 refuses (a parser error): an audience's role and grants. Sent through the
stand-in they are recorded, held to the static check by the tests, and not run."""
VIEW = re.compile(r'^CREATE (?:OR REPLACE )?VIEW ("[^"]+"\."[^"]+")\.("[^"]+")')
PUBLISHED_VIEWS: dict[str, dict[str, str]] = {}
"""The CREATE VIEW statements that made each published schema's views, kept across connections: a
clone of the schema (a selective run) creates them again, since fakesnow cannot read them back."""


class StandInConnection:
    """A connector connection for fakesnow, which cannot run `ALTER SCHEMA ... SWAP WITH`.

    Snowflake swaps the two schemas in one metadata operation; here the swap is stood in for by
    replaying, into an emptied published schema, every CREATE the run sent to the swap schema. That
    proves what the publication holds, not that the swap is atomic: the swap statement's text is
    tested against Snowflake's grammar in test_snowflake_sql.py. `fail_at` makes the k-th statement
    of the run fail, before it reaches the server.

    A selective run's `CREATE SCHEMA <swap> CLONE <published>` (which fakesnow cannot parse either) is
    stood in for by copying the published schema's tables into the swap schema and creating its views
    again; the run's statements then change the swap schema on the server, and the swap copies it
    back into an emptied published schema. fakesnow ignores OR REPLACE in `CREATE OR REPLACE TABLE
    ... CLONE`: the table is dropped first.

    `CREATE ROLE` and `GRANT` (an audience's role and grants, generate/audiences.py), which fakesnow
    cannot parse, are recorded and not run (`ACCESS`); it runs `CREATE SECURE VIEW` as a plain view.
    """

    def __init__(self, connection, fail_at: int | None = None):
        self.connection, self.fail_at, self.statements = connection, fail_at, 0
        self.into_swap: dict[str, list[str]] = {}
        self.views: dict[str, dict[str, str]] = {}  # a cloned swap schema's views: name -> CREATE
        self.sent: list[str] = []  # every statement indexc sent, for the static Snowflake check

    def cursor(self):
        return _StandInCursor(self, self.connection.cursor())

    def __getattr__(self, name):
        return getattr(self.connection, name)


class _StandInCursor:
    def __init__(self, owner: StandInConnection, cursor):
        self.owner, self.cursor = owner, cursor

    def execute(self, sql, *args, **kwargs):
        from snowflake.connector.errors import ProgrammingError

        owner = self.owner
        owner.sent.append(sql)
        if (
            not sql.lstrip().upper().startswith("SELECT")
        ):  # the run's statements; not the reading back
            owner.statements += 1
            if owner.statements == owner.fail_at:
                raise ProgrammingError(msg=f"injected failure at statement {owner.fail_at}")
        stood_in = self._stand_in(sql)
        if stood_in is not None:
            return stood_in
        self._seen(sql)
        swap = SWAP.match(sql)
        if swap is None:
            for schema in owner.into_swap:
                if f"{schema}." in sql and sql.startswith("CREATE"):
                    owner.into_swap[schema].append(sql)
            if sql.startswith("CREATE SCHEMA ") and sql.endswith('__SWAP"'):
                owner.into_swap[sql.removeprefix("CREATE SCHEMA ")] = []
            return self.cursor.execute(sql, *args, **kwargs)
        aside, published = swap.groups()
        self.cursor.execute(f"DROP SCHEMA IF EXISTS {published} CASCADE")
        self.cursor.execute(f"CREATE SCHEMA {published}")
        made: dict[str, str] = {}
        if aside in owner.views:  # a clone, changed in place: copied back
            for table in self._tables(aside):
                self.cursor.execute(
                    f"CREATE TABLE {published}.{table} AS SELECT * FROM {aside}.{table}"
                )
            statements = list(owner.views[aside].values())
        else:
            statements = owner.into_swap.get(aside, [])
        for statement in statements:
            self.cursor.execute(statement.replace(f"{aside}.", f"{published}."))
            view = VIEW.match(statement)
            if view is not None:
                made[view.group(2)] = statement.replace(f"{aside}.", f"{published}.")
        PUBLISHED_VIEWS[published] = made
        return self.cursor.execute("SELECT 'Statement executed successfully.' AS status")

    def _stand_in(self, sql: str):
        """What fakesnow cannot run: a schema's clone, done another way; a role or a grant, not run."""
        clone = CLONE.match(sql)
        if clone is not None:
            return self._clone(*clone.groups())
        if ACCESS.match(sql):
            return self.cursor.execute("SELECT 'Statement executed successfully.' AS status")
        return None

    def _seen(self, sql: str) -> None:
        """Keep a cloned swap schema's views; drop a table that a clone replaces."""
        view = VIEW.match(sql)
        if view is not None and view.group(1) in self.owner.views:
            self.owner.views[view.group(1)][view.group(2)] = sql
        replaced = REPLACE_CLONE.match(sql)
        if replaced is not None:
            self.cursor.execute(f"DROP TABLE IF EXISTS {replaced.group(1)}")

    def _tables(self, schema: str) -> list[str]:
        database, name = (part.strip('"') for part in schema.split("."))
        rows = self.cursor.execute(
            f"SELECT table_name FROM {database}.information_schema.tables "
            f"WHERE table_schema = '{name}' AND table_type = 'BASE TABLE'"
        ).fetchall()
        return [f'"{row[0]}"' for row in rows]

    def _clone(self, aside: str, published: str):
        self.cursor.execute(f"CREATE SCHEMA {aside}")
        for table in self._tables(published):
            self.cursor.execute(
                f"CREATE TABLE {aside}.{table} AS SELECT * FROM {published}.{table}"
            )
        self.owner.views[aside] = {}
        for name, statement in PUBLISHED_VIEWS.get(published, {}).items():
            self.cursor.execute(statement.replace(f"{published}.", f"{aside}."))
            self.owner.views[aside][name] = statement.replace(f"{published}.", f"{aside}.")
        return self.cursor.execute("SELECT 'Statement executed successfully.' AS status")

    def __getattr__(self, name):
        return getattr(self.cursor, name)
