"""The catalog: every validated spec object by kind and id, and where it was written.

Models are frozen and know nothing of files; the catalog keeps each object's
origin so any later rule can point a diagnostic at the exact key or value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexc.errors import Location
from indexc.formula import Formula, parse_formula
from indexc.load import SpecFile
from indexc.spec.audiences import Audience
from indexc.spec.audits import Audit
from indexc.spec.geography import Area, AreaMap, Level, LineageEvent
from indexc.spec.indexes import Index, Scenario, Universe
from indexc.spec.measures import Measure, Metric
from indexc.spec.snapshots import SnapshotPolicy
from indexc.spec.sources import Source


@dataclass(frozen=True)
class Origin:
    """A spec object's file and its path inside that file, e.g. ('metrics', 3)."""

    file: SpecFile
    path: tuple[Any, ...]

    def location(self, *rel: Any, key: bool = False) -> Location:
        return self.file.location(self.path + rel, key=key)

    def raw(self) -> Any:
        """The object as written (after any language upgrade), before validation."""
        value: Any = self.file.data
        for part in self.path:
            value = value[part]
        return value

    def location_in_text(self, rel: tuple[Any, ...], offset: int, text: str) -> Location:
        """The position of character `offset` of a one-line scalar such as a formula."""
        mark = self.file.mark(self.path + rel)
        if "\n" in text or mark.style not in (None, "'", '"'):
            return Location(self.file.path, mark.line, mark.col)
        quote = 1 if mark.style else 0
        return Location(self.file.path, mark.line, mark.col + quote + offset)


CORE_KINDS = (
    "sources",
    "measures",
    "metrics",
    "universes",
    "indexes",
)  # always hashed, even when empty
CANONICAL_KINDS = (
    "sources",
    "measures",
    "metrics",
    "universes",
    "indexes",
    "areas",
    "levels",
    "lineage",
    "area_maps",
    "scenarios",
    "audits",
    "snapshot_policies",
    "audiences",
)


@dataclass
class Catalog:
    sources: dict[str, Source] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    universes: dict[str, Universe] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    levels: dict[str, Level] = field(default_factory=dict)
    lineage: dict[str, LineageEvent] = field(default_factory=dict)
    area_maps: dict[str, AreaMap] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    audits: dict[str, Audit] = field(default_factory=dict)
    snapshot_policies: dict[str, SnapshotPolicy] = field(default_factory=dict)
    audiences: dict[str, Audience] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    rejected: set[tuple[str, str]] = field(
        default_factory=set
    )  # (kind, id) of entries with schema errors
    _formulas: dict[str, Formula] = field(default_factory=dict, repr=False)

    def of_kind(self, kind: str) -> dict[str, Any]:
        return getattr(self, kind)

    def origin(self, kind: str, object_id: str) -> Origin:
        return self.origins[(kind, object_id)]

    def where(self, kind: str, object_id: str, *rel: Any, key: bool = False) -> Location:
        return self.origin(kind, object_id).location(*rel, key=key)

    def formula(self, metric_id: str) -> Formula:
        """The parsed formula of a metric, parsed once per compile."""
        if metric_id not in self._formulas:
            self._formulas[metric_id] = parse_formula(self.metrics[metric_id].formula)
        return self._formulas[metric_id]

    def canonical(self) -> dict[str, list[dict[str, Any]]]:
        """The content of every spec object, independent of file names, order and comments."""
        return {
            kind: [
                self.of_kind(kind)[key].model_dump(mode="json", by_alias=True)
                for key in sorted(self.of_kind(kind))
            ]
            for kind in CANONICAL_KINDS
            if kind in CORE_KINDS or self.of_kind(kind)
        }
