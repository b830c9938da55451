"""SQL for the input layers: source normalisation, measure values and metric values.

Every source, whatever its layout, becomes (area_code, period, item, value) with
periods as financial-year labels; measures select their items per binding; a
metric evaluates its formula where all of its inputs have a value.
"""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.alignment import aligned, recency_of_oldest
from indexc.generate.expressions import (
    alias,
    and_all,
    cast,
    col,
    inner_join,
    is_finite,
    lit,
    period_label,
    period_start_year,
    read_number,
    table,
    text,
    trimmed_text,
    union_all,
)
from indexc.generate.periods import financial_year_bounds, financial_year_of, period_bounds
from indexc.generate.pivoted import cell_ctes, parsed_rows
from indexc.generate.precedence import PREFERRED, ROW, preferred_has_value
from indexc.generate.targets import SqlTarget
from indexc.plan.aggregation import AGGREGATED_PREFIX
from indexc.plan.nodes import (
    BindingSelect,
    DataSourceNode,
    DuplicateCheckNode,
    MeasureNode,
    MetricNode,
)
from indexc.spec.sources import ITEM_SEPARATOR, LongSource, PivotedSource

PARSED = "parsed"
VALUE_COLUMNS = ("value", "lci", "uci")  # a value and its lower and upper confidence limits
LIMITED_OBJECTS = (
    "measure__",
    "metric__",
)  # the views that carry lci and uci (a restated one does not)
YEARS = "with_years"


def data_source(
    node: DataSourceNode, target: SqlTarget, *, declared_only: bool = True
) -> exp.Select | exp.Union:
    """Read the physical relation once, parse its periods and stack its items.

    The raw period is kept beside the label so that a check can report any
    value that did not read back as the period the source's format promises.
    `declared_only=False` also reads the rows of items the source does not declare, for a report
    of the items a source holds (a renamed item is among them).
    """
    source = node.source
    parsing = source.period
    if parsing.within_financial_year:  # the SQL of the grains read before issue 17, dates added
        parsed_dates = [alias(period_start_year(parsing, col("period_raw")), "period_start_year")]
        period = alias(period_label(col("period_start_year")), "period")
        start, end = financial_year_bounds(parsing, col("period_start_year"))
        dates: list[exp.Expression] = [alias(start, "period_start"), alias(end, "period_end")]
    else:
        start, end = period_bounds(parsing, col("period_raw"))
        parsed_dates = [alias(start, "period_start"), alias(end, "period_end")]
        period = alias(financial_year_of(col("period_end")), "period")
        dates = [col("period_start"), col("period_end")]
    final: exp.Select | exp.Union
    ctes: list[tuple[str, exp.Expression]] = []
    if isinstance(source, PivotedSource):  # generate/pivoted.py: the header row gives the periods
        numbers = _numbers({"value": "cell"}, source.missing_markers)
        ctes = [*cell_ctes(source, target), (PARSED, parsed_rows(source, numbers))]
        final = _final(period, dates)
    elif isinstance(source, LongSource):
        parsed_columns = _keys(source.columns.area, source.columns.period)
        key = item_key(source.columns.item_columns)
        parsed_columns += [
            alias(key, "item"),
            *_numbers(source.columns.value_columns, source.missing_markers),
        ]
        declared = exp.In(this=key.copy(), expressions=[lit(item) for item in sorted(source.items)])
        parsed = exp.select(*parsed_columns, copy=False).from_(
            target.numbered_source(source.id), copy=False
        )
        if declared_only:
            parsed = parsed.where(
                declared, copy=False
            )  # rows of other items are never read, let alone converted
        ctes = [(PARSED, parsed)]
        final = _final(period, dates)
    else:
        item_columns = sorted(source.items)
        parsed_columns = _keys(source.columns.area, source.columns.period)
        parsed_columns += [col(name) for name in item_columns]
        parsed = exp.select(*parsed_columns, copy=False).from_(
            target.numbered_source(source.id), copy=False
        )
        final = union_all(
            [
                exp.select(
                    col("area_code"),
                    period.copy(),
                    col("period_raw"),
                    *[d.copy() for d in dates],
                    alias(lit(name), "item"),
                    *_numbers({"value": name}, source.missing_markers),
                    col("source_line"),
                    copy=False,
                ).from_(table(YEARS), copy=False)
                for name in item_columns
            ]
        )
        ctes = [(PARSED, parsed)]
    years = exp.select(exp.Star(), *parsed_dates, copy=False).from_(table(PARSED), copy=False)
    for name, cte in [*ctes, (YEARS, years)]:
        final = final.with_(name, as_=cte, copy=False)
    return final


