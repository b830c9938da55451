"""Whether a build directory is already what a build would write, and the record that tells.

After writing a build directory, the build records beside it in the cache
(`.indexc/cache/builds/`) what it was made from, its *inputs*: the bytes of every file
under specs/ and targets/, the build's options (target, output directory, --check,
--index, --geography-date, --proposed) and the toolchain (cache/__init__.py); and what
it wrote: the checksum of every file in the directory (and the file's status, which stands
for its content while it is unchanged: `unchanged_files`), and the warnings the specs gave.

`indexc build` computes the inputs first, with the standard library only. When every
target's record has the same inputs and its directory still holds exactly the files
recorded, each with its recorded checksum, the build is up to date: it writes nothing
and loads neither the compiler nor its libraries. Anything else (a spec, a target file,
an option or indexc changed; a file of the build edited, added or removed; a record
missing or damaged) is a full build, which may still reuse the SQL of unchanged objects
(project/incremental.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexc.cache import Store, digest, toolchain
from indexc.errors import Diagnostic

INPUT_DIRECTORIES = ("specs", "targets")
BUILD_DIR = "build"


def inputs_key(root: Path, options: dict[str, Any]) -> str | None:
    """The hash of everything a build reads and is asked; None if a file cannot be read."""
    hashed = hashlib.sha256()
    hashed.update(toolchain().encode("ascii"))
    hashed.update(repr(sorted(options.items())).encode("utf-8"))
    for name in INPUT_DIRECTORIES:
        directory = root / name
        for folder, subfolders, files in sorted(os.walk(directory)):
            subfolders.sort()
            for file in sorted(files):
                path = Path(folder) / file
                try:
                    content = path.read_bytes()
                except OSError:
                    return None
                hashed.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
                hashed.update(digest(content).encode("ascii"))
    return hashed.hexdigest()


def default_out(root: Path, target_name: str) -> Path:
    return root / BUILD_DIR / target_name


def _record_name(out: Path) -> str:
    return digest(str(out.resolve()).encode("utf-8"))[:32]


def _scan(out: Path) -> dict[str, os.stat_result] | None:
    """Every file in a build directory, by its path inside it, with its status."""
    found: dict[str, os.stat_result] = {}
    try:
        _scan_into(str(out), "", found)
    except OSError:
        return None
    return found


def _scan_into(directory: str, prefix: str, found: dict[str, os.stat_result]) -> None:
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _scan_into(entry.path, f"{prefix}{entry.name}/", found)
            else:
                found[prefix + entry.name] = entry.stat()


def _status(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def _checksum(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            return digest(file.read())
    except OSError:
        return None


def unchanged_files(
    out: Path, record: dict[str, Any]
) -> tuple[set[str], set[str], dict[str, os.stat_result]] | None:
    """The files of `out` that hold what the record says the build wrote, those of them that were
    read to tell (the others were told by their status), and the status of every file `out` holds;
    None if the directory cannot be read.

    A file is unchanged when its content has the recorded checksum. Reading every file of a large
    build takes longer than the rest of a build with nothing to do, so a file whose status (inode,
    size, modification and change times) is the one recorded is taken as unchanged without reading
    it, as git does. The change time cannot be set back by any program, and a status is recorded
    only for a file whose last change the file system's clock had already left behind when it was
    recorded (`settled`): a file changed later, in the same tick of that clock, could keep its
    times, so it is read."""
    files, stats = record.get("files"), record.get("stats")
    if not isinstance(files, dict) or not isinstance(stats, dict):
        return None
    scanned = _scan(out) if out.is_dir() else None
    if scanned is None:
        return None
    same: set[str] = set()
    read: set[str] = set()
    for name, stat in scanned.items():
        if name not in files:
            continue
        if stats.get(name) == _status(stat):  # recorded only once settled
            same.add(name)
        elif _checksum(os.path.join(out, name)) == files[name]:
            same.add(name)
            read.add(name)
    return same, read, scanned


RACY_NS = 2_000_000_000  # where the file system's own clock cannot be read: this coarse a clock


def settled(
    out: Path, known: dict[str, os.stat_result] | None = None
) -> dict[str, tuple[int, int, int, int]]:
    """The status of each file of `out` that may stand for its content from now on
    (`unchanged_files`): each file last changed in an earlier tick of the file system's clock than
    now, so that any later change gives it another change time.

    The clock is read as git reads it for its index: the change time of a file created now beside
    `out`, on the same file system, then removed. A file whose change time is earlier is settled;
    where no such file can be made (a read-only parent, another file system), a file last changed
    at least RACY_NS before now is. The files a build has just written are then settled
    at once, unless written in the very tick that is read, and the next build need not read them.

    `known`: the status of every file of `out`, where the caller has it (a build that kept most of
    the files read theirs before writing the others), so that the directory is not read again.
    """
    stamp = _clock(out.parent)
    scanned = known if known is not None else _scan(out) or {}
    fallback = time.time_ns() - RACY_NS
    found = {}
    for name, stat in scanned.items():
        now = stamp[1] if stamp is not None and stamp[0] == stat.st_dev else fallback
        if stat.st_ctime_ns < now:
            found[name] = _status(stat)
    return found


def _clock(directory: Path) -> tuple[int, int] | None:
    """The device and the current change time of `directory`'s file system, read from a file made
    and removed there; None when none can be made."""
    try:
        handle, path = tempfile.mkstemp(prefix=".indexc-clock.", dir=directory)
    except OSError:
        return None
    try:
        stat = os.fstat(handle)
        return stat.st_dev, stat.st_ctime_ns
    finally:
        os.close(handle)
        with contextlib.suppress(OSError):
            os.unlink(path)


def intact(out: Path, record: dict[str, Any]) -> tuple[bool, bool]:
    """Whether `out` holds exactly the files of the record, each with its recorded content; and
    whether files had to be read to tell (then the record is worth taking again)."""
    files = record.get("files")
    found = unchanged_files(out, record)
    if found is None or not isinstance(files, dict):
        return False, False
    same, read, scanned = found
    return same == set(files) and len(scanned) == len(files), bool(read)


@dataclass(frozen=True)
class Fresh:
    """A target whose build directory is already what the build would write."""

    target_name: str
    path: Path
    objects: int
    warnings: list[Diagnostic]


def fresh(
    root: Path,
    target_name: str,
    out: Path,
    inputs: str | None,
    loaded: dict[str, dict[str, Any]] | None = None,
) -> Fresh | None:
    """The up-to-date build of one target, or None when it must be built. `loaded`: where the record
    read to tell is left, by its output directory, for the build's `Recorder` not to read it again
    (a record is only ever checked against the files it describes, so an older one is as safe)."""
    if inputs is None:
        return None
    store = Store(root, "builds")
    record = store.load(_record_name(out))
    if isinstance(record, dict) and loaded is not None:
        loaded[str(out.resolve())] = record
    if (
        not isinstance(record, dict)
        or record.get("inputs") != inputs
        or record.get("out") != str(out.resolve())
    ):
        return None
    whole, read = intact(out, record)
    warnings = record.get("warnings")
    objects = record.get("objects")
    if not whole or not isinstance(warnings, list) or not isinstance(objects, int):
        return None
    if read:  # files were read to tell: record their status, now that it may stand for them
        record["stats"] = settled(out)
        store.dump(_record_name(out), record)
    return Fresh(target_name, out, objects, warnings)


class Recorder:
    """What a build knows of the last build into the same directory, and records of its own."""

    def __init__(
        self,
        root: Path,
        out: Path,
        keys: dict[str, str],
        warnings: list[Diagnostic],
        inputs: str | None,
        previous: dict[str, Any] | None = None,
    ) -> None:
        """`previous`: the last build's record, where `fresh` has read it already."""
        self.store = Store(root, "builds")
        self.previous = previous
        self.out = out
        self.keys = keys  # object name -> its node's key (project/incremental.py)
        self.warnings = warnings
        self.inputs = inputs
        self._previous: dict[str, Any] = {}
        self._scanned: dict[str, os.stat_result] = {}  # the directory's files before this build

    def reusable(self) -> dict[str, tuple[str, str]]:
        """File name -> (text key, checksum) of the last build's files that are still in the directory
        with the content that build wrote: a file whose text key is unchanged may be kept as it is."""
        record = self.previous
        if record is None:
            record = self.store.load(_record_name(self.out))
        self._previous = record if isinstance(record, dict) else {}
        texts = record.get("texts") if isinstance(record, dict) else None
        if not isinstance(texts, dict) or record.get("out") != str(self.out.resolve()):
            return {}
        found = unchanged_files(self.out, record)
        if found is None:
            return {}
        same, _, self._scanned = found
        return {
            name: entry
            for name, entry in texts.items()
            if isinstance(entry, tuple) and len(entry) == 2 and name in same
        }

    def entries(self) -> dict[str, str]:
        """The last build's manifest entry of each object, by its text key (outputs.manifest_text)."""
        entries = self._previous.get("entries")
        return entries if isinstance(entries, dict) else {}

    def text_key(self, name: str, file_name: str, target_name: str) -> str | None:
        """The key of an object's file: its node's key, and what else its text shows."""
        key = self.keys.get(name)
        if key is None:
            return None
        return digest(f"{key}\0{file_name}\0{target_name}".encode())

    def save(
        self,
        files: dict[str, str],
        texts: dict[str, tuple[str, str]],
        objects: int,
        entries: dict[str, str],
        kept: set[str] | None = None,
    ) -> None:
        """`kept`: the files of the last build this one left as they were (project/update.py), whose
        status `reusable` has read; only the others are read again."""
        known = None
        if kept is not None and kept <= self._scanned.keys():
            known = {name: self._scanned[name] for name in kept}
            for name in files.keys() - kept:
                try:
                    known[name] = os.stat(os.path.join(self.out, name))
                except OSError:
                    known = None  # gone already: read the directory as it is
                    break
        stats = settled(self.out, known)
        self.store.dump(
            _record_name(self.out),
            {
                "inputs": self.inputs,
                "out": str(self.out.resolve()),
                "files": files,
                "stats": stats,
                "texts": texts,
                "entries": entries,
                "objects": objects,
                "warnings": self.warnings,
            },
        )
