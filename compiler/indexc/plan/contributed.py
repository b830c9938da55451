"""Contributed data in the plan: the recency overlay, the computation beside the public one, club views.

- The public objects (`measure__<id>`, `metric__<id>`, `index__<id>__*`) never read a contributed
  binding: they are what they would be without any contribution.
- `contributed__measure__<id>`: the measure's public values (restated or aggregated where the index
  reads them so) with each contributor's own values superseding them for its own area, in the periods
  its binding reads (from its declared `from`); every row says `provenance` ('public' or 'contributed')
  and `contributed_by`. `contributed__metric__<id>`: a metric that reads one, carrying the provenance.
- An index reading such a metric is computed again beside its public computation, under
  `index__<id>__contributed__*`, from the contributed objects; normalisation and ranking then see the
  contributions, which move every council's score, so an audience outside a consent reads only the
  public computation. With `publish: {contributed: true}` the index's own objects are computed with the
  contributions instead (no public computation beside), and the consent check (plan/consent.py)
  requires every audience that reads it to be within the consent.
- `club__measure__<id>`: per period, aggregates of the contributed values of the councils whose consent
  names the club, with no row where fewer councils than the club's minimum contributed.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexc.codes import Code
from indexc.plan.index_planner import index_object
from indexc.plan.index_reads import IndexReads
from indexc.plan.inputs import input_object, metric_node, object_name
from indexc.plan.methodology import index_nodes
from indexc.plan.nodes import Layer, Materialisation, MetricNode, Node, TemplateNode
from indexc.plan.refusals import EmptyResultCheckNode
from indexc.plan.template_params import ProvenanceParams, SourceBinding
from indexc.spec.contributed import CLUB_SCOPE, Club
from indexc.spec.sources import DATA_SOURCES
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import Contributions, contributor

CONTRIBUTED = "contributed__"
"""The prefix of an object computed with contributed data beside its public namesake."""
CLUB = "club__"


def contributed_object(name: str) -> str:
    return CONTRIBUTED + name


@dataclass(frozen=True)
class Contribution:
    """One contributed binding of a measure: the council's own rows of an item, from a period."""

    source_id: str
    source_object: str
    item: str
    period_from: str | None
    period_to: str | None
    contributed_by: str
    club: bool  # the consent names the club


@dataclass(frozen=True, kw_only=True)
class ContributedMeasureNode(Node):
    """A measure's public values with its contributors' own values superseding them (the overlay)."""

    measure_id: str
    public_object: str
    contributions: tuple[Contribution, ...]
    valid: tuple[tuple[str, float], ...] = ()
    layer = Layer.MEASURE
    materialisation = Materialisation.VIEW


@dataclass(frozen=True, kw_only=True)
class ClubNode(Node):
    """Per period, the count, mean, minimum and maximum of a measure's contributed values over the
    councils of the club; a period with fewer councils than `min_councils` has no row."""

    measure_id: str
    contributions: tuple[Contribution, ...]
    min_councils: int
    valid: tuple[tuple[str, float], ...] = ()
    layer = Layer.PUBLISH  # published: what the club's members read
    materialisation = Materialisation.VIEW


@dataclass(frozen=True, kw_only=True)
class ContributionCheckNode(EmptyResultCheckNode):
    """A contributed source holding rows of other councils than its contributor (IX745): one row, the
    codes found, when there are any. The overlay never reads them; a misfiled file is refused."""

    source_object: str
    contributed_by: str
    code = Code.CONTRIBUTION_OF_OTHER_AREAS
    at = ("contributed_by",)
    hint = (
        "a contribution holds its council's own rows only: correct `contributed_by` or the file "
        "(another council contributes in a source of its own)"
    )


class ContributedReads(IndexReads):
    """What an index computed with contributed data reads: the contributed objects where there are any."""

    reach: Contributions

    def __init__(self, index_id: str, catalog: Catalog, with_geography: bool) -> None:
        super().__init__(index_id, catalog, with_geography)
        object.__setattr__(self, "reach", Contributions(catalog))

    def metric_object(self, metric_id: str) -> str:
        if metric_id in self.reach.metrics:
            return contributed_object(object_name("metrics", metric_id))
        return super().metric_object(metric_id)

    def value_object(self, name: str) -> str:
        if name in self.reach.measures:
            return contributed_object(object_name("measures", name))
        if name in self.reach.metrics:
            return contributed_object(object_name("metrics", name))
        return super().value_object(name)

    def measure_object(self, metric_id: str, measure_id: str) -> str:
        if measure_id in self.reach.measures:
            return contributed_object(object_name("measures", measure_id))
        return super().measure_object(metric_id, measure_id)

    def direct(self, metric_id: str) -> list[SourceBinding] | None:
        return None if metric_id in self.reach.metrics else super().direct(metric_id)


def contributes(index_id: str, catalog: Catalog) -> bool:
    """Contributed data reaches the index through one of its metrics."""
    return index_id in Contributions(catalog).indexes


def contributions_of(measure_id: str, catalog: Catalog) -> tuple[Contribution, ...]:
    found = []
    for b in catalog.measures[measure_id].bindings:
        source = catalog.sources[b.source]
        by = contributor(catalog, b.source)
        if by is None or not isinstance(source, DATA_SOURCES):
            continue
        club = source.consent is not None and CLUB_SCOPE in source.consent.audiences
        found.append(
            Contribution(
                b.source,
                object_name("sources", b.source),
                b.item,
                b.periods.from_,
                b.periods.to,
                by,
                club,
            )
        )
    return tuple(found)


