"""The project's inputs as nodes: sources (and the checks that their rows can be trusted), measures,
metrics and universes, each one object named `<kind>__<id>`."""

from __future__ import annotations

from sqlglot import exp

from indexc.geography import Geography, calendar, measure_level
from indexc.plan.aggregation import aggregated_object, aggregates
from indexc.plan.alignment import alignment
from indexc.plan.area_maps import area_map_source_node
from indexc.plan.nodes import (
    SCHEMA_OBJECT,
    BindingSelect,
    CheckNode,
    DataSourceNode,
    DuplicateCheckNode,
    LimitCheckNode,
    MeasureNode,
    MetricNode,
    Node,
    PeriodCheckNode,
    PivotedHeaderCheckNode,
    RegisterCheckNode,
    RegisterNode,
    UniverseNode,
    ValueCheckNode,
)
from indexc.plan.restatement import AREAS, restated_object
from indexc.plan.template_params import SourceBinding
from indexc.spec.sources import (
    AreaMapSource,
    DataSource,
    LongSource,
    PivotedSource,
    RegisterSource,
)
from indexc.validate.apportionment import apportion_policy
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import is_contributed
from indexc.validate.precedence import preferred_over

OBJECT_PREFIX = {
    "sources": "source",
    "measures": "measure",
    "metrics": "metric",
    "universes": "universe",
}


def object_name(kind: str, object_id: str) -> str:
    return f"{OBJECT_PREFIX[kind]}__{object_id}"


def source_nodes(source_id: str, catalog: Catalog, geography: Geography | None) -> list[Node]:
    """A source's normalised table, and the check that its rows can be trusted."""
    source = catalog.sources[source_id]
    name, spec = object_name("sources", source_id), ("sources", source_id)
    if isinstance(source, AreaMapSource):
        return [area_map_source_node(source, name, geography)]
    description = source.description or f"Source {source_id}"
    if isinstance(source, RegisterSource):
        return [
            RegisterNode(
                name=name,
                depends_on=(SCHEMA_OBJECT,),
                spec=spec,
                description=description,
                source=source,
            ),
            RegisterCheckNode(
                name=f"check__{source_id}__overlaps",
                depends_on=(name,),
                spec=spec,
                description=f"Codes register {source_id} lists twice for overlapping dates",
                failure="codes listed more than once for overlapping dates",
                register_object=name,
            ),
        ]
    return [
        DataSourceNode(
            name=name,
            depends_on=(SCHEMA_OBJECT,),
            spec=spec,
            description=description,
            source=source,
        ),
        _period_check(source, name, spec),
        DuplicateCheckNode(
            name=f"check__{source_id}__duplicates",
            depends_on=(name,),
            spec=spec,
            description=f"Area, period and item combinations source {source_id} gives twice",
            failure="rows given more than once (area period item)",
            source_object=name,
            by_label=source.period.grain in ("quarter", "iso_interval"),
        ),
        ValueCheckNode(
            name=f"check__{source_id}__cells",
            depends_on=(name,),
            spec=spec,
            description=f"Value cells of source {source_id} that are neither numbers, blanks nor "
            "missing markers",
            failure="values that are not numbers and not missing markers",
            source=source,
        ),
        *_limit_check(source, name, spec),
    ]


def _period_check(source: DataSource, name: str, spec: tuple[str, str]) -> CheckNode:
    """The check that every period reads as the source's format: of a pivoted source, of its header
    row, which it finds first."""
    parsing = source.period
    if isinstance(source, PivotedSource):
        return PivotedHeaderCheckNode(
            name=f"check__{source.id}__header",
            depends_on=(name,),
            spec=spec,
            description=f"The header row of pivoted source {source.id}: it names the area column "
            f"'{source.columns.area}', and every other heading but its labels reads as "
            f"{parsing.format} ({parsing.grain})",
            failure=f"header row missing, or period headings not written as {parsing.format}",
            source=source,
        )
    return PeriodCheckNode(
        name=f"check__{source.id}__periods",
        depends_on=(name,),
        spec=spec,
        description=f"Periods of source {source.id} that do not read as {parsing.format} "
        f"({parsing.grain})",
        failure=f"periods that are missing or not written as {parsing.format}",
        source_object=name,
        parsing=parsing,
    )


def _limit_check(source: DataSource, name: str, spec: tuple[str, str]) -> list[Node]:
    """The check that each value lies within its confidence limits, for a source that has them."""
    if not isinstance(source, LongSource) or source.columns.lci is None:
        return []
    return [
        LimitCheckNode(
            name=f"check__{source.id}__limits",
            depends_on=(name,),
            spec=spec,
            description=f"Rows of source {source.id} whose value lies outside its confidence limits",
            failure="values outside their confidence limits",
            source_object=name,
            source_id=source.id,
        )
    ]


def _codes_of(source_id: str, catalog: Catalog) -> str:
    """'period' when each period's data is on that period's codes, else the period of the codes used."""
    geography = getattr(catalog.sources[source_id], "geography", None)
    if geography is None or geography.codes == "as_published":
        return "period"
    return calendar.period_of(geography.codes)


