"""What the front end hands the back ends: a compilation, and a compilation built for one target.

These are types only, below every back end and report, so any of them may name
what it is given; front_end.py makes a Compilation and the project facade a Build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexc.errors import Diagnostic
from indexc.generate import CompiledObject
from indexc.generate.audiences import AudienceSql
from indexc.geography import Geography
from indexc.plan import Plan
from indexc.plan.selection import Selection
from indexc.resolve import Graph
from indexc.spec.targets import Target
from indexc.validate import Catalog

Query = Callable[[str], list[dict[str, Any]]]  # a session's query: SQL in, rows as dicts out


@dataclass(frozen=True)
class Compilation:
    catalog: Catalog
    graph: Graph
    plan: Plan
    spec_hash: str
    warnings: list[Diagnostic] = field(default_factory=list)
    geography: Geography | None = None


@dataclass(frozen=True)
class Build:
    """A compilation compiled for one target; `path` is where it was written, if it was.

    `selection`: the indexes a selective build makes (plan/selection.py); None for the whole plan.
    `audiences`: each audience's schema of views over what it publishes (generate/audiences.py)."""

    target_name: str
    target: Target
    objects: list[CompiledObject]
    path: Path | None
    compilation: Compilation
    selection: Selection | None = None
    audiences: list[AudienceSql] = field(default_factory=list)
