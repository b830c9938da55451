"""The parameters of each SQL template (generate/templates/<template>.sql.j2): the contract between the
planner, which works them out from the spec, and the template, which reads them.

One frozen dataclass per template, so a parameter missing or misspelt where a node is planned is a type
error (mypy) and fails at plan time, not when the template is rendered. Rows inside a parameter are
TypedDicts: plain dicts to the template, checked keys to the planner. tests/test_template_params.py
checks that every template reads exactly its dataclass's fields.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict

Cell = str | int | float | bool | None


@dataclass(frozen=True, kw_only=True)
class TemplateParams:
    template: ClassVar[str]  # the template's file name without .sql.j2

    def context(self) -> dict[str, Any]:
        """The parameters as the template's variables."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


class Grouping(TypedDict):
    id: str
    edges: str | None  # the area map's object; None for `type` (the register type of each area)


class Imputation(TypedDict):
    statistic: str
    grouping: Grouping


class MetricObject(TypedDict):
    id: str
    object: str


class SourceBinding(TypedDict):
    """A source item a metric reads as published (plan/__init__.py, `_direct_bindings`)."""

    source: str
    item: str
    period_from: str | None
    period_to: str | None


class MetricBinding(SourceBinding):
    metric: str


class SourceBindings(TypedDict):
    object: str
    open: list[MetricBinding]  # matched on the item alone, every period
    dated: list[MetricBinding]  # for some periods only


class Column(TypedDict):
    name: str
    type: str


class Edge(TypedDict):
    lens: str
    child: str
    weight: float


class LensTotal(TypedDict):
    lens: str
    children: int
    weight: float


class Aggregate(TypedDict):
    method: str
    p: float | None
    lenses: list[str]


class IndexLens(TypedDict):
    """A lens whose score is another index's: `lens_scores` filtered on `lens`, or `scores` when it is None."""

    lens: str
    object: str
    of_lens: str | None


class Depth(TypedDict):
    lenses: list[str]
    methods: list[Aggregate]
    metric_edges: list[Edge]
    lens_edges: list[Edge]
    index_lenses: list[IndexLens]


class LensWeight(TypedDict):
    id: str
    weight: float


class DrawnLens(LensWeight):
    alpha: float  # the lens's step in the weights' draws (methodology.weyl_alphas)


class ProductivityEntry(TypedDict):
    lens: str
    spend: str
    method: str


class PublishedProductivity(TypedDict):
    object: str
    lens: str


class HeadlineExclusion(TypedDict):
    area: str
    reason: str


class HeadlinePolicy(TypedDict):
    """Who the headline Top N keeps out: areas under a population floor (`population`: the measure's
    object, None without a floor) and the areas listed, with their reasons."""

    population: str | None
    at_least: float | None
    floor: str | None  # the floor as the reasons write it, such as 25000
    exclude: list[HeadlineExclusion]


class Feature(TypedDict):
    id: str
    object: str
    weight: float


class Saving(TypedDict):
    id: str
    lens: str
    unit_cost: str
    volume: str
    peers: str
    grouping: Grouping | None  # None: the neighbours
    quantile: float
    improvement: float
    scale: float


@dataclass(frozen=True, kw_only=True)
class LiteralTableParams(TemplateParams):
    """Rows the compiler knows (an index's bindings, normalisation rules, lens edges), stored as a table.

    Written into the queries, a literal table of thousands of rows is parsed and planned again by
    every statement that holds it and by every read of a view that does; stored once, it is planned
    once and read like any other table, with its row count known to the optimiser. On the
    national benchmark (2,000 metrics) the index build went from 1.29 s to 1.12 s. The rows are
    placed by generate/literal_tables.py, not by the template.
    """

    template = "literal_table"
    columns: list[Column]
    rows: list[list[Cell]]


@dataclass(frozen=True, kw_only=True)
class MetricValuesParams(TemplateParams):
    template = "metric_values"
    metrics: list[MetricObject]  # read through their views
    sources: list[SourceBindings]  # read straight from the sources
    universe: str
    impute: Imputation | None
    bindings: str | None  # the literal table of the `open` bindings, when there are any


class ScreenRule(TypedDict):
    rule: str  # `index` (the index's metrics) or `lens`
    lens: str | None
    threshold: float
    metrics: list[str]


@dataclass(frozen=True, kw_only=True)
class ScreenedParams(TemplateParams):
    template = "screened"
    values: str
    universe: str
    rules: list[ScreenRule]


@dataclass(frozen=True, kw_only=True)
class KeptValuesParams(TemplateParams):
    template = "kept_values"
    values: str  # observed values only: imputation, when there is one, is done here
    screened: str
    universe: str
    impute: Imputation | None


@dataclass(frozen=True, kw_only=True)
class TreatmentParams(TemplateParams):
    template = "treatment"
    groups: list[
        dict[str, Any]
    ]  # a Treatment's fields, with its `metrics` and whether it is `every` one
    scope: str
    values: str


@dataclass(frozen=True, kw_only=True)
class NormalisationParams(TemplateParams):
    template = "normalisation"
    values: str
    treatment: str | None
    scope: str
    untreated: list[str]
    rules: str
    methods: list[str]


@dataclass(frozen=True, kw_only=True)
class MetricScoresParams(TemplateParams):
    template = "metric_scores"
    values: str
    scope: str
    normalisation: str
    normalisations: list[dict[str, Any]]  # a Normalisation's fields, one per rule


