"""Measures and metrics: what is measured, and what the index compares.

A measure keeps its identity while the data behind it moves between sources:
each binding says which source item feeds it for which periods. A metric is
a formula over measures (and other metrics) with a direction, versioned so a
definition change is visible in review.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    PositiveInt,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from indexc.spec.base import Identifier, Name, PeriodLabel, StrictModel, Text, without_unset
from indexc.spec.geography import AreaCode
from indexc.spec.smell import SmellTest


class PeriodRange(StrictModel):
    """Inclusive financial-year bounds; an absent bound is open."""

    from_: PeriodLabel | None = Field(default=None, alias="from")
    to: PeriodLabel | None = None


class LeaveOut(StrictModel):
    """Areas whose rows a binding does not read, and why: a publisher's rows that cannot be used as
    published (a territory listed under two codes at once, districts with no weights to merge them),
    said in the spec rather than silently dropped."""

    areas: tuple[AreaCode, ...] = Field(min_length=1)
    reason: Text = Field(min_length=1)


class Reconcile(StrictModel):
    """How far a binding's values may differ from those of the binding preferred over it before the
    reconciliation audit lists them: `absolute` (in the measure's unit) or `relative` (a fraction of
    the preferred value), one of the two. Without `reconcile:` they must agree exactly."""

    absolute: float | None = Field(default=None, strict=True, ge=0, allow_inf_nan=False)
    relative: float | None = Field(default=None, strict=True, ge=0, allow_inf_nan=False)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return without_unset(handler(self), ("absolute", "relative"))

    @model_validator(mode="after")
    def _one(self) -> Reconcile:
        if (self.absolute is None) == (self.relative is None):
            raise ValueError(
                "give one of absolute (in the measure's unit) or relative (a fraction)"
            )
        return self


class Binding(StrictModel):
    source: Identifier
    item: Text
    periods: PeriodRange = PeriodRange()
    restate: bool = Field(default=True, strict=True)
    """False: values on former geography that only apportion and weight (e.g. abolished councils'
    populations); they are never restated, so they cannot count twice beside a back-cast series."""
    not_published: tuple[PeriodLabel, ...] = ()
    """Periods in which the source has rows but publishes no value of this item (a survey run every
    other year, a year not collected): anywhere else, a period without a value is data lost (IX709)."""
    leave_out: LeaveOut | None = None
    """Areas whose rows this binding does not read, with the reason (docs/spec-language.md, section 3)."""
    precedence: PositiveInt | None = Field(default=None, strict=True)
    """Where bindings overlap (an old feed and a new one during a transition), 1 is preferred: per area
    and period the value of the binding with the lowest precedence wins, the others fill its gaps."""
    reconcile: Reconcile | None = None
    """The tolerance of this binding's values against the binding preferred over it (audited per area
    and period in `reconcile__<measure>`); by default exact agreement."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return without_unset(handler(self), ("precedence", "reconcile"))


