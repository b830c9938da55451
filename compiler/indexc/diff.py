"""`indexc diff`: what a change to the specs does to the compiled SQL, and what kind of change it is.

A reviewer of a pull request sees the spec diff; what matters is what it does. Both revisions are
compiled for one target, the SQL of every object is compared, and each changed spec object is
classified:

- cosmetic: no object it defines changed its SQL (a description, a comment, a reordering);
- definition: what a source, measure, metric, universe, audit or policy computes changed;
- rank-affecting: weights, method, lens membership, peers, direction, savings or stability:
  the ranking itself can move;
- geography: areas, levels, lineage events or area maps, which restate history.

A metric whose formula changed without a new `version` is warned about: the number published
under the same version would silently mean something else; so is an index whose ranking a change
can move while its `version` stays. Compiled objects are listed in dependency order (the order of
the build's files), and an added object's SQL is shown whole, as a reviewer must read all of it.
"""

from __future__ import annotations

import difflib
import io
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from indexc.documents import render
from indexc.generate import CompiledObject
from indexc.plan.nodes import Layer
from indexc.spec_changes import field_changes
from indexc.validate.catalog import CANONICAL_KINDS, Catalog

COSMETIC, DEFINITION, RANKS, GEOGRAPHY = "cosmetic", "definition", "rank-affecting", "geography"
ORDER = (RANKS, GEOGRAPHY, DEFINITION, COSMETIC)
GEOGRAPHY_KINDS = frozenset({"areas", "levels", "lineage", "area_maps"})
RANK_FIELDS = {
    "indexes": frozenset(
        {"universe", "method", "lenses", "productivity", "peers", "savings", "stability"}
    ),
    "metrics": frozenset({"direction"}),
    "scenarios": frozenset({"weights", "savings", "proposed", "index"}),
}
PROJECT_PARTS = ("specs", "targets")


class BaseUnavailable(Exception):
    """The base revision cannot be read: not a git repository, an unknown ref, no specs there."""


@dataclass(frozen=True)
class SpecChange:
    kind: str
    id: str
    status: str  # added, removed, changed
    category: str
    fields: tuple[str, ...] = ()
    details: tuple[str, ...] = ()  # field by field: "lens outcomes: weight 2 -> 3"


@dataclass
class Diff:
    base: str
    target: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, str] = field(default_factory=dict)  # object -> unified diff of its SQL
    added_sql: dict[str, str] = field(
        default_factory=dict
    )  # added object -> its SQL, as a diff from nothing
    specs: list[SpecChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.specs)


def checkout(root: Path, ref: str, into: Path) -> Path:
    """The project's specs and targets as they are at `ref`, written under `into`."""

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    prefix = git("rev-parse", "--show-prefix")
    if prefix.returncode != 0:
        raise BaseUnavailable(f"{root} is not in a git repository")
    commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise BaseUnavailable(f"'{ref}' is not a commit of this repository")
    tree = f"{commit.stdout.decode().strip()}:{prefix.stdout.decode().strip()}"
    listed = git("ls-tree", "--name-only", tree).stdout.decode().split()
    paths = [p for p in PROJECT_PARTS if p in listed]
    if "specs" not in paths:
        raise BaseUnavailable(f"'{ref}' has no specs/ directory in this project")
    archive = git("archive", "--format=tar", tree, *paths)
    if archive.returncode != 0:
        raise BaseUnavailable(archive.stderr.decode().strip().splitlines()[0])
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def compare(
    base: list[CompiledObject],
    head: list[CompiledObject],
    base_catalog: Catalog,
    head_catalog: Catalog,
    base_ref: str,
    target: str,
) -> Diff:
    diff = Diff(base_ref, target)
    before = {o.name: o for o in _in_build_order(base)}
    after = {o.name: o for o in _in_build_order(head)}
    diff.added = [name for name in after if name not in before]
    diff.removed = [name for name in before if name not in after]
    for name in diff.added:
        diff.added_sql[name] = _unified(
            "", after[name].statement, "/dev/null", f"working tree/{after[name].file_name}"
        )
    for name in (name for name in after if name in before):
        if before[name].statement != after[name].statement:
            diff.changed[name] = _unified(
                before[name].statement,
                after[name].statement,
                f"{base_ref}/{before[name].file_name}",
                f"working tree/{after[name].file_name}",
            )
    moved = set(diff.added) | set(diff.removed) | set(diff.changed)
    reach = _downstream(base)
    for key, names in _downstream(head).items():
        reach[key] = reach.get(key, set()) | names
    shared = _shared_geography(base) | _shared_geography(head)  # built from all events at once
    for kind in CANONICAL_KINDS:
        old, new = _dumps(base_catalog, kind), _dumps(head_catalog, kind)
        for object_id in sorted(set(old) | set(new)):
            if old.get(object_id) == new.get(object_id):
                continue
            status = (
                "added"
                if object_id not in old
                else "removed"
                if object_id not in new
                else "changed"
            )
            fields = _changed_fields(old[object_id], new[object_id]) if status == "changed" else ()
            details = (
                tuple(map(str, field_changes(old[object_id], new[object_id])))
                if status == "changed"
                else ()
            )
            sql_moved = bool(
                (
                    reach.get((kind, object_id), set())
                    | (shared if kind in GEOGRAPHY_KINDS else set())
                )
                & moved
            )
            category = _category(kind, fields, sql_moved, status)
            diff.specs.append(SpecChange(kind, object_id, status, category, fields, details))
            if (
                kind == "metrics"
                and status == "changed"
                and "formula" in fields
                and "version" not in fields
            ):
                diff.warnings.append(
                    f"metric {object_id}: formula changed but version is still "
                    f"{new[object_id]['version']}: give it a new version"
                )
    diff.specs.sort(key=lambda c: (ORDER.index(c.category), c.kind, c.id))
    diff.warnings += _unversioned_rankings(
        diff.specs, head, reach, moved, base_catalog, head_catalog
    )
    return diff


