"""The report's PDF: the HTML page printed by headless Chromium, found on PATH.

Chromium lays the page out as a reader's browser would (the page's `@page` rule makes it A4), so the
PDF and the HTML cannot drift apart. It runs with a throw-away profile, no sandbox (it may run as
root in a container) and no header or footer (the page carries no date of its own). indexc installs
nothing: without Chromium the command says so (IX409) and `--no-pdf` skips the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic, UserError

PDF = "report.pdf"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_SECONDS = 180


def _refused(message: str, hint: str) -> UserError:
    return UserError([Diagnostic(Code.PDF_NOT_PRINTED, message, COMMAND_LINE, hint)])


def chromium() -> str:
    found = next((shutil.which(name) for name in NAMES if shutil.which(name)), None)
    if found is None:
        raise _refused(
            f"cannot print the report's PDF: no chromium on PATH (looked for {', '.join(NAMES)})",
            "install Chromium (Debian: apt-get install chromium), or pass --no-pdf to write the "
            "HTML only; the HTML was written",
        )
    return found


def print_pdf(page: Path, executable: str | None = None) -> Path:
    """`page` printed to report.pdf beside it."""
    browser = executable or chromium()
    out = page.parent / PDF
    with tempfile.TemporaryDirectory(prefix="indexc-chromium-") as profile:
        try:
            result = subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={out.resolve()}",
                    page.resolve().as_uri(),
                ],
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=PRINT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise _refused(
                f"cannot print the report's PDF: {browser} did not finish ({err})",
                "the HTML was written; try again, or pass --no-pdf",
            ) from None
    if result.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise _refused(
            f"cannot print the report's PDF: {browser} exited {result.returncode} ({last})",
            "the HTML was written; pass --no-pdf to skip the PDF",
        )
    return out
