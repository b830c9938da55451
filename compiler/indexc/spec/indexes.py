"""Universes and indexes: who is compared, and how metrics roll up into a ranking.

A universe is a set of area types from a register, so nothing here assumes
English council codes. An index groups metrics into weighted lenses and names
its method; v1 implements the common core (normalise, reweight missing,
weighted arithmetic mean) and refuses anything it would otherwise ignore.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PositiveInt, field_validator

from indexc.spec.base import Identifier, Name, PublishedPeriod, StrictModel, Text, Weight


class Universe(StrictModel):
    id: Identifier
    description: Text = ""
    register_: Identifier | None = Field(default=None, alias="register")
    """A register source; without one, the areas of the geography register on the geography date."""
    types: tuple[Name, ...] = Field(min_length=1)


class LensMetric(StrictModel):
    metric: Identifier
    weight: Weight | None = None


class Lens(StrictModel):
    id: Identifier
    description: Text = ""
    weight: Weight | None = None
    metrics: tuple[LensMetric, ...] = Field(min_length=1)

    @field_validator("metrics", mode="before")
    @classmethod
    def _bare_ids_weigh_one(cls, value: Any) -> Any:
        """A bare metric id in a lens is shorthand for weight 1 (equal weighting)."""
        if isinstance(value, list):
            return [{"metric": item, "weight": 1} if isinstance(item, str) else item for item in value]
        return value


Normalisation = Literal["zscore", "minmax", "percentile_rank"]


class Method(StrictModel):
    treat: Literal["none"] = "none"
    normalise: Normalisation
    missing: Literal["reweight"] = "reweight"
    min_coverage: float = Field(default=0.0, ge=0.0, le=1.0, strict=True)
    """The share of the lens weight that must have a score for an area to be ranked (0: any)."""
    aggregate: Literal["arithmetic"] = "arithmetic"


class Publish(StrictModel):
    top: PositiveInt = Field(default=10, strict=True)
    period: PublishedPeriod = "latest"


class Index(StrictModel):
    id: Identifier
    version: Name
    description: Text = ""
    universe: Identifier
    method: Method
    lenses: tuple[Lens, ...] = Field(min_length=1)
    publish: Publish = Publish()
