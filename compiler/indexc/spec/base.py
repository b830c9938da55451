"""Shared building blocks of the spec models: strictness, identifiers and periods.

Every model forbids unknown keys and is frozen, so a typo in a spec is an error
rather than a silently ignored setting, and later stages can share the models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
OPEN_START, OPEN_END = "0000-01", "9999-00"  # the bounds of a range of periods left open


class StrictModel(BaseModel):
    # defer_build: a model's validator and serializer are built when it is first used, not when
    # indexc.spec is imported, so a command pays only for the models it reads (a build: about a
    # quarter of the eighty). A default instance, `Treatment(method="none")`, still builds its own
    # model at import.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _check_identifier(value: str) -> str:
    if "__" in value:
        raise ValueError(
            "must not contain a double underscore '__' (indexc uses it to name compiled objects)"
        )
    if value.endswith("_"):
        raise ValueError("must not end with an underscore")
    return value


Identifier = Annotated[
    str,
    Field(pattern=IDENTIFIER_PATTERN, max_length=48, strict=True),
    AfterValidator(_check_identifier),
]
"""Lower-case snake case: it becomes part of SQL object names on every target."""

ColumnName = Annotated[str, Field(min_length=1, max_length=255, strict=True)]
Text = Annotated[str, Field(strict=True)]
Name = Annotated[str, Field(strict=True, min_length=1)]
"""Text that must not be empty: a unit, a version, an area type."""


def _check_period(value: str) -> str:
    match = PERIOD_PATTERN.match(value)
    if not match:
        raise ValueError("must be a financial year written YYYY-YY, such as 2016-17")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise ValueError(
            f"{value} is not a financial year: {start} is followed by {(start + 1) % 100:02d}"
        )
    return value


def _year_as_text(value: object) -> object:
    """A bare year such as 2016 reaches the financial-year check, whose message says what to write."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PeriodLabel = Annotated[
    str, BeforeValidator(_year_as_text), Field(strict=True), AfterValidator(_check_period)
]
"""The canonical period of indexc v1: a financial year label such as 2016-17."""


def is_period_label(value: str) -> bool:
    try:
        _check_period(value)
    except ValueError:
        return False
    return True


def _check_period_or_latest(value: str) -> str:
    return value if value == "latest" else _check_period(value)


PublishedPeriod = Annotated[
    str, BeforeValidator(_year_as_text), Field(strict=True), AfterValidator(_check_period_or_latest)
]
"""A financial-year label, or 'latest': the most recent period with scores."""


Weight = Annotated[float, Field(strict=True, allow_inf_nan=False, le=1e12)]
"""A weight; positivity is a semantic rule (IX301) so it is reported with a hint."""


def without_unset(data: Any, keys: tuple[str, ...]) -> Any:
    """A dump without the optional keys left unset, so that a spec that does not use them dumps (and
    hashes, and compares in `diff` and `impact`) as it did before they existed."""
    if not isinstance(data, dict):
        return data
    return {key: value for key, value in data.items() if not (key in keys and value is None)}
