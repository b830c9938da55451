"""The build cache: what an earlier build computed, kept under `.indexc/cache/` and never trusted blindly.

A build may reuse three things (docs/cli.md, "Incremental builds"): the parsed YAML of
a spec file whose bytes are unchanged (load/), the SQL of an object whose planned
node is unchanged (project/incremental.py), and a whole build directory when nothing
that went into it changed (cache/builds.py). Every entry is keyed by everything it
was computed from, the toolchain included: the versions of indexc, Python and the
libraries that shape the output, and a fingerprint of indexc's own source files, so a
changed compiler never reads an old compiler's results.

Every entry is written whole (to a temporary file, then renamed) and read back only
if its header names this toolchain and its payload's checksum holds: a truncated,
garbled or foreign file is a miss, never an error, and the build computes afresh.
This module knows nothing of the compiler; it stores bytes and pickled values.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import indexc

CACHE_DIR = ".indexc/cache"
FORMAT = 2  # bump when the layout of any entry changes
MAGIC = b"indexc-cache\n"
# the libraries whose versions shape what indexc reads or writes
LIBRARIES = ("sqlglot", "sqlglotc", "ruamel.yaml", "pydantic", "pydantic-core", "jinja2")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def toolchain() -> str:
    """What every cached result also depends on: the versions of Python, indexc and its libraries,
    and the name, size and modification time of each of indexc's source and template files (so a
    compiler edited in place, as in development, never reads what its earlier self wrote)."""
    parts = [f"format {FORMAT}", sys.version, f"indexc {indexc.__version__}"]
    for library in LIBRARIES:
        try:
            parts.append(f"{library} {metadata.version(library)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{library} absent")
    package = Path(indexc.__file__).parent
    for directory, subdirectories, names in sorted(os.walk(package)):
        subdirectories.sort()
        for name in sorted(names):
            if name.endswith((".py", ".j2")):
                stat = os.stat(os.path.join(directory, name))
                parts.append(f"{directory}/{name} {stat.st_size} {stat.st_mtime_ns}")
    return digest("\n".join(parts).encode("utf-8"))


def cache_root(project_root: Path) -> Path:
    return project_root / CACHE_DIR


class Store:
    """One kind of entry in the cache directory: named files of checksummed, versioned bytes.

    `enabled=False` (the build's `--no-cache`) reads nothing and writes nothing.
    """

    def __init__(self, project_root: Path, kind: str, *, enabled: bool = True) -> None:
        self.directory = cache_root(project_root) / kind
        self.enabled = enabled

    def read(self, name: str) -> bytes | None:
        """The payload stored under `name`, or None when missing, unreadable, foreign or damaged."""
        if not self.enabled:
            return None
        try:
            raw = (self.directory / name).read_bytes()
        except OSError:
            return None
        header = MAGIC + toolchain().encode("ascii") + b"\n"
        if not raw.startswith(header):
            return None
        rest = raw[len(header) :]
        checksum, _, payload = rest.partition(b"\n")
        if checksum.decode("ascii", "replace") != digest(payload):
            return None
        return payload

    def write(self, name: str, payload: bytes) -> None:
        """Store `payload` under `name`, whole or not at all; a cache that cannot be written is skipped."""
        if not self.enabled:
            return
        header = MAGIC + toolchain().encode("ascii") + b"\n" + digest(payload).encode("ascii")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _ignore_in_git(self.directory.parent.parent)
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=self.directory)
            with os.fdopen(handle, "wb") as file:
                file.write(header + b"\n" + payload)
            os.replace(temporary, self.directory / name)
        except OSError:
            return

    def load(self, name: str) -> Any:
        """A pickled value stored by `dump`, or None; a payload that does not unpickle is a miss."""
        payload = self.read(name)
        if payload is None:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 (a damaged entry is a miss, whatever it raises)
            return None

    def dump(self, name: str, value: Any) -> None:
        self.write(name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _ignore_in_git(directory: Path) -> None:
    """`.indexc/` holds only what indexc can compute again: it says so to git itself."""
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by indexc: a cache, never committed\n*\n", encoding="utf-8")
