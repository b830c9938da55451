"""The facade's reviewing commands: a diff against a git revision, a source's impact, an area's lineage,
the readiness of the specs for proposed events.

They build nothing in a database and change no file of the project: each
compiles the specs (a diff, those of two revisions) and explains something of
them to a reviewer, refusing as a diagnostic what it cannot explain (a
revision that cannot be read or compiled, an unknown source or area).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from indexc import diff as review
from indexc import impact
from indexc.codes import Code
from indexc.compilation import Build, Compilation
from indexc.errors import COMMAND_LINE, Diagnostic, Location, UserError, errors_in
from indexc.front_end import SPECS_DIR
from indexc.geography import GeographyOptions, resolve_geography
from indexc.geography.checks import closure_diagnostics
from indexc.geography.explain import explain_mermaid, explain_text
from indexc.reorganisation import readiness
from indexc.reorganisation.structure import level_problems
from indexc.validate.models import did_you_mean


def diff_against(
    root: Path,
    base_ref: str,
    target_name: str,
    head: Build,
    build_at: Callable[[Path], Build],
) -> review.Diff:
    """The `head` build against that of `base_ref`, checked out and built with `build_at` (diff.py)."""
    with tempfile.TemporaryDirectory(prefix="indexc-diff-") as directory:
        try:
            base_root = review.checkout(root, base_ref, Path(directory))
        except review.BaseUnavailable as err:
            raise UserError(
                [
                    Diagnostic(
                        Code.BASE_REVISION_UNREADABLE,
                        str(err),
                        Location(SPECS_DIR),
                        "run indexc diff inside a git clone of the project, with a ref such as "
                        "main, HEAD~1 or origin/main",
                    )
                ]
            ) from None
        try:
            base = build_at(base_root)
        except UserError as err:
            first = err.diagnostics[0].render().splitlines()[0] if err.diagnostics else ""
            raise UserError(
                [
                    Diagnostic(
                        Code.BASE_REVISION_UNREADABLE,
                        f"the specs at '{base_ref}' do not compile: {first}",
                        Location(SPECS_DIR),
                        "compare with a revision that compiles",
                    )
                ]
            ) from None
    return review.compare(
        base.objects,
        head.objects,
        base.compilation.catalog,
        head.compilation.catalog,
        base_ref,
        target_name,
    )


def impact_of(compilation: Compilation, source_id: str, structure: Path) -> impact.Impact:
    """What the proposed structure (a source entry under `source:` in a YAML file) would break."""
    catalog = compilation.catalog
    if source_id not in catalog.sources:
        raise UserError(
            [
                Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"unknown source '{source_id}'",
                    COMMAND_LINE,
                    did_you_mean(source_id, catalog.sources) or "name a source of specs/",
                )
            ]
        )
    proposed = impact.read_structure(structure, source_id)
    path = (structure if structure.is_absolute() else Path.cwd() / structure).resolve()
    problems = level_problems(catalog, path, proposed.get("geography"))
    if problems:
        raise UserError(problems)
    return impact.analyse(catalog, compilation.graph, source_id, proposed, compilation.geography)


def explain_lineage(compilation: Compilation, code: str, mermaid: bool) -> str:
    """An area's history: events, predecessors, successors and weights (geography/explain.py)."""
    catalog, geography = compilation.catalog, compilation.geography
    if geography is None or code not in catalog.areas:
        raise UserError(
            [
                Diagnostic(
                    Code.UNKNOWN_REFERENCE,
                    f"unknown area code '{code}'",
                    COMMAND_LINE,
                    did_you_mean(code, catalog.areas) or "declare areas under 'areas:' in specs/",
                )
            ]
        )
    explain = explain_mermaid if mermaid else explain_text
    return explain(catalog, geography, code)


def readiness_of(
    compilation: Compilation, options: GeographyOptions, proposed: tuple[str, ...]
) -> readiness.Readiness:
    """What the `proposed` events, with those of `options` (`indexc --proposed EVENT readiness`), do
    to every measure's history.

    The geography is resolved again with the events modelled and held to the closure's rules (an
    unknown event, a level left untiled), except IX606: a measure of additivity none on the codes
    the events change is an answer here ("not at all: additivity none"), not a refusal.
    """
    catalog = compilation.catalog
    chosen = tuple(sorted({*options.proposed, *proposed}))
    if not chosen:
        known = sorted(e for e, ev in catalog.lineage.items() if ev.status == "proposed")
        raise UserError(
            [
                Diagnostic(
                    Code.NOT_A_PROPOSED_EVENT,
                    "indexc readiness needs the proposed events to model",
                    COMMAND_LINE,
                    " ".join(f"--proposed {e}" for e in known)
                    if known
                    else "no lineage event has status: proposed",
                )
            ]
        )
    geography = resolve_geography(catalog, GeographyOptions(options.date, chosen))
    problems = [
        d
        for d in closure_diagnostics(catalog, geography)
        if d.code is not Code.NON_ADDITIVE_RESTATED
    ]
    if errors_in(problems):
        raise UserError(problems)
    return readiness.analyse(catalog, compilation.graph, geography, chosen)
