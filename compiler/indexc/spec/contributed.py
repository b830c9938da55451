"""Contributed data: a council's own data, read under the consent it gave (the data club).

A source becomes contributed when it names its contributor (`contributed_by`, an area code). Its
`consent` says who may see what is computed from it: audience ids (the `audiences` spec kind; the
built-in `public`, `client` and `internal` until a project declares its own) and two scopes of the
data club itself, `contributor` (the contributing council's own rows) and `club` (aggregates over the
contributors of a measure, never over fewer councils than `club.min_councils`). The compiler proves at
build time that nothing computed from the source reaches an audience outside its consent
(plan/consent.py); docs/governance.md says how.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field

from indexc.spec.base import Identifier, StrictModel

CONTRIBUTOR_SCOPE = "contributor"
"""The contributing council itself: its own rows of what is computed with its data."""
CLUB_SCOPE = "club"
"""The data club: aggregates over the contributors of a measure (club views)."""
SCOPES = (CONTRIBUTOR_SCOPE, CLUB_SCOPE)
BUILT_IN_AUDIENCES = ("public", "client", "internal")
"""The audiences a consent may name while a project declares none of its own (audiences spec kind)."""
USES = ("benchmarking", "club")
"""What contributed data may be used for: scored in indexes (`benchmarking`), aggregated in club
views (`club`)."""
DEFAULT_MIN_COUNCILS = 3


class Consent(StrictModel):
    """Who may see what is computed from a contributed source, for which uses, given when."""

    audiences: tuple[Identifier, ...] = Field(min_length=1)
    """Audience ids and the scopes `contributor` and `club`."""
    uses: tuple[Literal["benchmarking", "club"], ...] = Field(min_length=1)
    given: datetime.date = Field(strict=False)


class Club(StrictModel):
    """The data club's rule for the aggregates a contribution enters: never fewer councils than this."""

    min_councils: int = Field(default=DEFAULT_MIN_COUNCILS, ge=2, strict=True)
