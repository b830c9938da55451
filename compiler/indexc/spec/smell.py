"""The smell test every measure gets by default: values in the wrong unit are caught before they rank.

A council's spend given in pounds instead of thousands (x1000), an outcome written as a fraction
(0.805 for 80.5%) or a sign slip moves a published Top 10 while every value still looks like a number.
Each is far from its peers and from the council's own neighbouring years, so each measure is tested on
both by default; an analyst can tune or switch the test off, visibly, and accept a known odd value
with a reason (a rescue package, a council of 2,000 residents), so an accepted smell stays recorded.
Defaults and their justification: docs/spec-language.md, "Smell tests".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from indexc.spec.base import Name, PeriodLabel, StrictModel, Text

PEER_FACTOR = 10.0
"""Error: a value more than this many times above or below its peers' median, or its own area's
neighbouring periods. The real example's widest honest ratio among councils of one kind is 8.3
(oflog ASC6); x100, x1000 and a fraction for a percentage (x0.01) are all beyond it."""
WARN_Z = 12.0
"""Warning: a robust z-score, (value - median) / (1.4826 * MAD) among peers, beyond this bound. The real
example's largest honest one is 11.0 (Birmingham's population among metropolitan districts); above it
are only Calderdale's requests resulting in a service, 2015-16 to 2018-19 (z 14.9 to 18.3)."""
MIN_PEERS = 10
"""Fewer areas of a kind with a value in a period than this: no comparison with peers (a median and a
median absolute deviation of a handful of values say little). England's 9 regions are not compared."""
UNIT_RANGES: dict[str, tuple[float, float]] = {"percent": (0.0, 100.0), "percentage": (0.0, 100.0)}
"""A unit's plausible range: a value outside it is an error (8050 for 80.5%)."""


def _says_why(reason: str) -> str:
    if not reason.strip():
        raise ValueError(
            "must say why, in words (it is the record of who looked and what they found)"
        )
    return reason


Reason = Annotated[Text, AfterValidator(_says_why)]


class Accepted(StrictModel):
    """A value the smell test flags that an analyst has looked at and keeps; without `period`, every period."""

    area: Name
    period: PeriodLabel | None = None
    reason: Reason


class SmellTest(StrictModel):
    off: Reason | None = None
    """Why this measure is not smell-tested; the test runs unless a reason is given here."""
    factor: float = Field(default=PEER_FACTOR, gt=1, allow_inf_nan=False)
    warn_z: float = Field(default=WARN_Z, gt=0, allow_inf_nan=False)
    min_peers: int = Field(default=MIN_PEERS, ge=2, strict=True)
    accept: tuple[Accepted, ...] = ()
