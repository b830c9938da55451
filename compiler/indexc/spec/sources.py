"""Sources: the logical description of a published data set.

A source says which columns hold the area, period, item and value, how its
periods are written, and which items (long layout) or value columns (wide
layout) it publishes; a pivoted source has one column per period and one item.
Physical locations live in target files, so the same source compiles for a CSV
on a laptop and a table in Snowflake.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from indexc.spec.base import ColumnName, Identifier, StrictModel, Text, without_unset
from indexc.spec.contributed import Club, Consent
from indexc.spec.geography import AreaCode, AreaMapColumns, SourceGeography

PeriodGrain = Literal[
    "financial_year",
    "financial_year_ending",
    "mid_year",
    "calendar_year",
    "academic_year",
    "quarter",
    "calendar_years",
    "financial_years",
    "iso_interval",
]
PeriodFormat = Literal["YYYY-YY", "YYYY/YY", "YYYY", "YYYY-MM", "YYYY-QN", "ISO8601"]

GRAIN_FORMATS: dict[str, tuple[str, ...]] = {
    "financial_year": ("YYYY-YY", "YYYY/YY"),
    "financial_year_ending": ("YYYY",),
    "mid_year": ("YYYY",),
    "calendar_year": ("YYYY",),
    "academic_year": ("YYYY-YY", "YYYY/YY"),
    "quarter": ("YYYY-MM", "YYYY-QN"),
    "calendar_years": ("YYYY-YY", "YYYY/YY"),
    "financial_years": ("YYYY-YY", "YYYY/YY"),
    "iso_interval": ("ISO8601",),
}
"""The formats each grain can be written in (the first is the usual one)."""
POOLED_GRAINS = frozenset({"calendar_years", "financial_years"})
"""Grains of several years, which declare how many (`years:`) so a label is never guessed."""
FINANCIAL_YEAR_GRAINS = frozenset({"financial_year", "financial_year_ending", "mid_year"})
"""Grains whose every period is, or falls within, one financial year: `align: exact` reads them."""
LONGEST_INTERVAL_MONTHS = 1200
"""An ISO 8601 duration longer than 100 years is refused as unreadable rather than risk a date the
engines cannot hold."""


class PeriodParsing(StrictModel):
    """How a source writes its periods; each period is read as its start and end dates.

    - financial_year, "YYYY-YY" or "YYYY/YY": 2016-17 is April 2016 to March 2017;
    - financial_year_ending, "YYYY": 2017 is the financial year ending in March 2017 (2016-17);
    - mid_year, "YYYY": an estimate at 30 June 2016 (a point, in the financial year 2016-17);
    - calendar_year, "YYYY": 2019 is 1 January to 31 December 2019;
    - academic_year, "YYYY-YY" or "YYYY/YY": 2016-17 is 1 September 2016 to 31 August 2017;
    - quarter, "YYYY-MM" (the quarter's last month, 2018-06 is April to June 2018) or "YYYY-QN"
      (2018-Q2, the same calendar quarter);
    - calendar_years, "YYYY-YY" with `years: N`: 2018-20 is 1 January 2018 to 31 December 2020 (N 3);
    - financial_years, "YYYY-YY" with `years: N`, as ONS writes them: 2014-17 is 1 April 2014 to
      31 March 2017 (N 3);
    - iso_interval, "ISO8601": a start date and a duration in years or months, 2018-01-01/P3Y is
      2018-01-01 to 2020-12-31, or a single date, 2002-04-01 (a point).

    A row's financial year (`period`) is the one its period's end falls in.
    """

    grain: PeriodGrain
    format: PeriodFormat
    years: int | None = Field(default=None, strict=True)
    """How many years a pooled period (calendar_years, financial_years) covers: 2 or more."""

    @model_validator(mode="after")
    def _format_fits_grain(self) -> PeriodParsing:
        expected = GRAIN_FORMATS[self.grain]
        if self.format not in expected:
            raise ValueError(
                f"grain {self.grain} is written as {' or '.join(expected)}, not {self.format}"
            )
        if self.grain in POOLED_GRAINS and (self.years is None or self.years < 2):
            raise ValueError(
                f"grain {self.grain} needs 'years:', the number of years each period pools "
                "(2 or more: 3 for 2018-20)"
            )
        if self.grain not in POOLED_GRAINS and self.years is not None:
            raise ValueError(
                f"'years:' is for the pooled grains calendar_years and financial_years, "
                f"not {self.grain}"
            )
        return self

    @property
    def within_financial_year(self) -> bool:
        """Every period is a financial year or a point in one (the grains before issue 17)."""
        return self.grain in FINANCIAL_YEAR_GRAINS


ITEM_SEPARATOR = "/"


class LongColumns(StrictModel):
    area: ColumnName
    period: ColumnName
    item: ColumnName | tuple[ColumnName, ...]
    """One column, or several whose values together name an item (a table, row and column, say):
    the item is then their values joined by '/', such as `STS001/Outcome`."""
    value: ColumnName
    lci: ColumnName | None = None
    """The lower confidence limit of each value, if the source publishes one (with `uci`)."""
    uci: ColumnName | None = None

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return without_unset(handler(self), ("lci", "uci"))

    @field_validator("item")
    @classmethod
    def _two_or_more_item_columns(cls, item: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(item, tuple):
            if len(item) < 2:
                raise ValueError(
                    "give one item column, or a list of two or more whose values together name an item"
                )
            if len({name.lower() for name in item}) < len(
                item
            ):  # engines fold the case of column names
                raise ValueError(
                    f"an item column is listed twice in {list(item)} (case is ignored)"
                )
        return item

    @property
    def item_columns(self) -> tuple[str, ...]:
        return self.item if isinstance(self.item, tuple) else (self.item,)

    @property
    def value_columns(self) -> dict[str, str]:
        """The columns read as numbers, by role (value, lci, uci): where missing markers apply."""
        limits = {"lci": self.lci, "uci": self.uci}
        return {"value": self.value} | {role: c for role, c in limits.items() if c is not None}


class WideColumns(StrictModel):
    area: ColumnName
    period: ColumnName


class PivotedColumns(StrictModel):
    area: ColumnName
    """The header of the column of area codes: the header row is the first line with a cell reading
    this (case and spaces around it ignored), and a line repeating it in the body is skipped."""
    labels: tuple[ColumnName, ...] = ()
    """The other columns that are not periods (the area's names), read by nothing."""

    @model_validator(mode="after")
    def _each_column_once(self) -> PivotedColumns:
        names = [self.area.strip().lower(), *(label.strip().lower() for label in self.labels)]
        if len(set(names)) < len(names):
            raise ValueError("a column is named twice among area and labels (case is ignored)")
        return self

    @property
    def not_periods(self) -> tuple[str, ...]:
        """Every header that names no period, as the header row is matched: trimmed, lower case."""
        return (self.area.strip().lower(), *(label.strip().lower() for label in self.labels))


class RegisterColumns(StrictModel):
    area: ColumnName
    name: ColumnName
    type: ColumnName
    valid_from: ColumnName | None = None
    valid_to: ColumnName | None = None


Items = dict[ColumnName, Text]

GSS_MISSING_MARKERS = (
    "..",
    ":",
    "[c]",
    "[x]",
    "[z]",
    "[low]",
    "[u]",
    "x",
    "c",
    "z",
    "*",
    "-",
    "NA",
)
"""The UK Government Statistical Service's symbols for a cell with no value (its guidance on symbols
in tables), and `NA`: what a source's `missing:` is when it does not say."""
PARSED_COLUMNS = frozenset(
    {"area_code", "period_raw", "period_start_year", "period_start", "period_end"}
)


class _PublishedSource(StrictModel):
    """What long and wide sources share: periods, geography and the items they publish."""

    id: Identifier
    description: Text = ""
    period: PeriodParsing
    geography: SourceGeography | None = None
    """Needed once the project declares lineage: how the source's codes are restated."""
    items: Items = Field(min_length=1)
    missing: tuple[Text, ...] | None = None
    """The texts that mean "no value" in a value cell, compared exactly after trimming spaces; a blank
    cell is always missing. Not given: GSS_MISSING_MARKERS (validate/value_columns.py checks a list)."""
    contributed_by: AreaCode | None = None
    """The council whose own data this is (a data club contribution, spec/contributed.py)."""
    consent: Consent | None = None
    """Who may see what is computed from a contributed source: required with `contributed_by`."""
    club: Club | None = None
    """The club's minimum number of councils for the aggregates this contribution enters."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return without_unset(handler(self), ("missing", "contributed_by", "consent", "club"))

    @property
    def contributed(self) -> bool:
        return self.contributed_by is not None

    @property
    def missing_markers(self) -> tuple[str, ...]:
        return GSS_MISSING_MARKERS if self.missing is None else self.missing


class LongSource(_PublishedSource):
    """One row per area, period and item: the item column(s) say which measure a row holds.

    With several item columns, each item must give a value for every one (checked in
    validate/items.py, at the item)."""

    layout: Literal["long"]
    columns: LongColumns

    def item_parts_problem(self, item: str) -> str | None:
        """Why an item cannot name a row of several item columns, or None."""
        parts = len(self.columns.item_columns)
        values = item.split(ITEM_SEPARATOR)
        if parts > 1 and (len(values) != parts or not all(values)):
            return (
                f"item '{item}' of source '{self.id}' must give a value for each of the {parts} item columns "
                f"({', '.join(self.columns.item_columns)}), joined by '{ITEM_SEPARATOR}'"
            )
        return None


class WideSource(_PublishedSource):
    """One row per area and period; every published item is a value column."""

    layout: Literal["wide"]
    columns: WideColumns

    @field_validator("items")
    @classmethod
    def _items_do_not_shadow_parsed_columns(cls, items: dict[str, str]) -> dict[str, str]:
        clashes = sorted(name for name in items if name.lower() in PARSED_COLUMNS)
        if clashes:
            raise ValueError(
                f"item column {clashes[0]!r} has a name indexc uses while parsing a source "
                f"({', '.join(sorted(PARSED_COLUMNS))}); rename the column in the data"
            )
        return items


class PivotedSource(_PublishedSource):
    """One row per area and one column per period, headed by the period's label, of a single item: LG
    Inform Plus's CSV grouped by area in rows and by period in columns.

    Lines before the header row (a title) and a copy of the header row inside the body are skipped;
    every header but the area column and `labels` is a period, written as `period:` says. Which item
    the values are is not in the file: `items` names exactly one (an LG Inform metric type id, say).
    How each target reads it: generate/pivoted.py."""

    layout: Literal["pivoted"]
    columns: PivotedColumns

    @field_validator("items")
    @classmethod
    def _one_item(cls, items: dict[str, str]) -> dict[str, str]:
        if len(items) > 1:
            raise ValueError(
                f"a pivoted file holds the values of one item, not {len(items)}: declare one "
                "source per file (per LG Inform metric type)"
            )
        return items

    @property
    def item(self) -> str:
        return next(iter(self.items))


class RegisterSource(StrictModel):
    """A list of areas with their names, types and validity, used by universes and reports."""

    id: Identifier
    description: Text = ""
    layout: Literal["register"]
    columns: RegisterColumns


class AreaMapSource(StrictModel):
    """Weighted, effective-dated edges between areas: group memberships or a crosswalk."""

    id: Identifier
    description: Text = ""
    layout: Literal["area_map"]
    columns: AreaMapColumns
    geography: SourceGeography
    """The level and date of the codes mapped from; they are restated like any data."""
    rows: dict[ColumnName, Text | tuple[Text, ...]] = {}
    """Only rows whose column holds one of these values (after trimming) are edges: a file that lists
    the same pairs at two levels (ICBs onto counties and onto districts) maps onto one of them."""

    @field_validator("rows")
    @classmethod
    def _some_value_per_column(
        cls, rows: dict[str, str | tuple[str, ...]]
    ) -> dict[str, str | tuple[str, ...]]:
        empty = sorted(column for column, values in rows.items() if values == ())
        if empty:
            raise ValueError(f"column {empty[0]!r} lists no value: give the values of rows to read")
        return rows

    def row_values(self) -> dict[str, tuple[str, ...]]:
        return {
            column: (values,) if isinstance(values, str) else values
            for column, values in sorted(self.rows.items())
        }


DataSource = LongSource | WideSource | PivotedSource
"""A source of values (a register or area map holds none)."""
DATA_SOURCES = (LongSource, WideSource, PivotedSource)
Source = LongSource | WideSource | PivotedSource | RegisterSource | AreaMapSource

SOURCE_LAYOUTS: dict[str, type[StrictModel]] = {
    "long": LongSource,
    "wide": WideSource,
    "register": RegisterSource,
    "area_map": AreaMapSource,
    "pivoted": PivotedSource,
}
