"""Whether a build directory is already what a build would write, and the record that tells.

After writing a build directory, the build records beside it in the cache
(`.indexc/cache/builds/`) what it was made from, its *inputs*: the bytes of every file
under specs/ and targets/, the build's options (target, output directory, --check,
--index, --geography-date, --proposed) and the toolchain (cache/__init__.py); and what
it wrote: the checksum of every file in the directory, and the warnings the specs gave.

`indexc build` computes the inputs first, with the standard library only. When every
target's record has the same inputs and its directory still holds exactly the files
recorded, each with its recorded checksum, the build is up to date: it writes nothing
and loads neither the compiler nor its libraries. Anything else (a spec, a target file,
an option or indexc changed; a file of the build edited, added or removed; a record
missing or damaged) is a full build, which may still reuse the SQL of unchanged objects
(project/incremental.py).
"""

from __future__ import annotations

import hashlib
import os
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


def directory_checksums(out: Path) -> dict[str, str] | None:
    """Every file in a build directory, by its path inside it, with its content's checksum."""
    found: dict[str, str] = {}
    try:
        for folder, subfolders, files in os.walk(out):
            subfolders.sort()
            for file in files:
                path = Path(folder) / file
                found[path.relative_to(out).as_posix()] = digest(path.read_bytes())
    except OSError:
        return None
    return found


def intact(out: Path, record: dict[str, Any]) -> bool:
    """Whether `out` holds exactly the files of the record, each with its recorded checksum."""
    files = record.get("files")
    return isinstance(files, dict) and out.is_dir() and directory_checksums(out) == files


@dataclass(frozen=True)
class Fresh:
    """A target whose build directory is already what the build would write."""

    target_name: str
    path: Path
    objects: int
    warnings: list[Diagnostic]


def fresh(root: Path, target_name: str, out: Path, inputs: str | None) -> Fresh | None:
    """The up-to-date build of one target, or None when it must be built."""
    if inputs is None:
        return None
    record = Store(root, "builds").load(_record_name(out))
    if (
        not isinstance(record, dict)
        or record.get("inputs") != inputs
        or record.get("out") != str(out.resolve())
        or not intact(out, record)
    ):
        return None
    warnings = record.get("warnings")
    objects = record.get("objects")
    if not isinstance(warnings, list) or not isinstance(objects, int):
        return None
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
    ) -> None:
        self.store = Store(root, "builds")
        self.out = out
        self.keys = keys  # object name -> its node's key (project/incremental.py)
        self.warnings = warnings
        self.inputs = inputs

    def reusable(self) -> dict[str, tuple[str, str]]:
        """File name -> (text key, checksum) of the last build's files that are still in the directory
        with the content that build wrote: a file whose text key is unchanged may be kept as it is."""
        record = self.store.load(_record_name(self.out))
        texts = record.get("texts") if isinstance(record, dict) else None
        if not isinstance(texts, dict) or record.get("out") != str(self.out.resolve()):
            return {}
        found = directory_checksums(self.out) if self.out.is_dir() else None
        if found is None:
            return {}
        return {
            name: entry
            for name, entry in texts.items()
            if isinstance(entry, tuple) and len(entry) == 2 and found.get(name) == entry[1]
        }

    def text_key(self, name: str, file_name: str, target_name: str) -> str | None:
        """The key of an object's file: its node's key, and what else its text shows."""
        key = self.keys.get(name)
        if key is None:
            return None
        return digest(f"{key}\0{file_name}\0{target_name}".encode())

    def save(self, files: dict[str, str], texts: dict[str, tuple[str, str]], objects: int) -> None:
        self.store.dump(
            _record_name(self.out),
            {
                "inputs": self.inputs,
                "out": str(self.out.resolve()),
                "files": files,
                "texts": texts,
                "objects": objects,
                "warnings": self.warnings,
            },
        )
