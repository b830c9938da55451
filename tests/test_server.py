"""The build server (`indexc serve`): a command it runs is the command run alone, and a server that
might run other code than a new process would declines.

Each test starts a real server process under a name of its own (INDEXC_SERVER), runs real `indexc`
commands against it as separate processes, and reads the server's log to tell which of them it ran.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, copy_project

from indexc import server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not server.supported(), reason="the server listens on Linux only"),
]


class Server:
    def __init__(self, environ: dict[str, str], log: Path, cwd: Path | None = None) -> None:
        self.environ, self.log = environ, log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "indexc", "serve"],
            env=environ,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        deadline = time.monotonic() + 60
        while "serving" not in self.text():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, "the server never became ready"
            time.sleep(0.05)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def served(self) -> int:
        """How many commands the server has forked a process for."""
        return len(re.findall(r"^indexc: process \d+: indexc ", self.text(), re.MULTILINE))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def indexc(
    environ: dict[str, str], *args: str, cwd: Path | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexc", *args],
        env=environ,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, server.VARIABLE: f"test-{uuid.uuid4().hex}"}


@pytest.fixture
def running(environ: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    started = Server(environ, tmp_path / "server.log")
    yield started
    started.stop()


def files(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_build_the_server_runs_writes_what_a_build_alone_writes(
    running: Server, environ: dict[str, str], tmp_path: Path
) -> None:
    served = copy_project(FIXTURES / "tiny", tmp_path / "served")
    alone = copy_project(FIXTURES / "tiny", tmp_path / "alone")
    by_server = indexc(environ, "build", "--target", "duckdb", "--target", "snowflake", cwd=served)
    assert running.served() == 1, running.text()
    on_its_own = indexc(
        {**environ, server.VARIABLE: server.OFF},
        "build",
        "--target",
        "duckdb",
        "--target",
        "snowflake",
        cwd=alone,
    )
    assert running.served() == 1  # INDEXC_SERVER=off: run in its own process
    assert (by_server.returncode, by_server.stderr) == (0, "")
    assert by_server.stdout == on_its_own.stdout.replace(str(alone), str(served))
    assert "wrote" in by_server.stdout
    for target in ("duckdb", "snowflake"):
        assert files(served / "build" / target) == files(alone / "build" / target)
    again = indexc(environ, "--project", str(served), "build", "--target", "duckdb")
    assert again.returncode == 0 and "up to date" in again.stdout  # the cache the first one wrote
    assert running.served() == 2


def test_a_failing_command_gives_the_caller_its_diagnostics_and_exit_code(
    running: Server, environ: dict[str, str], tmp_path: Path
) -> None:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    metrics = next(
        path for path in (project / "specs").rglob("*.yaml") if "formula:" in path.read_text()
    )
    text = metrics.read_text()
    metrics.write_text(text.replace("formula:", "formulaa:", 1))
    by_server = indexc(environ, "--project", str(project), "validate")
    alone = indexc({**environ, server.VARIABLE: server.OFF}, "--project", str(project), "validate")
    assert running.served() == 1
    assert by_server.returncode == alone.returncode == 1
    assert by_server.stderr == alone.stderr
    assert "IX003" in by_server.stderr and f"{metrics.relative_to(project)}:" in by_server.stderr


def test_a_server_declines_a_caller_whose_python_settings_differ(
    running: Server, environ: dict[str, str], tmp_path: Path
) -> None:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    result = indexc({**environ, "PYTHONWARNINGS": "ignore"}, "--project", str(project), "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")
    assert "did not run this command (its PYTHON* variables differ" in result.stderr
    assert running.served() == 0
    assert running.process.poll() is None  # it goes on serving others


def test_a_server_whose_installation_changed_declines_and_stops(
    environ: dict[str, str], tmp_path: Path
) -> None:
    on_path = tmp_path / "on_path"  # on Python's path: where a package could be installed
    on_path.mkdir()
    environ = {**environ, "PYTHONPATH": str(on_path)}
    running = Server(environ, tmp_path / "server.log")
    try:
        project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
        (on_path / "newly_installed.py").write_text("")
        result = indexc(environ, "--project", str(project), "validate")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("ok:")
        assert "changed since this server started" in result.stderr
        running.process.wait(timeout=30)
        assert running.process.returncode == 0
        assert "the server has stopped: indexc or the packages" in running.text()
        assert running.served() == 0
    finally:
        running.stop()


def test_a_second_server_of_the_same_name_is_refused(
    running: Server, environ: dict[str, str]
) -> None:
    second = indexc(environ, "serve")
    assert second.returncode == 1
    assert "IX009" in second.stderr and "another server of this installation" in second.stderr
    assert "Traceback" not in second.stderr
    assert running.process.poll() is None


def test_a_signal_to_the_caller_stops_the_command_the_server_runs(
    running: Server, environ: dict[str, str], example_project: Path
) -> None:
    caller = subprocess.Popen(
        [sys.executable, "-m", "indexc", "build", "--target", "duckdb", "--target", "snowflake"],
        env=environ,
        cwd=example_project,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not running.served():
        assert time.monotonic() < deadline and caller.poll() is None, running.text()
        time.sleep(0.05)
    child = int(re.findall(r"^indexc: process (\d+): ", running.text(), re.MULTILINE)[0])
    time.sleep(0.5)  # the build is under way: a cold build of the example takes seconds
    assert caller.poll() is None
    caller.send_signal(signal.SIGTERM)
    _, stderr = caller.communicate(timeout=30)
    assert caller.returncode == 1
    assert "ended without an exit code" in stderr
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and _state(child) != "Z":
        assert time.monotonic() < deadline, "the command's process went on after the signal"
        time.sleep(0.05)
    assert (
        not (example_project / "build" / "duckdb").exists()
        or (example_project / "build" / "duckdb" / "manifest.json").exists()
    )  # stopped midway, it left no half-written build under the build's name
    assert running.process.poll() is None


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_the_command_runs_with_the_callers_file_creation_mask(
    running: Server, environ: dict[str, str], tmp_path: Path
) -> None:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    result = indexc(
        environ,
        "build",
        "--target",
        "duckdb",
        cwd=project,
        preexec_fn=lambda: os.umask(0o077),  # the server's own is the test process's
    )
    assert result.returncode == 0, result.stderr
    assert running.served() == 1
    modes = {path.stat().st_mode & 0o777 for path in (project / "build").rglob("*.sql")}
    assert modes == {0o600}


def test_a_server_started_in_a_project_serves_on_after_its_first_build(
    environ: dict[str, str], tmp_path: Path
) -> None:
    project = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    # `python -m` puts the directory it starts in on Python's path; the build makes build/ there
    running = Server(environ, tmp_path / "server.log", cwd=project)
    try:
        for _ in range(2):
            result = indexc(environ, "build", "--target", "duckdb", cwd=project)
            assert result.returncode == 0, result.stderr
            assert result.stderr == ""
        assert running.served() == 2
        assert (project / "build" / "duckdb").is_dir()
    finally:
        running.stop()


SERVE_WITH = """
import sys, threading
from indexc import server
stop = threading.Event()
def preload():
    if sys.argv[1] == "thread":  # as a library that starts a thread as it is imported
        threading.Thread(target=stop.wait, daemon=True).start()
try:
    server.serve(lambda args: 0, preload, name=sys.argv[2], log=print, ready=lambda: sys.exit(3))
except server.NotForkable as err:
    print("not forkable:", err)
    sys.exit(4)
"""


@pytest.mark.parametrize(("preload", "code"), [("thread", 4), ("nothing", 3)])
def test_a_server_whose_imports_started_a_thread_does_not_serve(
    preload: str, code: int, environ: dict[str, str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SERVE_WITH, preload, environ[server.VARIABLE]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == code, result.stdout + result.stderr
    if preload == "thread":
        assert "not forkable: 2 threads run after importing indexc" in result.stdout
