"""The front end: specs to a plan, as an explicit sequence of stages.

load -> validate -> resolve -> close the geography -> plan. Each stage returns
diagnostics; the first stage with errors stops the sequence, and everything
found so far is returned with no compilation. `Project` (project/) drives
this, then the back ends (generate, emit, execute) on what it returns.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from indexc.codes import Code
from indexc.compilation import Compilation
from indexc.emit import content_hash
from indexc.errors import Diagnostic, Location, errors_in
from indexc.geography import Geography, GeographyOptions, resolve_geography
from indexc.geography.checks import closure_diagnostics
from indexc.load import load_tree
from indexc.migrate import CURRENT_VERSION
from indexc.plan import build_plan, consent
from indexc.resolve import resolve
from indexc.validate import Catalog, validate
from indexc.validate.follow_on import set_aside_follow_ons
from indexc.validate.lifecycle import selection_problems
from indexc.whatif import unknown_scenarios

SPECS_DIR = "specs"


def check(
    root: Path,
    options: GeographyOptions,
    scenarios: tuple[str, ...] = (),
    selected: tuple[str, ...] = (),
    *,
    cache: bool = False,
) -> tuple[Compilation | None, list[Diagnostic]]:
    """Load, validate and resolve; every diagnostic found, and a compilation if there were no errors.

    With `scenarios`, only those of the specs' scenarios are planned (a what-if run's `--scenario`);
    `selected`: indexes named to be built, planned even when on hold (plan/lifecycle.py). `cache`:
    a spec file unchanged since the last load is not parsed again (load/).
    """
    specs = root / SPECS_DIR
    if not specs.is_dir():
        return None, [
            Diagnostic(
                Code.NO_SPECS,
                f"no '{SPECS_DIR}/' directory in {root}",
                Location(SPECS_DIR),
                "run indexc from the project root or pass --project DIR",
            )
        ]
    files, diagnostics, failures = load_tree(specs, root, cache=cache)
    if not files and not diagnostics:
        return None, [
            Diagnostic(
                Code.NO_SPECS,
                "no spec files found",
                Location(SPECS_DIR),
                f"add YAML files starting with 'indexc: {CURRENT_VERSION}' under {SPECS_DIR}/",
            )
        ]
    catalog, problems = validate(files)
    diagnostics += set_aside_follow_ons(problems, failures)
    if scenarios and not errors_in(diagnostics):
        diagnostics += unknown_scenarios(catalog, scenarios)
        catalog = dataclasses.replace(
            catalog,
            scenarios={
                s: catalog.scenarios[s] for s in sorted(set(scenarios)) if s in catalog.scenarios
            },
        )
    if errors_in(diagnostics):
        return None, diagnostics
    diagnostics += selection_problems(catalog, selected)  # an index on hold named, with gaps
    graph, problems = resolve(catalog)
    diagnostics += problems
    if errors_in(diagnostics):
        return None, diagnostics
    geography, scenario_geographies = _geographies(catalog, options, diagnostics)
    if errors_in(diagnostics):
        return None, diagnostics
    plan = build_plan(catalog, graph, geography, scenario_geographies, selected=selected)
    diagnostics += consent.check(catalog, plan.nodes)  # IX355: on the objects actually planned
    if errors_in(diagnostics):
        return None, diagnostics
    hashed: dict[str, Any] = catalog.canonical()
    if geography is not None:
        hashed["geography"] = {
            "date": geography.date.isoformat(),
            "proposed": sorted(options.proposed),
        }
    return Compilation(
        catalog, graph, plan, content_hash(hashed), diagnostics, geography
    ), diagnostics


def _geographies(
    catalog: Catalog, options: GeographyOptions, diagnostics: list[Diagnostic]
) -> tuple[Geography | None, dict[str, Geography]]:
    """The run's geography and each scenario's with proposed events; their closures' diagnostics
    are added to `diagnostics`, and the scenarios' are not looked at when the run's has errors."""
    if not catalog.areas:
        return None, {}
    geography = resolve_geography(catalog, options)
    diagnostics += closure_diagnostics(catalog, geography)
    if errors_in(diagnostics):
        return geography, {}
    scenario_geographies = {}
    for scenario in catalog.scenarios.values():
        if scenario.proposed:
            # on the run's geography date, or later if the proposed events take effect later
            date = max([geography.date, *(catalog.lineage[e].effective for e in scenario.proposed)])
            scenario_options = GeographyOptions(
                date, tuple(sorted({*options.proposed, *scenario.proposed}))
            )
            scenario_geographies[scenario.id] = resolve_geography(catalog, scenario_options)
            diagnostics += closure_diagnostics(
                catalog, scenario_geographies[scenario.id], scenario.id
            )
    return geography, scenario_geographies