def contributed_nodes(catalog: Catalog, with_geography: bool, paths: str | None) -> list[Node]:
    """Every object planned for contributed data (none when nothing is contributed)."""
    reach = Contributions(catalog)
    nodes: list[Node] = []
    for source_id in sorted({s for sources in reach.measures.values() for s in sources}):
        by = contributor(catalog, source_id)
        if by is not None:
            nodes.append(_check(source_id, by))
    for measure_id in sorted(reach.measures):
        nodes.extend(_measure_nodes(measure_id, catalog, with_geography))
    for metric_id in sorted(reach.metrics):
        nodes.append(_metric_node(metric_id, catalog, with_geography, reach))
    for index_id in sorted(reach.indexes):
        if index_id not in catalog.indexes:
            continue
        index = catalog.indexes[index_id]
        variant = "" if index.publish.contributed else CONTRIBUTED
        reads = ContributedReads(index_id, catalog, with_geography)
        universe = object_name("universes", index.universe)
        if variant:
            nodes.extend(
                index_nodes(
                    index_id,
                    catalog,
                    universe,
                    reads.metric_object,
                    reads.value_object,
                    paths,
                    reads.direct,
                    variant=variant,
                    provenance=True,
                )
            )
        nodes.append(provenance_node(index_id, catalog, reach, variant))
    return nodes


def _check(source_id: str, by: str) -> ContributionCheckNode:
    name = object_name("sources", source_id)
    return ContributionCheckNode(
        name=f"check__{source_id}__contributor",
        depends_on=(name,),
        spec=("sources", source_id),
        description=f"Rows of contributed source {source_id} for councils other than {by}",
        failure=f"source '{source_id}' is contributed by {by} but holds rows of",
        source_object=name,
        contributed_by=by,
    )


def _measure_nodes(measure_id: str, catalog: Catalog, with_geography: bool) -> list[Node]:
    measure = catalog.measures[measure_id]
    contributions = contributions_of(measure_id, catalog)
    public = input_object(measure_id, catalog, with_geography)
    valid = tuple(measure.valid.conditions()) if measure.valid else ()
    name = contributed_object(object_name("measures", measure_id))
    nodes: list[Node] = [
        ContributedMeasureNode(
            name=name,
            depends_on=tuple(sorted({public, *(c.source_object for c in contributions)})),
            spec=("measures", measure_id),
            description=f"Measure {measure_id}: public values, superseded by contributed values "
            "for their contributors' areas, each with its provenance",
            measure_id=measure_id,
            public_object=public,
            contributions=contributions,
            valid=valid,
        )
    ]
    club = tuple(c for c in contributions if c.club)
    if club:
        minimum = max(
            (getattr(catalog.sources[c.source_id], "club", None) or Club()).min_councils
            for c in club
        )
        nodes.append(
            ClubNode(
                name=CLUB + object_name("measures", measure_id),
                depends_on=tuple(sorted({c.source_object for c in club})),
                spec=("measures", measure_id),
                description=f"Club view of measure {measure_id}: contributors' values aggregated "
                f"per period, shown only where at least {minimum} councils contributed",
                measure_id=measure_id,
                contributions=club,
                min_councils=minimum,
                valid=valid,
            )
        )
    return nodes


def _metric_node(
    metric_id: str, catalog: Catalog, with_geography: bool, reach: Contributions
) -> MetricNode:
    public = metric_node(metric_id, catalog, with_geography)

    def mapped(name: str, obj: str) -> str:
        if name in reach.measures:
            return contributed_object(object_name("measures", name))
        if name in reach.metrics:
            return contributed_object(object_name("metrics", name))
        return obj

    inputs = tuple((name, mapped(name, obj)) for name, obj in public.inputs)
    return MetricNode(
        name=contributed_object(public.name),
        spec=public.spec,
        depends_on=tuple(sorted({obj for _, obj in inputs})),
        description=f"{public.description}, with contributed values and their provenance",
        metric_id=metric_id,
        formula=public.formula,
        inputs=inputs,
        provenance=tuple(name for name, obj in inputs if obj.startswith(CONTRIBUTED)),
    )


def provenance_node(index_id: str, catalog: Catalog, reach: Contributions, variant: str) -> Node:
    """Which of an index's values are contributed, and by whom: per metric, lens (at every depth) and
    the index, per area and period."""
    index = catalog.indexes[index_id]
    metrics = [m for m in index.metric_ids() if m in reach.metrics]
    edges: list[list[str | int | float | bool | None]] = []
    for m in metrics:
        edges.append(["metric", m, m])
        edges.append(["index", index_id, m])
    for _, lens, _ in index.walk():
        for m in lens.metric_ids():
            if m in reach.metrics:
                edges.append(["lens", lens.id, m])
    objects = [{"id": m, "object": contributed_object(object_name("metrics", m))} for m in metrics]
    return TemplateNode(
        name=index_object(index_id, variant + "provenance"),
        spec=("indexes", index_id),
        depends_on=tuple(sorted(str(o["object"]) for o in objects)),
        description=f"Contributed values behind index {index_id}, by metric, lens and the index, "
        "per area and period, with who contributed them",
        index_id=index_id,
        in_layer=Layer.INDEX_SCORES,
        params=ProvenanceParams(metrics=objects, edges=sorted(edges, key=str)),
        view=True,
    )
