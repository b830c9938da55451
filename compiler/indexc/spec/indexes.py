"""Universes, indexes and scenarios: who is compared, and how metrics roll up into a ranking.

A universe is a set of area types from a register, so nothing here assumes
English council codes. An index is a tree of weighted lenses over metrics with
its method (spec/methods.py), and what it publishes beside the ranking:
productivity, peers, savings and rank stability. Formulas are in
docs/methodology.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, PositiveInt, field_validator, model_validator

from indexc.spec.base import Identifier, Name, PublishedPeriod, StrictModel, Text, Weight
from indexc.spec.methods import Aggregation, Method

TYPE_GROUPING = "type"
"""The built-in grouping: each area's register type."""
NEIGHBOURS = "neighbours"


class Universe(StrictModel):
    id: Identifier
    description: Text = ""
    register_: Identifier | None = Field(default=None, alias="register")
    """A register source; without one, the areas of the geography register on the geography date."""
    types: tuple[Name, ...] = Field(min_length=1)


def _bare_ids_weigh_one(value: Any, key: str) -> Any:
    """A bare id in a list is shorthand for weight 1 (equal weighting)."""
    if isinstance(value, list):
        return [{key: item, "weight": 1} if isinstance(item, str) else item for item in value]
    return value


class LensMetric(StrictModel):
    metric: Identifier
    weight: Weight | None = None
    via: Identifier | None = None
    """The area map whose values of the metric the index reads, when several carry it onto the universe."""


class IndexInput(StrictModel):
    """Another index's published score, or one of its lenses' scores, as the input of a lens.

    Taken as it is: the other index must normalise alike (validate/index_inputs.py)."""

    id: Identifier
    lens: Identifier | None = None
    """A lens of the other index; without it, the other index's own score."""


class Lens(StrictModel):
    id: Identifier
    description: Text = ""
    weight: Weight | None = None
    aggregate: Aggregation | None = None
    """How this lens combines its children; the index's `method.aggregate` when absent."""
    metrics: tuple[LensMetric, ...] = ()
    lenses: tuple[Lens, ...] = ()
    index: IndexInput | None = None
    """Instead of metrics or lenses: another index's score (or a lens of it)."""

    @field_validator("metrics", mode="before")
    @classmethod
    def _bare_metric_ids(cls, value: Any) -> Any:
        return _bare_ids_weigh_one(value, "metric")

    @model_validator(mode="after")
    def _children(self) -> Lens:
        if sum(map(bool, (self.metrics, self.lenses, self.index))) != 1:
            raise ValueError(
                "a lens holds either metrics or lenses, or reads an index (one of them, not empty)"
            )
        return self

    def metric_ids(self) -> list[str]:
        """The metrics under this lens, at any depth."""
        below = {entry.metric for entry in self.metrics}
        for child in self.lenses:
            below.update(child.metric_ids())
        return sorted(below)


class Productivity(StrictModel):
    lens: Identifier
    spend: Identifier
    """A metric: money per unit of need, such as spend per head."""
    method: Literal["ratio", "rank_gap"] = "ratio"


class Feature(StrictModel):
    metric: Identifier
    """A metric or a measure of the areas."""
    weight: Weight = 1.0


class Neighbours(StrictModel):
    """Computed from features (`features` and `k`), or listed in an area-map source (`source`)."""

    features: tuple[Feature, ...] = ()
    k: PositiveInt | None = Field(default=None, strict=True)
    source: Identifier | None = None
    """A source with layout area_map: `from` lists an area, `to` one of its neighbours."""

    @field_validator("features", mode="before")
    @classmethod
    def _bare_feature_ids(cls, value: Any) -> Any:
        return _bare_ids_weigh_one(value, "metric")

    @model_validator(mode="after")
    def _one_way(self) -> Neighbours:
        if bool(self.features) == bool(self.source):
            raise ValueError(
                "neighbours are computed from features (with k) or listed in a source, one of them"
            )
        if self.features and self.k is None:
            raise ValueError("computed neighbours need k, the number of neighbours of each area")
        if self.source and self.k is not None:
            raise ValueError("k applies to computed neighbours; a source lists its own")
        return self


