"""Measures and metrics: what is measured, and what the index compares.

A measure keeps its identity while the data behind it moves between sources:
each binding says which source item feeds it for which periods. A metric is
a formula over measures (and other metrics) with a direction, versioned so a
definition change is visible in review.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt

from indexc.spec.base import Identifier, Name, PeriodLabel, StrictModel, Text


class PeriodRange(StrictModel):
    """Inclusive financial-year bounds; an absent bound is open."""

    from_: PeriodLabel | None = Field(default=None, alias="from")
    to: PeriodLabel | None = None


class Binding(StrictModel):
    source: Identifier
    item: Text
    periods: PeriodRange = PeriodRange()
    restate: bool = Field(default=True, strict=True)
    """False: values on former geography that only apportion and weight (e.g. abolished councils'
    populations); they are never restated, so they cannot count twice beside a back-cast series."""


class Measure(StrictModel):
    id: Identifier
    description: Text = ""
    unit: Name
    additivity: Literal["sum", "mean", "none"]
    weight: Identifier | None = None
    bindings: tuple[Binding, ...] = Field(min_length=1)


class Metric(StrictModel):
    id: Identifier
    version: PositiveInt = Field(strict=True)
    description: Text = ""
    formula: Text = Field(min_length=1)
    direction: Literal["higher_is_better", "lower_is_better"]
    unit: Name