def _keys(area: str, period: str) -> list[exp.Expression]:
    """The parsed columns every file of a row per area and period starts with."""
    return [
        alias(exp.Trim(this=text(col(area))), "area_code"),
        alias(exp.Trim(this=text(col(period))), "period_raw"),
        col("source_line"),
    ]


def _final(period: exp.Alias, dates: list[exp.Expression]) -> exp.Select:
    """The normalised rows of a source of one row per item (long or pivoted) from its parsed years."""
    return exp.select(
        col("area_code"),
        period,
        col("period_raw"),
        *dates,
        col("item"),
        *(col(name) for name in VALUE_COLUMNS),
        col("source_line"),
        copy=False,
    ).from_(table(YEARS), copy=False)


def _numbers(columns: dict[str, str], missing: tuple[str, ...]) -> list[exp.Alias]:
    """The value and its confidence limits read as numbers, by role; a limit the source does not
    publish is NULL, so that every data source's table has the same columns."""
    return [
        alias(
            read_number(col(columns[role]), missing)
            if role in columns
            else cast(exp.Null(), "double"),
            role,
        )
        for role in VALUE_COLUMNS
    ]


def periods_with_rows(source: LongSource, target: SqlTarget) -> exp.Select:
    """The periods (labels) in which a long source's data has a value of any item, declared or not.

    Its normalised table holds the declared items only, so a source whose items were all renamed would
    seem to have no rows at all; values are not converted, only tested for being blank or a missing
    marker (a NULL cell makes the NOT IN unknown, so it is no value either).
    """
    columns = source.columns
    raw_period = exp.Trim(this=text(col(columns.period)))
    if source.period.within_financial_year:
        label = period_label(period_start_year(source.period, raw_period))
    else:
        label = financial_year_of(period_bounds(source.period, raw_period)[1])
    no_value = [lit(""), *(lit(marker) for marker in source.missing_markers)]
    has_value = exp.Not(this=exp.In(this=trimmed_text(col(columns.value)), expressions=no_value))
    return (
        exp.select(alias(label, "period"), copy=False)
        .distinct(copy=False)
        .from_(target.source_relation(source.id), copy=False)
        .where(has_value, copy=False)
    )


def item_key(columns: tuple[str, ...]) -> exp.Expression:
    """The item a row holds: its item column, or its item columns' values joined by '/'.

    `||` rather than CONCAT_WS: DuckDB's CONCAT_WS skips a NULL where Snowflake's returns NULL;
    with `||` a row missing a part names no item on either engine.
    """
    key: exp.Expression = text(col(columns[0]))
    for column in columns[1:]:
        key = exp.DPipe(
            this=exp.DPipe(this=key, expression=lit(ITEM_SEPARATOR)), expression=text(col(column))
        )
    return key


def duplicate_check(node: DuplicateCheckNode, target: SqlTarget) -> exp.Expression:
    """Each (area, period, item) a source gives more than once, as one text per combination."""
    keys = [col("area_code"), col("period_raw" if node.by_label else "period"), col("item")]
    shown = exp.Concat(
        expressions=[keys[0].copy(), lit(" "), keys[1].copy(), lit(" "), keys[2].copy()]
    )
    return (
        exp.select(alias(shown, "duplicate"), copy=False)
        .from_(target.object_table(node.source_object), copy=False)
        .where(exp.Not(this=exp.Is(this=keys[1].copy(), expression=exp.Null())), copy=False)
        .group_by(*keys, copy=False)
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=lit(1)), copy=False)
        .order_by(col("duplicate"), copy=False)
    )


