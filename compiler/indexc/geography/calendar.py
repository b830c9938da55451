"""Financial years and dates: the geography of a period is the one in force on its first day.

Reorganisations take effect on 1 April, the first day of a financial year, so
an event effective on date E governs every period that starts on or after E.
"""

from __future__ import annotations

import datetime

from indexc.spec.base import PERIOD_PATTERN

YEAR_START = (4, 1)  # 1 April


def label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def start_year(period: str) -> int:
    match = PERIOD_PATTERN.match(period)
    if not match:
        raise ValueError(f"not a financial year label: {period!r}")
    return int(match.group(1))


def first_day(period: str) -> datetime.date:
    return datetime.date(start_year(period), *YEAR_START)


def first_period_from(day: datetime.date) -> str:
    """The earliest period whose first day is on or after `day`."""
    year = day.year if day <= datetime.date(day.year, *YEAR_START) else day.year + 1
    return label(year)


def period_of(day: datetime.date) -> str:
    """The period in force on `day`: the one whose first day is the latest on or before it."""
    year = day.year if day >= datetime.date(day.year, *YEAR_START) else day.year - 1
    return label(year)


def previous(period: str) -> str:
    return label(start_year(period) - 1)
