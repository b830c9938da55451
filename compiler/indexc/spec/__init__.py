"""The spec language in its current version: which kinds a file may hold and their models.

Older versions are upgraded to this one as they are loaded (indexc.migrate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from indexc.spec.audiences import Audience
from indexc.spec.audits import Audit
from indexc.spec.geography import Area, AreaMap, Level, LineageEvent
from indexc.spec.indexes import Index, Scenario, Universe
from indexc.spec.measures import Measure, Metric
from indexc.spec.snapshots import SnapshotPolicy
from indexc.spec.sources import SOURCE_LAYOUTS


@dataclass(frozen=True)
class Kind:
    """A top-level key of a spec file and how one of its list entries picks its model."""

    key: str
    noun: str
    model_for: Callable[[dict[str, Any]], type[BaseModel] | str]
    id_key: str = "id"  # the key that names an entry: 'code' for areas


def _source_model(raw: dict[str, Any]) -> type[BaseModel] | str:
    layout = raw.get("layout")
    if isinstance(layout, str) and layout in SOURCE_LAYOUTS:
        return SOURCE_LAYOUTS[layout]
    return f"layout must be one of {', '.join(SOURCE_LAYOUTS)}"


KINDS: tuple[Kind, ...] = (
    Kind("sources", "source", _source_model),
    Kind("measures", "measure", lambda raw: Measure),
    Kind("metrics", "metric", lambda raw: Metric),
    Kind("universes", "universe", lambda raw: Universe),
    Kind("indexes", "index", lambda raw: Index),
    Kind("areas", "area", lambda raw: Area, id_key="code"),
    Kind("levels", "level", lambda raw: Level),
    Kind("lineage", "lineage event", lambda raw: LineageEvent),
    Kind("area_maps", "area map", lambda raw: AreaMap),
    Kind("scenarios", "scenario", lambda raw: Scenario),
    Kind("audits", "audit", lambda raw: Audit),
    Kind("snapshot_policies", "snapshot policy", lambda raw: SnapshotPolicy),
    Kind("audiences", "audience", lambda raw: Audience),
)
