"""Snapshot policies: which of the kept snapshots the consumption layer shows.

Every snapshot is kept (`retain: all` is the only retention there is: nothing deletes one). A
policy surfaces some of them to consumers, such as a Power BI model: the latest N, the last of
each financial year, the one in force when each reorganisation took effect, and pinned ones.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from indexc.spec.base import Identifier, StrictModel, Text


class Latest(StrictModel):
    latest: int = Field(ge=1, description="The N most recent snapshots, by as-of date.")


class FinancialYearEnd(StrictModel):
    financial_year_end: Literal["all"] = Field(
        description="The last snapshot of each financial year (April to March), once a later year has one."
    )


class LineageEvents(StrictModel):
    lineage_events: Literal["all"] | list[Identifier] = Field(
        description="For each in-force lineage event (all, or those listed), the latest snapshot as of its "
        "effective date: the last picture of the geography before it changed."
    )


class Pinned(StrictModel):
    pinned: list[Text] = Field(
        min_length=1, description="Snapshots named by label, or by as-of date (YYYY-MM-DD)."
    )


RULES: dict[str, type[StrictModel]] = {
    "latest": Latest,
    "financial_year_end": FinancialYearEnd,
    "lineage_events": LineageEvents,
    "pinned": Pinned,
}


def _rule_name(value: Any) -> str | None:
    """Which rule an entry is, by its one key, so an error names that rule's problem alone."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in RULES:
        return next(iter(value))
    if isinstance(value, StrictModel):
        return next(iter(type(value).model_fields))
    return None


SurfaceRule = Annotated[
    Annotated[Latest, Tag("latest")]
    | Annotated[FinancialYearEnd, Tag("financial_year_end")]
    | Annotated[LineageEvents, Tag("lineage_events")]
    | Annotated[Pinned, Tag("pinned")],
    Discriminator(
        _rule_name,
        custom_error_type="surface_rule",
        custom_error_message="a surface rule is one of {latest: N}, {financial_year_end: all}, "
        "{lineage_events: all or [event ids]}, {pinned: [labels or dates]}",
    ),
]


class SnapshotPolicy(StrictModel):
    id: Identifier
    description: Text = ""
    retain: Literal["all"] = "all"
    surface: list[SurfaceRule] = Field(min_length=1)
    periods: Literal["latest", "all"] = Field(
        default="latest",
        description="Per surfaced snapshot, only its latest period of each output, or all.",
    )
