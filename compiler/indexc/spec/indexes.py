"""Universes, indexes and scenarios: who is compared, and how metrics roll up into a ranking.

A universe is a set of area types from a register, so nothing here assumes
English council codes. An index is a tree of weighted lenses over metrics with
its method (spec/methods.py), and what it publishes beside the ranking:
productivity, peers, savings and rank stability. Formulas are in
docs/methodology.md.

An index is a product with a lifecycle (`status`): a deferred or contingent one is declared and
validated but not built, so the portfolio can list what is on hold, and why, beside what is live.
A lens may be shown without counting (`status: contextual`, or `awaiting_data` when nothing can be
computed for it yet): it carries no weight, so its parent aggregates the lenses that do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    PositiveInt,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

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


def _check_link(value: str) -> str:
    """A link is followed by readers of the catalogue: an absolute web address, nothing else."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError("must be a web address starting with http:// or https://")
    return value


Link = Annotated[str, Field(strict=True), AfterValidator(_check_link)]

LensStatus = Literal["contextual", "awaiting_data"]
"""contextual: computed and shown, no weight; awaiting_data: shown, nothing computed, no weight."""
IndexStatus = Literal["active", "prototype", "contingent", "deferred"]
ON_HOLD: tuple[IndexStatus, ...] = ("contingent", "deferred")
"""Statuses of an index that is validated but built only when selected by name."""


class LensMetric(StrictModel):
    metric: Identifier
    weight: Weight | None = None
    via: Identifier | None = None
    """The area map whose values of the metric the index reads, when several carry it onto the universe."""
    basis: Literal["framework", "ours"] | None = None
    """For an index on a published framework: the framework's own metric, or our mapping onto it."""


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
    link: Link | None = None
    """Where readers learn what the lens stands for, e.g. the outcome's page of a framework."""
    status: LensStatus | None = None
    """Absent: the lens carries its weight. Otherwise it is shown but carries none (validate/lifecycle.py)."""
    reason: Text = ""
    """Why the lens has its status."""

    @field_validator("metrics", mode="before")
    @classmethod
    def _bare_metric_ids(cls, value: Any) -> Any:
        return _bare_ids_weigh_one(value, "metric")

    @model_validator(mode="after")
    def _children(self) -> Lens:
        # a lens with none is a lifecycle question (awaiting data, a deferred index): IX323
        if sum(map(bool, (self.metrics, self.lenses, self.index))) > 1:
            raise ValueError(
                "a lens holds either metrics or lenses, or reads an index (one of them, not both)"
            )
        return self

    @property
    def carries_weight(self) -> bool:
        """Whether the lens counts in its parent's aggregation; a lens with a status is only shown."""
        return self.status is None

    @property
    def computed(self) -> bool:
        """Whether the lens has scores: everything but a lens awaiting data."""
        return self.status != "awaiting_data"

    def weighted_lenses(self) -> tuple[Lens, ...]:
        """The child lenses its score aggregates."""
        return tuple(child for child in self.lenses if child.carries_weight)

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


Benchmark = Literal["england", "group", "neighbours"]
BENCHMARKS: tuple[Benchmark, ...] = ("england", "group", "neighbours")


class Comparisons(StrictModel):
    """What `comparisons`, `trends` and `sentences` show (docs/methodology.md, section 11)."""

    benchmarks: tuple[Benchmark, ...] | None = Field(default=None, min_length=1)
    """The benchmarks each value is compared with; england, group, and neighbours when the index has
    them, when absent."""
    neutral: tuple[Identifier, ...] = ()
    """Metrics of the index compared without judgement (higher, lower, similar) and whose trends are not
    assessed, though their direction still scores them: spend, say, which is not worse for being high."""


class PopulationFloor(StrictModel):
    """Areas whose `measure` (a population) is under `at_least` in a period are kept out of that period's
    headline Top N; an area with no value of it then is kept out too, since it cannot be shown to pass."""

    measure: Identifier
    at_least: float = Field(strict=True, allow_inf_nan=False)  # positive: IX338 (a hint), not IX003


class HeadlineExclusion(StrictModel):
    """An area kept out of the headline Top N in every period, for the reason stated."""

    area: Name
    reason: Text  # not empty: IX337


class HeadlinePolicy(StrictModel):
    """Who may appear in the headline Top N (`index__<id>__top`); the full ranking keeps everyone and
    `index__<id>__headline_exclusions` lists who was kept out, and why."""

    description: Text = ""
    """Why the policy is what it is, in words `indexc run` prints under the Top N."""
    population: PopulationFloor | None = None
    exclude: tuple[HeadlineExclusion, ...] = ()


class Publish(StrictModel):
    top: PositiveInt = Field(default=10, strict=True)
    period: PublishedPeriod = "latest"
    headline: bool = Field(default=False, strict=True)
    """The portfolio's headline: `indexc run` shows its Top N first (one index at most, IX329)."""
    contributed: bool | None = Field(default=None, strict=True)
    """True: the index's published results are computed with contributed data (no public computation
    beside them), so every audience reading them must be within each contribution's consent (IX355).
    Not given: contributed data is scored in a computation of its own beside the public one."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("contributed") is None:
            data.pop("contributed", None)
        return data

    headline_policy: HeadlinePolicy | None = None
    """Who may appear in the Top N; without one, the first N of the full ranking."""

    def headline_measures(self) -> list[str]:
        """The measure the headline policy's floor reads, if any."""
        policy = self.headline_policy
        return [policy.population.measure] if policy and policy.population else []


class Until(StrictModel):
    """What would change an index's status: a date, or an event in words."""

    date: datetime.date | None = Field(default=None, strict=False)
    event: Text | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Until:
        if (self.date is None) == (self.event is None):
            raise ValueError("until is a date or an event, one of them")
        if self.event is not None and not self.event.strip():
            raise ValueError("an event must say what would happen")
        return self

    def describe(self) -> str:
        return self.date.isoformat() if self.date is not None else str(self.event)


class Index(StrictModel):
    id: Identifier
    version: Name
    description: Text = ""
    status: IndexStatus = "active"
    """A contingent or deferred index is validated but built only when selected by name."""
    reason: Text = ""
    """Why the index has its status; required for any status but active."""
    until: Until | None = None
    """For a contingent or deferred index: the date or event that would change its status."""
    universe: Identifier
    method: Method
    lenses: tuple[Lens, ...] = Field(min_length=1)
    productivity: tuple[Productivity, ...] = ()
    peers: Peers = Peers()
    savings: tuple[Saving, ...] = ()
    stability: Stability | None = None
    ranks: Ranks = Ranks()
    publish: Publish = Publish()
    comparisons: Comparisons | None = None

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Without `comparisons` when it is not given, so an index that does not use it dumps (and
        hashes, and compares in `diff`) as it did before it existed."""
        data = handler(self)
        if isinstance(data, dict) and data.get("comparisons") is None:
            data.pop("comparisons", None)
        return data

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

    @property
    def on_hold(self) -> bool:
        """Contingent or deferred: validated, but built only when selected by name."""
        return self.status in ON_HOLD

    def weighted_lenses(self) -> tuple[Lens, ...]:
        """The top lenses the index aggregates: those that carry weight."""
        return tuple(lens for lens in self.lenses if lens.carries_weight)

    def computed_lenses(self) -> Iterator[tuple[tuple[Any, ...], Lens, int]]:
        """`walk()` without the lenses awaiting data, which have no scores."""
        return ((path, lens, depth) for path, lens, depth in self.walk() if lens.computed)


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
