"""The regular report (`indexc report`): one index's published results as a static, self-contained HTML
page, for the chief executive who receives it every six months, and the PDF of it (pdf.py).

It reads only through `Tables` (relations.py), so a snapshot's frozen rows or an audience's views give
a report of exactly those; it states where it was drawn from. The page holds no timestamp of its own
making and every list has a stable order: the same tables and options give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from indexc import __version__
from indexc.codes import Code
from indexc.documents import render_html
from indexc.errors import COMMAND_LINE, Diagnostic, UserError
from indexc.plan.index_planner import index_object
from indexc.report import caveats as caveat_rules
from indexc.report.charts import contributions_chart, savings_chart
from indexc.report.comparisons import Comparisons, read_comparisons
from indexc.report.headline import (
    Contribution,
    Headline,
    Mover,
    lens_weights,
    names,
    read_contributions,
    read_headline,
    read_movers,
    scored_periods,
)
from indexc.report.methodology import Methodology, methodology
from indexc.report.notes import LensRecency, lens_recency
from indexc.report.relations import Tables
from indexc.report.savings import Savings, pounds, pounds_short, read_savings
from indexc.spec.indexes import Index

PAGE = "report.html"
TEMPLATE = "report.html.j2"
PUBLICATION = "indexc__publication"


@dataclass(frozen=True)
class Drawn:
    """Where the report's figures come from: the place, and what its publication recorded."""

    place: str
    kind: str  # live | snapshot | audience
    details: tuple[tuple[str, str], ...]
    spec_hash: str | None


@dataclass(frozen=True)
class RegularReport:
    index: Index
    period: str
    drawn: Drawn
    headline: Headline
    risers: list[Mover]
    fallers: list[Mover]
    contributions: list[Contribution]
    savings: Savings
    methodology: Methodology
    recency: list[LensRecency]
    caveats: list[str]
    comparisons: Comparisons


def no_results(index: Index, tables: Tables, why: str, hint: str) -> UserError:
    return UserError(
        [
            Diagnostic(
                Code.NOTHING_TO_REPORT,
                f"index '{index.id}' has nothing to report in {tables.describe}: {why}",
                COMMAND_LINE,
                hint,
            )
        ]
    )


def chosen_period(tables: Tables, index: Index) -> str:
    """The period the index publishes (`publish.period`), or its latest scored one."""
    if not tables.columns(index_object(index.id, "top")):
        raise no_results(
            index,
            tables,
            f"no {index_object(index.id, 'top')}",
            "run 'indexc run' (with --index for an index on hold) before the report"
            if tables.kind == "live"
            else "choose a snapshot taken after the index was published ('indexc snapshot list')",
        )
    periods = scored_periods(tables, index)
    wanted = None if index.publish.period == "latest" else index.publish.period
    if not periods or (wanted is not None and wanted not in periods):
        raise no_results(
            index,
            tables,
            f"no scores for {wanted or 'any period'}",
            f"scored periods: {', '.join(periods) or 'none'}",
        )
    return wanted or periods[-1]


def drawn_live(tables: Tables, index_id: str) -> Drawn:
    """The live schema's publication record (the index's own where runs record one per index)."""
    rows = tables.read("indexc__published_indexes", ["*"], order=("index_id",))
    own = [r for r in rows if r.get("index_id") == index_id]
    about = own[0] if own else next(iter(tables.read(PUBLICATION, ["*"])), None)
    if about is None:
        return Drawn(tables.describe, tables.kind, (), None)
    details = [
        ("Published", str(about.get("published_at"))[:19]),
        ("Specs (hash)", str(about.get("spec_hash"))),
        ("Compiled by", f"indexc {about.get('compiler_version')}"),
        ("Geography as of", str(about.get("geography_date") or "the latest event's date")),
    ]
    if about.get("what_if"):
        details.append(("What-if published as live", str(about["what_if"])))
    return Drawn(tables.describe, tables.kind, tuple(details), about.get("spec_hash"))


def drawn_from_snapshot(tables: Tables, row: Mapping[str, Any]) -> Drawn:
    details = [
        ("Snapshot", str(row["snapshot_id"])),
        ("Data as of", str(row["as_of"])),
        ("Label", str(row["label"] or "-")),
        ("Published", str(row["published_at"])[:19]),
        ("Snapshot taken", str(row["taken_at"])[:19]),
        ("Specs (hash)", str(row["spec_hash"])),
        ("Compiled by", f"indexc {row['compiler_version']}"),
        ("Geography as of", str(row["geography_date"] or "the latest event's date")),
    ]
    return Drawn(tables.describe, tables.kind, tuple(details), row["spec_hash"])


def read(
    tables: Tables, index: Index, indexes: Mapping[str, Index], drawn: Drawn, spec_hash: str
) -> RegularReport:
    """Everything the report shows, read through `tables`."""
    period = chosen_period(tables, index)
    headline = read_headline(tables, index, period)
    known = names(tables, index, period)
    known.update({r.area_code: r.name for r in headline.rows})
    risers, fallers = read_movers(tables, index, period, known)

    def specs_changed() -> str | None:
        if drawn.spec_hash is None or drawn.spec_hash == spec_hash:
            return None
        return (
            f"The specs have changed since these tables were published ({drawn.spec_hash[:19]} then, "
            f"{spec_hash[:19]} now): the methodology and weights below are the specs' as they are now."
        )

    return RegularReport(
        index=index,
        period=period,
        drawn=drawn,
        headline=headline,
        risers=risers,
        fallers=fallers,
        contributions=read_contributions(tables, index, period, headline),
        savings=read_savings(tables, index, period, known),
        methodology=methodology(index),
        recency=lens_recency(
            tables.query_rows, tables.target, index, period, indexes, tables.relation
        ),
        caveats=caveat_rules.caveats(tables, index, period, headline, known, specs_changed),
        comparisons=read_comparisons(tables, index, period, headline),
    )


def render(report: RegularReport) -> str:
    lenses = list(lens_weights(report.index))
    charts = {
        "contributions": Markup(contributions_chart(report.contributions, lenses))
        if report.contributions
        else None,
        "savings": Markup(savings_chart(report.savings.councils))
        if report.savings.councils
        else None,
    }
    return render_html(
        TEMPLATE,
        report=report,
        index=report.index,
        charts=charts,
        lenses=lenses,
        version=__version__,
        pounds=pounds,
        pounds_short=pounds_short,
    )


def write(report: RegularReport, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / PAGE
    page.write_text(render(report), encoding="utf-8")
    return page
