"""Geography specs: the area register, levels, lineage events and area maps.

Councils are merged, split and recoded; data arrives on whatever codes were in
force when it was published. These models describe that history as data, so a
reorganisation is a spec change reviewed in a pull request, and the compiler
can restate every measure onto one geography with nothing created or lost.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from indexc.spec.base import ColumnName, Identifier, Name, StrictModel, Text, Weight, without_unset

AreaCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=40, strict=True)]
"""An area code such as E06000061 (GSS), or a provisional code for a successor not yet coded."""

Date = Annotated[datetime.date, Field(strict=False)]

EventType = Literal["merge", "split", "transfer", "recode", "rename", "boundary_change"]


class Area(StrictModel):
    """One code of the register, with the dates between which it was in force (open when absent)."""

    code: AreaCode
    name: Name
    type: Name
    parent: AreaCode | None = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    provisional: bool = Field(default=False, strict=True)
    """A placeholder for a successor whose official code is not yet published."""

    @property
    def id(self) -> str:
        return self.code

    @model_validator(mode="after")
    def _dates_in_order(self) -> Area:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Level(StrictModel):
    """A set of area types that tile the country once: data of one level can be restated within it.

    With `tiles: false` it only names types the register holds beside the councils (regions,
    England, combined authorities): every area's type must be known to a level or a universe,
    so that a mistyped type is refused rather than silently leaving its area out of both.
    """

    id: Identifier
    description: Text = ""
    types: tuple[Name, ...] = Field(min_length=1)
    tiles: bool = Field(default=True, strict=True)
    apportion: Literal["allowed", "forbidden"] | None = None
    """The default of the measures restated in this level: whether a split may divide their values
    among successors (a measure's own `apportion` wins); absent: `allowed`."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return without_unset(handler(self), ("apportion",))


class Successor(StrictModel):
    """Where (part of) a predecessor went, and how much of it."""

    code: AreaCode
    name: Name | None = None
    districts: tuple[AreaCode, ...] = ()
    """The districts whose territory went to this successor (informative, and the default basis)."""
    basis: tuple[AreaCode, ...] = ()
    """Codes whose basis values add up to the territory transferred (default: districts, else the successor)."""
    share: Weight | None = None
    """A literal share of the predecessor; the event's shares_source says where it comes from."""

    def territory(self) -> tuple[str, ...]:
        return self.basis or self.districts or (self.code,)


class Apportion(StrictModel):
    """Apportion by a basis measure (e.g. population) of the territory transferred, period by period."""

    by: Identifier


class LineageEvent(StrictModel):
    """One reorganisation on one date.

    - merge: every predecessor's whole area forms (part of) the one successor;
    - split: one predecessor divided among successors, by literal shares or apportioned by a basis;
    - transfer: districts move from one parent (which continues) to another area;
    - recode: the same area under a new code; rename: a new name under the same code;
    - boundary_change: areas exchange territory, by literal shares.
    """

    id: Identifier
    description: Text = ""
    effective: Date
    type: EventType
    status: Literal["in_force", "proposed"] = "in_force"
    from_: tuple[AreaCode, ...] = Field(alias="from", min_length=1)
    to: tuple[Successor, ...] = Field(min_length=1)
    apportion: Apportion | None = None
    shares_source: Text | None = None
    source: Text = ""
    """Where the event is documented (an Order, a register, a data set)."""

    @field_validator("to", mode="before")
    @classmethod
    def _bare_codes(cls, value: Any) -> Any:
        """A bare code in 'to' is a successor taking the predecessor's whole area."""
        if isinstance(value, list):
            return [{"code": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _shape_fits_type(self) -> LineageEvent:
        counts = {
            "merge": (None, 1),
            "split": (1, None),
            "transfer": (1, 1),
            "recode": (1, 1),
            "rename": (1, 1),
            "boundary_change": (1, None),
        }
        wanted_from, wanted_to = counts.get(self.type, (None, None))
        if wanted_from is not None and len(self.from_) != wanted_from:
            raise ValueError(
                f"a {self.type} has exactly {wanted_from} code in 'from', not {len(self.from_)}"
            )
        if wanted_to is not None and len(self.to) != wanted_to:
            raise ValueError(
                f"a {self.type} has exactly {wanted_to} successor in 'to', not {len(self.to)}"
            )
        if self.type == "split" and len(self.to) < 2:
            raise ValueError("a split has at least two successors in 'to'")
        if self.type == "transfer" and not self.to[0].districts:
            raise ValueError("a transfer lists the 'districts' that move")
        if self.type == "rename" and self.to[0].code != self.from_[0]:
            raise ValueError("a rename keeps its code: 'to' must repeat the code in 'from'")
        if self.type == "rename" and not self.to[0].name:
            raise ValueError("a rename gives the new 'name' of its successor")
        if self.type == "boundary_change" and any(s.share is None for s in self.to):
            raise ValueError("a boundary_change gives every successor a literal 'share'")
        for listed, codes in (("from", self.from_), ("to", [s.code for s in self.to])):
            repeated = sorted({code for code in codes if list(codes).count(code) > 1})
            if repeated:
                raise ValueError(
                    f"{repeated[0]} is listed twice in '{listed}': it would count twice"
                )
        if self.type == "transfer" and self.to[0].code == self.from_[0]:
            raise ValueError(
                "a transfer moves districts to another area, not to the area giving them"
            )
        if self.type == "split" and self.from_[0] in {s.code for s in self.to}:
            raise ValueError(
                "a split ends its area: to keep the code, use type: transfer or boundary_change"
            )
        return self

    def literal_shares(self) -> bool:
        return any(s.share is not None for s in self.to)


class AreaMap(StrictModel):
    """Weighted edges from one geography to another, read from a source with layout area_map.

    A group (councils into combined authorities) has weight 1 per member; a
    crosswalk (NHS ICBs onto councils) has weights that sum to 1 per area it
    maps from. Both restate measures the way lineage does, and the listed
    metrics are computed on the mapped geography from mapped measures.
    """

    id: Identifier
    description: Text = ""
    type: Literal["group", "crosswalk"]
    source: Identifier
    level: Identifier
    """The level of the areas mapped from: other rows of the source are not read."""
    metrics: tuple[Identifier, ...] = ()
    """Computed on the areas mapped onto; none: the map's edges are compiled and checked only."""


class AreaMapColumns(StrictModel):
    from_: ColumnName = Field(alias="from")
    to: ColumnName
    name: ColumnName | None = None
    weight: ColumnName | None = None
    """Each edge's share of the area it maps from (a crosswalk: of the ICB's population); 1 when absent."""
    weight_to: ColumnName | None = None
    """A crosswalk's share of the area it maps onto (of the council's population): the weights of a mean."""
    valid_from: ColumnName | None = None
    valid_to: ColumnName | None = None


class SourceGeography(StrictModel):
    """Which level a source's areas are on, and on which date's codes.

    `codes: as_published` means each period's data uses the codes in force at
    the start of that period; a date means every period uses the codes of that
    date (ONS back-casts on current boundaries, for instance).
    """

    level: Identifier
    codes: Literal["as_published"] | Date = "as_published"
