"""What a run says under each Top N: what the method did to the data (values treated, imputed,
screened, areas left unranked), how old the data is, and the projected savings in pounds. Nothing the
methodology changes is silent, and nothing a reader needs to judge the ranking is left to a query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from indexc.compilation import Query
from indexc.generate.expressions import col, lit
from indexc.generate.targets import SqlTarget
from indexc.plan.methodology import index_object
from indexc.spec.indexes import Index


def _one(
    query_rows: Query,
    target: SqlTarget,
    index_id: str,
    part: str,
    columns: list[str],
    where: exp.Expr | None = None,
) -> dict[str, Any]:
    """One row of aggregates over an index object."""
    query = exp.select(*columns).from_(target.object_table(index_object(index_id, part)))
    return query_rows(target.render(query.where(where) if where is not None else query))[0]


def method_notes(
    query_rows: Query,
    target: SqlTarget,
    index: Index,
    period: str | None,
    others: Mapping[str, Index] | None = None,
) -> tuple[str, ...]:
    """What the method did to the data: treated and imputed values, areas left unranked; `others`:
    the indexes its lenses may read."""
    notes = []
    if any(index.method.treatment_of(m).method != "none" for m in index.metric_ids()):
        row = _one(
            query_rows,
            target,
            index.id,
            "treatment",
            [
                "COUNT(*) AS scopes",
                "SUM(CASE WHEN high_points + low_points > 0 THEN 1 ELSE 0 END) AS winsorised",
                "COALESCE(SUM(high_points + low_points), 0) AS points",
                "SUM(CASE WHEN log_applied THEN 1 ELSE 0 END) AS logged",
            ],
        )
        unit = "metric-periods" if index.method.scope == "period" else "metrics"
        points = f"{row['points']} point{'' if row['points'] == 1 else 's'}"
        notes.append(
            f"treated: {row['winsorised']} of {row['scopes']} {unit} winsorised ({points}), "
            f"{row['logged']} log-transformed (see {index_object(index.id, 'treatment')})"
        )
    if not isinstance(index.method.missing, str):
        imputed_in = "kept_values" if index.method.screen else "metric_values"  # after screening
        row = _one(
            query_rows, target, index.id, imputed_in, ["COUNT(*) AS imputed"], col("imputed")
        )
        notes.append(
            f"imputed: {row['imputed']} values, the {index.method.missing.impute} of their "
            f"{index.method.missing.group}"
        )
    if period and index.method.screen:
        notes.append(screening_note(query_rows, target, index, period))
    if period and index.method.min_coverage:
        row = _one(
            query_rows,
            target,
            index.id,
            "scores",
            ["COUNT(*) AS unranked"],
            exp.and_(
                exp.Not(this=col("ranked")), exp.EQ(this=col("period"), expression=lit(period))
            ),
        )
        notes.append(
            f"not ranked in {period}: {row['unranked']} areas whose scored lenses carry less than "
            f"{index.method.min_coverage:.0%} of the weight"
        )
    if period:
        notes.extend(recency_notes(query_rows, target, index, period, others))
    if period and index.savings:
        notes.append(savings_note(query_rows, target, index, period))
    if index.stability:
        notes.append(
            f"rank interval: 5th-95th percentile rank over {index.stability.draws} draws of the lens "
            f"weights (±{index.stability.weight_noise:.0%}, seed {index.stability.seed})"
        )
    return tuple(notes)


def cold_start_notes(
    query_rows: Query, target: SqlTarget, index: Index, period: str, cold_starts: str
) -> tuple[str, ...]:
    """Areas of the index without a value of a measure in `period` because its apportioning is
    forbidden (a cold start): 'no history before' the first period of the event that formed them."""
    scores = index_object(index.id, "scores")
    rows = query_rows(
        target.render(
            exp.select(
                col("measure", "c"),
                col("area_code", "c"),
                col("name", "c"),
                col("cold_start_from", "c"),
            )
            .from_(target.object_table(cold_starts, "c"))
            .join(
                target.object_table(scores, "s"),
                on=exp.and_(
                    exp.EQ(this=col("area_code", "s"), expression=col("area_code", "c")),
                    exp.EQ(this=col("period", "s"), expression=col("period", "c")),
                ),
            )
            .where(exp.EQ(this=col("period", "c"), expression=lit(period)))
            .order_by(col("cold_start_from", "c"), col("area_code", "c"), col("measure", "c"))
        )
    )
    grouped: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        start = str(row["cold_start_from"])
        span = f"no value from {start}" if period >= start else f"no history before {start}"
        area = f"{row['area_code']} ({row['name']})" if row["name"] else str(row["area_code"])
        grouped.setdefault((span, area), []).append(str(row["measure"]))
    return tuple(
        f"{area}: {span} ({', '.join(measures)}: apportionment forbidden; see {cold_starts})"
        for (span, area), measures in grouped.items()
    )


def savings_note(query_rows: Query, target: SqlTarget, index: Index, period: str) -> str:
    """The national total of the projected savings of `period`, in pounds, and each saving's part:
    the figure a reader of the Top N asks for first."""
    rows = query_rows(
        target.render(
            exp.select(
                col("saving"),
                "SUM(amount) AS amount",
                "COUNT(DISTINCT CASE WHEN amount > 0 THEN area_code END) AS areas",
            )
            .from_(target.object_table(index_object(index.id, "savings")))
            .where(exp.EQ(this=col("period"), expression=lit(period)))
            .group_by(col("saving"))
        )
    )
    amounts = {row["saving"]: row["amount"] for row in rows}
    parts = [f"{s.id} £{compact(amounts.get(s.id))}" for s in index.savings]
    total = sum(a for a in amounts.values() if a is not None)
    areas = max((row["areas"] for row in rows), default=0)
    return (
        f"savings in {period}: £{compact(total)} a year in total, from up to {areas} areas "
        f"({'; '.join(parts)}; see {index_object(index.id, 'savings')})"
    )


def screening_note(query_rows: Query, target: SqlTarget, index: Index, period: str) -> str:
    """The areas screened out of `period` before treatment, by rule (an area may fail several)."""
    screened = index_object(index.id, "screened")
    in_period = exp.EQ(this=col("period"), expression=lit(period))
    total = query_rows(
        target.render(
            exp.select("COUNT(DISTINCT area_code) AS areas")
            .from_(target.object_table(screened))
            .where(in_period)
        )
    )[0]["areas"]
    by_rule = {
        row["lens"]: row["areas"]
        for row in query_rows(
            target.render(
                exp.select(col("lens"), "COUNT(*) AS areas")
                .from_(target.object_table(screened))
                .where(in_period)
                .group_by(col("lens"))
            )
        )
    }
    screen = index.method.screen
    rules = [
        f"{by_rule.get(lens, 0)} with under {share:.0%} of "
        + (f"lens {lens}'s metrics" if lens else "the index's metrics")
        for lens, share in (screen.rules() if screen else [])
    ]
    return (
        f"screened out in {period}: {total} area{'' if total == 1 else 's'} "
        f"({'; '.join(rules)}), before treatment: no score, no rank (see {screened})"
    )


def recency_sql(
    target: SqlTarget, index_id: str, period: str, relation: exp.Expression | None = None
) -> str:
    """The periods of the data behind each metric's values in `period` (imputed values have none);
    `relation`: where the index's metric values are read (the build schema's table by default)."""
    query = (
        exp.select(
            col("metric"), col("data_period"), exp.alias_(exp.Min(this=col("data_end")), "data_end")
        )
        .from_(
            relation
            if relation is not None
            else target.object_table(index_object(index_id, "metric_values"))
        )
        .where(
            exp.and_(
                exp.EQ(this=col("period"), expression=lit(period)),
                exp.Not(this=exp.Is(this=col("data_end"), expression=exp.Null())),
            )
        )
        .group_by(col("metric"), col("data_period"))
        .order_by(col("metric"), col("data_period"))
    )
    return target.render(query)


@dataclass(frozen=True)
class LensRecency:
    """How old the data behind one top lens is in a period: the oldest period used (and when it
    ended), and the newest where they differ."""

    lens: str
    oldest: str
    ends: Any
    newest: str

    def describe(self) -> str:
        span = f" to {self.newest}" if self.newest != self.oldest else ""
        return f"{self.lens} {self.oldest} (ending {self.ends}){span}"


Relation = Callable[[str], "exp.Expression | None"]
"""A table by its logical name, None when it cannot be read (the report's `Tables.relation`)."""


def lens_recency(
    query_rows: Query,
    target: SqlTarget,
    index: Index,
    period: str,
    others: Mapping[str, Index] | None = None,
    relation: Relation | None = None,
) -> list[LensRecency]:
    """How old the data behind the scores of `period` is, per top lens. A lens that reads another
    index (`others`) is as old as that index's data behind it. `relation`: where tables are read
    (the build schema by default); a lens whose metric values it cannot read is left out."""

    def periods_by_metric(index_id: str) -> dict[str, list[tuple[Any, str]]]:
        by_metric: dict[str, list[tuple[Any, str]]] = {}
        read_from = None
        if relation is not None:
            read_from = relation(index_object(index_id, "metric_values"))
            if read_from is None:
                return by_metric
        for row in query_rows(recency_sql(target, index_id, period, read_from)):
            by_metric.setdefault(row["metric"], []).append((row["data_end"], row["data_period"]))
        return by_metric

    own = periods_by_metric(index.id)
    found = []
    for lens in index.lenses:
        by_metric, metrics = own, {m.metric for c in [lens, *_below(lens)] for m in c.metrics}
        read = others.get(lens.index.id) if lens.index and others else None
        if lens.index and read is not None:
            by_metric = periods_by_metric(read.id)
            under = [x for x in read.lenses if x.id == lens.index.lens] or list(read.lenses)
            metrics = {m.metric for top in under for c in [top, *_below(top)] for m in c.metrics}
        used = sorted(p for m in metrics for p in by_metric.get(m, []))
        if used:
            (end, oldest), newest = used[0], used[-1][1]
            found.append(LensRecency(lens.id, oldest, end, newest))
    return found


def recency_notes(
    query_rows: Query,
    target: SqlTarget,
    index: Index,
    period: str,
    others: Mapping[str, Index] | None = None,
) -> list[str]:
    """How old the data behind the scores of `period` is, per top lens: the oldest period used, and
    the newest where they differ. Public data is a year or more old; a reader must see how old."""
    parts = [r.describe() for r in lens_recency(query_rows, target, index, period, others)]
    if not parts:
        return []
    return [f"data: {'; '.join(parts)}: the oldest period of the published data behind {period}"]


def _below(lens: Any) -> list[Any]:
    return [d for child in lens.lenses for d in [child, *_below(child)]]


def compact(amount: float | None) -> str:
    if amount is None:
        return "-"
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:,.1f}{suffix}"
    return f"{amount:,.0f}"
