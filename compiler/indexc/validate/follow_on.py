"""Follow-on errors: what a spec file that failed to load breaks elsewhere, counted instead of listed.

One indentation slip in a file of metrics used to print a dozen "unknown metric" errors in
the files that use those metrics, and the slip itself somewhere among them. The definitions
in a file that did not load are simply absent, so every reference to them fails; those
errors say nothing the load error does not.

The rule: an unknown-reference error (one that carries `refers_to`) is a follow-on of a
failed file when the id it looks for appears in that file's text as a whole word, or when
that file could not be read at all (its text is unknown, so any missing id may be in it).
Such errors are replaced by one note per failed file, which says how many were left out;
fixing the file brings back any that remain. Every other error is shown as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexc.codes import Code
from indexc.errors import Diagnostic, Location, NotShown, Severity
from indexc.load import LoadFailure


def set_aside_follow_ons(
    diagnostics: Iterable[Diagnostic], failures: list[LoadFailure]
) -> list[Diagnostic]:
    """The diagnostics with each follow-on error of a failed file replaced by that file's one note."""
    kept: list[Diagnostic] = []
    counts = {failure.path: 0 for failure in failures}
    for diagnostic in diagnostics:
        cause = _cause(diagnostic, failures)
        if cause is None:
            kept.append(diagnostic)
        else:
            counts[cause] += 1
    return kept + [_note(path, count) for path, count in counts.items() if count]


def _cause(diagnostic: Diagnostic, failures: list[LoadFailure]) -> str | None:
    name = diagnostic.refers_to
    if name is None or diagnostic.severity is not Severity.ERROR:
        return None
    word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    return next((f.path for f in failures if f.text is None or word.search(f.text)), None)


def _note(path: str, count: int) -> NotShown:
    errors = "error" if count == 1 else "errors"
    return NotShown(
        Code.FOLLOW_ON_ERRORS_NOT_SHOWN,
        f"{count} further {errors} in files that refer to {path}, not shown",
        Location(path),
        f"they name ids that {path} may define; fix {path} first, then validate again",
        Severity.NOTE,
        count=count,
    )
