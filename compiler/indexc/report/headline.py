"""What the report's first pages show: the headline Top N, the councils kept out of it, the biggest
movers since the previous period, and what each lens contributed to each Top N council's score.

The headline is the published `top` as it is: ordered by `headline_rank` where the
database has it, by `rank` in an older one (said in the report). Contributions are computed here from
the published lens scores and the spec's weights, by the formula the index's own score uses:
for the arithmetic mean, contribution(lens) = weight x lens score / (sum of the weights of the lenses
the area has a score for), so that the contributions add up to the score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from indexc.generate.expressions import col, lit
from indexc.plan.index_planner import index_object, weight
from indexc.report.relations import Tables
from indexc.spec.indexes import Index

MOVERS = 5  # risers and fallers shown


@dataclass(frozen=True)
class HeadlineRow:
    place: int  # 1..N in the headline
    rank: int | None  # in the full ranking
    area_code: str
    name: str
    score: float
    lenses_used: int | None
    lenses_total: int | None
    rank_change: int | None
    savings: float | None


@dataclass(frozen=True)
class Headline:
    rows: tuple[HeadlineRow, ...]
    ordered_by: str  # headline_rank | rank
    exclusions: tuple[dict[str, Any], ...]
    exclusions_read: bool  # the exclusions table exists where the report reads


@dataclass(frozen=True)
class Mover:
    name: str
    area_code: str
    previous_rank: int
    rank: int
    rank_change: int


@dataclass(frozen=True)
class Part:
    lens: str
    weight: float
    score: float
    contribution: float


@dataclass(frozen=True)
class Contribution:
    name: str
    area_code: str
    score: float
    parts: tuple[Part, ...]

    def of(self, lens: str) -> Part | None:
        return next((p for p in self.parts if p.lens == lens), None)


def in_period(period: str) -> exp.Expr:
    return exp.EQ(this=col("period"), expression=lit(period))


def scored_periods(tables: Tables, index: Index) -> list[str]:
    """The periods of the full ranking, or of the Top N where only it is seen (a headline audience)."""
    source = index_object(index.id, "scores")
    if not tables.columns(source):
        source = index_object(index.id, "top")
    rows = tables.read(source, [col("period")], group=("period",), order=("period",))
    return [row["period"] for row in rows]


def read_headline(tables: Tables, index: Index, period: str) -> Headline:
    top = index_object(index.id, "top")
    ordered_by = "headline_rank" if tables.has(top, "headline_rank") else "rank"
    wanted = ["rank", "area_code", "name", "score"]  # all a headline audience may see
    optional = ("lenses_used", "lenses_total", "rank_change", "savings", "headline_rank")
    wanted += [c for c in optional if tables.has(top, c)]
    rows = tables.read(top, wanted, in_period(period), order=(ordered_by, "rank", "area_code"))
    if ordered_by == "headline_rank" and any(r["headline_rank"] is None for r in rows):
        ordered_by = "rank"  # a snapshot frozen before the column: its rows hold NULL
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"], r["area_code"]))
    headline = tuple(
        HeadlineRow(
            place=int(r["headline_rank"] if ordered_by == "headline_rank" else r["rank"] or place),
            rank=r["rank"],
            area_code=r["area_code"],
            name=r["name"] or "(name unknown)",
            score=r["score"],
            lenses_used=r.get("lenses_used"),
            lenses_total=r.get("lenses_total"),
            rank_change=r.get("rank_change"),
            savings=r.get("savings"),
        )
        for place, r in enumerate(rows, start=1)
    )
    excluded = index_object(index.id, "headline_exclusions")
    exclusions = tables.read(
        excluded,
        ["area_code", "name", "rank", "reason"],
        in_period(period),
        order=("rank", "area_code"),
    )
    return Headline(headline, ordered_by, tuple(exclusions), bool(tables.columns(excluded)))


def names(tables: Tables, index: Index, period: str) -> dict[str, str]:
    """Area names by code: the index's universe, else the frozen geography indicators of `period`."""
    universe = f"universe__{index.universe}"
    if tables.has(universe, "area_code", "name"):
        rows = tables.read(universe, ["area_code", "name"], order=("area_code",))
    else:
        rows = tables.read(
            "geography__indicators", ["area_code", "name"], in_period(period), order=("area_code",)
        )
    return {r["area_code"]: r["name"] for r in rows if r["name"]}


def read_movers(
    tables: Tables, index: Index, period: str, known: dict[str, str]
) -> tuple[list[Mover], list[Mover]]:
    """The biggest risers and fallers since the previous period, by rank change (ties by code)."""
    scores = index_object(index.id, "scores")
    moved = exp.and_(
        in_period(period), exp.Not(this=exp.Is(this=col("rank_change"), expression=exp.Null()))
    )
    rows = tables.read(
        scores, ["area_code", "previous_rank", "rank", "rank_change"], moved, order=("area_code",)
    )

    def mover(r: dict[str, Any]) -> Mover:
        code = r["area_code"]
        return Mover(known.get(code, code), code, r["previous_rank"], r["rank"], r["rank_change"])

    risers = sorted(
        (r for r in rows if r["rank_change"] > 0), key=lambda r: (-r["rank_change"], r["area_code"])
    )
    fallers = sorted(
        (r for r in rows if r["rank_change"] < 0), key=lambda r: (r["rank_change"], r["area_code"])
    )
    return [mover(r) for r in risers[:MOVERS]], [mover(r) for r in fallers[:MOVERS]]


def lens_weights(index: Index) -> dict[str, float]:
    """The top lenses the index score aggregates, with their weights, in the spec's order."""
    return {lens.id: weight(lens.weight) for lens in index.weighted_lenses()}


def read_contributions(
    tables: Tables, index: Index, period: str, headline: Headline
) -> list[Contribution]:
    """Each headline council's lens scores, weighted: weight x score / the weight of its scored lenses."""
    weights = lens_weights(index)
    codes = [row.area_code for row in headline.rows]
    if not codes:
        return []
    rows = tables.read(
        index_object(index.id, "lens_scores"),
        ["lens", "area_code", "score"],
        exp.and_(
            in_period(period),
            exp.EQ(this=col("depth"), expression=lit(1)),
            exp.In(this=col("area_code"), expressions=[lit(c) for c in codes]),
            exp.Not(this=exp.Is(this=col("score"), expression=exp.Null())),
        ),
        order=("area_code", "lens"),
    )
    by_area: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["lens"] in weights:
            by_area.setdefault(r["area_code"], {})[r["lens"]] = r["score"]
    found = []
    for row in headline.rows:
        scores = by_area.get(row.area_code, {})
        total = sum(weights[lens] for lens in scores)
        parts = tuple(
            Part(lens, w, scores[lens], w * scores[lens] / total)
            for lens, w in weights.items()
            if lens in scores
        )
        found.append(Contribution(row.name, row.area_code, row.score, parts))
    return found