def binding_selects(measure_id: str, catalog: Catalog) -> tuple[BindingSelect, ...]:
    """The public bindings of a measure, each with the positions of those preferred over it."""
    measure = catalog.measures[measure_id]
    # read beside, by contributed__ objects (contributed.py)
    public = [i for i, b in enumerate(measure.bindings) if not is_contributed(catalog, b)]
    position = {i: n for n, i in enumerate(public)}
    return tuple(
        BindingSelect(
            b.source,
            object_name("sources", b.source),
            b.item,
            b.periods.from_,
            b.periods.to,
            _codes_of(b.source, catalog),
            b.restate,
            tuple(sorted(b.not_published)),
            tuple(sorted(b.leave_out.areas)) if b.leave_out else (),
            tuple(position[j] for j in preferred_over(catalog, measure, i)),
        )
        for i, b in ((i, measure.bindings[i]) for i in public)
    )


def measure_node(measure_id: str, catalog: Catalog, with_geography: bool) -> MeasureNode:
    measure = catalog.measures[measure_id]
    bindings = binding_selects(measure_id, catalog)
    rule = alignment(measure_id, catalog)
    carried = rule is not None and rule.rule != "exact"  # a value may serve a year after its own
    as_published = any(b.geography_period == "period" for b in bindings)
    areas = AREAS if with_geography and carried and as_published else None
    return MeasureNode(
        name=object_name("measures", measure_id),
        spec=("measures", measure_id),
        depends_on=tuple(
            sorted({b.source_object for b in bindings} | ({areas} if areas else set()))
        ),
        description=measure.description or f"Measure {measure_id}",
        measure_id=measure_id,
        bindings=bindings,
        with_geography=with_geography,
        valid=tuple(measure.valid.conditions()) if measure.valid else (),
        alignment=rule,
        areas_object=areas,
    )


def input_object(name: str, catalog: Catalog, with_geography: bool) -> str:
    """The object a metric reads an input from: a measure carried up a level (district data feeding
    councils) is read aggregated, any other restated measure restated."""
    if name not in catalog.measures:
        return object_name("metrics", name)
    if with_geography and aggregates(name, catalog):
        return aggregated_object(name)
    if with_geography and measure_level(name, catalog) is not None:
        return restated_object(name)
    return object_name("measures", name)


def direct_bindings(
    metric_id: str, catalog: Catalog, with_geography: bool
) -> list[SourceBinding] | None:
    """The source rows of a metric that is one measure read as it is published, else None.

    An index reads such metrics straight from their sources, in one scan per source, rather than
    through one view per metric stacked in a union: with thousands of metrics that union, not the
    methodology, would cost most of the build.
    """
    formula = catalog.formula(metric_id).expression
    if not isinstance(formula, exp.Column) or formula.name not in catalog.measures:
        return None
    measure_id = formula.name
    if input_object(measure_id, catalog, with_geography) != object_name("measures", measure_id):
        return None  # restated, or otherwise not the measure view
    if catalog.measures[measure_id].valid:
        return None  # its view leaves out values outside the valid range
    if alignment(measure_id, catalog) is not None:
        return None  # its view chooses which value serves each financial year
    if any(b.leave_out for b in catalog.measures[measure_id].bindings):
        return None  # its view leaves out the rows of some areas
    if any(b.precedence for b in catalog.measures[measure_id].bindings):
        return None  # its view chooses between overlapping bindings
    return [
        {
            "source": object_name("sources", b.source),
            "item": b.item,
            "period_from": b.periods.from_,
            "period_to": b.periods.to,
        }
        for b in catalog.measures[measure_id].bindings
        if not is_contributed(catalog, b)  # public data only (plan/contributed.py)
    ]


def metric_node(metric_id: str, catalog: Catalog, with_geography: bool) -> MetricNode:
    metric = catalog.metrics[metric_id]
    formula = catalog.formula(metric_id)
    if formula.expression is None:
        raise ValueError(f"metric {metric_id} has no formula: validation should have refused it")
    inputs = tuple((name, input_object(name, catalog, with_geography)) for name in formula.inputs)
    return MetricNode(
        name=object_name("metrics", metric_id),
        spec=("metrics", metric_id),
        depends_on=tuple(sorted({obj for _, obj in inputs})),
        description=f"{metric.description or metric_id} (v{metric.version}): {metric.formula}",
        metric_id=metric_id,
        formula=formula.expression,
        inputs=inputs,
        cold_starts=tuple(
            name
            for name, obj in inputs
            if obj == restated_object(name) and apportion_policy(catalog, name) == "forbidden"
        ),
    )


def universe_node(universe_id: str, catalog: Catalog, geography: Geography | None) -> UniverseNode:
    universe = catalog.universes[universe_id]
    register = AREAS if universe.register_ is None else object_name("sources", universe.register_)
    return UniverseNode(
        name=object_name("universes", universe_id),
        spec=("universes", universe_id),
        depends_on=(register,),
        description=universe.description or f"Universe {universe_id}",
        register_object=register,
        types=tuple(universe.types),
        geography_date=geography.date
        if universe.register_ is None and geography is not None
        else None,
    )
