"""Which object an index reads each metric or measure from: its own, or an area map's.

A metric on the level of the index's universe is read from `metric__<id>`; one on another level from the
area map that carries it onto the universe's areas (`area_map__<map>__metric__<id>`), as validation chose
it (validate/index_levels.py). Reading the ordinary object there would find no area of the universe, and
the index would score nothing without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexc.plan.inputs import direct_bindings, input_object, object_name
from indexc.plan.template_params import SourceBinding
from indexc.validate.catalog import Catalog
from indexc.validate.index_levels import Kind, index_maps, mapped_object


@dataclass(frozen=True)
class IndexReads:
    index_id: str
    catalog: Catalog
    with_geography: bool
    maps: dict[tuple[Kind, str], str] = field(init=False)

    def __post_init__(self) -> None:
        maps = index_maps(self.index_id, self.catalog) if self.with_geography else {}
        object.__setattr__(self, "maps", maps)

    def metric_object(self, metric_id: str) -> str:
        if ("metric", metric_id) in self.maps:
            return mapped_object(self.maps["metric", metric_id], metric_id, "metric")
        return object_name("metrics", metric_id)

    def value_object(self, name: str) -> str:
        """Of a measure or, when no measure has the id, a metric (restated, when the data is)."""
        kind: Kind = "measure" if name in self.catalog.measures else "metric"
        if (kind, name) in self.maps:
            return mapped_object(self.maps[kind, name], name, kind)
        return input_object(name, self.catalog, self.with_geography)

    def measure_object(self, metric_id: str, measure_id: str) -> str:
        """A measure a metric is computed from, as the index's values of the metric read it."""
        if ("metric", metric_id) in self.maps:
            return mapped_object(self.maps["metric", metric_id], measure_id, "measure")
        return input_object(measure_id, self.catalog, self.with_geography)

    def direct(self, metric_id: str) -> list[SourceBinding] | None:
        """A mapped metric is never read straight from its source."""
        if ("metric", metric_id) in self.maps:
            return None
        return direct_bindings(metric_id, self.catalog, self.with_geography)
