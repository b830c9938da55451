"""Load YAML spec files into plain data while remembering where every node came from.

Diagnostics must point at `file:line:col`, so loading keeps a position for each
key and value. ruamel's C composer gives nodes with marks an order of magnitude
faster than its round-trip loader; we build plain Python values from those
nodes ourselves and record the marks by path on the way.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from indexc.cache import Store, digest
from indexc.codes import Code
from indexc.errors import Diagnostic, Location, Severity
from indexc.load.marks import Mark, Marks, Path_
from indexc.migrate import CURRENT_VERSION, LANGUAGE_KEY, FileRole, Rename, upgrade_data

SUPPORTED_LANGUAGE_VERSIONS = tuple(range(1, CURRENT_VERSION + 1))
YAML_SUFFIXES = (".yaml", ".yml")

STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_NODES = 250_000  # per file; a 5,000-metric project has files of a few thousand


@dataclass(frozen=True)
class SpecFile:
    """One loaded YAML file: its data and the position of every key and value."""

    path: str
    version: int
    data: dict[str, Any]
    values: Mapping[Path_, Mark] = field(repr=False)
    keys: Mapping[Path_, Mark] = field(repr=False)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor that exists in the file."""
        table = self.keys if key else self.values
        path = tuple(path)
        while path:
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Mark(1, 1))

    def location(self, path: Path_ = (), *, key: bool = False) -> Location:
        mark = self.mark(path, key=key)
        return Location(self.path, mark.line, mark.col)


class _Unreadable(Exception):
    """A node the loader will not turn into a value; reported as IX001 at the node."""

    def __init__(self, message: str, node: Node, hint: str) -> None:
        super().__init__(message)
        self.message, self.node, self.hint = message, node, hint


class _Builder:
    """Turns composed nodes into plain values, recording marks and duplicate keys.

    Scalars keep YAML's types (numbers, booleans, null) except timestamps, which
    stay text for the models to parse, so an impossible date is a model error
    with a position rather than a crash. Aliases are expanded, within a limit.
    """

    def __init__(self, yaml: YAML, file: str):
        self.constructor = yaml.constructor
        self.file = file
        self.values: dict[Path_, Mark] = {}
        self.keys: dict[Path_, Mark] = {}
        self.diagnostics: list[Diagnostic] = []
        self.nodes = 0

    def build(self, node: Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Unreadable(
                f"the file expands to more than {MAX_NODES:,} values",
                node,
                "aliases (*name) that repeat large parts of the file multiply its size",
            )
        self.values[path] = Mark(
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            (node.style or None) if isinstance(node, ScalarNode) else None,
        )
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = (
                    self.scalar(key_node)
                    if isinstance(key_node, ScalarNode)
                    else f"<{type(key_node).__name__}>"
                )
                if key in result:
                    self.diagnostics.append(
                        Diagnostic(
                            Code.UNREADABLE_FILE,
                            f"duplicate key '{key}' in one mapping",
                            Location(
                                self.file,
                                key_node.start_mark.line + 1,
                                key_node.start_mark.column + 1,
                            ),
                            hint="YAML keeps only one of them; remove or rename the other",
                        )
                    )
                    continue
                self.keys[path + (key,)] = Mark(
                    key_node.start_mark.line + 1, key_node.start_mark.column + 1
                )
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: Node) -> Any:
        tag = str(node.tag)
        if tag in (STR_TAG, TIMESTAMP_TAG):
            return node.value
        if tag == MERGE_TAG:
            raise _Unreadable(
                "merge keys (<<) are not supported", node, "write the merged keys out in full"
            )
        try:
            return self.constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, KeyError) as err:
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            raise _Unreadable(
                f"cannot read the value '{shown}' as {tag.rsplit(':', 1)[-1]}",
                node,
                "quote it to keep it as text, or remove the explicit tag",
            ) from err


def _yaml() -> YAML:
    return YAML(typ="safe", pure=False)


