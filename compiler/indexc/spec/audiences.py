"""Audiences: who may read which of the published results.

An audience is a named set of readers (the public, a gated client, the team itself) and what they
see of a publication: the headline Top N of some indexes, the full results of some indexes, or
everything published. Each compiles to a schema of views of its own over the published schema
(generate/audiences.py), so access is granted per schema, never per table, and a reader's view of
the index is exactly what the spec says. What each `sees` covers, and the defaults, are in
docs/spec-language.md, "Audiences".
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from indexc.spec.base import Identifier, StrictModel, Text

Sees = Literal["headline", "results", "everything", "club"]
"""headline: rank, area code, name, score and period of the headline Top N; results: every published
result of the indexes for all areas; everything: every published object; club: the data club's views
(aggregates over contributors, docs/governance.md), for the councils that contribute."""

TAKES_INDEXES: tuple[Sees, ...] = ("headline", "results")
"""What an audience may narrow to named indexes; `everything` is every published object."""


class Audience(StrictModel):
    id: Identifier
    description: Text = ""
    sees: Sees
    indexes: tuple[Identifier, ...] | None = Field(default=None, min_length=1)
    """The indexes it sees. Absent: for `headline` the headline index (`publish.headline`), for
    `results` every index not on hold; `everything` and `club` take none (IX345)."""