COMPARISONS = {">=": exp.GTE, "<=": exp.LTE, ">": exp.GT, "<": exp.LT}


def valid_value(value: exp.Expression, valid: tuple[tuple[str, float], ...]) -> exp.Expr:
    """The value lies within a measure's valid range."""
    return and_all(
        [COMPARISONS[op](this=value.copy(), expression=lit(bound)) for op, bound in valid]
    )


def binding_periods(binding: BindingSelect) -> list[exp.Expr]:
    """The periods a binding reads (its `from` and `to`, inclusive)."""
    conditions: list[exp.Expr] = []
    if binding.period_from:
        conditions.append(exp.GTE(this=col("period"), expression=lit(binding.period_from)))
    if binding.period_to:
        conditions.append(exp.LTE(this=col("period"), expression=lit(binding.period_to)))
    return conditions


def bound_rows(binding: BindingSelect) -> list[exp.Expr]:
    """The rows of a source a binding reads: its item, within its periods, but the areas it leaves out."""
    conditions: list[exp.Expr] = [exp.EQ(this=col("item"), expression=lit(binding.item))]
    conditions += binding_periods(binding)
    if binding.leave_out:
        listed = exp.In(this=col("area_code"), expressions=[lit(c) for c in binding.leave_out])
        conditions.append(exp.Not(this=listed))
    return conditions


def invalid_values(node: MeasureNode, target: SqlTarget) -> exp.Expression:
    """Published values of a measure outside its valid range, which its view leaves out."""
    selects = []
    for binding in node.bindings:
        conditions = bound_rows(binding) + [
            is_finite(col("value")),
            exp.Not(this=exp.Paren(this=valid_value(col("value"), node.valid))),
        ]
        selects.append(
            exp.select(col("area_code"), col("period"), col("value"), copy=False)
            .from_(target.object_table(binding.source_object), copy=False)
            .where(and_all(conditions), copy=False)
        )
    return (
        exp.select(exp.Star(), copy=False)
        .from_(union_all(selects).subquery("invalid", copy=False), copy=False)
        .order_by(col("period"), col("area_code"), copy=False)
    )


def has_value(binding: BindingSelect, valid: tuple[tuple[str, float], ...]) -> list[exp.Expr]:
    """The rows of a binding that give the measure a value: finite, and within its valid range."""
    conditions = bound_rows(binding) + [is_finite(col("value"))]
    return conditions + ([valid_value(col("value"), valid)] if valid else [])


def measure(node: MeasureNode, target: SqlTarget) -> exp.Expression:
    """One SELECT per binding; a blank value is a missing value and is left out.

    Each value keeps the period it was published for (`data_period`, `data_start`, `data_end`); with
    an alignment (generate/alignment.py) the rows are candidates, and one per area serves each year.
    A binding that yields to others by precedence reads only the areas and periods for which none of
    them has a value (plan/reconcile.py audits what that replaced).
    """
    selects = []
    for binding in node.bindings:
        conditions = has_value(binding, node.valid)
        conditions += [
            exp.Not(
                this=preferred_has_value(
                    target.object_table(node.bindings[p].source_object, PREFERRED),
                    has_value(node.bindings[p], node.valid),
                )
            )
            for p in binding.yields_to
        ]
        columns = [
            col("area_code"),
            col("period"),
            *(col(name) for name in VALUE_COLUMNS),
            alias(lit(binding.source_id), "source"),
            col("item"),
            alias(col("period_raw"), "data_period"),
            alias(col("period_start"), "data_start"),
            alias(col("period_end"), "data_end"),
        ]
        if node.with_geography:
            if binding.geography_period is None:  # the planner sets it on every binding it makes
                raise ValueError(f"binding of {binding.source_id} without its codes' period")
            # 'period': the codes in force in the financial year the value's own period ends in
            codes_of = (
                col("period")
                if binding.geography_period == "period"
                else lit(binding.geography_period)
            )
            columns += [
                alias(codes_of, "geography_period"),
                alias(exp.Boolean(this=binding.restate), "restate"),
            ]
            if node.areas_object:
                published = binding.geography_period == "period"
                columns.append(alias(exp.Boolean(this=published), "as_published"))
        selects.append(
            exp.select(*columns, copy=False)
            .from_(
                target.object_table(binding.source_object, ROW if binding.yields_to else None),
                copy=False,
            )
            .where(and_all(conditions), copy=False)
        )
    if node.alignment is None:
        return union_all(selects)
    areas = target.object_table(node.areas_object) if node.areas_object else None
    return aligned(union_all(selects), node.alignment, node.with_geography, areas)