def load_file(
    path: Path, root: Path, role: FileRole = "spec", cache: Store | None = None
) -> tuple[SpecFile | None, list[Diagnostic]]:
    """Load one file in the current language; on a syntax or version problem, no file and the diagnostics.

    A file in an older language is upgraded in memory (positions still point into the file as
    written) with a warning that `indexc migrate` would rewrite it.
    """
    spec_file, diagnostics = read_file(path, root, cache)
    if spec_file is None or spec_file.version == CURRENT_VERSION:
        return spec_file, diagnostics
    data = spec_file.data
    upgrade = upgrade_data(
        data, dict(spec_file.values), dict(spec_file.keys), spec_file.version, role
    )
    changes = (
        "; ".join(
            f"'{rename.old}' is now '{rename.new}'"
            for rename in dict.fromkeys(rename for _, rename in upgrade.renamed)
        )
        or "nothing in this file changes"
    )
    hint = (
        "run 'indexc migrate' to upgrade the files in place; comments and order are kept"
        if role != "structure"
        else f"write '{LANGUAGE_KEY}: {CURRENT_VERSION}' and the current key names in the structure file"
    )
    warning = Diagnostic(
        Code.OLDER_LANGUAGE_VERSION,
        f"written in language version {spec_file.version}, read as version {CURRENT_VERSION} ({changes})",
        spec_file.location((LANGUAGE_KEY,)),
        severity=Severity.WARNING,
        hint=hint,
    )
    return SpecFile(
        spec_file.path, CURRENT_VERSION, data, upgrade.values, upgrade.keys
    ), diagnostics + [warning] + conflict_errors(spec_file, upgrade.conflicts)


def conflict_errors(
    spec_file: SpecFile, conflicts: list[tuple[tuple[Any, ...], Rename]]
) -> list[Diagnostic]:
    """IX006: a key written both under its old name and its new one; which was meant cannot be told."""
    return [
        Diagnostic(
            Code.OLDER_LANGUAGE_VERSION,
            f"'{rename.old}' (language version {spec_file.version}) and '{rename.new}' are "
            f"both written here",
            spec_file.location(path, key=True),
            f"'{rename.old}' is the old name of '{rename.new}'; keep one of them",
            severity=Severity.ERROR,
        )
        for path, rename in conflicts
    ]


def read_file(
    path: Path, root: Path, cache: Store | None = None
) -> tuple[SpecFile | None, list[Diagnostic]]:
    """Load one file as written, in whichever supported language version it declares.

    With a `cache` (the build cache's "yaml" entries, cache/__init__.py), a file whose path and text
    are those of the last load is not parsed again: what that load read is taken back, one entry
    per file path, checked against the text's checksum."""
    rel = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return None, [
            Diagnostic(
                Code.UNREADABLE_FILE,
                f"the file is not UTF-8 text ({err.reason})",
                Location(rel, 1, 1),
                hint="save the spec file as UTF-8",
            )
        ]
    except (
        OSError
    ) as err:  # a dangling link, a directory named *.yaml, no permission: the user's file system
        return None, [unreadable(path, rel, err)]
    if cache is None:
        return read_text(text, rel)
    name, checksum = digest(rel.encode("utf-8")), digest(text.encode("utf-8"))
    cached = cache.load(name)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == checksum:
        return cached[1]
    result = read_text(text, rel)
    spec_file, diagnostics = result
    if spec_file is not None:  # its marks stored as rows (`Marks`)
        spec_file = SpecFile(
            spec_file.path,
            spec_file.version,
            spec_file.data,
            Marks.of(spec_file.values),
            Marks.of(spec_file.keys),
        )
    cache.dump(name, (checksum, (spec_file, diagnostics)))
    return result


def unreadable(path: Path, rel: str, err: OSError) -> Diagnostic:
    """IX001 at a spec path that cannot be read, so a file the user meant is never skipped in silence."""
    if path.is_dir():
        return Diagnostic(
            Code.UNREADABLE_FILE,
            "cannot read the file: it is a directory",
            Location(rel),
            "rename the directory: a name ending in .yaml or .yml is read as a spec file",
        )
    if err.errno == errno.ENOENT and path.is_symlink():
        return Diagnostic(
            Code.UNREADABLE_FILE,
            f"cannot read the file: it is a symbolic link to '{path.readlink()}', "
            "which does not exist",
            Location(rel),
            "fix or remove the link",
        )
    reason = (err.strerror or type(err).__name__).lower()
    hint = (
        "make the file readable by the user running indexc"
        if isinstance(err, PermissionError)
        else None
    )
    return Diagnostic(Code.UNREADABLE_FILE, f"cannot read the file: {reason}", Location(rel), hint)


