"""Rules IX345-IX347 and IX349 (and IX102): an audience names indexes that are built, once each.

An audience compiles to views over what a run publishes (generate/audiences.py), so every index it
names must exist (IX102, with a did-you-mean) and be built: one on hold has no published objects
to show (IX346). `everything` is every published object, so a list of indexes on it would either
say nothing or wrongly suggest a narrower view (IX345). A headline audience without a list shows
the headline index, so there must be one (IX347). An index named twice is a slip that would compile
its views twice (IX349). The Snowflake role of each audience is checked with the target file
(validate/targets.py, IX348).
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.audiences import TAKES_INDEXES, Audience
from indexc.validate.catalog import Catalog
from indexc.validate.references import UnknownReporter


def headline_index(catalog: Catalog) -> str | None:
    """The index published as the headline (`publish.headline: true`), if any (one at most, IX329)."""
    return next((i for i, index in sorted(catalog.indexes.items()) if index.publish.headline), None)


def _indexes(catalog: Catalog, audience_id: str, audience: Audience) -> Iterator[Diagnostic]:
    report = UnknownReporter(catalog)
    seen: set[str] = set()
    for position, index_id in enumerate(audience.indexes or ()):
        where = catalog.where("audiences", audience_id, "indexes", position)
        index = catalog.indexes.get(index_id)
        if index_id in seen:
            yield Diagnostic(
                Code.AUDIENCE_INDEX_TWICE,
                f"audience '{audience_id}' names index '{index_id}' twice",
                where,
                "remove one of them",
            )
        seen.add(index_id)
        if index is None:
            yield from report.unknown(
                ("indexes",),
                "index",
                index_id,
                catalog.indexes,
                where,
                f"audience '{audience_id}'",
            )
        elif index.on_hold:
            yield Diagnostic(
                Code.AUDIENCE_INDEX_ON_HOLD,
                f"audience '{audience_id}' names index '{index_id}', which is {index.status}: it "
                "is not built, so there is nothing of it to see",
                where,
                f"remove it from the audience until the index is active or a prototype "
                f"({index.reason})"
                if index.reason
                else "remove it from the audience until the index is active or a prototype",
            )


def _audience(catalog: Catalog, audience_id: str, audience: Audience) -> Iterator[Diagnostic]:
    if audience.indexes is not None and audience.sees not in TAKES_INDEXES:
        yield Diagnostic(
            Code.AUDIENCE_INDEXES_ON_EVERYTHING,
            f"audience '{audience_id}' sees {audience.sees}, so it takes no list of indexes",
            catalog.where("audiences", audience_id, "indexes", key=True),
            "remove 'indexes:', or write sees: results to show only these indexes' results",
        )
        return
    yield from _indexes(catalog, audience_id, audience)
    if audience.sees == "headline" and audience.indexes is None and not headline_index(catalog):
        yield Diagnostic(
            Code.AUDIENCE_NO_HEADLINE,
            f"audience '{audience_id}' sees the headline, but no index is the headline and it "
            "names none",
            catalog.where("audiences", audience_id, "sees"),
            "add 'indexes: [...]' naming the indexes whose Top N it sees, or give one index "
            "publish: {headline: true}",
        )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for audience_id, audience in catalog.audiences.items():
        yield from _audience(catalog, audience_id, audience)
