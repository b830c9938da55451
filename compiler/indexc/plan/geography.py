"""Plan nodes of the geography layers: the register, the area map, shares, restated measures.

The area map (`geography__paths`) is the compiled closure of every lineage
event; `geography__shares` apportions the edges that depend on data (a basis
such as population, period by period); each measure is then restated onto the
geography date with one join and one aggregation, and metrics read the
restated values, so money and population always move together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from indexc.plan.nodes import CheckNode, Layer, Materialisation, Node


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    type: str
    parent: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    provisional: bool


@dataclass(frozen=True, kw_only=True)
class AreasNode(Node):
    """The area register of the specs as a table; a universe without a register reads it."""

    areas: tuple[AreaRow, ...]
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True)
class PathRow:
    path_id: str
    level: str
    from_code: str
    geo_from: str  # first period whose codes the path maps ('0000-01': from the beginning)
    geo_to: str  # last period ('9999-00': open)
    to_code: str
    weight: float  # the factors known when compiling
    dynamic: bool  # also times factors apportioned from data (geography__path_weights)
    frozen: bool  # those factors restate backward: the shares of the year before each event, for every period
    contributors: int  # paths reaching to_code from the same periods: all must have data
    route: str  # the events crossed, for reviewers and indicators
    method: str = "as published"  # how the path carries its data (geography/provenance.py)
    method_rank: int = 0  # the strongest of a value's paths names its method
    divided_at: str | None = None  # first period of the last event that divided the path's area


@dataclass(frozen=True, kw_only=True)
class PathsNode(Node):
    """The closure of lineage onto the geography date: weighted edges per level and period range."""

    paths: tuple[PathRow, ...]
    geography_date: datetime.date
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True)
class PartRow:
    """One term of the basis of the territory an edge moves: scale × basis(basis_code)."""

    level: str
    effective: str
    first_period: str  # the first period the event governs
    last_before: str  # the period before it, whose basis restates backward
    event_id: str
    from_code: str
    to_code: str
    measure: str
    basis_code: str
    scale: float
    terms: int  # how many terms the part has: a part is known only when all are
    forward_siblings: int  # edges leaving from_code in the event and level
    backward_siblings: int  # edges reaching to_code on the date and level


@dataclass(frozen=True, kw_only=True)
class SharesNode(Node):
    """Shares of each apportioned edge per period: forward (of the predecessor) and backward (of the successor).

    Forward, a period's data is apportioned by the basis of the same period.
    Backward, the predecessors no longer exist when the data's codes were in
    force, so the basis of the last period before the event divides every period.
    """

    parts: tuple[PartRow, ...]
    basis_objects: tuple[tuple[str, str], ...]  # (measure id, object of its raw values)
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True)
class FactorRow:
    path_id: str
    position: int
    factor_count: int
    level: str
    event_id: str
    direction: str
    from_code: str
    to_code: str


@dataclass(frozen=True, kw_only=True)
class PathWeightsNode(Node):
    """Per period, the product of a path's apportioned factors; a missing share leaves no row."""

    factors: tuple[FactorRow, ...]
    shares_object: str
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class BasisCheckNode(CheckNode):
    """Where an apportioned event lacks the basis of a territory it needs.

    Forward, in any period before the event in which some of its territories
    have a basis value and others not; backward, in the last period before it.
    """

    event_id: str
    shares_object: str
    first_period: str
    forward_origins: tuple[str, ...]  # the areas the event divides by a basis
    forward_expected: int  # the event's edges, when restating forward apportions them; else 0
    backward_expected: int  # the same, when restating backward divides by them; else 0


@dataclass(frozen=True, kw_only=True)
class RestatedMeasureNode(Node):
    """A measure on the geography date: Σ value × weight (sum) or a weighted mean (mean)."""

    measure_id: str
    measure_object: str
    additivity: str
    level: str
    paths_object: str
    path_weights_object: str | None
    weight_object: str | None  # raw values of the weight measure of a mean
    aligned: bool = False  # values may serve other years than their own (align: latest or overlap)
    methods: tuple[tuple[int, str], ...] = ()  # (method_rank, label) of the paths' methods
    forbidden: bool = (
        False  # apportioning is forbidden: a divided path gives no value (a cold start)
    )
    layer = Layer.RESTATED
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class CodesCheckNode(CheckNode):
    """Data on codes the register does not know, on codes not in force in the period they are for, or given
    twice for one area and period by two bindings (a weight or a basis would count twice)."""

    measure_object: str
    areas_object: str
    paths_object: str
    level: str
    level_types: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RestatementCheckNode(CheckNode):
    """Areas and periods whose contributors all have data, yet a share or weight is missing."""

    restated_object: str
    cold_starts: bool = False  # the measure's apportioning is forbidden: a cold start is no problem


@dataclass(frozen=True)
class HistoryRow:
    level: str
    area_code: str
    geo_from: str
    geo_to: str
    history_from: str  # the codes whose data the area's values in these periods come from


@dataclass(frozen=True, kw_only=True)
class IndicatorsNode(Node):
    """Per area and period of restated data: new, terminated, and where its history comes from."""

    history: tuple[HistoryRow, ...]
    areas_object: str
    restated_objects: tuple[str, ...]
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class ColdStartsNode(Node):
    """Per measure whose apportioning is forbidden, the areas and periods left without a value because
    a reorganisation divided an area to give it: a declared cold start, published beside the indicators
    so a reader can tell it from missing data."""

    restated: tuple[tuple[str, str], ...]  # (measure id, restated object) of the forbidden measures
    areas_object: str
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class AreaMapEdgesNode(Node):
    """An area map's edges, their from-codes restated onto the geography date like any data."""

    map_type: str
    source_object: str
    paths_object: str
    level: str
    layer = Layer.AREA_MAP
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class MappedMeasureNode(Node):
    """A restated measure carried through an area map: summed, or weighted by the restated weight."""

    measure_id: str
    restated_object: str
    edges_object: str
    additivity: str
    weight_object: str | None  # the restated weight measure of a mean
    by_weight_to: bool = False  # a mean through a crosswalk: weighted by the edges' `weight_to`
    layer = Layer.AREA_MAP
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class AreaMapCheckNode(CheckNode):
    """Members that cannot be carried onto the geography date, weights of 0 or below, or crosswalk weights not
    summing to 1."""

    edges_object: str
    map_type: str
    source_object: str
    areas_object: str
    paths_object: str
    level: str
    level_types: tuple[str, ...]
    weighted: bool = False  # the source has a weight column: every weight must be above 0
    weighted_to: bool = False  # the source has a weight_to column: every one must be above 0


@dataclass(frozen=True)
class ParentEdgeRow:
    from_code: str
    to_code: str
    name: str  # the name of to_code


@dataclass(frozen=True, kw_only=True)
class AggregationEdgesNode(Node):
    """Each area of a level in force on the geography date, onto itself or its parent in the level above:
    the edges of a group whose members are the register's parentage (docs/geography.md)."""

    lower: str
    upper: str
    edges: tuple[ParentEdgeRow, ...]
    layer = Layer.GEOGRAPHY
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class AggregatedMeasureNode(MappedMeasureNode):
    """A restated measure carried up a level through its aggregation edges: the group machinery of an
    area map, with the register's parentage for members. Metrics read it on the upper level."""

    lower: str
    upper: str
    layer = Layer.RESTATED