def read_text(text: str, rel: str) -> tuple[SpecFile | None, list[Diagnostic]]:
    """Load a file's text as written; `rel` names it in diagnostics."""
    yaml = _yaml()
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = err.problem or err.context or "invalid YAML"
        return None, [
            Diagnostic(
                Code.UNREADABLE_FILE,
                f"YAML syntax error: {problem}",
                Location(rel, line, col),
                hint="check indentation, colons and quoting around this position",
            )
        ]
    except YAMLError as err:  # e.g. a control character the reader refuses
        return None, [
            Diagnostic(
                Code.UNREADABLE_FILE,
                f"YAML cannot read the file: {str(err).splitlines()[0]}",
                Location(rel, 1, 1),
                hint="remove control characters such as NUL bytes",
            )
        ]
    if node is None:
        return None, [
            Diagnostic(
                Code.NOT_A_SPEC_DOCUMENT,
                "empty spec file",
                Location(rel, 1, 1),
                hint=f"start the file with '{LANGUAGE_KEY}: {CURRENT_VERSION}' or delete it",
            )
        ]
    builder = _Builder(yaml, rel)
    try:
        data = builder.build(node, ())
    except _Unreadable as problem:
        mark = problem.node.start_mark
        return None, builder.diagnostics + [
            Diagnostic(
                Code.UNREADABLE_FILE,
                problem.message,
                Location(rel, mark.line + 1, mark.column + 1),
                problem.hint,
            )
        ]
    except RecursionError:
        return None, builder.diagnostics + [
            Diagnostic(
                Code.UNREADABLE_FILE,
                "the file nests too deeply (or an alias contains itself)",
                Location(rel, 1, 1),
                "flatten the structure; an anchor (&name) must not be used inside itself",
            )
        ]
    diagnostics = builder.diagnostics
    if not isinstance(data, dict):
        return None, diagnostics + [
            Diagnostic(
                Code.NOT_A_SPEC_DOCUMENT,
                "a spec file must be a mapping of kinds to lists",
                Location(rel, 1, 1),
                hint=f"start the file with '{LANGUAGE_KEY}: {CURRENT_VERSION}'",
            )
        ]
    first_key = next(iter(data), None)
    version = data.get(LANGUAGE_KEY)
    if first_key != LANGUAGE_KEY:
        return None, diagnostics + [
            Diagnostic(
                Code.NOT_A_SPEC_DOCUMENT,
                f"the file does not start with the language version '{LANGUAGE_KEY}:'",
                Location(rel, 1, 1),
                hint=f"add '{LANGUAGE_KEY}: {CURRENT_VERSION}' as the first line",
            )
        ]
    if type(version) is not int or version not in SUPPORTED_LANGUAGE_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_LANGUAGE_VERSIONS)
        mark = builder.values[(LANGUAGE_KEY,)]
        return None, diagnostics + [
            Diagnostic(
                Code.NOT_A_SPEC_DOCUMENT,
                f"unsupported language version {version!r}",
                Location(rel, mark.line, mark.col),
                hint=f"this indexc understands language version(s) {supported}",
            )
        ]
    return SpecFile(rel, version, data, builder.values, builder.keys), diagnostics


def find_spec_files(directory: Path) -> list[Path]:
    """Every YAML file below `directory`, in a stable order independent of the file system."""
    if not directory.is_dir():
        return []
    found = [
        p for p in directory.rglob("*") if p.suffix in YAML_SUFFIXES
    ]  # unreadable ones too: IX001
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


@dataclass(frozen=True)
class LoadFailure:
    """A spec file that did not load, with its text (None when it could not be read at all).

    The definitions it holds are missing from the project, so references to them elsewhere
    fail too; the text lets the facade tell those follow-on errors from independent ones.
    """

    path: str
    text: str | None


def load_tree(
    directory: Path, root: Path, *, cache: bool = False
) -> tuple[list[SpecFile], list[Diagnostic], list[LoadFailure]]:
    """Every spec file below `directory`; with `cache`, unchanged files are taken from the cache."""
    store = Store(root, "yaml") if cache else None
    files: list[SpecFile] = []
    diagnostics: list[Diagnostic] = []
    failures: list[LoadFailure] = []
    for path in find_spec_files(directory):
        loaded, problems = load_file(path, root, cache=store)
        diagnostics.extend(problems)
        if loaded is not None:
            files.append(loaded)
        else:
            failures.append(LoadFailure(path.relative_to(root).as_posix(), _text_if_readable(path)))
    return files, diagnostics, failures


def _text_if_readable(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # already reported as IX001 by read_file
        return None
