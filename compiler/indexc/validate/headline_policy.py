"""Rules IX335-IX339: an index's `publish.headline_policy` names what exists and says why.

A headline policy decides who may appear in the headline Top N (the full ranking keeps everyone), so
every part of it must be able to act and be explained: a floor on a measure that does not exist, or one
that is not above 0, would let everyone through without saying so; an exclusion of an area the register
does not have would exclude no one; an exclusion without a reason would keep a council out of the
headline with nothing to tell it or a reader why; an area listed twice leaves unclear which reason holds.
Each is its own code, with a hint, rather than a schema error.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Location
from indexc.spec.indexes import HeadlinePolicy
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        policy = index.publish.headline_policy
        if policy is not None:
            yield from _floor(catalog, index_id, policy)
            yield from _exclusions(catalog, index_id, policy)


def _floor(catalog: Catalog, index_id: str, policy: HeadlinePolicy) -> Iterator[Diagnostic]:
    floor = policy.population
    if floor is None:
        return

    def where(key: str) -> Location:
        return catalog.where("indexes", index_id, "publish", "headline_policy", "population", key)

    if (
        floor.measure not in catalog.measures
        and ("measures", floor.measure) not in catalog.rejected
    ):
        yield Diagnostic(
            Code.HEADLINE_UNKNOWN_MEASURE,
            f"the headline policy of index '{index_id}' sets a floor on measure '{floor.measure}', "
            "which is not declared",
            where("measure"),
            did_you_mean(floor.measure, catalog.measures)
            or "name a measure of the areas' population, such as population",
            refers_to=floor.measure,
        )
    if floor.at_least <= 0:
        yield Diagnostic(
            Code.HEADLINE_FLOOR_NOT_POSITIVE,
            f"the headline population floor of index '{index_id}' is {floor.at_least:g}: "
            "it would keep no area out",
            where("at_least"),
            "write the smallest population an area of the headline must have, such as "
            "at_least: 25000, or remove population",
        )


def _exclusions(catalog: Catalog, index_id: str, policy: HeadlinePolicy) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for i, excluded in enumerate(policy.exclude):

        def where(key: str, i: int = i) -> Location:
            return catalog.where(
                "indexes", index_id, "publish", "headline_policy", "exclude", i, key
            )

        if catalog.areas and excluded.area not in catalog.areas:
            names = {area.name.lower(): code for code, area in catalog.areas.items()}
            by_name = names.get(excluded.area.strip().lower())
            yield Diagnostic(
                Code.HEADLINE_UNKNOWN_AREA,
                f"the headline policy of index '{index_id}' excludes area '{excluded.area}', "
                "which the geography register does not have",
                where("area"),
                f"write the area's code: '{by_name}'"
                if by_name
                else did_you_mean(excluded.area, catalog.areas)
                or "write the code of an area of the register (specs/geography), such as E09000001",
                refers_to=excluded.area,
            )
        if not excluded.reason.strip():
            yield Diagnostic(
                Code.HEADLINE_EMPTY_REASON,
                f"the headline policy of index '{index_id}' excludes area '{excluded.area}' "
                "without a reason",
                where("reason"),
                "say why the area may not appear in the headline (it is published beside the "
                'Top N), such as reason: "a few thousand residents: ..."',
            )
        if excluded.area in seen:
            yield Diagnostic(
                Code.HEADLINE_AREA_TWICE,
                f"the headline policy of index '{index_id}' excludes area '{excluded.area}' twice",
                where("area"),
                "keep one exclusion of the area, with the reason that holds",
            )
        seen.add(excluded.area)
