"""The build server: a process that has already imported indexc, forked once for each command.

Starting Python and importing indexc (pydantic, sqlglot, the spec models, the planner, the
generators) takes longer than a whole build after one metric changed. `indexc serve` pays
that once: it imports every module of indexc, then waits on a socket. The `indexc` command
(launch.py) asks it first; the server forks, and the child runs the command exactly as
`indexc` would in a process of its own: with the caller's arguments, working directory,
environment and its very standard input, output and error (passed over the socket), and
the exit code handed back. Each command runs in a fresh fork, so nothing one command does
is seen by the next: the server holds only what importing indexc made, never a project's
state.

A server that could run other code than a new `indexc` process would is never used: it
declines a command when indexc's source files, or the directories Python imports from
(where installing or removing a package shows), changed since it started, and then stops
(`indexc` runs the command itself and says why), and it declines a caller whose Python
settings (`PYTHON*` variables) differ from its own. It serves only its own user (the
socket's peer credentials), from the same Python and the same indexc (the socket's name
says which). The socket is in Linux's abstract namespace: there is no file to leave behind,
and elsewhere there is no server and every command runs in its own process.

This module is imported by every `indexc` command before anything else, so it imports
nothing it does not need to reach a server.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import socket
import struct
import sys
from collections.abc import Callable
from typing import Any

import indexc

OFF = "off"  # INDEXC_SERVER=off: never ask a server
VARIABLE = "INDEXC_SERVER"  # unset: this installation's server; `off`; or a name of one's own
STREAMS = (0, 1, 2)  # standard input, output and error, handed to the server's child
DECLINED, RUNNING, EXITED = b"D", b"R", b"X"
HEADER = struct.Struct("!I")
CODE = struct.Struct("!i")


def supported() -> bool:
    """Whether this system has the abstract socket namespace the server listens in (Linux)."""
    return sys.platform.startswith("linux")


def address(name: str | None = None) -> str:
    """The server's socket, in the abstract namespace: named by the user, the Python installation
    (its environment and interpreter) and the indexc package it imports, so that a server is found
    only by the `indexc` it would stand for."""
    package = os.path.dirname(os.path.abspath(indexc.__file__))
    python = f"{sys.prefix}\0{os.path.realpath(sys.executable)}"
    who = f"{os.getuid()}\0{python}\0{package}\0{name or ''}"
    return "\0indexc-server-" + hashlib.sha256(who.encode()).hexdigest()[:32]


def python_settings(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """The variables that change what Python imports or how it runs; a server serves only callers
    whose settings are its own."""
    return {key: value for key, value in environ.items() if key.startswith("PYTHON")}


def installation() -> tuple[tuple[str, int, int], ...]:
    """What the server's imports were made from: each of indexc's source and template files (size and
    modification time, as the build cache's toolchain reads them) and each directory on Python's path
    (installing or removing a package changes its directory), except the working directory that
    `python -m indexc serve` puts there, where a project's first build makes `build/`. A server
    whose installation changed since it started is stale."""
    found: list[tuple[str, int, int]] = []
    working = os.getcwd()
    package = os.path.dirname(os.path.abspath(indexc.__file__))
    for directory, subdirectories, names in os.walk(package):
        subdirectories.sort()
        for name in sorted(names):
            if name.endswith((".py", ".j2")):
                path = os.path.join(directory, name)
                stat = os.stat(path)
                found.append((path, stat.st_size, stat.st_mtime_ns))
    for entry in sys.path:
        if not entry or entry == working:
            continue
        try:
            stat = os.stat(entry)
        except OSError:
            continue
        found.append((entry, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


# --- the caller's side ----------------------------------------------------------------------------


def relay(argv: list[str]) -> int | None:
    """Run `argv` on a server and return its exit code, or None where there is no server to run it
    (the caller then runs the command itself). Signals that would stop the caller (Ctrl-C, a
    terminal closed, `kill`) are passed on to the command's process."""
    name = os.environ.get(VARIABLE)
    if name == OFF or not supported():
        return None
    try:
        for fd in STREAMS:
            os.fstat(fd)  # a closed standard stream cannot be handed on
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return None
    with connection:
        try:
            connection.connect(address(name))
            mask = os.umask(0o022)  # read by setting it; set back at once
            os.umask(mask)
            request = marshal.dumps((argv, os.getcwd(), dict(os.environ), mask))
            socket.send_fds(connection, [HEADER.pack(len(request))], list(STREAMS))
            connection.sendall(request)
            answer = _exactly(connection, 1)
        except OSError:
            return None  # no server, or one gone
        if answer == DECLINED:
            reason = connection.recv(4096).decode("utf-8", "replace")
            os.write(
                2,
                f"indexc: the server did not run this command ({reason}); running it here\n".encode(),
            )
            return None
        if answer != RUNNING:
            return None
        return _wait(connection)


def _wait(connection: socket.socket) -> int:
    """The exit code the command's process sends, passing on the signals the caller receives."""
    import signal

    child = CODE.unpack(_exactly(connection, CODE.size))[0]

    def forward(signum: int, _frame: Any) -> None:
        try:
            os.kill(child, signum)
        except OSError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        if _exactly(connection, 1) != EXITED:
            raise OSError
        code = CODE.unpack(_exactly(connection, CODE.size))[0]
    except OSError:
        os.write(2, b"indexc: the server's process for this command ended without an exit code\n")
        return 1
    while connection.recv(4096):  # the process has gone when its end of the socket closes
        pass
    return code


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise OSError("the connection closed")
        data += chunk
    return data


# --- the server's side ----------------------------------------------------------------------------


class AlreadyServing(Exception):
    """Another server is listening at this installation's address."""


class NotForkable(Exception):
    """Importing what the commands need left threads running beside the server's own: a fork keeps
    only the forking thread, and a lock another thread held would never be released in the child."""


def threads() -> int:
    """How many threads this process runs, those a library started outside Python's `threading`
    included (as the system counts them)."""
    return len(os.listdir("/proc/self/task"))


def serve(
    run: Callable[[list[str]], int],
    preload: Callable[[], None],
    *,
    name: str | None = None,
    log: Callable[[str], None],
    ready: Callable[[], None] | None = None,
) -> str:
    """Serve commands until stopped (Ctrl-C, SIGTERM) or stale; return why it stopped. `run` runs one
    command's arguments (without the program's name) and returns its exit code; `preload` imports
    what the commands will need. What it imports is read after the installation is, so that a file
    changed meanwhile makes the server stale, never a server of code older than it believes."""
    import gc
    import signal

    started = installation()
    preload()
    if threads() != 1:
        raise NotForkable(f"{threads()} threads run after importing indexc")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(address(name))
    except OSError as err:
        listener.close()
        raise AlreadyServing(str(err)) from None
    listener.listen(16)
    listener.settimeout(1.0)
    settings = python_settings(os.environ)
    gc.collect()
    gc.freeze()  # what was imported stays out of every child's collections, and shared with it
    stopping: list[str] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signal.Signals(signum).name)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    if ready is not None:
        ready()
    try:
        while not stopping:
            _reap()
            try:
                connection, _ = listener.accept()
            except (TimeoutError, InterruptedError):
                continue
            with connection:
                why = _serve_one(connection, listener, run, started, settings, log)
            if why:
                return why
        return f"stopped by {stopping[0]}"
    finally:
        listener.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _reap()


