"""Load and check a target file: its model, and that it binds every source exactly once.

Target files are loaded with the same line-aware loader as specs, so a missing
relation points at the target file and names the source that needs it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.load import LANGUAGE_KEY, load_file
from indexc.spec.targets import TARGET_MODELS, SnowflakeTarget, Target
from indexc.validate.catalog import Catalog, Origin
from indexc.validate.models import did_you_mean, primary_errors, schema_diagnostic

TARGETS_DIR = "targets"


def target_path(root: Path, name: str) -> Path:
    """targets/<name>.yaml, or targets/<name>.yml when only that exists."""
    preferred = root / TARGETS_DIR / f"{name}.yaml"
    alternative = preferred.with_suffix(".yml")
    return alternative if alternative.is_file() and not preferred.is_file() else preferred


def load_target(root: Path, name: str, catalog: Catalog) -> tuple[Target | None, list[Diagnostic]]:
    path = target_path(root, name)
    if not path.is_file():
        return None, [
            Diagnostic(
                Code.NO_TARGET_FILE,
                f"no target file for target '{name}'",
                Location(f"{TARGETS_DIR}/{name}.yaml"),
                f"create {TARGETS_DIR}/{name}.yaml with 'target: {name}' and its relations",
            )
        ]
    spec_file, diagnostics = load_file(path, root, "target")
    if spec_file is None:
        return None, diagnostics
    raw = {k: v for k, v in spec_file.data.items() if k != LANGUAGE_KEY}
    if raw.get("target") != name:
        return None, diagnostics + [
            Diagnostic(
                Code.NO_TARGET_FILE,
                f"target file {spec_file.path} must say 'target: {name}'",
                spec_file.location(("target",)),
                f"the file name and its 'target:' key must agree ({', '.join(TARGET_MODELS)})",
            )
        ]
    model = TARGET_MODELS[name]
    origin = Origin(spec_file, ())
    try:
        target = model.model_validate(raw)
    except ValidationError as err:
        return None, diagnostics + [
            schema_diagnostic(e, model, origin, f"target '{name}'")
            for e in primary_errors(err, raw)
        ]
    for source_id in sorted(set(catalog.sources) - set(target.relations)):
        diagnostics.append(
            Diagnostic(
                Code.SOURCE_WITHOUT_RELATION,
                f"source '{source_id}' has no relation in target '{name}'",
                origin.location("relations", key=True),
                f"add '{source_id}:' under relations (source defined at {catalog.where('sources', source_id)})",
            )
        )
    for source_id in sorted(set(target.relations) - set(catalog.sources)):
        diagnostics.append(
            Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown source '{source_id}' in the relations of target '{name}'",
                origin.location("relations", source_id, key=True),
                did_you_mean(source_id, catalog.sources)
                or "remove the relation or define the source",
            )
        )
    return target, diagnostics + _audience_roles(target, origin, catalog)


def _audience_roles(target: Target, origin: Origin, catalog: Catalog) -> list[Diagnostic]:
    """A role named for an audience the specs do not declare (IX102), and one role for two
    audiences (IX348): each would be granted the other's schema."""
    if not isinstance(target, SnowflakeTarget):
        return []
    problems = []
    for audience_id in sorted(set(target.audience_roles.roles) - set(catalog.audiences)):
        problems.append(
            Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"unknown audience '{audience_id}' in the audience roles of target 'snowflake'",
                origin.location("audience_roles", "roles", audience_id, key=True),
                did_you_mean(audience_id, catalog.audiences)
                or "remove the role or declare the audience (spec kind audiences)",
            )
        )
    holders: dict[str, str] = {}
    for audience_id in sorted(catalog.audiences):
        role = target.audience_role(audience_id)
        if role in holders:
            named = audience_id in target.audience_roles.roles
            problems.append(
                Diagnostic(
                    Code.AUDIENCE_ROLE_SHARED,
                    f"audiences '{holders[role]}' and '{audience_id}' would both be given role "
                    f"{role}, and so each other's views",
                    origin.location(
                        *(
                            ("audience_roles", "roles", audience_id)
                            if named
                            else ("audience_roles",)
                        ),
                        key=not named,
                    ),
                    "give each audience a role of its own under audience_roles: roles:",
                )
            )
        holders.setdefault(role, audience_id)
    return problems
