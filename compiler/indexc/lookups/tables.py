"""`indexc export`: an index's published results as tidy tables, names beside codes.

Tidy (long): one row per area, period and item (lens, metric, saving), never an item per column, so a
table reads the same whatever lenses an index has and loads into any tool as it is. Each row carries the
area's name beside its code (the name the register writes latest) and, where the spec has them, the
lens's, metric's or saving's description, unit and direction beside their ids, joined in the query from
the spec. Columns keep the published types. Rows come in a fixed order (period, then rank or area, then
item), so two exports of one publication are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from indexc.generate.expressions import col
from indexc.lookups.published import OPTIONAL_PARTS, Published
from indexc.plan.index_planner import index_object
from indexc.spec.indexes import Index
from indexc.validate.catalog import Catalog


@dataclass(frozen=True)
class ExportTable:
    name: str  # the part of the index it comes from: scores, top, lens_scores...
    query: exp.Select
    columns: tuple[str, ...]


def _column(table: str, name: str) -> exp.Column:
    return exp.column(name, table=table)


def _names(published: Published, universe: str) -> exp.Subquery:
    """Each area of the universe once, with the name of its latest register row."""
    query = (
        exp.select("area_code", "name")
        .from_(published.table(universe))
        .qualify(
            exp.EQ(
                this=exp.Window(
                    this=exp.RowNumber(),
                    partition_by=[col("area_code")],
                    order=exp.Order(
                        expressions=[
                            exp.Ordered(this=col("valid_from"), desc=True, nulls_first=False)
                        ]
                    ),
                ),
                expression=exp.Literal.number(1),
            )
        )
    )
    return query.subquery("n")


def _spec_values(
    alias: str, key: str, rows: Sequence[tuple[str, ...]], names: Sequence[str]
) -> exp.Expression | None:
    """What the spec says of each lens, metric or saving, as a literal table to join; None when empty."""
    if not rows:
        return None
    return exp.values(
        [tuple(exp.Literal.string(v) for v in row) for row in rows],
        alias=alias,
        columns=[key, *names],
    )


def _where_period(alias: str, period: str | None) -> exp.Expr | None:
    if not period:
        return None
    return exp.EQ(this=_column(alias, "period"), expression=exp.Literal.string(period))


def _table(
    published: Published,
    universe: str,
    index_id: str,
    part: str,
    period: str | None,
    order: Sequence[str],
    columns: Sequence[str] | None = None,
    spec: tuple[str, Sequence[tuple[str, ...]], Sequence[str]] | None = None,
) -> ExportTable:
    """`part` of the index, keys first (period, area, item), with the area's name after its code (unless
    the object has its own) and, with `spec` (key column, rows, names), what the spec says of the item
    after it."""
    source = index_object(index_id, part)
    have = columns or published.columns(source)
    chosen: list[exp.Expr] = []
    names: list[str] = []
    values = _spec_values("d", spec[0], spec[1], spec[2]) if spec else None
    named = "area_code" in have and "name" not in have and published.has(universe)
    # the area's name is joined when missing (an audience may not see the universe: no name then)
    key = spec[0] if spec else None
    leading = ["period", "area_code", "name"] + ([key] if key else [])
    ordered = [c for c in leading if c in have] + [c for c in have if c not in leading]
    for name in ordered:
        chosen.append(_column("t", name))
        names.append(name)
        if name == "area_code" and named:
            chosen.append(exp.alias_(_column("n", "name"), "area_name"))
            names.append("area_name")
        if spec and name == spec[0]:
            for extra in spec[2]:
                chosen.append(
                    _column("d", extra) if values is not None else exp.cast(exp.null(), "VARCHAR")
                )
                names.append(extra)
    query = exp.select(*chosen).from_(published.table(source, "t"))
    if named:
        query = query.join(
            _names(published, universe),
            on=exp.EQ(this=_column("n", "area_code"), expression=_column("t", "area_code")),
            join_type="left",
        )
    if values is not None and spec:
        query = query.join(
            values,
            on=exp.EQ(this=_column("d", spec[0]), expression=_column("t", spec[0])),
            join_type="left",
        )
    where = _where_period("t", period) if "period" in have else None
    if where is not None:
        query = query.where(where)
    query = query.order_by(
        *(exp.Ordered(this=_column("t", c), nulls_first=False) for c in order if c in have)
    )
    return ExportTable(part, query, tuple(names))


def _lens_rows(index: Index) -> list[tuple[str, str]]:
    return [(lens.id, lens.description.strip()) for _, lens, _ in index.walk()]


def _metric_rows(catalog: Catalog, index: Index) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for metric_id in index.metric_ids():
        metric = catalog.metrics.get(metric_id)
        if metric is not None:
            rows.append((metric_id, metric.description.strip(), metric.unit, metric.direction))
    return rows


def export_tables(
    published: Published, catalog: Catalog, index: Index, period: str | None, with_scores: bool
) -> list[ExportTable]:
    """The tables an export writes, in the order of the sheets: the results, then the detail."""
    universe = f"universe__{index.universe}"
    index_id = index.id

    def has(part: str) -> bool:
        return published.has_index(index_id, part)

    tables = (
        [_table(published, universe, index_id, "scores", period, ["period", "rank", "area_code"])]
        if has("scores")
        else []
    )  # an audience may see the Top N only
    tables.append(
        _table(
            published,
            universe,
            index_id,
            "top",
            period,
            ["period", "headline_rank", "rank", "area_code"],
        )
    )
    if has("headline_exclusions"):
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "headline_exclusions",
                period,
                ["period", "rank", "area_code"],
            )
        )
    if has("stability"):
        tables.append(
            _table(published, universe, index_id, "stability", period, ["period", "area_code"])
        )
    if has("productivity"):
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "productivity",
                period,
                ["period", "area_code", "lens"],
                spec=("lens", _lens_rows(index), ["lens_description"]),
            )
        )
    if has("savings"):
        savings = [(s.id, s.description.strip()) for s in index.savings]
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "savings",
                period,
                ["period", "area_code", "saving"],
                spec=("saving", savings, ["saving_description"]),
            )
        )
    if with_scores:
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "lens_scores",
                period,
                ["period", "area_code", "depth", "lens"],
                spec=("lens", _lens_rows(index), ["lens_description"]),
            )
        )
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "metric_scores",
                period,
                ["period", "area_code", "metric"],
                spec=(
                    "metric",
                    _metric_rows(catalog, index),
                    ["metric_description", "unit", "direction"],
                ),
            )
        )
    if with_scores and has("neighbours"):
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "neighbours",
                period,
                ["period", "area_code", "neighbour_rank"],
            )
        )
    if with_scores and has("metric_values"):
        tables.append(
            _table(
                published,
                universe,
                index_id,
                "metric_values",
                period,
                ["period", "area_code", "metric"],
                spec=(
                    "metric",
                    _metric_rows(catalog, index),
                    ["metric_description", "unit", "direction"],
                ),
            )
        )
    for part in OPTIONAL_PARTS:  # published by another part of the compiler, when it is built
        if has(part):
            tables.append(
                _table(
                    published,
                    universe,
                    index_id,
                    part,
                    period,
                    ["period", "area_code", "metric", "subject", "position", "benchmark"],
                )
            )
    return tables
