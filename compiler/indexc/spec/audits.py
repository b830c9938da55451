"""Audits: smell tests over metric values, declared beside the index and compiled to SQL.

A careful analyst looks at the data before believing a ranking: a council with no spend, a share
above 100%, a cost that doubled in a year, or spend that fell while outcomes rose (a budget hidden
by a rescue package). An audit says which of those to look for; `error` fails the run, `warn`
reports the rows found. Each audit tests the areas of one universe, per period.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from indexc.spec.base import Identifier, StrictModel, Text


class RangeTest(StrictModel):
    """Values outside [min, max]; either bound may be left out."""

    metric: Identifier
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _a_bound(self) -> RangeTest:
        if self.min is None and self.max is None:
            raise ValueError("a range needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self


class ChangeTest(StrictModel):
    """Year-on-year changes beyond a fraction of the previous value: rose by more than `rise`, or fell by
    more than `fall` (0.5 = 50%)."""

    metric: Identifier
    rise: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    fall: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)

    @model_validator(mode="after")
    def _a_limit(self) -> ChangeTest:
        if self.rise is None and self.fall is None:
            raise ValueError("a change test needs 'rise', 'fall' or both")
        return self


class Movement(StrictModel):
    metric: Identifier
    by: float = Field(gt=0, allow_inf_nan=False)


class OppositeTest(StrictModel):
    """One metric fell by more than a fraction while another rose by more than a fraction, year on year."""

    fell: Movement
    rose: Movement


class Audit(StrictModel):
    id: Identifier
    description: Text = ""
    severity: Literal["error", "warn"]
    universe: Identifier
    not_null: Identifier | None = None
    """A metric every area of the universe must have in each period that the metric has data for."""
    range: RangeTest | None = None
    change: ChangeTest | None = None
    opposite: OppositeTest | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Audit:
        tests = [
            name
            for name in ("not_null", "range", "change", "opposite")
            if getattr(self, name) is not None
        ]
        if len(tests) != 1:
            raise ValueError(
                "an audit holds exactly one of 'not_null', 'range', 'change', 'opposite'"
                + (f"; this one holds {', '.join(tests)}" if tests else "")
            )
        return self

    @property
    def test(self) -> str:
        return next(
            name
            for name in ("not_null", "range", "change", "opposite")
            if getattr(self, name) is not None
        )

    def metrics(self) -> list[tuple[str, tuple]]:
        """Each metric the audit names, with where it is named (relative to the audit)."""
        if self.not_null is not None:
            return [(self.not_null, ("not_null",))]
        if self.range is not None:
            return [(self.range.metric, ("range", "metric"))]
        if self.change is not None:
            return [(self.change.metric, ("change", "metric"))]
        assert self.opposite is not None
        return [
            (self.opposite.fell.metric, ("opposite", "fell", "metric")),
            (self.opposite.rose.metric, ("opposite", "rose", "metric")),
        ]