def _in_build_order(objects: list[CompiledObject]) -> list[CompiledObject]:
    """Dependency level, then name: the order of the build's files, which is a valid execution order."""
    return sorted(objects, key=lambda o: (o.level, o.name))


def _unified(old: str, new: str, old_name: str, new_name: str) -> str:
    """Every line of the diff ends with a newline: a statement's last line has none, and without one
    its removed and added versions would print as one line, and the next file's hunk would follow on."""

    def lines(text: str) -> list[str]:
        return (
            (text + "\n").splitlines(keepends=True)
            if text and not text.endswith("\n")
            else text.splitlines(keepends=True)
        )

    return "".join(difflib.unified_diff(lines(old), lines(new), old_name, new_name))


def _unversioned_rankings(
    specs: list[SpecChange],
    head: list[CompiledObject],
    reach: dict[tuple[str, str], set[str]],
    moved: set[str],
    base_catalog: Catalog,
    head_catalog: Catalog,
) -> list[str]:
    """An index whose ranking a rank-affecting change moves, published under the version it had.

    The index is the one changed, or one whose compiled objects read a changed metric's direction
    and changed SQL; a scenario's objects are its own, so a what-if never asks the index for a version.
    """
    spec_of = {o.name: o.node.spec for o in head if o.node.spec}
    causes: dict[str, list[str]] = {}
    for change in specs:
        if change.category != RANKS or change.status != "changed":
            continue
        indexes = {
            spec_of[name][1]
            for name in reach.get((change.kind, change.id), set()) & moved
            if spec_of.get(name) and spec_of[name][0] == "indexes"
        }
        if change.kind == "indexes":
            indexes.add(change.id)
        for index_id in indexes:
            causes.setdefault(index_id, []).append(f"{change.kind}/{change.id}")
    warnings = []
    for index_id, cause in sorted(causes.items()):
        old, new = base_catalog.indexes.get(index_id), head_catalog.indexes.get(index_id)
        if old is not None and new is not None and old.version == new.version:
            warnings.append(
                f"index {index_id}: a rank-affecting change ({', '.join(cause)}) keeps version "
                f"{new.version}: give it a new version, so a ranking published under one version "
                "always means one thing"
            )
    return warnings


def _downstream(objects: list[CompiledObject]) -> dict[tuple[str, str], set[str]]:
    """Per spec object, the compiled objects it defines and every object that reads them."""
    readers: dict[str, set[str]] = {}
    for obj in objects:
        for name in obj.node.depends_on:
            readers.setdefault(name, set()).add(obj.name)
    found: dict[tuple[str, str], set[str]] = {}
    for obj in objects:
        if obj.node.spec:
            found.setdefault(obj.node.spec, set()).add(obj.name)
    for names in found.values():
        stack = list(names)
        while stack:
            for reader in readers.get(stack.pop(), ()):
                if reader not in names:
                    names.add(reader)
                    stack.append(reader)
    return found


def _shared_geography(objects: list[CompiledObject]) -> set[str]:
    """The geography objects no single event or area defines (areas, paths, shares), and their readers."""
    names = {o.name for o in objects if o.node.spec is None and o.node.layer is Layer.GEOGRAPHY}
    for obj in objects:  # objects come in dependency order
        if set(obj.node.depends_on) & names:
            names.add(obj.name)
    return names


def _dumps(catalog: Catalog, kind: str) -> dict[str, dict]:
    return {
        key: value.model_dump(mode="json", by_alias=True)
        for key, value in catalog.of_kind(kind).items()
    }


def _changed_fields(old: dict, new: dict) -> tuple[str, ...]:
    return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))


def _category(kind: str, fields: tuple[str, ...], sql_moved: bool, status: str) -> str:
    if status == "changed" and not sql_moved:
        return COSMETIC
    if kind in GEOGRAPHY_KINDS:
        return GEOGRAPHY
    if (
        status != "changed"
    ):  # a new or dropped index ranks anew; a new metric ranks nothing until a lens has it
        return RANKS if kind in ("indexes", "scenarios") else DEFINITION
    if set(fields) & RANK_FIELDS.get(kind, frozenset()):
        return RANKS
    return DEFINITION


def render_text(diff: Diff) -> str:
    lines = [f"indexc diff {diff.base}..working tree, target {diff.target}"]
    if diff.empty:
        return lines[0] + ": no change\n"
    for change in diff.specs:
        fields = f" ({', '.join(change.fields)})" if change.status == "changed" else ""
        lines.append(
            f"  {change.category:<14} {change.status:<8} {change.kind} {change.id}{fields}"
        )
        lines.extend(f"      {detail}" for detail in change.details)
    lines.extend(f"  warning: {w}" for w in diff.warnings)
    lines.append(
        f"objects: {len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"
    )
    lines.extend(f"+ {name}" for name in diff.added)
    lines.extend(f"- {name}" for name in diff.removed)
    lines.extend(f"~ {name}" for name in diff.changed)
    hunks = [*diff.changed.values(), *diff.added_sql.values()]
    return "\n".join(lines) + "\n" + "".join(f"\n{hunk}" for hunk in hunks)


def render_markdown(diff: Diff) -> str:
    """For a pull-request comment (documents/templates/diff.md.j2)."""
    hunks = [(name, text, False) for name, text in diff.changed.items()]
    hunks += [(name, text, True) for name, text in diff.added_sql.items()]
    return render("diff.md.j2", diff=diff, hunks=hunks)