def _serve_one(
    connection: socket.socket,
    listener: socket.socket,
    run: Callable[[list[str]], int],
    started: tuple[tuple[str, int, int], ...],
    settings: dict[str, str],
    log: Callable[[str], None],
) -> str | None:
    """Fork a child for one command; a reason to stop serving if the server is stale."""
    connection.settimeout(10.0)
    fds: list[int] = []
    try:
        uid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[
            1
        ]
        if uid != os.getuid():
            log(f"refused a caller of user id {uid}")
            return None
        header, fds, _, _ = socket.recv_fds(connection, HEADER.size, len(STREAMS))
        if len(header) < HEADER.size:
            header += _exactly(connection, HEADER.size - len(header))
        argv, cwd, environ, mask = marshal.loads(_exactly(connection, HEADER.unpack(header)[0]))
        if len(fds) != len(STREAMS):
            return None
        if installation() != started:
            why = "indexc or the packages it imports changed since this server started"
            connection.sendall(DECLINED + why.encode())
            return why
        if python_settings(environ) != settings:
            connection.sendall(DECLINED + b"its PYTHON* variables differ from the server's")
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:  # the child never returns: it leaves by os._exit
            listener.close()
            _child(connection, fds, (argv, cwd, environ, mask), run)
        log(f"process {child}: indexc {' '.join(argv[1:])}  (in {cwd})")
        return None
    except (OSError, ValueError, EOFError, TypeError) as err:
        log(f"a request that could not be read: {err}")
        return None
    finally:
        for fd in fds:
            os.close(fd)


def _child(
    connection: socket.socket,
    fds: list[int],
    request: tuple[list[str], str, dict[str, str], int],
    run: Callable[[list[str]], int],
) -> None:
    """Become the caller's `indexc` process: its streams, directory, environment (and with it its time
    zone), file creation mask and arguments."""
    import signal
    import time

    argv, cwd, environ, mask = request
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd, stream in zip(fds, STREAMS, strict=True):
            os.dup2(fd, stream)
            os.close(fd)
        fds.clear()
        _standard_streams()
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        time.tzset()
        os.umask(mask)
        sys.argv = list(argv)
        connection.sendall(RUNNING + CODE.pack(os.getpid()))
        code = run(argv[1:])
    except BaseException:  # a bug in indexc: its traceback, as a process of its own would print
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            try:
                connection.sendall(EXITED + CODE.pack(code))
            finally:
                os._exit(0)


def _standard_streams() -> None:
    """Python's standard streams over the caller's descriptors, buffered as Python would buffer them
    for these files (line by line on a terminal), not as the server's own were."""
    import io

    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encoding)
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False),
        encoding=encoding,
        errors=errors,
        line_buffering=os.isatty(1),
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False),
        encoding=encoding,
        errors="backslashreplace",
        line_buffering=True,
    )


def _reap() -> None:
    """Collect the exit status of children that have ended."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
