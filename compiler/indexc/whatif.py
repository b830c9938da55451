"""What-if runs: a hypothetical geography or a chosen scenario, never published as the live result.

A dashboard reads the target's published schema, and the index's Top N is quoted to council chief
executives: a run that models councils that do not exist (`--proposed`), another geography date
(`--geography-date` other than the default, the latest in-force event's), or asks only for
scenarios (`run --scenario S`) must not replace it. Such a run is a *what-if*: it builds in
`<build_schema>__whatif__<name>` and publishes into `<published_schema>__whatif__<name>`, two schemas
of its own beside the target's, and writes its SQL files to `build/<target>__whatif__<name>`.
`--as NAME` names it (and makes any run a what-if); otherwise the name is derived from the options.
Publishing a what-if as the live result takes `--publish-as-live`, and the run says so loudly.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from indexc.codes import Code
from indexc.errors import Diagnostic, Location, Severity, UserError
from indexc.geography import (
    Geography,
    GeographyOptions,
    active_events,
    default_date,
    geography_register,
)
from indexc.spec.targets import Target
from indexc.validate import Catalog
from indexc.validate.models import did_you_mean

SEPARATOR = "__whatif__"
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME = 60  # leaves room in Snowflake's 255 characters, and keeps the schema names readable


@dataclass(frozen=True)
class WhatIf:
    """A run that must not touch the live publication: its name and why it is a what-if."""

    name: str
    reasons: tuple[str, ...]
    publish_as_live: bool = False

    def target(self, target: Target) -> Target:
        """The target with the what-if's own build and published schemas. The snapshot schema is the live
        one: a run only reads it (and creates its tables, empty, when missing), and `snapshot take` freezes
        a what-if only when it was published as live and the take names it (snapshots.py). Published as
        live, the target is unchanged."""
        if self.publish_as_live:
            return target
        suffix = SEPARATOR + self.name
        if target.upper_case_defaults:
            suffix = suffix.upper()
        return target.model_copy(
            update={
                "schema_": target.schema_ + suffix,
                "published_schema": target.published + suffix,
            }
        )

    def directory(self, target_name: str) -> str:
        """The build directory's name under build/: the live build's SQL files stay as they are."""
        return target_name if self.publish_as_live else target_name + SEPARATOR + self.name

    def describe(self) -> str:
        return f"what-if '{self.name}' ({', '.join(self.reasons)})"


def _safe(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")


def derived_name(
    proposed: tuple[str, ...], date: datetime.date | None, scenarios: tuple[str, ...]
) -> str:
    """A name that says what the what-if models: `surrey_2027_split`, `at_2019_04_01`, `scenario_x`, joined
    by `__`; cut to MAX_NAME characters with a digest of the whole when longer."""
    parts = [_safe(event) for event in sorted(proposed)]
    parts += [f"at_{date:%Y_%m_%d}"] if date else []
    parts += [f"scenario_{_safe(s)}" for s in sorted(scenarios)]
    name = "__".join(part for part in parts if part) or "named"
    name = name if name[0].isalpha() else "w_" + name
    if (
        len(name) > MAX_NAME
    ):  # several events: their names cut, and a digest of the whole so that names differ
        name = (
            name[: MAX_NAME - 9].rstrip("_") + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]
        )
    return name


def name_problem(name: str) -> Diagnostic | None:
    """IX720: the name becomes part of two schema names, so it must be a plain identifier."""
    if SAFE_NAME.match(name) and len(name) <= MAX_NAME:
        return None
    return Diagnostic(
        Code.INVALID_WHAT_IF_NAME,
        f"'{name}' is not a what-if name",
        Location("specs"),
        f"write --as NAME with lower-case letters, digits and underscores, starting with a "
        f"letter, at most {MAX_NAME} characters (such as surrey_split)",
    )


def non_default_date(
    catalog: Catalog, geography: Geography | None, options: GeographyOptions
) -> datetime.date | None:
    """The geography date when it was asked for and differs from the live result's (the latest in-force event's)."""
    if geography is None or options.date is None:
        return None
    live_events = active_events(catalog, GeographyOptions())
    live = default_date(live_events, geography_register(catalog, live_events))
    return None if options.date == live else options.date


def what_if(
    catalog: Catalog,
    geography: Geography | None,
    options: GeographyOptions,
    *,
    scenarios: tuple[str, ...] = (),
    name: str | None = None,
    publish_as_live: bool = False,
) -> WhatIf | None:
    """The run's what-if, or None for a run of the live result. Raises IX720 for an unsafe `name`."""
    date = non_default_date(catalog, geography, options)
    reasons = [f"proposed {event}" for event in sorted(options.proposed)]
    reasons += [f"geography date {date}"] if date else []
    reasons += [f"scenario {s}" for s in sorted(scenarios)]
    if not reasons and name is None:
        return None
    if name is not None and (problem := name_problem(name)):
        raise UserError([problem])
    chosen = name or derived_name(options.proposed, date, scenarios)
    return WhatIf(chosen, tuple(reasons) or ("named with --as",), publish_as_live)


def unknown_scenarios(catalog: Catalog, scenarios: tuple[str, ...]) -> list[Diagnostic]:
    """IX102 for each `run --scenario` the specs do not define."""
    return [
        Diagnostic(
            Code.UNKNOWN_REFERENCE,
            f"unknown scenario '{s}' in run --scenario",
            Location("specs"),
            did_you_mean(s, catalog.scenarios)
            or f"scenarios: {', '.join(sorted(catalog.scenarios)) or 'none defined'}",
        )
        for s in sorted(set(scenarios))
        if s not in catalog.scenarios
    ]


def published_as_live(whatif: WhatIf, target: Target, location: Location) -> Diagnostic:
    """IX722: the warning that stays in the run's diagnostics (and JSON) when a what-if replaced the live result."""
    return Diagnostic(
        Code.WHAT_IF_PUBLISHED_AS_LIVE,
        f"{whatif.describe()} was published as the live result in {target.published}",
        location,
        "consumers now read it; run without --publish-as-live and without the what-if's "
        "options to publish the live result again",
        Severity.WARNING,
    )