@dataclass(frozen=True, kw_only=True)
class LensScoresParams(TemplateParams):
    template = "lens_scores"
    metric_scores: str
    metric_edges: str
    totals: list[LensTotal]
    depths: dict[int, Depth]
    max_depth: int
    # The index's own periods and the areas screened out of one: a lens reading another index has a
    # score only in those periods, and not for those areas.
    periods: str | None = None
    screened: str | None = None
    provenance: str | None = None  # which values are contributed (plan/contributed.py)


@dataclass(frozen=True, kw_only=True)
class ScoresParams(TemplateParams):
    template = "scores"
    lens_scores: str
    min_coverage: float
    lenses: list[LensWeight]
    total_weight: float
    method: str
    p: float | None
    provenance: str | None = None  # which values are contributed (plan/contributed.py)


@dataclass(frozen=True, kw_only=True)
class GroupRanksParams(TemplateParams):
    template = "group_ranks"
    scores: str
    lens_scores: str
    universe: str
    groupings: list[Grouping]


@dataclass(frozen=True, kw_only=True)
class ProductivityParams(TemplateParams):
    template = "productivity"
    lens_scores: str
    entries: list[ProductivityEntry]


@dataclass(frozen=True, kw_only=True)
class NeighboursParams(TemplateParams):
    template = "neighbours"
    features: list[Feature]
    k: int
    universe: str
    periods: str


@dataclass(frozen=True, kw_only=True)
class ListedNeighboursParams(TemplateParams):
    template = "neighbours_listed"
    source: str
    paths: str | None
    level: str
    universe: str
    periods: str


@dataclass(frozen=True, kw_only=True)
class SavingsParams(TemplateParams):
    template = "savings"
    savings: list[Saving]
    universe: str
    screened: str | None  # areas screened out of a period, who get no savings then
    neighbours: str
    periods: str


@dataclass(frozen=True, kw_only=True)
class SavingsTotalsParams(TemplateParams):
    template = "savings_totals"
    savings: str


@dataclass(frozen=True, kw_only=True)
class StabilityParams(TemplateParams):
    template = "stability"
    lens_scores: str
    scores: str
    draws: int
    seed: int
    noise: float
    places: int  # digits of the largest draw number
    lenses: list[DrawnLens]
    method: str
    p: float | None
    top: int


@dataclass(frozen=True, kw_only=True)
class MostImprovedParams(TemplateParams):
    template = "most_improved"
    scores: str
    universe: str
    top: int


@dataclass(frozen=True, kw_only=True)
class TopParams(TemplateParams):
    template = "top"
    scores: str
    universe: str
    top: int
    productivity: PublishedProductivity | None
    savings: str | None
    stability: str | None
    provenance: str | None = None  # which values are contributed (plan/contributed.py)
    policy: HeadlinePolicy | None  # None: the first N of the full ranking


@dataclass(frozen=True, kw_only=True)
class HeadlineExclusionsParams(TemplateParams):
    template = "headline_exclusions"
    scores: str
    universe: str
    policy: HeadlinePolicy


@dataclass(frozen=True, kw_only=True)
class DeltasParams(TemplateParams):
    template = "deltas"
    baseline_scores: str
    scenario_scores: str
    baseline_savings: str | None
    scenario_savings: str | None


@dataclass(frozen=True, kw_only=True)
class AuditParams(TemplateParams):
    template = "audit"
    audit: str
    severity: str
    test: str
    spec: Any  # the test's spec as plain data: a metric id, or its fields
    objects: dict[str, str]  # metric id -> the object holding its values
    universe: str


@dataclass(frozen=True, kw_only=True)
class ProvenanceParams(TemplateParams):
    template = "provenance"
    metrics: list[dict[str, str]]  # id, object: the contributed metric views an index reads
    edges: list[
        list[str | int | float | bool | None]
    ]  # (level, name, metric): what each metric feeds


class ComparedMetric(TypedDict):
    """A metric of an index as comparisons, trends and sentences read it (plan/index_comparisons.py)."""

    id: str
    direction: int  # 1 higher is better, -1 lower is better, 0 no direction (neutral)
    label: str  # its name in a sentence: the spec's description, else its id
    limits: str | None  # the object holding the confidence limits of the values published with them


@dataclass(frozen=True, kw_only=True)
class ComparisonsParams(TemplateParams):
    template = "comparisons"
    metric_values: str
    universe: str
    metrics: list[ComparedMetric]
    benchmarks: list[str]  # england, group, neighbours: those compared with
    grouping: Grouping  # the peers of benchmark 'group'
    neighbours: str | None  # the index's neighbours; None: no 'neighbours' benchmark
    positions: int  # the fewest peers a comparison by position needs (quintiles)


@dataclass(frozen=True, kw_only=True)
class TrendsParams(TemplateParams):
    template = "trends"
    metric_values: str
    scores: str
    metrics: list[ComparedMetric]
    window: int  # the points tested: the last `window` values up to each period


@dataclass(frozen=True, kw_only=True)
class SentencesParams(TemplateParams):
    template = "sentences"
    scores: str
    universe: str
    comparisons: str
    trends: str
    metrics: list[ComparedMetric]
    noun: str  # what the universe's areas are called: councils, or areas
