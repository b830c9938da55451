"""Which grains and formats would read a period label, for the hint of a refused one.

A label such as `2018-20` is not a financial year; it reads as three calendar years, or two
financial years. indexc never guesses which: the period check (IX702) refuses it and names the
declarations that would read it, computed here from the label alone.
"""

from __future__ import annotations

import datetime
import re

from indexc.spec.sources import POOLED_GRAINS

LONGEST_POOL = 10  # years; a label implying more (2018-06 as 89 years) is not offered as pooled
_SPAN = re.compile(r"^(\d{4})([-/])(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(/P[1-9]\d*[YM])?$")


def _reader(grain: str, written: str, years: int | None = None) -> str:
    pooled = f" with years: {years}" if grain in POOLED_GRAINS else ""
    return f"{grain}{pooled} ({written})"


def grains_reading(label: str) -> list[str]:
    """The grain (with `years:`) and format of every declaration that would read `label`."""
    if _YEAR.match(label):
        return [_reader(g, "YYYY") for g in ("calendar_year", "financial_year_ending", "mid_year")]
    if _QUARTER.match(label):
        return [_reader("quarter", "YYYY-QN")]
    iso = _ISO.match(label)
    if iso:
        try:
            datetime.date.fromisoformat(iso.group(1))
        except ValueError:
            return []
        return [_reader("iso_interval", "ISO8601")]
    span = _SPAN.match(label)
    if not span:
        return []
    start, separator, suffix = int(span.group(1)), span.group(2), int(span.group(3))
    written = f"YYYY{separator}YY"
    end = start - start % 100 + suffix
    end += 100 if end <= start else 0
    readers = []
    if separator == "-" and suffix in (3, 6, 9, 12):
        readers.append(_reader("quarter", "YYYY-MM"))
    apart = end - start
    if apart == 1:
        readers += [_reader("financial_year", written), _reader("academic_year", written)]
    if apart + 1 <= LONGEST_POOL:
        readers.append(_reader("calendar_years", written, apart + 1))
    if 2 <= apart <= LONGEST_POOL:
        readers.append(_reader("financial_years", written, apart))
    return readers
