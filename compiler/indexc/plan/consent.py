"""Rule IX355: nothing computed from contributed data reaches an audience outside its consent.

A graph query over the planned objects, not over intentions: from each contributed source, every
object that reads it, directly or through others (`depends_on`), is found; each audience's reads are
the objects it is given; a contributed source reaching an object an audience outside its consent reads
fails the build, naming the way it gets there (source > measure > metric > lens > index > audience).

Normalisation and ranking use every area's values, so a contribution moves every council's score: the
whole chain from the measure up to the index is planned twice (plan/contributed.py), and an audience
outside a consent reads the public computation only.

What each audience reads is what its views are compiled from (plan/audiences.py): the declared
audiences (the `audiences` spec kind) or, while a project declares none, the built-in `public` (the
Top N), `client` (published results) and `internal` (every object), each over every index. An audience
within the consent of every contribution behind an index reads that index's contributed computation
instead of its public one; the club reads the club views.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.plan.audiences import audience_plan, consent_of
from indexc.plan.contributed import ClubNode
from indexc.plan.inputs import object_name
from indexc.plan.nodes import Layer, Node, TemplateNode
from indexc.spec.audiences import Audience
from indexc.spec.contributed import CLUB_SCOPE
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import Contributions

BUILT_IN = (
    Audience(id="public", sees="headline"),
    Audience(id="client", sees="results"),
    Audience(id="internal", sees="everything"),
)
"""The audiences the check assumes while a project declares none of its own (none are compiled then,
but a consent is still held to them), each over every index it could read."""

CLUB_READER = CLUB_SCOPE
"""The club's members: they read the club views, and nothing else of what contributions compute."""


def audiences_of(catalog: Catalog) -> tuple[Audience, ...]:
    """The project's declared audiences, else the built-in ones over every index not on hold."""
    if catalog.audiences:
        return tuple(catalog.audiences[a] for a in sorted(catalog.audiences))
    every = tuple(i for i, x in sorted(catalog.indexes.items()) if not x.on_hold) or None
    return tuple(
        a if a.sees == "everything" else a.model_copy(update={"indexes": every}) for a in BUILT_IN
    )


def reads(audience: Audience | str, nodes: Iterable[Node], catalog: Catalog) -> set[str]:
    """The objects an audience is given (plan/audiences.py), each index's read from the computation the
    audience is routed to; the club reads the club views."""
    nodes = list(nodes)
    if audience == CLUB_READER:
        return {n.name for n in nodes if isinstance(n, ClubNode)}
    assert isinstance(audience, Audience)
    names = [n.name for n in nodes]
    plan = audience_plan(catalog, audience.id, names, declared=audience)
    found = {view.source for view in plan.views}
    found |= {view.scores for view in plan.views if view.scores}
    return found


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
        readers_of: tuple[Audience | str, ...] = (*audiences_of(catalog), CLUB_READER)
        for audience in readers_of:
            audience_id = audience if isinstance(audience, str) else audience.id
            given = consent_of(catalog, source_id)
            club_member = isinstance(audience, Audience) and audience.sees == "club"
            if audience_id in given or (club_member and CLUB_SCOPE in given):
                continue  # a declared club audience is the club the consent names
            reached = sorted(reads(audience, nodes, catalog) & came_from.keys())
            if reached:
                shown = _preferred(reached, by_name)
                path = _words(_path(start, shown, came_from), by_name, reach, source_id)
                problems.append(
                    Diagnostic(
                        Code.CONSENT_BREACHED,
                        f"{' > '.join([*path, f'audience {audience_id}'])}: audience "
                        f"'{audience_id}' would read {shown}, computed with contributed data "
                        "outside its consent",
                        catalog.where("sources", source_id, "consent", "audiences"),
                        _hint(audience),
                    )
                )
                break  # the most exposed audience first; one breach per source says what to fix
    return problems


def _hint(audience: Audience | str) -> str:
    if audience == CLUB_READER:
        return "a club view reads only contributions whose consent names the club"
    assert isinstance(audience, Audience)
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
