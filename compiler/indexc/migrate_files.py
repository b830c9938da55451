"""`indexc migrate`: rewrite spec and target files in the current language, in place.

A migration edits only the tokens a language change names (the version number,
a renamed key), at the positions the loader recorded, so comments, order,
quoting and layout stay exactly as the author wrote them. Every upgraded text
is loaded again and must hold what the in-memory upgrade holds, and every new
text is written beside its file, before any file is replaced. One file that
cannot be migrated stops the whole migration, so a project is never left half
in one version.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from indexc.codes import Code, Severity
from indexc.errors import Diagnostic, Location, UserError, errors_in
from indexc.load import SpecFile, conflict_errors, find_spec_files, read_file, read_text
from indexc.migrate import (
    CURRENT_VERSION,
    LANGUAGE_KEY,
    FileRole,
    matching_paths,
    renames_from,
    upgrade_data,
)
from indexc.spec.targets import TARGET_MODELS
from indexc.validate.targets import target_path

SPECS_DIR = "specs"
BOM = "\ufeff"


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
        lines = difflib.unified_diff(
            _lines(self.before), _lines(self.after), f"a/{self.path}", f"b/{self.path}"
        )
        return "".join(lines)


def _lines(text: str) -> list[str]:
    """Lines for a unified diff: a last line without a line end is marked, as diff(1) does."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


class _Moved(Exception):
    """The token is not written where, or as, the loader saw it (an anchor, tag or escape before a key)."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.line, self.col = line, col


def _key_token(line_text: str, line: int, col: int, key: str) -> str:
    """The key as written at `col`: plain, or in single or double quotes."""
    rest = line_text[col - 1 :]
    for token in (key, f'"{key}"', f"'{key}'"):
        if rest.startswith(token):
            return token
    raise _Moved(f"the key '{key}' is not written plainly or in quotes", line, col)


def _column(text: str, line: int, col: int) -> int:
    """The column in the text of a loader column: on line 1 a byte order mark, which the loader skips, counts."""
    return col + 1 if line == 1 and text.startswith(BOM) else col


def plan_edits(text: str, spec_file: SpecFile, role: FileRole) -> tuple[list[Edit], list[str]]:
    """The edits that bring a file, loaded as written, to the current language, and what each does."""
    lines = text.splitlines()
    mark = spec_file.values[(LANGUAGE_KEY,)]
    version = str(spec_file.version)
    if not lines[mark.line - 1][_column(text, mark.line, mark.col) - 1 :].startswith(version):
        raise _Moved(
            f"the version is not written as the plain number {version}", mark.line, mark.col
        )
    edits = [Edit(mark.line, _column(text, mark.line, mark.col), version, str(CURRENT_VERSION))]
    changes = [f"line {mark.line}: {LANGUAGE_KEY}: {version} -> {CURRENT_VERSION}"]
    for _, rename in renames_from(spec_file.version, role):
        for path in matching_paths(spec_file.data, rename.pattern):
            key = spec_file.keys[path]
            col = _column(text, key.line, key.col)
            if any((edit.line, edit.col) == (key.line, col) for edit in edits):
                continue  # the same key reached again through an alias (*name): it is written once
            token = _key_token(lines[key.line - 1], key.line, col, rename.old)
            edits.append(Edit(key.line, col, token, token.replace(rename.old, rename.new)))
            where = ".".join(str(part) for part in path[:-1])
            changes.append(
                f"line {key.line}: {where + '.' if where else ''}{rename.old} -> {rename.new}"
            )
    return edits, changes


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with every edit made, right to left so earlier columns stay valid."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        line = lines[edit.line - 1]
        start = edit.col - 1
        if line[start : start + len(edit.old)] != edit.old:
            raise _Moved(f"'{edit.old}' is not at this position", edit.line, edit.col)
        lines[edit.line - 1] = line[:start] + edit.new + line[start + len(edit.old) :]
    return "".join(lines)


def _project_files(root: Path) -> list[tuple[Path, FileRole]]:
    """The spec files, and the target files a build would read (targets/<target>.yaml or .yml)."""
    targets = [target_path(root, name) for name in sorted(TARGET_MODELS)]
    return [(path, "spec") for path in find_spec_files(root / SPECS_DIR)] + [
        (path, "target") for path in targets if path.is_file()
    ]


def _migrate_one(
    path: Path, root: Path, role: FileRole
) -> tuple[Migrated | None, list[Diagnostic]]:
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
        return None, [
            Diagnostic(
                Code.OLDER_LANGUAGE_VERSION,
                f"cannot migrate: {moved}",
                Location(rel, moved.line, moved.col),
                "rename it here by hand (and set the version), then run indexc migrate again",
                severity=Severity.ERROR,
            )
        ]
    upgraded, problems = read_text(after, rel)
    upgrade = upgrade_data(
        written.data, dict(written.values), dict(written.keys), written.version, role
    )
    if upgrade.conflicts:
        return None, conflict_errors(written, upgrade.conflicts)
    expected = {**written.data, LANGUAGE_KEY: CURRENT_VERSION}
    if upgraded is None or errors_in(problems) or upgraded.data != expected:
        return None, [
            Diagnostic(
                Code.OLDER_LANGUAGE_VERSION,
                "cannot migrate: the upgraded text does not read back as the upgraded spec",
                Location(rel, 1, 1),
                "this is a bug in indexc; migrate the file by hand",
                severity=Severity.ERROR,
            )
        ]
    return Migrated(rel, written.version, changes, text, after), diagnostics


def migrate_project(root: Path, *, write: bool = True) -> list[Migrated]:
    """Bring every spec and target file of a project to the current language; all or nothing."""
    if not find_spec_files(root / SPECS_DIR):
        raise UserError(
            [
                Diagnostic(
                    Code.NO_SPECS,
                    f"no spec files found under {SPECS_DIR}/ in {root}",
                    Location(SPECS_DIR),
                    "run indexc from the project root or pass --project DIR",
                )
            ]
        )
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
        replace_all({root / one.path: one.after for one in migrated})
    return migrated


def replace_all(texts: dict[Path, str]) -> None:
    """Write every new text beside its file first, then rename each over its file.

    A failure while writing (a full disk, a read-only directory) leaves every file as it was. A
    symbolic link is followed: the file it points to is rewritten, and the link stays.
    """
    written: dict[Path, str] = {}
    try:
        for path, text in texts.items():
            target = path.resolve()
            handle, temporary = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".migrating"
            )
            written[target] = temporary
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            os.chmod(temporary, target.stat().st_mode)
    except OSError as err:
        for temporary in written.values():
            Path(temporary).unlink(missing_ok=True)
        raise UserError(
            [
                Diagnostic(
                    Code.OUTPUT_DIRECTORY_REFUSED,
                    f"cannot write beside {err.filename or path}: {err.strerror or err}",
                    Location(str(path)),
                    "nothing was changed; check the disk and permissions",
                )
            ]
        ) from err
    for target, temporary in written.items():
        os.replace(temporary, target)
