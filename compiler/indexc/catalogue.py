"""`indexc docs`: a static HTML catalogue of the project, for the people who read the index, not the SQL.

Every index, whatever its lifecycle status (a deferred one too), with its lens tree, weights, links and
lenses shown without weight, every metric with its formula, the sources each of its
measures is read from period by period, whether its history is restated through lineage, and
where it is used; then the lineage events as a timeline. Built from the validated catalog only:
it needs no database, and it says what the specs say.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexc import __version__
from indexc.documents import render_html
from indexc.spec.indexes import Lens
from indexc.spec.measures import Binding, Measure
from indexc.validate.catalog import Catalog

PAGE = "index.html"


@dataclass(frozen=True)
class MetricEntry:
    metric: str
    weight: float | None  # none written: the page shows 1
    basis: str | None  # framework | ours, for an index on a published framework


@dataclass(frozen=True)
class LensRow:
    depth: int
    id: str
    weight: float | None  # none written: the page shows 1
    metrics: tuple[MetricEntry, ...]
    status: str | None  # contextual | awaiting_data: shown, no weight
    reason: str
    link: str | None
    reads: tuple[str, str | None] | None = None  # another index and its lens (None: its score)
    data: str = ""  # the periods its metrics' bindings declare: how recent its data can be


@dataclass(frozen=True)
class BindingRow:
    measure: str
    source: str
    item: str
    periods: str
    restated: str
    data_periods: str  # the kind of period the source publishes, and how it serves a financial year


@dataclass(frozen=True)
class MetricPage:
    id: str
    version: int
    description: str
    formula: str
    direction: str
    unit: str
    bindings: tuple[BindingRow, ...]
    used_in: tuple[str, ...]


def _periods(binding: Binding) -> str:
    start, end = binding.periods.from_, binding.periods.to
    if start is None and end is None:
        return "all periods"
    return f"{start or 'the first'} to {end or 'the latest'}"


GRAIN_WORDS = {
    "financial_year": "financial years",
    "financial_year_ending": "financial years (by the year they end)",
    "mid_year": "mid-year points (30 June)",
    "calendar_year": "calendar years",
    "academic_year": "academic years (September to August)",
    "quarter": "calendar quarters",
    "calendar_years": "{n} calendar years pooled",
    "financial_years": "{n} financial years pooled",
    "iso_interval": "ISO 8601 periods",
}


def _data_periods(catalog: Catalog, measure: Measure, binding: Binding) -> str:
    """What periods a binding's values are for, and which of them serves each financial year."""
    source = catalog.sources.get(binding.source)
    parsing = getattr(source, "period", None)
    kind = GRAIN_WORDS[parsing.grain].format(n=parsing.years) if parsing else "-"
    if measure.alignment == "latest":
        return (
            f"{kind}; each year: the latest ending by 31 March, at most {measure.max_age} years old"
        )
    if measure.alignment == "overlap":
        return f"{kind}; each year: the one containing 1 October"
    return f"{kind}; each year: the value for that year"


def _data_span(catalog: Catalog, lens: Lens) -> str:
    """The first and last periods the bindings of a lens's metrics (at any depth) declare; the
    run's `data:` line and `indexc status` say which periods a build actually used."""
    starts, ends, open_start, open_end = [], [], False, False
    stack = [lens]
    while stack:
        below = stack.pop()
        stack.extend(below.lenses)
        for entry in below.metrics:
            formula = catalog.formula(entry.metric) if entry.metric in catalog.metrics else None
            for measure_id in formula.inputs if formula else ():
                measure = catalog.measures.get(measure_id)
                for binding in measure.bindings if measure else ():
                    periods = binding.periods
                    open_start |= periods.from_ is None
                    open_end |= periods.to is None
                    starts += [periods.from_] if periods.from_ else []
                    ends += [periods.to] if periods.to else []
    if not (starts or ends or open_start or open_end):
        return ""
    first = "the first" if open_start or not starts else min(starts)
    last = "the latest" if open_end or not ends else max(ends)
    return f"{first} to {last}"


def _lenses(catalog: Catalog, lenses: tuple[Lens, ...], depth: int = 1) -> list[LensRow]:
    rows = []
    for lens in lenses:
        metrics = tuple(MetricEntry(m.metric, m.weight, m.basis) for m in lens.metrics)
        rows.append(
            LensRow(
                depth,
                lens.id,
                lens.weight,
                metrics,
                lens.status,
                lens.reason,
                lens.link,
                (lens.index.id, lens.index.lens) if lens.index else None,
                _data_span(catalog, lens),
            )
        )
        rows.extend(_lenses(catalog, lens.lenses, depth + 1))
    return rows


def _used_in(catalog: Catalog, metric_id: str) -> tuple[str, ...]:
    places = []
    for index_id, index in sorted(catalog.indexes.items()):
        for _, lens, _ in index.walk():
            if any(entry.metric == metric_id for entry in lens.metrics):
                shown = f" ({lens.status.replace('_', ' ')}: no weight)" if lens.status else ""
                places.append(f"index {index_id}, lens {lens.id}{shown}")
        places.extend(
            f"index {index_id}, productivity spend of lens {p.lens}"
            for p in index.productivity
            if p.spend == metric_id
        )
    places.extend(
        f"audit {audit_id}"
        for audit_id, audit in sorted(catalog.audits.items())
        if any(m == metric_id for m, _ in audit.metrics())
    )
    return tuple(places)


def _metric(catalog: Catalog, metric_id: str, restated: bool) -> MetricPage:
    metric = catalog.metrics[metric_id]
    rows = []
    for measure_id in catalog.formula(metric_id).inputs:
        measure = catalog.measures.get(measure_id)
        if measure is None:  # another metric
            continue
        how = (
            "restated onto the geography date through lineage"
            if restated and measure.additivity != "none"
            else "as published"
        )
        for binding in measure.bindings:
            rows.append(
                BindingRow(
                    measure_id,
                    binding.source,
                    binding.item,
                    _periods(binding),
                    how if binding.restate else "not restated (basis only)",
                    _data_periods(catalog, measure, binding),
                )
            )
    return MetricPage(
        metric.id,
        metric.version,
        metric.description,
        metric.formula,
        metric.direction.replace("_", " "),
        metric.unit,
        tuple(rows),
        _used_in(catalog, metric_id),
    )


def render(catalog: Catalog, geography_date: str | None) -> str:
    restated = geography_date is not None
    indexes = [
        (index, _lenses(catalog, index.lenses)) for _, index in sorted(catalog.indexes.items())
    ]
    metrics = [_metric(catalog, m, restated) for m in sorted(catalog.metrics)]
    events = sorted(catalog.lineage.values(), key=lambda e: (e.effective, e.id))
    return render_html(
        "catalogue.html.j2",
        indexes=indexes,
        metrics=metrics,
        events=events,
        sources=sorted(catalog.sources.items()),
        geography_date=geography_date,
        version=__version__,
    )


def write(catalog: Catalog, geography_date: str | None, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    page = out / PAGE
    page.write_text(render(catalog, geography_date), encoding="utf-8")
    return page
