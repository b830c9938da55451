"""Rule IX355: nothing computed from contributed data reaches an audience outside its consent.

A graph query over the planned objects, not over intentions: from each contributed source, every
object that reads it, directly or through others (`depends_on`), is found; each audience's reads are
the objects it is given; a contributed source reaching an object an audience outside its consent reads
fails the build, naming the way it gets there (source > measure > metric > lens > index > audience).

Normalisation and ranking use every area's values, so a contribution moves every council's score: the
whole chain from the measure up to the index is planned twice (plan/contributed.py), and an audience
outside a consent reads the public computation only.

What each audience reads: until a project declares audiences (the `audiences` spec kind), the built-in
ones, each reading every planned index: `public` its Top N (headline), `client` its published results,
`internal` every object. An audience within the consent of every contribution behind an index reads
that index's contributed computation instead of its public one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.plan.contributed import CONTRIBUTED, ClubNode
from indexc.plan.index_planner import index_object
from indexc.plan.inputs import object_name
from indexc.plan.nodes import Layer, Node, TemplateNode
from indexc.spec.contributed import CLUB_SCOPE
from indexc.spec.sources import LongSource, WideSource
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import Contributions

RESULT_LAYERS = frozenset(
    {
        Layer.METRIC_SCORES,
        Layer.LENS_SCORES,
        Layer.INDEX_SCORES,
        Layer.PEERS,
        Layer.STABILITY,
        Layer.PUBLISH,
    }
)


@dataclass(frozen=True)
class Audience:
    """Who reads what: `sees` headline (an index's Top N), results (its published results) or
    everything (every object), of the indexes named (None: every index)."""

    id: str
    sees: str
    indexes: tuple[str, ...] | None = None


BUILT_IN = (
    Audience("public", "headline"),
    Audience("client", "results"),
    Audience("internal", "everything"),
)


CLUB_READER = Audience(CLUB_SCOPE, "club")
"""The club's members: they read the club views, and nothing else of what contributions compute."""


def audiences_of(catalog: Catalog) -> tuple[Audience, ...]:
    """The project's audiences: the built-in ones (the `audiences` spec kind is not in this branch),
    and the club, whose views must be fed only by contributions that consented to it."""
    return (*BUILT_IN, CLUB_READER)


def reads(
    audience: Audience, nodes: Iterable[Node], catalog: Catalog, reach: Contributions
) -> set[str]:
    """The objects an audience is given, with the computation of each index it is routed to."""
    nodes = list(nodes)
    if audience.sees == "everything":
        return {n.name for n in nodes}
    if audience.sees == "club":
        return {n.name for n in nodes if isinstance(n, ClubNode)}
    found: set[str] = set()
    for index_id in sorted(catalog.indexes):
        if audience.indexes is not None and index_id not in audience.indexes:
            continue
        variant = CONTRIBUTED if _within(audience.id, index_id, catalog, reach) else ""
        own = index_object(index_id, variant)
        for node in nodes:
            if not isinstance(node, TemplateNode) or node.index_id != index_id:
                continue
            part = node.name.removeprefix(own)
            if not node.name.startswith(own) or (not variant and part.startswith(CONTRIBUTED)):
                continue
            if (
                audience.sees == "headline"
                and part == "top"
                or (audience.sees == "results" and node.layer in RESULT_LAYERS)
            ):
                found.add(node.name)
    return found


def relation(audience_id: str, logical: str, catalog: Catalog) -> str:
    """The object an audience reads for a logical index object (`index__<id>__top`, say): the
    contributed computation's (`index__<id>__contributed__top`) when the audience is within the consent
    of every contribution behind the index and the index has one beside its public computation; else
    the object itself. For the audiences' views (`Project.audience_relations`)."""
    reach = Contributions(catalog)
    for index_id, index in catalog.indexes.items():
        own = index_object(index_id, "")
        if logical.startswith(own) and not index.publish.contributed:
            if _within(audience_id, index_id, catalog, reach):
                return own + CONTRIBUTED + logical.removeprefix(own)
    return logical


def _within(audience_id: str, index_id: str, catalog: Catalog, reach: Contributions) -> bool:
    """The audience is within the consent of every contribution behind the index's contributed variant."""
    sources = reach.indexes.get(index_id, ())
    return bool(sources) and all(audience_id in _consent(catalog, s) for s in sources)


def _consent(catalog: Catalog, source_id: str) -> tuple[str, ...]:
    source = catalog.sources[source_id]
    if isinstance(source, LongSource | WideSource) and source.consent is not None:
        return source.consent.audiences
    return ()


def check(catalog: Catalog, nodes: tuple[Node, ...]) -> list[Diagnostic]:
    reach = Contributions(catalog)
    readers: dict[str, list[str]] = {}
    for node in nodes:
        for dep in node.depends_on:
            readers.setdefault(dep, []).append(node.name)
    by_name = {n.name: n for n in nodes}
    problems = []
    for source_id in sorted({s for sources in reach.measures.values() for s in sources}):
        start = object_name("sources", source_id)
        came_from = _downstream(start, readers)
        for audience in audiences_of(catalog):
            if audience.id in _consent(catalog, source_id):
                continue
            reached = sorted(reads(audience, nodes, catalog, reach) & came_from.keys())
            if reached:
                shown = _preferred(reached, by_name)
                path = _words(_path(start, shown, came_from), by_name, reach, source_id)
                problems.append(
                    Diagnostic(
                        Code.CONSENT_BREACHED,
                        f"{' > '.join([*path, f'audience {audience.id}'])}: audience "
                        f"'{audience.id}' would read {shown}, computed with contributed data "
                        "outside its consent",
                        catalog.where("sources", source_id, "consent", "audiences"),
                        _hint(audience),
                    )
                )
                break  # the most exposed audience first; one breach per source says what to fix
    return problems


def _hint(audience: Audience) -> str:
    if audience.sees == "club":
        return "a club view reads only contributions whose consent names the club"
    if audience.sees == "everything":
        return (
            f"audience '{audience.id}' sees every object, the contribution's included: add it to "
            "the consent only if the council agreed, or give the audience less to see"
        )
    return (
        "an index published with contributed data (`publish: {contributed: true}`) is read by every "
        "audience of the index: leave it computed beside the public one (no `contributed`), or "
        "record consent the council gave"
    )


def _downstream(start: str, readers: dict[str, list[str]]) -> dict[str, str | None]:
    """Every object reading `start`, directly or not, with the object it was reached from."""
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        name = queue.popleft()
        for reader in sorted(readers.get(name, ())):
            if reader not in came_from:
                came_from[reader] = name
                queue.append(reader)
    return came_from


def _preferred(reached: list[str], by_name: dict[str, Node]) -> str:
    """The object to name: a published one of an index first, else the first reached."""
    published = [r for r in reached if by_name[r].layer == Layer.PUBLISH]
    tops = [r for r in published if r.endswith("__top")]
    return (tops or published or reached)[0]


def _path(start: str, end: str, came_from: dict[str, str | None]) -> list[str]:
    path = [end]
    while path[-1] != start:
        previous = came_from[path[-1]]
        if previous is None:
            break
        path.append(previous)
    return path[::-1]


def _words(
    path: list[str], by_name: dict[str, Node], reach: Contributions, source_id: str
) -> list[str]:
    """The path as spec objects: `contributed source s > measure m > metric x > lens l > index i`."""
    index_ids = [n.index_id for n in (by_name.get(p) for p in path) if isinstance(n, TemplateNode)]
    if index_ids:
        steps = reach.path(source_id, index_ids[0]) + [("index", index_ids[0])]
    else:
        steps = [("contributed source", source_id)]
        for name in path[1:]:
            spec = by_name[name].spec
            if spec and spec[0] in ("measures", "metrics") and spec[0][:-1] != steps[-1][0]:
                steps.append((spec[0][:-1], spec[1]))
    return [f"{noun} {object_id}" for noun, object_id in steps]
