"""What the facade writes to disk: a build's directory, the HTML catalogue, the editors' schemas.

Each refuses, as a diagnostic, a directory it may not write: a build replaces
only an empty directory or an earlier indexc build (one holding its manifest),
never a user's files, and a directory that cannot be written is named with
the system's reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from indexc import catalogue, schema
from indexc.cache import digest
from indexc.codes import Code
from indexc.compilation import Compilation
from indexc.emit import (
    MANIFEST,
    audience_file_name,
    audience_file_text,
    content_hash,
    emit,
    is_build_directory,
    manifest,
    manifest_entry,
    write_files,
)
from indexc.errors import Diagnostic, Location, UserError
from indexc.generate import CompiledObject
from indexc.generate.audiences import AudienceSql
from indexc.project import builds
from indexc.project.builds import Recorder
from indexc.project.update import Update, exclusive
from indexc.spec.targets import Target

BUILD_DIR = builds.BUILD_DIR
SPEC_SCHEMA = "indexc-spec.schema.json"
TARGET_SCHEMA = "indexc-target.schema.json"


def write_build(
    root: Path,
    out: Path,
    objects: list[CompiledObject],
    target: Target,
    target_name: str,
    spec_hash: str,
    audiences: list[AudienceSql] | None = None,
    recorder: Recorder | None = None,
) -> tuple[Path, int]:
    """The build's SQL files and manifest in `out`, if it is empty or an earlier build (emit.py).

    With a `recorder` (the cache is on), only the files whose content changed are written
    (`write_changed`), and what was written is recorded for the next build (project/builds.py).
    Returns the directory and how many files were written (the others were kept as they were)."""
    if not is_build_directory(out):
        shown = out.relative_to(root) if out.is_relative_to(root) else out
        raise UserError(
            [
                Diagnostic(
                    Code.OUTPUT_DIRECTORY_REFUSED,
                    f"{shown} is not empty and holds no {MANIFEST}: not an indexc build to replace",
                    Location(str(shown)),
                    "move its files away, or build into an empty or new directory",
                )
            ]
        )
    target_hash = content_hash(target.model_dump(mode="json", by_alias=True))
    try:
        with exclusive(out):
            if recorder is None:
                emit(objects, out, target_name, spec_hash, target_hash, audiences or [])
                return out, len(objects) + len(audiences or []) + 1
            return write_changed(
                objects, out, target_name, spec_hash, target_hash, audiences or [], recorder
            )
    except OSError as err:
        raise unwritable("the build", out, err) from None


def write_changed(
    objects: list[CompiledObject],
    out: Path,
    target: str,
    spec_hash: str,
    target_hash: str,
    audiences: list[AudienceSql],
    recorder: Recorder,
) -> tuple[Path, int]:
    """Emit a build as emit.py does, touching only what changed (project/update.py).

    A file of the last build whose object has the same text key (the same node, level and target)
    stays where it is, unopened: it keeps its bytes and its times. Every other file (of an object
    that changed or is no longer planned, the manifest, the audiences') goes, and the new ones are
    written; if writing fails, the directory is put back as the last build left it.
    """
    reusable = recorder.reusable()
    files: dict[str, str] = {}
    texts: dict[str, tuple[str, str]] = {}
    keys: list[str | None] = []
    kept: set[str] = set()
    fresh: list[CompiledObject] = []
    for obj in objects:
        name = obj.file_name
        key = recorder.text_key(obj.name, name, target)
        keys.append(key)
        reused = reusable.get(name)
        if key is not None and reused is not None and reused[0] == key:
            checksum = reused[1]
            kept.add(name)
        else:
            checksum = ""  # written below (emit.write_files)
            fresh.append(obj)
        files[name] = checksum
        if key is not None:
            texts[name] = (key, checksum)
    with Update(out, kept) as work:
        written = [digest(data) for data in write_files(str(work), fresh, target)]
        for obj, checksum in zip(fresh, written, strict=True):
            files[obj.file_name] = checksum
            if obj.file_name in texts:
                texts[obj.file_name] = (texts[obj.file_name][0], checksum)
        for audience in audiences:
            (work / audience_file_name(audience)).parent.mkdir(exist_ok=True)
            files[audience_file_name(audience)] = _write(
                work / audience_file_name(audience), audience_file_text(audience, target)
            )
        data = manifest([], target, spec_hash, target_hash, audiences)  # entries: manifest_text
        text, entries = manifest_text(data, objects, manifest_entry, keys, recorder.entries())
        files[MANIFEST] = _write(work / MANIFEST, text)
    recorder.save(files, texts, len(objects), entries, kept)
    return out, len(files) - len(kept)


T = TypeVar("T")
OBJECTS = "\0objects\0"  # stands for the manifest's list of objects while the rest is written


def manifest_text(
    data: dict[str, Any],
    items: Sequence[T],
    entry: Callable[[T], Any],
    keys: list[str | None],
    known: dict[str, str],
) -> tuple[str, dict[str, str]]:
    """`json.dumps(data, indent=2)` and a newline, as emit.py writes the manifest, its `objects` the
    `entry` of each item, with the entry of each object whose text key is in `known` taken from there
    rather than made and written again (with an indent, json writes in Python, slowly: seconds for
    thousands of objects); and each object's entry by its key, for the next build."""
    header = json.dumps(data | {"objects": OBJECTS}, indent=2)
    placeholder = json.dumps(OBJECTS)
    if header.count(placeholder) != 1 or len(keys) != len(items):
        return json.dumps(data | {"objects": [entry(item) for item in items]}, indent=2) + "\n", {}
    entries: dict[str, str] = {}
    parts = []
    for key, item in zip(keys, items, strict=True):
        text = known.get(key) if key is not None else None
        if not isinstance(text, str):
            made = json.dumps(entry(item), indent=2)
            text = "\n".join("    " + line for line in made.split("\n"))
        if key is not None:
            entries[key] = text
        parts.append(text)
    listed = "[\n" + ",\n".join(parts) + "\n  ]" if parts else "[]"
    return header.replace(placeholder, listed) + "\n", entries


def _write(path: Path, text: str) -> str:
    data = text.encode("utf-8")
    path.write_bytes(data)
    return digest(data)


def write_docs(compilation: Compilation, root: Path, out: Path) -> Path:
    """The HTML catalogue (catalogue.py) of the specs as they are."""
    directory = out if out.is_absolute() else root / out
    geography = compilation.geography
    try:
        return catalogue.write(
            compilation.catalog, geography.date.isoformat() if geography else None, directory
        )
    except OSError as err:
        raise unwritable("the catalogue", out, err) from None


def write_schemas(root: Path, out: Path) -> list[Path]:
    """The JSON Schemas of spec and target files, for editors; needs no specs."""
    directory = out if out.is_absolute() else root / out
    files = {SPEC_SCHEMA: schema.spec_schema(), TARGET_SCHEMA: schema.target_schema()}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (directory / name).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise unwritable("the schemas", out, err) from None
    return [directory / name for name in files]


def unwritable(what: str, out: Path, err: OSError) -> UserError:
    return UserError(
        [
            Diagnostic(
                Code.OUTPUT_DIRECTORY_REFUSED,
                f"cannot write {what} to {out}: {err.strerror}",
                Location(str(out)),
                "choose a directory you can write",
            )
        ]
    )
