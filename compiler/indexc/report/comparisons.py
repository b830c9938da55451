"""The report's comparisons section, from the comparison objects (docs/methodology.md, section 11)
when the tables hold them:
each headline council's generated sentences (every number in them read from the published tables in
SQL), how many of its metrics are better, similar or worse than England, and its rank's trend.

A database or snapshot without them (published before comparisons existed, or a snapshot that does
not freeze them) leaves the section out, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from indexc.generate.expressions import col, lit
from indexc.plan.index_planner import index_object
from indexc.report.headline import Headline, in_period
from indexc.report.relations import Tables
from indexc.spec.indexes import Index

OUTCOMES = ("better", "similar", "worse", "higher", "lower", "not compared")
BENCHMARK = "england"


@dataclass(frozen=True)
class AreaComparisons:
    name: str
    area_code: str
    sentences: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]  # comparison -> metrics, against England, in OUTCOMES order
    rank_trend: str  # '' when none is published


@dataclass(frozen=True)
class Comparisons:
    shown: bool  # any of the three objects could be read
    areas: tuple[AreaComparisons, ...]
    missing: tuple[str, ...]  # the objects that could not be read


def _of_headline(headline: Headline, period: str) -> exp.Expr:
    codes = [lit(r.area_code) for r in headline.rows]
    return exp.and_(in_period(period), exp.In(this=col("area_code"), expressions=codes))


def read_comparisons(tables: Tables, index: Index, period: str, headline: Headline) -> Comparisons:
    names = {p: index_object(index.id, p) for p in ("sentences", "comparisons", "trends")}
    missing = tuple(sorted(n for n in names.values() if not tables.columns(n)))
    if len(missing) == len(names) or not headline.rows:
        return Comparisons(False, (), missing)
    where = _of_headline(headline, period)
    sentences: dict[str, list[str]] = {}
    for r in tables.read(
        names["sentences"], ["area_code", "sentence"], where, order=("area_code", "position")
    ):
        sentences.setdefault(r["area_code"], []).append(r["sentence"])
    counts: dict[str, dict[str, int]] = {}
    for r in tables.read(
        names["comparisons"],
        ["area_code", "comparison", exp.alias_(exp.Count(this=exp.Star()), "metrics")],
        exp.and_(where, exp.EQ(this=col("benchmark"), expression=lit(BENCHMARK))),
        order=("area_code", "comparison"),
        group=("area_code", "comparison"),
    ):
        counts.setdefault(r["area_code"], {})[r["comparison"]] = int(r["metrics"])
    trends: dict[str, str] = {}
    for r in tables.read(
        names["trends"],
        ["area_code", "trend", "assessment", "points"],
        exp.and_(where, exp.EQ(this=col("subject"), expression=lit("rank"))),
        order=("area_code",),
    ):
        judged = f" ({r['assessment']})" if r["assessment"] else ""
        trends[r["area_code"]] = f"{r['trend']}{judged} over {r['points']} periods"
    areas = tuple(
        AreaComparisons(
            row.name,
            row.area_code,
            tuple(sentences.get(row.area_code, [])),
            tuple(
                (o, counts[row.area_code][o])
                for o in OUTCOMES
                if o in counts.get(row.area_code, {})
            ),
            trends.get(row.area_code, ""),
        )
        for row in headline.rows
    )
    return Comparisons(True, areas, missing)
