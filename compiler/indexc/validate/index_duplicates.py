"""Rule IX105 for the lists of an index and a scenario: each entry of one kind appears once.

Two savings with one id would publish two rows under one name; two productivity
entries for one lens, a peer grouping or a neighbour feature listed twice, or a
proposed event applied twice would count it twice. None of these is what anyone
meant, so each repeat is an error at the repeat (weights.py covers lenses and
lens metrics).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.indexes import Index
from indexc.validate.catalog import Catalog

Entries = Iterable[tuple[str, tuple]]
"""(the key that must be unique, the path of the entry's key in the spec)."""


def _repeats(entries: Entries) -> Iterator[tuple[str, tuple]]:
    seen: set[str] = set()
    for key, path in entries:
        if key in seen:
            yield key, path
        seen.add(key)


def _index_lists(index: Index) -> Iterator[tuple[str, str, Entries]]:
    """(what an entry is, the hint, its entries) for each list of an index whose entries must differ."""
    yield (
        "saving",
        "give each saving of an index its own id",
        ((s.id, ("savings", i, "id")) for i, s in enumerate(index.savings)),
    )
    yield (
        "productivity of lens",
        "an index measures the productivity of a lens once: keep one entry",
        ((p.lens, ("productivity", i, "lens")) for i, p in enumerate(index.productivity)),
    )
    yield (
        "peer grouping",
        "list each grouping once under peers: groups",
        ((g, ("peers", "groups", i)) for i, g in enumerate(index.peers.groups)),
    )
    if index.peers.neighbours:
        yield (
            "neighbour feature",
            "list each feature once and give it the combined weight",
            (
                (f.metric, ("peers", "neighbours", "features", i))
                for i, f in enumerate(index.peers.neighbours.features)
            ),
        )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        for what, hint, entries in _index_lists(index):
            for key, path in _repeats(entries):
                yield Diagnostic(
                    Code.LISTED_TWICE,
                    f"{what} '{key}' appears twice in index '{index_id}'",
                    catalog.where("indexes", index_id, *path),
                    hint,
                )
    for scenario_id, scenario in catalog.scenarios.items():
        entries = ((event, ("proposed", i)) for i, event in enumerate(scenario.proposed))
        for key, path in _repeats(entries):
            yield Diagnostic(
                Code.LISTED_TWICE,
                f"proposed event '{key}' appears twice in scenario '{scenario_id}'",
                catalog.where("scenarios", scenario_id, *path),
                "list each proposed event once",
            )