class Peers(StrictModel):
    groups: tuple[Identifier, ...] = ()
    """Comparator groupings: `type`, or area maps of type group."""
    neighbours: Neighbours | None = None


class Saving(StrictModel):
    id: Identifier
    description: Text = ""
    lens: Identifier
    unit_cost: Identifier
    """A metric: cost per unit of volume."""
    volume: Identifier
    """A measure or metric: the units the cost is paid on."""
    peers: Identifier
    """`neighbours`, or a grouping of `peers.groups`."""
    quantile: float = Field(ge=0.0, le=1.0, strict=True)
    improvement: float = Field(default=1.0, gt=0.0, le=1.0, strict=True)
    scale: float = Field(default=1.0, gt=0.0, strict=True)
    """unit_cost × volume × scale is money, e.g. 1000 when unit costs are in £000 per unit."""


class Stability(StrictModel):
    draws: PositiveInt = Field(strict=True, le=100_000)
    seed: int = Field(default=0, ge=0, strict=True)
    weight_noise: float = Field(default=0.25, gt=0.0, lt=1.0, strict=True)


class Ranks(StrictModel):
    """The groupings every lens and the index are ranked within (`group_ranks`)."""

    groups: tuple[Identifier, ...] | None = None
    """`type`, or area maps of type group; the peer groups (`peers.groups`) when absent."""


class Publish(StrictModel):
    top: PositiveInt = Field(default=10, strict=True)
    period: PublishedPeriod = "latest"


class Index(StrictModel):
    id: Identifier
    version: Name
    description: Text = ""
    universe: Identifier
    method: Method
    lenses: tuple[Lens, ...] = Field(min_length=1)
    productivity: tuple[Productivity, ...] = ()
    peers: Peers = Peers()
    savings: tuple[Saving, ...] = ()
    stability: Stability | None = None
    ranks: Ranks = Ranks()
    publish: Publish = Publish()

    def walk(self) -> Iterator[tuple[tuple[Any, ...], Lens, int]]:
        """Every lens with its path in the spec (for locations) and its depth (1: a top lens), parents first."""
        stack: list[tuple[tuple[Any, ...], Lens, int]] = [
            (("lenses", i), lens, 1) for i, lens in reversed(list(enumerate(self.lenses)))
        ]
        while stack:
            path, lens, depth = stack.pop()
            yield path, lens, depth
            children = reversed(list(enumerate(lens.lenses)))
            stack.extend((path + ("lenses", i), child, depth + 1) for i, child in children)

    def metric_ids(self) -> list[str]:
        return sorted({entry.metric for _, lens, _ in self.walk() for entry in lens.metrics})

    def rank_groups(self) -> tuple[str, ...]:
        """The groupings of `group_ranks`: those of `ranks`, else the peer groups."""
        return self.peers.groups if self.ranks.groups is None else self.ranks.groups

    def index_inputs(self) -> list[tuple[tuple[Any, ...], Lens, IndexInput]]:
        """The lenses that read another index, with their paths in the spec."""
        return [(path, lens, lens.index) for path, lens, _ in self.walk() if lens.index]


class SavingsOverride(StrictModel):
    quantile: float | None = Field(default=None, ge=0.0, le=1.0, strict=True)
    improvement: float | None = Field(default=None, gt=0.0, le=1.0, strict=True)


class Scenario(StrictModel):
    """What-if: one index recompiled with other weights or savings parameters, beside its baseline."""

    id: Identifier
    index: Identifier
    description: Text = ""
    weights: dict[str, Weight] = Field(default_factory=dict)
    """`lens` -> the lens's weight; `metric` -> its weight in every lens; `lens/metric` -> its weight in that lens."""
    savings: SavingsOverride = SavingsOverride()
    proposed: tuple[Identifier, ...] = ()
    """Proposed lineage events to apply: the index is rebuilt on the geography they make."""
