"""Diagnostics: how indexc tells a user what is wrong with their specs or data.

Every stage collects problems as `Diagnostic` values instead of raising at the
first one, so a single run reports everything a reviewer must fix. Only the
facade turns a non-empty error list into `UserError`, the one exception the CLI
catches; anything else that escapes is a bug in indexc and keeps its traceback.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

# Severity lives in the registry, a code's severity being part of it; modules import it from either
from indexc.codes import Code, Severity

LOAD_CODES = (
    Code.UNREADABLE_FILE,
    Code.NOT_A_SPEC_DOCUMENT,
)  # a file that could not be read: the root cause of what follows, shown first


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a spec or target file, relative to the project root."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


COMMAND_LINE = Location("command line")
"""Where a diagnostic about an option's value points: no file holds the mistake."""


@dataclass(frozen=True)
class Diagnostic:
    code: Code
    message: str
    location: Location
    hint: str | None = None
    severity: Severity = Severity.ERROR
    # the id an unknown-reference error looks for: such an error may only follow from a file that failed to load
    refers_to: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Only a registered code, with a severity the registry gives it (indexc/codes.py)."""
        if not isinstance(self.code, Code):
            raise TypeError(f"{self.code!r} is not a registered diagnostic code (indexc/codes.py)")
        if not self.code.allows(self.severity):
            raise ValueError(
                f"{self.code.value} is {self.code.documented_severity}, not {self.severity.value}"
            )

    @property
    def sort_key(self) -> tuple:
        """Files that failed to load first (their errors explain others), notes last, else by position."""
        rank = 0 if self.code in LOAD_CODES else 2 if self.severity is Severity.NOTE else 1
        return (rank, self.location, self.code, self.message)

    def render(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        if self.severity is not Severity.ERROR:
            text = f"{self.location}: {self.code} {self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("refers_to")
        location = data.pop("location")
        data["code"], data["severity"] = self.code.value, self.severity.value
        return {**data, **location}


@dataclass(frozen=True)
class NotShown(Diagnostic):
    """A note standing for `count` errors left out of the report, e.g. the follow-ons of a file that failed."""

    count: int = 0


def as_error(diagnostic: Diagnostic) -> Diagnostic:
    """The same diagnostic as an error: what `--strict` makes of every warning, whatever its code."""
    # not dataclasses.replace, which checks the severity against the registry: this one overrides it
    strict = copy.copy(diagnostic)
    object.__setattr__(strict, "severity", Severity.ERROR)
    return strict


def errors_in(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.sort_key, d.hint, d.severity): d for d in diagnostics}
    return [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1] or "", k[2].value))]


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], indent=2)


class UserError(Exception):
    """Raised at the facade boundary when a run has error diagnostics."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))
