"""What each audience reads: the published objects it gets a view of, and how each is cut.

Target-neutral: generate/audiences.py turns these into a schema of views per audience (secure views
and a role on Snowflake). An audience's view has the name of the published object it reads, so a
reader (or `indexc export --audience`) asks for `index__top_level__top` and finds it, or does not,
in the audience's schema: nothing outside the list below is ever reachable through it.

- `headline`: per index, `index__<id>__top` cut to the period the index publishes
  (`publish.period`; for `latest`, the latest period it scores) and to the columns period, rank,
  area_code, name and score. The rows are the Top N as `top` holds them (after any headline policy).
- `results`: per index, the objects of RESULT_PARTS that the build publishes, whole, and the
  index's universe (the areas and their names).
- `everything`: every published object, and the publication's own tables.
- `club`: the data club's views (`club__measure__<id>`): aggregates over the contributors whose
  consent names the club, never over fewer councils than the club's minimum.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from indexc.plan.contributed import CLUB, CONTRIBUTED
from indexc.plan.index_planner import index_object
from indexc.plan.inputs import object_name
from indexc.spec.audiences import Audience
from indexc.spec.sources import DATA_SOURCES
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import Contributions

HEADLINE_PART = "top"
HEADLINE_COLUMNS = ("period", "rank", "area_code", "name", "score")
"""All a headline audience sees of the Top N; `rank` is the rank in the full ranking."""

RESULT_PARTS = (
    "scores",
    "top",
    "most_improved",
    "group_ranks",
    "lens_scores",
    "metric_scores",
    "metric_values",
    "screened",
    "productivity",
    "neighbours",
    "savings",
    "savings_totals",
    "stability",
    "headline_exclusions",
    "comparisons",
    "trends",
    "sentences",
)
"""An index's results: scores and ranks, the Top N and movers, ranks within groups, lens and metric
scores, metric values, who was screened out, productivity, peers, savings, rank stability, and (once
built) headline exclusions, comparisons, trends and sentences. Not its working objects (treatment,
rules, normalisation, metric edges), its scenarios, audits, smell tests or checks."""


@dataclass(frozen=True)
class AudienceView:
    """One view of an audience: the published object `name`, all of it or cut."""

    name: str
    columns: tuple[str, ...] | None = None  # None: every column
    period: str | None = None  # the period a headline shows: a label, or 'latest'
    scores: str | None = None  # with period 'latest': the object whose latest period it is
    reads: str | None = None  # the object read, when not `name`: an index's contributed computation

    @property
    def source(self) -> str:
        return self.reads or self.name


@dataclass(frozen=True)
class AudiencePlan:
    audience_id: str
    audience: Audience
    views: tuple[AudienceView, ...]


def audience_indexes(catalog: Catalog, audience: Audience) -> tuple[str, ...]:
    """The indexes an audience sees: those it names, else its kind's default (docs/spec-language.md):
    the headline index for `headline`, every index not on hold for `results`, none for `everything`."""
    if audience.indexes is not None:
        return tuple(dict.fromkeys(audience.indexes))
    if audience.sees == "headline":
        return tuple(i for i, x in sorted(catalog.indexes.items()) if x.publish.headline)
    if audience.sees == "results":
        return tuple(i for i, x in sorted(catalog.indexes.items()) if not x.on_hold)
    return ()


def relation(audience_id: str, logical: str, catalog: Catalog) -> str:
    """The object an audience reads for a logical index object (`index__<id>__top`, say): the
    contributed computation's (`index__<id>__contributed__top`) when the audience is within the consent
    of every contribution behind the index and the index has one beside its public computation; else
    the object itself (docs/governance.md)."""
    reach = Contributions(catalog)
    for index_id, index in catalog.indexes.items():
        own = index_object(index_id, "")
        if (
            logical.startswith(own)
            and not logical.startswith(own + CONTRIBUTED)
            and not index.publish.contributed
        ):
            if within_consent(audience_id, index_id, catalog, reach):
                return own + CONTRIBUTED + logical.removeprefix(own)
    return logical


def within_consent(audience_id: str, index_id: str, catalog: Catalog, reach: Contributions) -> bool:
    """The audience is within the consent of every contribution behind the index's contributed variant."""
    sources = reach.indexes.get(index_id, ())
    return bool(sources) and all(audience_id in consent_of(catalog, s) for s in sources)


def consent_of(catalog: Catalog, source_id: str) -> tuple[str, ...]:
    """The audiences and scopes a source's consent names; none for public data."""
    source = catalog.sources[source_id]
    if isinstance(source, DATA_SOURCES) and source.consent is not None:
        return source.consent.audiences
    return ()


def _routed(catalog: Catalog, audience_id: str, view: AudienceView) -> AudienceView:
    reads = relation(audience_id, view.name, catalog)
    if reads == view.name:
        return view
    scores = relation(audience_id, view.scores, catalog) if view.scores else None
    return AudienceView(view.name, view.columns, view.period, scores, reads)


def _headline(catalog: Catalog, index_id: str, published: Collection[str]) -> list[AudienceView]:
    name = index_object(index_id, HEADLINE_PART)
    if name not in published:
        return []
    period = catalog.indexes[index_id].publish.period
    scores = index_object(index_id, "scores") if period == "latest" else None
    return [AudienceView(name, HEADLINE_COLUMNS, period, scores)]


def _results(catalog: Catalog, index_id: str, published: Collection[str]) -> list[AudienceView]:
    names = [index_object(index_id, part) for part in RESULT_PARTS]
    names.append(object_name("universes", catalog.indexes[index_id].universe))
    return [AudienceView(name) for name in names if name in published]


def audience_plan(
    catalog: Catalog,
    audience_id: str,
    published: Iterable[str],
    tables: Iterable[str] = (),
    declared: Audience | None = None,
) -> AudiencePlan:
    """The views of one audience over `published` (the objects a publication makes, in order) and
    the publication's own `tables`; an index it names that publishes nothing here (not in a
    selective run's closure) gets no view. `declared` stands in for an audience the project does not
    declare (the consent check's built-in ones)."""
    audience = catalog.audiences[audience_id] if declared is None else declared
    names = list(dict.fromkeys(published))
    views: list[AudienceView] = []
    if audience.sees == "everything":
        views = [AudienceView(name) for name in [*names, *tables]]
    if audience.sees == "club":
        views = [AudienceView(name) for name in names if name.startswith(CLUB)]
    for index_id in audience_indexes(catalog, audience):
        if index_id not in catalog.indexes:
            continue  # validated (IX102); a planned catalog without it builds none of it
        if audience.sees == "headline":
            views += _headline(catalog, index_id, names)
        else:
            views += _results(catalog, index_id, names)
    if audience.sees != "everything":  # everything is every object as published, both computations
        views = [_routed(catalog, audience_id, view) for view in views]
    return AudiencePlan(audience_id, audience, tuple(dict.fromkeys(views)))


def audience_plans(
    catalog: Catalog, published: Iterable[str], tables: Iterable[str] = ()
) -> list[AudiencePlan]:
    names, table_names = list(published), list(tables)
    return [audience_plan(catalog, a, names, table_names) for a in sorted(catalog.audiences)]
