"""A local fakesnow server for the Snowflake tests, run from its own virtualenv.

fakesnow pins its own sqlglot and duckdb, which differ from the project's, so it never
shares the project's environment: the first test that needs it creates a virtualenv from
the package registry (the pins are in DEVELOPERS.md and below), reused while the pins stay
the same, and runs `fakesnow -s` there as a separate process. The tests reach it through
the project's own snowflake-connector-python, as they would reach Snowflake.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

PINS = ("fakesnow[server]==0.12.1", "snowflake-connector-python>=4.8,<5")
CACHE = Path(__file__).resolve().parents[1] / ".cache"
START_SECONDS = 60


def virtualenv() -> Path:
    """The fakesnow virtualenv for these pins, created once; raises if the registry cannot be reached."""
    home = CACHE / ("fakesnow-" + hashlib.sha256("\n".join(PINS).encode()).hexdigest()[:12])
    done = home / "installed"
    if not done.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
        subprocess.run([str(home / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *PINS],
                       check=True, stdin=subprocess.DEVNULL)
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


@contextlib.contextmanager
def server(log: Path) -> Iterator[int]:
    """A running server (in-memory databases) on a free port; stopped on exit."""
    home = virtualenv()
    port = _free_port()
    with open(log, "w") as out:
        process = subprocess.Popen([str(home / "bin" / "fakesnow"), "-s", "-p", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"fakesnow did not start on port {port}:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
