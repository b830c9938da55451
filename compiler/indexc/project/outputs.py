"""What the facade writes to disk: a build's directory, the HTML catalogue, the editors' schemas.

Each refuses, as a diagnostic, a directory it may not write: a build replaces
only an empty directory or an earlier indexc build (one holding its manifest),
never a user's files, and a directory that cannot be written is named with
the system's reason.
"""

from __future__ import annotations

import json
from pathlib import Path

from indexc import catalogue, schema
from indexc.codes import Code
from indexc.compilation import Compilation
from indexc.emit import MANIFEST, content_hash, emit, is_build_directory
from indexc.errors import Diagnostic, Location, UserError
from indexc.generate import CompiledObject
from indexc.generate.audiences import AudienceSql
from indexc.spec.targets import Target

BUILD_DIR = "build"
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
) -> Path:
    """The build's SQL files and manifest in `out`, if it is empty or an earlier build (emit.py)."""
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
        return emit(objects, out, target_name, spec_hash, target_hash, audiences or [])
    except OSError as err:
        raise unwritable("the build", out, err) from None


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
