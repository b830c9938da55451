"""Diagnostics: how indexc tells a user what is wrong with their specs or data.

Every stage collects problems as `Diagnostic` values instead of raising at the
first one, so a single run reports everything a reviewer must fix. Only the
facade turns a non-empty error list into `UserError`, the one exception the CLI
catches; anything else that escapes is a bug in indexc and keeps its traceback.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import asdict, dataclass
from typing import Iterable


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


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


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def sort_key(self) -> tuple:
        return (self.location, self.code, self.message)

    def render(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        if self.severity is Severity.WARNING:
            text = f"{self.location}: {self.code} warning: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict:
        data = asdict(self)
        location = data.pop("location")
        data["severity"] = self.severity.value
        return {**data, **location}


def as_error(diagnostic: Diagnostic) -> Diagnostic:
    """The same diagnostic as an error: what `--strict` makes of every warning."""
    return dataclasses.replace(diagnostic, severity=Severity.ERROR)


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
