"""`indexc migrate`: rewrite spec and target files in the current language, in place.

A migration edits only the tokens a language change names (the version number,
a renamed key), at the positions the loader recorded, so comments, order,
quoting and layout stay exactly as the author wrote them. Every upgraded text
is loaded again and must hold what the in-memory upgrade holds before any file
is written; then each file is replaced in one step. One unreadable file stops
the whole migration, so a project is never left half in one version.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from indexc.errors import Diagnostic, Location, UserError, errors_in
from indexc.load import SpecFile, find_spec_files, read_file, read_text
from indexc.migrate import CURRENT_VERSION, LANGUAGE_KEY, FileRole, renames_from, upgrade_data, matching_paths

SPECS_DIR, TARGETS_DIR = "specs", "targets"


@dataclass(frozen=True)
class Edit:
    """Replace `old` by `new` at a 1-based line and column."""

    line: int
    col: int
    old: str
    new: str


@dataclass
class Migrated:
    """One file brought to the current language: what changed where, and its text before and after."""

    path: str
    version: int
    changes: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                            f"a/{self.path}", f"b/{self.path}"))


class _Moved(Exception):
    """The text is not where the loader saw it."""


def _key_token(line_text: str, col: int, key: str) -> str:
    """The key as written at `col`: plain, or in single or double quotes."""
    rest = line_text[col - 1:]
    for token in (key, f'"{key}"', f"'{key}'"):
        if rest.startswith(token):
            return token
    raise _Moved(f"expected the key '{key}' at column {col}")


def plan_edits(text: str, spec_file: SpecFile, role: FileRole) -> tuple[list[Edit], list[str]]:
    """The edits that bring a file, loaded as written, to the current language, and what each does."""
    lines = text.splitlines()
    mark = spec_file.values[(LANGUAGE_KEY,)]
    version = str(spec_file.version)
    if not lines[mark.line - 1][mark.col - 1:].startswith(version):
        raise _Moved(f"expected the version {version} at line {mark.line}")
    edits = [Edit(mark.line, mark.col, version, str(CURRENT_VERSION))]
    changes = [f"line {mark.line}: {LANGUAGE_KEY}: {version} -> {CURRENT_VERSION}"]
    for _, rename in renames_from(spec_file.version, role):
        for path in matching_paths(spec_file.data, rename.pattern):
            key = spec_file.keys[path]
            if any((edit.line, edit.col) == (key.line, key.col) for edit in edits):
                continue  # the same key reached again through an alias (*name): it is written once
            token = _key_token(lines[key.line - 1], key.col, rename.old)
            edits.append(Edit(key.line, key.col, token, token.replace(rename.old, rename.new)))
            where = ".".join(str(part) for part in path[:-1])
            changes.append(f"line {key.line}: {where + '.' if where else ''}{rename.old} -> {rename.new}")
    return edits, changes


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with every edit made, right to left so earlier columns stay valid."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        line = lines[edit.line - 1]
        start = edit.col - 1
        if line[start:start + len(edit.old)] != edit.old:
            raise _Moved(f"line {edit.line} does not hold '{edit.old}' at column {edit.col}")
        lines[edit.line - 1] = line[:start] + edit.new + line[start + len(edit.old):]
    return "".join(lines)


def _project_files(root: Path) -> list[tuple[Path, FileRole]]:
    targets = sorted(p for p in (root / TARGETS_DIR).glob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [(path, "spec") for path in find_spec_files(root / SPECS_DIR)] + [(path, "target") for path in targets]


def _migrate_one(path: Path, root: Path, role: FileRole) -> tuple[Migrated | None, list[Diagnostic]]:
    written, diagnostics = read_file(path, root)
    if written is None or errors_in(diagnostics) or written.version == CURRENT_VERSION:
        return None, diagnostics
    with path.open(encoding="utf-8", newline="") as handle:  # as written: CRLF line ends stay CRLF
        text = handle.read()
    rel = written.path
    try:
        edits, changes = plan_edits(text, written, role)
        after = apply_edits(text, edits)
    except _Moved as moved:
        return None, [Diagnostic("IX006", f"cannot migrate: {moved}", Location(rel, 1, 1),
                                 "the file changed while it was read; run indexc migrate again")]
    upgraded, problems = read_text(after, rel)
    upgrade_data(written.data, written.values, written.keys, written.version, role)
    expected = {**written.data, LANGUAGE_KEY: CURRENT_VERSION}
    if upgraded is None or errors_in(problems) or upgraded.data != expected:
        return None, [Diagnostic("IX006", "cannot migrate: the upgraded text does not read back as the upgraded spec",
                                 Location(rel, 1, 1), "this is a bug in indexc; migrate the file by hand")]
    return Migrated(rel, written.version, changes, text, after), diagnostics


def migrate_project(root: Path, *, write: bool = True) -> list[Migrated]:
    """Bring every spec and target file of a project to the current language; all or nothing."""
    migrated: list[Migrated] = []
    diagnostics: list[Diagnostic] = []
    for path, role in _project_files(root):
        one, problems = _migrate_one(path, root, role)
        diagnostics += problems
        if one is not None:
            migrated.append(one)
    if errors_in(diagnostics):
        raise UserError(diagnostics)
    if write:
        for one in migrated:
            write_atomically(root / one.path, one.after)
    return migrated


def write_atomically(path: Path, text: str) -> None:
    """Replace a file in one step, keeping its permissions, so a failure never leaves half a file."""
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".migrating")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