def _formula_sql(formula: exp.Expression) -> exp.Expression:
    """Point each id at its input's value column and give every undefined result the same meaning.

    Division by zero, the square root of a negative number and the logarithm
    of a non-positive one are missing values on every target (DuckDB would give
    infinity or NaN, Snowflake an error).
    """
    tree = formula.copy()
    if isinstance(tree, exp.Column):
        return col("value", tree.name)
    for column in list(tree.find_all(exp.Column)):
        column.replace(col("value", column.name))
    for division in list(tree.find_all(exp.Div)):
        divisor = division.expression
        if not (isinstance(divisor, exp.Literal) and float(divisor.this) != 0):
            division.set("expression", exp.Nullif(this=divisor, expression=lit(0)))
    for function, domain in ((exp.Sqrt, exp.GTE), (exp.Ln, exp.GT)):
        for call in list(tree.find_all(function)):
            inside = domain(this=call.this.copy(), expression=lit(0))
            call.replace(exp.Case(ifs=[exp.If(this=inside, true=call.copy())]))
    return tree


def provenance_of(inputs: tuple[str, ...]) -> list[exp.Expression]:
    """A metric's provenance: 'contributed' where any input's value is, with its contributor."""
    if not inputs:
        return []
    contributed = [
        exp.EQ(this=col("provenance", name), expression=lit("contributed")) for name in inputs
    ]
    return [
        alias(
            exp.Case(
                ifs=[exp.If(this=exp.or_(*contributed), true=lit("contributed"))],
                default=lit("public"),
            ),
            "provenance",
        ),
        alias(
            exp.Coalesce(
                this=col("contributed_by", inputs[0]),
                expressions=[col("contributed_by", name) for name in inputs[1:]],
            )
            if len(inputs) > 1
            else col("contributed_by", inputs[0]),
            "contributed_by",
        ),
    ]


def metric(node: MetricNode, target: SqlTarget) -> exp.Expression:
    """The formula over inputs joined on area and period (an area lacking any input has no value).

    A metric that is one measure or metric read as it is carries its input's confidence limits; any
    other formula has none (NULL): an interval is not carried through arithmetic, nor through a
    restatement that may add areas together.
    Its recency is that of the input with the oldest data (the earliest `data_end`).
    """
    (first_name, first_object), *others = node.inputs
    carried = isinstance(node.formula, exp.Column) and first_object.startswith(LIMITED_OBJECTS)
    limits = [
        alias(cast(col(role, first_name) if carried else exp.Null(), "double"), role)
        for role in VALUE_COLUMNS[1:]
    ]
    query = exp.select(
        col("area_code", first_name),
        col("period", first_name),
        alias(cast(_formula_sql(node.formula), "double"), "value"),
        *limits,
        *recency_of_oldest([name for name, _ in node.inputs]),
        *provenance_of(node.provenance),
        copy=False,
    ).from_(target.object_table(first_object, first_name), copy=False)
    for name, object_name in others:
        on = and_all(
            [
                exp.EQ(this=col("area_code", name), expression=col("area_code", first_name)),
                exp.EQ(this=col("period", name), expression=col("period", first_name)),
            ]
        )
        query = query.join(inner_join(target.object_table(object_name, name), on), copy=False)
    unknown = [  # an aggregate left unknown (IX742, IX743), a cold start: a row without a value
        exp.Not(this=exp.Is(this=col("value", name), expression=exp.Null()))
        for name, object_name in node.inputs
        if object_name.startswith(AGGREGATED_PREFIX) or name in node.cold_starts
    ]
    return query.where(and_all(unknown), copy=False) if unknown else query
