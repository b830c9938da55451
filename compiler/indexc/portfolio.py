"""`indexc status`: every index of the portfolio, as its spec declares it and as the database holds it.

A portfolio has indexes at every stage of life, some never built (spec/indexes.py, `status`), so the
answer to "where is each product?" joins two places: the specs (status, reason, universe, lenses) and
the target's database (which periods have scores, when the index was last published, which snapshot
froze it). The database part is read only when there is one to read, and anything missing from it (a
project never run, a publication older than per-index publishing, no snapshot taken) is reported as
such, never as a failure: a status report is asked for precisely when things are not yet in place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlglot import exp

from indexc import snapshots
from indexc.engines.sessions import QueryFailed, Session
from indexc.generate.publish import PUBLICATION
from indexc.generate.targets import SqlTarget
from indexc.geography import Geography
from indexc.plan.index_planner import index_object
from indexc.plan.snapshots import REGISTRY
from indexc.spec.indexes import Index, Lens
from indexc.validate.catalog import Catalog

PUBLISHED_INDEXES = "indexc__published_indexes"
"""One row per index as last published on its own (index_id, published_at, ...), where runs write it."""
NOT_BUILT = "not built"

Query = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class LensLine:
    id: str
    depth: int  # 1: a top lens
    weight: float | None  # None: a lens with a status, which carries none
    status: str | None
    reason: str
    link: str | None
    metrics: int  # at any depth below it
    framework_metrics: int  # of its own metrics, those marked `basis: framework`
    our_metrics: int  # ... and `basis: ours`


@dataclass(frozen=True)
class SnapshotLine:
    snapshot_id: int
    as_of: str
    label: str


@dataclass(frozen=True)
class IndexStatus:
    id: str
    version: str
    status: str
    reason: str
    until: str | None
    universe: str
    areas: (
        int | None
    )  # the universe's areas on the geography date, when the register is the geography's
    lenses: tuple[LensLine, ...]
    built_by_default: bool  # False: on hold, built only when selected by name
    periods: tuple[str, ...] = ()  # with published scores; none when not built
    published_at: str | None = None
    published_scope: str | None = None  # "index": its own publication; "project": the last run's
    snapshot: SnapshotLine | None = None

    @property
    def built(self) -> bool:
        return bool(self.periods)

    @property
    def latest(self) -> str | None:
        return self.periods[-1] if self.periods else None

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["built"], data["latest"] = self.built, self.latest
        return data


def _lens_lines(lenses: Iterable[Lens], depth: int = 1) -> list[LensLine]:
    lines = []
    for lens in lenses:
        bases = [entry.basis for entry in lens.metrics]
        lines.append(
            LensLine(
                lens.id,
                depth,
                lens.weight if lens.carries_weight else None,
                lens.status,
                lens.reason,
                lens.link,
                len(lens.metric_ids()),
                bases.count("framework"),
                bases.count("ours"),
            )
        )
        lines.extend(_lens_lines(lens.lenses, depth + 1))
    return lines


def _areas(catalog: Catalog, index: Index, geography: Geography | None) -> int | None:
    universe = catalog.universes[index.universe]
    if geography is None or universe.register_ is not None:
        return None  # a register source's areas are known only once it is read
    return sum(
        1
        for area in geography.register.areas.values()
        if area.type in universe.types and area.valid_on(geography.date)
    )


def declared(catalog: Catalog, geography: Geography | None) -> list[IndexStatus]:
    """Every index as its spec declares it, before anything is read from a database."""
    return [
        IndexStatus(
            id=index_id,
            version=index.version,
            status=index.status,
            reason=index.reason,
            until=index.until.describe() if index.until else None,
            universe=index.universe,
            areas=_areas(catalog, index, geography),
            lenses=tuple(_lens_lines(index.lenses)),
            built_by_default=not index.on_hold,
        )
        for index_id, index in sorted(catalog.indexes.items())
    ]


def _tables(query: Query, target: SqlTarget, schema: str) -> set[str]:
    """The tables and views of a schema, lower-cased (Snowflake upper-cases names); none when absent."""
    lower = lambda name: exp.Lower(this=exp.column(name))  # noqa: E731
    sql = (
        exp.select(exp.alias_(lower("table_name"), "name"))
        .from_("information_schema.tables")
        .where(exp.EQ(this=lower("table_schema"), expression=exp.Literal.string(schema.lower())))
    )
    return {row["name"] for row in query(target.render(sql))}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:19]


def _periods(query: Query, target: SqlTarget, index_id: str) -> tuple[str, ...]:
    scores = target.published_table(index_object(index_id, "scores"))
    sql = (
        exp.select("period")
        .distinct()
        .from_(scores)
        .where(exp.Not(this=exp.Is(this=exp.column("score"), expression=exp.null())))
        .order_by("period")
    )
    return tuple(str(row["period"]) for row in query(target.render(sql)))


def _published(
    query: Query, target: SqlTarget, tables: set[str]
) -> tuple[dict[str, str], str | None]:
    """When each index was last published on its own, and, for a publication made before indexes were
    recorded one by one, when the last run published (any index): an index without a row of its own
    in `indexc__published_indexes` was never published."""
    per_index: dict[str, str] = {}
    if PUBLISHED_INDEXES in tables:
        sql = exp.select("index_id", "published_at").from_(
            target.published_table(PUBLISHED_INDEXES)
        )
        for row in query(target.render(sql)):
            text = _text(row["published_at"])
            if text is not None:
                per_index[str(row["index_id"])] = text
    project = None
    if PUBLICATION in tables and PUBLISHED_INDEXES not in tables:  # published before per-index rows
        sql = exp.select("published_at").from_(target.published_table(PUBLICATION))
        rows = query(target.render(sql))
        project = _text(rows[0]["published_at"]) if rows else None
    return per_index, project


def _snapshot(
    query: Query,
    target: SqlTarget,
    index_id: str,
    kept: set[str],
    registry: dict[int, SnapshotLine],
) -> SnapshotLine | None:
    """The latest snapshot that froze the index's scores; none when no snapshot holds them."""
    name = index_object(index_id, "scores")
    if name not in kept:
        return None
    sql = exp.select(exp.alias_(exp.Max(this=exp.column("snapshot_id")), "latest")).from_(
        target.snapshot_table(name)
    )
    rows = query(target.render(sql))
    latest = rows[0]["latest"] if rows else None
    return None if latest is None else registry.get(int(latest))