class ValidRange(StrictModel):
    """The values a measure can take; a published value outside is not data (a blank written as 0, say)."""

    min: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    max: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    above: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    below: float | None = Field(default=None, strict=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _bounds(self) -> ValidRange:
        if all(bound is None for bound in (self.min, self.max, self.above, self.below)):
            raise ValueError("give at least one of min, max (inclusive), above, below (exclusive)")
        if (
            self.min is not None
            and self.above is not None
            or self.max is not None
            and self.below is not None
        ):
            raise ValueError("give min or above, and max or below, not both")
        low = self.min if self.min is not None else self.above
        high = self.max if self.max is not None else self.below
        if low is not None and high is not None and low >= high:
            raise ValueError(f"the lower bound {low:g} is not below the upper bound {high:g}")
        return self

    def conditions(self) -> list[tuple[str, float]]:
        """(operator, bound) pairs a valid value satisfies."""
        pairs = (">=", self.min), ("<=", self.max), (">", self.above), ("<", self.below)
        return [(op, bound) for op, bound in pairs if bound is not None]


class ValueRange(StrictModel):
    """The values a measure's data can hold at all: a value outside fails the run (IX710).

    Unlike `valid:` (values outside are published blanks, left out as missing), a value outside its
    range is a data error that would move every score: a negative population, say.
    """

    min: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    max: float | None = Field(default=None, strict=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _bounds(self) -> ValueRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"the lower bound {self.min:g} is above the upper bound {self.max:g}")
        return self


NEVER_NEGATIVE_UNITS = ("people", "count", "number", "households", "pupils", "children", "adults")
"""Units (exactly, or as the start of the unit: `gbp_thousands`, `count_of_places`) whose values are
never negative unless a measure's `range:` says so."""
MONEY_PREFIXES = ("gbp", "eur", "usd")  # an amount of money, in any multiple or per anything


def default_range(unit: str) -> ValueRange:
    """The range a measure has when it declares none: min 0 for counts, money and populations."""
    stem = unit.lower().split("_")[0]
    if stem in NEVER_NEGATIVE_UNITS or stem in MONEY_PREFIXES:
        return ValueRange(min=0)
    return ValueRange()


class Aggregate(StrictModel):
    """A measure published for the areas of one level (districts) carried up to a level above it
    (counties) by the register's parentage; its additivity says how (docs/geography.md)."""

    to: Identifier
    """The level above the measure's: each of its areas gets its own value if it is also in the
    measure's level (a unitary), else the aggregate of the areas whose `parent` it is (a county)."""


class LatestRule(StrictModel):
    max_age: int | None = Field(default=None, strict=True)
    """Years a value's period may end before the financial year's end and still serve it (IX404 if
    missing or not positive)."""


class Latest(StrictModel):
    """`align: {latest: {max_age: N}}`: the most recent value ending by the year's end, at most N
    years before it."""

    latest: LatestRule


ApportionPolicy = Literal["allowed", "forbidden"]
"""Whether a reorganisation may divide a measure's values among successors (docs/geography.md,
"Apportionment is a policy"): `forbidden` gives a successor no history before the event instead."""

Align = Literal["exact", "overlap"] | Latest
"""How a measure's values line up with an index's financial years (docs/spec-language.md, section 3):
`exact` (the default: a value whose period is the year, or a point in it), `latest` or `overlap`."""


class Measure(StrictModel):
    id: Identifier
    description: Text = ""
    unit: Name
    additivity: Literal["sum", "mean", "none"]
    weighted_by: Identifier | None = None
    """The measure that weights this one where areas combine (a mean, by population say)."""
    valid: ValidRange | None = None
    """Values outside are left out as missing, and `indexc run` says how many (IX706)."""
    range: ValueRange | None = None
    """Values (within `valid:`) outside fail the run (IX710); by default min 0 for a count, an amount
    of money or a population (see `default_range`), `{}` for no bounds."""
    bindings: tuple[Binding, ...] = Field(min_length=1)
    aggregate: Aggregate | None = None
    """District data fed to councils: metrics read the measure on the `to` level (IX616-IX619)."""
    align: Align = "exact"
    """Which value serves each financial year when the sources' periods are not financial years."""
    smell: SmellTest = SmellTest()
    """Outliers among peers and over time: gross ones fail the run (spec/smell.py)."""
    apportion: ApportionPolicy | None = None
    """Whether a split may divide this measure among successors; absent: the default of its level
    (`levels[].apportion`), else `allowed` (validate/apportionment.py)."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return without_unset(handler(self), ("apportion",))

    @property
    def alignment(self) -> str:
        """`exact`, `latest` or `overlap`."""
        return "latest" if isinstance(self.align, Latest) else self.align

    @property
    def max_age(self) -> int | None:
        return self.align.latest.max_age if isinstance(self.align, Latest) else None

    def value_range(self) -> ValueRange:
        return self.range if self.range is not None else default_range(self.unit)


class Metric(StrictModel):
    id: Identifier
    version: PositiveInt = Field(strict=True)
    description: Text = ""
    formula: Text = Field(min_length=1)
    direction: Literal["higher_is_better", "lower_is_better"]
    unit: Name
