"""Bindings side by side on different codes: the feeds are restated one by one and chosen between on
the geography date's codes.

An old feed on the codes of its day (`as_published`) and a new feed back-cast onto the new councils
(`codes: <date>`) cannot be compared per area code: the old feed's M1 and M2 are the new feed's M3.
So each feed (the measure's bindings of one precedence) is its own measure view and is restated
with the same machinery as any measure (plan/restatement.py); `restated__<measure>`, the object
downstream objects read, is then the preferred feed's restated row per area and period, another
feed's where the preferred has no value; and `reconcile__<measure>` compares the restated feeds.
Feeds on the same codes are chosen between on the measure's own rows (generate/precedence.py).

`measure__<measure>` itself keeps the choice per area code, which is the choice where a code means
one area in both feeds and leaves the codes check nothing given twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from indexc.plan.geography import RestatedMeasureNode
from indexc.plan.inputs import object_name
from indexc.plan.nodes import Layer, Materialisation, MeasureNode, Node
from indexc.plan.reconcile import ReconcileNode, feed_pairs, reconcile_object
from indexc.plan.restatement import restated_object
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import is_contributed
from indexc.validate.precedence import across_codes


@dataclass(frozen=True, kw_only=True)
class RestatedChoiceNode(Node):
    """Every column of the restated feeds (`feeds`, preferred first), one feed's rows per area and
    period: the first feed with a value; with none, the first feed's row (a value not restated)."""

    measure_id: str
    feeds: tuple[str, ...]
    layer = Layer.RESTATED
    materialisation = Materialisation.TABLE


FEED = "__precedence_"


def feed_suffix(rank: int) -> str:
    return f"{FEED}{rank}"


def is_feed(node: MeasureNode | RestatedMeasureNode | RestatedChoiceNode) -> bool:
    """A measure, or its restatement, of one precedence only (warned about on the chosen values)."""
    if isinstance(node, RestatedChoiceNode):
        return False
    if isinstance(node, MeasureNode):
        return node.name != object_name("measures", node.measure_id)
    return node.name != restated_object(node.measure_id)


def _ranks(measure_id: str, catalog: Catalog) -> list[tuple[int, list[int]]]:
    """(precedence, positions among the public bindings), preferred first. A binding without a
    precedence overlaps no other (IX401): it is read with the preferred feed."""
    public = [b for b in catalog.measures[measure_id].bindings if not is_contributed(catalog, b)]
    ranks = sorted({b.precedence for b in public if b.precedence is not None})
    return [
        (rank, [n for n, b in enumerate(public) if (b.precedence or ranks[0]) == rank])
        for rank in ranks
    ]


def restated_feeds(
    measure: MeasureNode, restated: RestatedMeasureNode, catalog: Catalog
) -> list[Node] | None:
    """The per-feed measures and restatements, their choice (named as `restated`) and the audit, in
    place of `restated`; None when the measure's overlapping bindings are on the same codes."""
    measure_id = measure.measure_id
    spec = catalog.measures[measure_id]
    if not across_codes(catalog, spec):
        return None
    nodes: list[Node] = []
    feeds: dict[int, str] = {}
    for rank, positions in _ranks(measure_id, catalog):
        bindings = tuple(replace(measure.bindings[n], yields_to=()) for n in positions)
        feed = replace(
            measure,
            name=measure.name + feed_suffix(rank),
            depends_on=tuple(
                sorted(
                    {b.source_object for b in bindings}
                    | ({measure.areas_object} if measure.areas_object else set())
                )
            ),
            description=f"Measure {measure_id}: the bindings of precedence {rank}, on their own codes",
            bindings=bindings,
        )
        feeds[rank] = restated.name + feed_suffix(rank)
        nodes.append(feed)
        nodes.append(
            replace(
                restated,
                name=feeds[rank],
                depends_on=tuple(
                    sorted({*restated.depends_on} - {restated.measure_object} | {feed.name})
                ),
                description=f"{restated.description}: the bindings of precedence {rank}",
                measure_object=feed.name,
            )
        )
    nodes.append(
        RestatedChoiceNode(
            name=restated.name,
            depends_on=tuple(sorted(feeds.values())),
            spec=restated.spec,
            description=f"{restated.description}: per area and period the preferred feed's value, "
            "another's where it has none",
            measure_id=measure_id,
            feeds=tuple(feeds[rank] for rank in sorted(feeds)),
        )
    )
    nodes.extend(_audit(measure_id, catalog, feeds))
    return nodes


def _audit(measure_id: str, catalog: Catalog, feeds: dict[int, str]) -> list[Node]:
    """reconcile__<measure> on the restated feeds: each pair of overlapping bindings compares the
    feeds of their precedences in the periods both cover."""
    pairs = feed_pairs(measure_id, catalog, feeds)
    return [
        ReconcileNode(
            name=reconcile_object(measure_id),
            depends_on=tuple(sorted(feeds.values())),
            spec=("measures", measure_id),
            description=f"Where the overlapping bindings of measure {measure_id}, restated, "
            "disagree beyond their tolerance, or one has an area the other lacks",
            measure_id=measure_id,
            pairs=tuple(pairs),
            restated=True,
        )
    ]