def read_back(
    session: Session, target: SqlTarget, statuses: list[IndexStatus]
) -> list[IndexStatus]:
    """The statuses with what the target's database holds of each index: periods, publication, snapshot.

    A query the engine refuses (a table of an older layout, say) leaves that fact unknown rather than
    failing the report."""
    query = session.query
    try:
        published = _tables(query, target, target.spec.published)
        kept = _tables(query, target, target.spec.snapshots)
        per_index, project = _published(query, target, published)
        registry = {
            int(row["snapshot_id"]): SnapshotLine(
                int(row["snapshot_id"]), str(row["as_of"]), row["label"] or ""
            )
            for row in (snapshots.existing(session, target) if REGISTRY in kept else [])
        }
    except QueryFailed:
        return statuses
    found = []
    for status in statuses:
        periods: tuple[str, ...] = ()
        snapshot = None
        try:
            if index_object(status.id, "scores") in published:
                periods = _periods(query, target, status.id)
            snapshot = _snapshot(query, target, status.id, kept, registry)
        except QueryFailed:
            pass  # left unknown, as said above
        at, scope = (
            (per_index[status.id], "index")
            if status.id in per_index
            else (project, "project")
            if periods and project
            else (None, None)
        )
        found.append(
            dataclasses.replace(
                status, periods=periods, published_at=at, published_scope=scope, snapshot=snapshot
            )
        )
    return found


def _lifecycle(status: IndexStatus) -> str:
    words = status.status + (f": {status.reason}" if status.reason else "")
    return words + (f" (until {status.until})" if status.until else "")


def _lens_line(line: LensLine) -> str:
    count = f"{line.metrics} metric" + ("" if line.metrics == 1 else "s")
    basis = [
        f"{n} {b}"
        for n, b in ((line.framework_metrics, "framework"), (line.our_metrics, "ours"))
        if n
    ]
    text = "  " * line.depth + line.id + f" ({count}" + (f"; {', '.join(basis)}" if basis else "")
    text += ")" + (f", weight {line.weight:g}" if line.weight is not None else "")
    if line.status:
        text += f", {line.status.replace('_', ' ')}, no weight: {line.reason}"
    return text + (f" <{line.link}>" if line.link else "")


def _published_cell(status: IndexStatus) -> str:
    if status.published_at is None:
        return "never"
    scope = " (the last run, project-wide)" if status.published_scope == "project" else ""
    snapshot = status.snapshot
    taken = (
        f"; snapshot {snapshot.snapshot_id} as of {snapshot.as_of}"
        + (f" ({snapshot.label})" if snapshot.label else "")
        if snapshot
        else "; in no snapshot"
    )
    return f"{status.published_at}{scope}{taken}"


def print_statuses(statuses: list[IndexStatus], console: Console) -> None:
    """A table with a row per index, then each index's lenses, one line each."""
    table = Table(title="Indexes", show_lines=True)
    for column in ("index", "status", "universe", "lenses", "periods", "published"):
        table.add_column(column)
    for s in statuses:
        universe = s.universe + (f" ({s.areas} areas)" if s.areas is not None else "")
        weighted = sum(1 for line in s.lenses if line.depth == 1 and line.status is None)
        top = sum(1 for line in s.lenses if line.depth == 1)
        periods = (
            f"latest {s.latest}; {len(s.periods)} from {s.periods[0]}"
            if s.periods
            else NOT_BUILT + ("" if s.built_by_default else " (on hold)")
        )
        cells = [
            f"{s.id} v{s.version}",
            _lifecycle(s),
            universe,
            f"{top} top, {weighted} weighted",
            periods,
            _published_cell(s),
        ]
        table.add_row(*(Text(cell) for cell in cells))  # data, never rich markup
    console.print(table)
    for s in statuses:
        console.print(Text(f"{s.id} lenses:"))
        for line in s.lenses:
            console.print(Text(_lens_line(line)), soft_wrap=True)
