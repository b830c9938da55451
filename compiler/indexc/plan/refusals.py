"""Checks that refuse an empty result before it is published.

A universe whose types match no area, or an index with no scores in the period it
publishes, builds without an engine error and publishes an empty Top N with exit
code 0: nothing says the specs are wrong. These checks fail the run first, each
at the spec entry to correct, saying what there is instead (the register's types,
the periods scored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from indexc.codes import Code
from indexc.plan.methodology import index_object
from indexc.plan.nodes import CheckNode
from indexc.validate.catalog import Catalog


@dataclass(frozen=True, kw_only=True)
class EmptyResultCheckNode(CheckNode):
    """A check whose one row, when found, is what exists instead (a list written as text, or NULL for nothing)."""

    code: ClassVar[Code]
    at: ClassVar[tuple[str, ...]]  # the key of the spec entry the diagnostic points at
    hint: ClassVar[str]


@dataclass(frozen=True, kw_only=True)
class UniverseCheckNode(EmptyResultCheckNode):
    """No area of the register has one of the universe's types (on the geography date, when there is one)."""

    universe_object: str
    register_object: str
    code = Code.UNIVERSE_MATCHES_NO_AREA
    at = ("types",)
    hint = "write the types as the register spells them; the check is case-sensitive"


@dataclass(frozen=True, kw_only=True)
class PublishedPeriodCheckNode(EmptyResultCheckNode):
    """The index has no score in the period it publishes (`period`), or in any period (`latest`)."""

    scores_object: str
    period: str | None  # None: publish the latest period with scores
    code = Code.NO_SCORES_TO_PUBLISH

    @property
    def at(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("publish", "period") if self.period else ("id",)

    @property
    def hint(self) -> str:  # type: ignore[override]
        if self.period:
            return "publish a period the data covers, or 'latest'"
        return "no area of the universe has a value of any of the index's metrics: check the data and the universe"


def universe_check(
    universe_id: str, catalog: Catalog, universe_object: str, register_object: str
) -> CheckNode:
    universe = catalog.universes[universe_id]
    register = f"register '{universe.register_}'" if universe.register_ else "the area register"
    return UniverseCheckNode(
        name=f"check__universe__{universe_id}__areas",
        depends_on=tuple(sorted({universe_object, register_object})),
        spec=("universes", universe_id),
        description=f"Universe {universe_id} holds at least one area",
        failure=f"universe '{universe_id}' matches no area of {register}: none has type "
        f"{' or '.join(repr(t) for t in universe.types)}; the types it has are",
        universe_object=universe_object,
        register_object=register_object,
    )


def published_period_check(index_id: str, catalog: Catalog) -> CheckNode:
    period = catalog.indexes[index_id].publish.period
    chosen = None if period == "latest" else period
    scores = index_object(index_id, "scores")
    missing = (
        f"publishes {chosen}, in which it has no scores"
        if chosen
        else "has no scores in any period to publish"
    )
    return PublishedPeriodCheckNode(
        name=f"check__index__{index_id}__published_period",
        depends_on=(scores,),
        spec=("indexes", index_id),
        description=f"Index {index_id} has scores in the period it publishes ({period})",
        failure=f"index '{index_id}' {missing}; the periods it scores are",
        scores_object=scores,
        period=chosen,
    )
