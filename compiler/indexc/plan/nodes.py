"""Plan nodes: target-neutral relational objects, one class per layer of the pipeline.

A node knows what it computes and what it reads, never how a dialect spells
it. Names are deterministic (`<layer>__<id>`), so the same specs always give
the same objects, files and dependency order.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field

from sqlglot import exp

from indexc.plan.template_params import AuditParams, TemplateParams
from indexc.spec.sources import (
    AreaMapSource,
    DataSource,
    PeriodParsing,
    PivotedSource,
    RegisterSource,
)

SCHEMA_OBJECT = (
    "schema"  # the build schema: every object depends on it, directly or through what it reads
)


class Layer(enum.StrEnum):
    SCHEMA = "schema"
    SOURCE = "source"
    MEASURE = "measure"
    GEOGRAPHY = "geography"
    RESTATED = "restated"
    AREA_MAP = "area_map"
    METRIC = "metric"
    UNIVERSE = "universe"
    METRIC_SCORES = "metric_scores"
    LENS_SCORES = "lens_scores"
    INDEX_SCORES = "index_scores"
    PEERS = "peers"
    STABILITY = "stability"
    SCENARIO = "scenario"
    PUBLISH = "publish"
    AUDIT = "audit"
    SNAPSHOT = "snapshot"
    CONSUMPTION = "consumption"
    CHECK = "check"


class Materialisation(enum.StrEnum):
    TABLE = "table"
    VIEW = "view"
    SCHEMA = "schema"
    CHECK = "check"  # a query that must return no rows
    ENSURE = "ensure"  # a table created when missing and never replaced: the snapshots' append-only tables


@dataclass(frozen=True, kw_only=True)
class Node:
    name: str
    depends_on: tuple[str, ...]
    description: str
    spec: tuple[str, str] | None  # (kind, id) of the spec object that defines the node

    # Each kind of node sets its layer and materialisation as class attributes, except the index's objects
    # (TemplateNode), which are one kind in several layers.
    @property
    def layer(self) -> Layer:
        raise NotImplementedError(type(self).__name__)

    @property
    def materialisation(self) -> Materialisation:
        raise NotImplementedError(type(self).__name__)


@dataclass(frozen=True, kw_only=True)
class SchemaNode(Node):
    layer = Layer.SCHEMA
    materialisation = Materialisation.SCHEMA


@dataclass(frozen=True, kw_only=True)
class DataSourceNode(Node):
    """Normalise a long, wide or pivoted source to (area_code, period, item, value)."""

    source: DataSource
    layer = Layer.SOURCE
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class RegisterNode(Node):
    """Normalise a register to (area_code, name, type, valid_from, valid_to)."""

    source: RegisterSource
    layer = Layer.SOURCE
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class CheckNode(Node):
    """A query over built objects that must return no rows; any row found fails the run."""

    failure: str  # what the rows mean, e.g. "periods that do not read as financial years"
    layer = Layer.CHECK
    materialisation = Materialisation.CHECK


@dataclass(frozen=True, kw_only=True)
class PeriodCheckNode(CheckNode):
    """Raw periods of a source that are missing, unparseable or not written as its format says."""

    source_object: str
    parsing: PeriodParsing


@dataclass(frozen=True, kw_only=True)
class PivotedHeaderCheckNode(CheckNode):
    """A pivoted source's header row: missing (no line names its area column), or with a period
    heading that does not read as the source's format (IX749). It stands in for the period check:
    each period of such a source is a heading."""

    source: PivotedSource


@dataclass(frozen=True, kw_only=True)
class DuplicateCheckNode(CheckNode):
    """Areas, periods and items a source gives more than once (each would count twice)."""

    source_object: str
    by_label: bool = (
        False  # several periods fall in one financial year (quarters): key on the label
    )


@dataclass(frozen=True, kw_only=True)
class ValueCheckNode(CheckNode):
    """Value cells (and confidence limits) of a source that are neither a number, a blank nor one of its
    missing markers: read as missing by the source's table, so each is named here, at its line (IX717)."""

    source: DataSource


@dataclass(frozen=True, kw_only=True)
class LimitCheckNode(CheckNode):
    """Rows of a long source whose value lies outside its own confidence limits (IX718)."""

    source_object: str
    source_id: str


@dataclass(frozen=True, kw_only=True)
class RegisterCheckNode(CheckNode):
    """Codes a register lists more than once for overlapping dates (they would count twice)."""

    register_object: str


