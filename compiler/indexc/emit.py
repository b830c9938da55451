"""Emit a build directory: one SQL file per object and a manifest, replaced atomically.

The directory is written beside the old one and swapped in only when complete,
so a failed or interrupted build never leaves a half-written build behind.
Output depends only on spec and target content: file order, file names and the
machine never change a byte. At scale the files' texts are rendered by two processes
(generate/halves.py), and this one writes every file (`write_files`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlglot

from indexc import __version__
from indexc.documents import render
from indexc.generate import CompiledObject
from indexc.generate.audiences import AudienceSql
from indexc.generate.halves import in_two
from indexc.generate.publish import Prune
from indexc.migrate import CURRENT_VERSION

MANIFEST = "manifest.json"
HEADER_WIDTH = 96
AUDIENCES_DIR = "audiences"
O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: the bytes as given (write_file translates)


def text_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(data: Any) -> str:
    """The hash of JSON-like data in a canonical form, so key order and formatting never matter."""
    return text_hash(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def is_build_directory(path: Path) -> bool:
    """Only an empty directory or an earlier build may be replaced by a build."""
    try:
        return not path.exists() or (
            path.is_dir() and (not any(path.iterdir()) or (path / MANIFEST).is_file())
        )
    except OSError:  # a name the file system refuses; writing will report it
        return True


@lru_cache(maxsize=16384)
def _header_lines(description: str) -> tuple[str, ...]:
    """A description as the header's comment lines; kept, because both targets' files (and many
    objects of one kind) repeat a description, and wrapping text is slow."""
    return tuple(
        wrapped
        for paragraph in description.splitlines()
        if paragraph.strip()
        for wrapped in textwrap.wrap(paragraph, HEADER_WIDTH)
    )


def file_text(obj: CompiledObject, target: str) -> str:
    lines = list(_header_lines(obj.node.description))
    return render("sql_file.sql.j2", object=obj, target=target, description_lines=lines)


def file_bytes(obj: CompiledObject, target: str) -> bytes:
    """An object's file as it is written: its text in UTF-8, a newline written as the system's (as
    `Path.write_text(text, encoding="utf-8")` writes it)."""
    text = file_text(obj, target)
    return (text if os.linesep == "\n" else text.replace("\n", os.linesep)).encode("utf-8")


def write_files(directory: str, objects: list[CompiledObject], target: str) -> list[bytes]:
    """Each object's file in `directory`; what each holds, in the objects' order.

    At scale the texts are made in two processes (generate/halves.py), but every file is created
    here: this process writes each file of its half as soon as it has made it, and the child's once
    they arrive. On this project's Linux machines (ext4 on a virtual disk), two processes creating
    files at the same time made each creation take 470 to 630 us of kernel time instead of 35 us,
    even in different directories: the writing cost more than the rest."""
    here = os.getpid()
    written: set[int] = set()  # positions whose file this process wrote as it made them

    def make(position: int) -> bytes:
        obj = objects[position]
        data = file_bytes(obj, target)
        if os.getpid() == here:  # not in the forked child, which only sends the text back
            write_data(os.path.join(directory, obj.file_name), data)
            written.add(position)
        return data

    contents = in_two(make, range(len(objects)))
    for position, data in enumerate(contents):
        if position not in written:
            write_data(os.path.join(directory, objects[position].file_name), data)
    return contents


def write_data(path: str, data: bytes) -> None:
    """`data` in a new or truncated file, without Python's file object: thousands of files."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | O_BINARY, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def audience_file_name(audience: AudienceSql) -> str:
    """Beside the objects, in their own directory: an audience's statements run once the build is
    published, and hold several statements where an object's file holds one."""
    return f"{AUDIENCES_DIR}/{audience.audience_id}.sql"


def audience_file_text(audience: AudienceSql, target: str) -> str:
    lines = [
        wrapped
        for paragraph in audience.description.splitlines()
        if paragraph.strip()
        for wrapped in textwrap.wrap(paragraph, HEADER_WIDTH)
    ]
    return render(
        "audience_file.sql.j2",
        audience=audience,
        target=target,
        description_lines=lines,
        prunes=[isinstance(s, Prune) for s in audience.statements],
    )


def manifest_entry(obj: CompiledObject) -> dict[str, Any]:
    """What the manifest says of one object (docs/cli.md)."""
    return {
        "name": obj.name,
        "file": obj.file_name,
        "layer": obj.node.layer.value,
        "materialisation": obj.node.materialisation.value,
        "level": obj.level,
        "depends_on": list(obj.node.depends_on),
        "spec": {"kind": obj.node.spec[0], "id": obj.node.spec[1]} if obj.node.spec else None,
        "sql_hash": text_hash(obj.statement),
    }


def manifest(
    objects: list[CompiledObject],
    target: str,
    spec_hash: str,
    target_hash: str,
    audiences: list[AudienceSql] | None = None,
) -> dict[str, Any]:
    listed = (
        {
            "audiences": [
                {
                    "id": audience.audience_id,
                    "file": audience_file_name(audience),
                    "sees": audience.sees,
                    "schema": audience.schema,
                    "role": audience.role,
                    "views": sorted(audience.relations),
                }
                for audience in audiences
            ]
        }
        if audiences
        else {}
    )
    return (
        {
            "indexc_version": __version__,
            "sqlglot_version": sqlglot.__version__,  # the SQL text depends on it
            "language_version": CURRENT_VERSION,  # every spec file is read as this version, whatever it declares
            "target": target,
            "spec_hash": spec_hash,
            "target_hash": target_hash,
            "objects": [manifest_entry(obj) for obj in objects],
        }
        | listed
    )


def emit(
    objects: list[CompiledObject],
    out: Path,
    target: str,
    spec_hash: str,
    target_hash: str,
    audiences: list[AudienceSql] | None = None,
) -> Path:
    """`audiences`: one file each, `audiences/<id>.sql`, listed under the manifest's `audiences`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_files(str(staging), objects, target)
        for audience in audiences or []:
            (staging / AUDIENCES_DIR).mkdir(exist_ok=True)
            (staging / audience_file_name(audience)).write_text(
                audience_file_text(audience, target), encoding="utf-8"
            )
        data = manifest(objects, target, spec_hash, target_hash, audiences)
        (staging / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if out.exists():
            retired = out.with_name(f".{out.name}.previous")
            shutil.rmtree(retired, ignore_errors=True)
            os.replace(out, retired)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