@dataclass(frozen=True)
class BindingSelect:
    source_id: str
    source_object: str
    item: str
    period_from: str | None
    period_to: str | None
    geography_period: str | None = None  # codes of this period ('period': of each row's own period)
    restate: bool = True
    not_published: tuple[
        str, ...
    ] = ()  # periods in which the source is known to publish no value of the item
    leave_out: tuple[str, ...] = ()  # areas whose rows the binding does not read (with a reason)
    yields_to: tuple[int, ...] = ()
    """Positions (in the measure's bindings) of the overlapping bindings preferred over this one by
    precedence: where one of them has a value for an area and period, this binding's row is not read."""


@dataclass(frozen=True)
class Alignment:
    """How a measure's values are lined up with financial years (spec `align:`), where any of its
    sources publishes periods other than financial years or points in them, or `align:` is not exact."""

    rule: str  # exact, latest or overlap
    max_age: int | None = None  # latest: years a value's end may lie before the year's end
    span_years: int = 2  # overlap: the financial years one value's period can reach into, at most


@dataclass(frozen=True, kw_only=True)
class MeasureNode(Node):
    """One SELECT per binding, stacked: a measure's values with their provenance."""

    measure_id: str
    bindings: tuple[BindingSelect, ...]
    with_geography: bool = (
        False  # also say on which period's codes each row is, and whether it is restated
    )
    valid: tuple[tuple[str, float], ...] = ()  # (operator, bound) pairs every value kept satisfies
    alignment: Alignment | None = (
        None  # None: each value serves the financial year its period is in
    )
    areas_object: str | None = None
    """The register, read when an aligned value on as-published codes may serve a later year: a code
    no longer in force then does not (its successor's own values do, or the value restated)."""
    layer = Layer.MEASURE
    materialisation = Materialisation.VIEW


@dataclass(frozen=True, kw_only=True)
class AreaMapSourceNode(Node):
    """Normalise an area-map source to (from_code, to_code, name, weight, valid_from, valid_to)."""

    source: AreaMapSource
    geography_period: str
    layer = Layer.SOURCE
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class MetricNode(Node):
    """A formula evaluated where all of its inputs have a value for an area and period."""

    metric_id: str
    formula: exp.Expression
    inputs: tuple[tuple[str, str], ...]  # (id named in the formula, object holding its values)
    provenance: tuple[str, ...] = ()
    """Inputs whose objects say each value's provenance (contributed data, plan/contributed.py): the
    metric then says it too, 'contributed' where any of them is."""
    cold_starts: tuple[str, ...] = ()
    """Restated inputs whose apportioning is forbidden: a row without a value (a cold start) is no input."""
    layer = Layer.METRIC
    materialisation = Materialisation.VIEW


@dataclass(frozen=True, kw_only=True)
class UniverseNode(Node):
    """Areas of some types: from a register by period, or the areas in force on the geography date."""

    register_object: str
    types: tuple[str, ...]
    geography_date: datetime.date | None = None
    layer = Layer.UNIVERSE
    materialisation = Materialisation.VIEW


@dataclass(frozen=True, kw_only=True)
class TemplateNode(Node):
    """An index object written as a SQL template (generate/templates/<template>.sql.j2) with its parameters.

    The methodology's objects are many and differ only in their query and their layer, so they are one
    kind of node: the template says how, `params` (plain data, typed per template) say what.

    `view`: computed when read rather than stored. Writing millions of values (the metric values and
    scores) to the database cost more than the methodology itself, and the build reads them whole only
    once, to aggregate the lenses; the statistics they need per metric are small tables.
    """

    index_id: str
    in_layer: Layer
    params: TemplateParams = field(hash=False)
    view: bool = False

    @property
    def layer(self) -> Layer:
        return self.in_layer

    @property
    def materialisation(self) -> Materialisation:
        return Materialisation.VIEW if self.view else Materialisation.TABLE

    @property
    def template(self) -> str:
        return self.params.template


@dataclass(frozen=True, kw_only=True)
class AuditNode(Node):
    """The rows an audit finds, stored with the build (generate/templates/audit.sql.j2 with `params`)."""

    params: AuditParams = field(hash=False)
    finds: str  # what its rows are, in words: "areas with no value of asc_spend_per_head"
    layer = Layer.AUDIT
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class AuditCheckNode(CheckNode):
    """An `error` audit: any row it found fails the run."""

    audit_object: str


def defined_by(node: Node) -> tuple[str, str]:
    """The spec object behind a node that fails or warns: every check and measure has one; only
    objects of the build's own making (the schema, the geography's tables) have none."""
    if node.spec is None:
        raise ValueError(f"{node.name} comes from no spec object")
    return node.spec
