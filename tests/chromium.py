"""Headless Chromium for the tests that render HTML, installed from Debian's packages when missing.

Like fakesnow's virtualenv, the browser comes from a package registry at test set-up, so the README's
one test command needs nothing installed by hand; on a machine without apt-get or root the test that
needs it fails, saying so.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

NAMES = ("chromium", "chromium-browser")
INSTALL_SECONDS = 900
RENDER_SECONDS = 120
LOCK = Path(__file__).resolve().parents[1] / ".cache" / "chromium-install.lock"


def executable() -> str:
    found = next((shutil.which(n) for n in NAMES if shutil.which(n)), None)
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise RuntimeError(
            "Chromium is not installed, and cannot be without apt-get and root: "
            "install Debian's 'chromium' package"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:  # parallel test workers install it once, one after the other
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = next((shutil.which(n) for n in NAMES if shutil.which(n)), None)
        if found:
            return found
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                env=environment,
                timeout=INSTALL_SECONDS,
            )
    found = next((shutil.which(n) for n in NAMES if shutil.which(n)), None)
    if found is None:
        raise RuntimeError("apt-get installed 'chromium' but no chromium executable is on PATH")
    return found


def rendered_dom(page: Path, profile: Path) -> str:
    """The DOM Chromium built from the page, serialised after it loaded."""
    result = subprocess.run(
        [
            executable(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=RENDER_SECONDS,
        check=False,
    )
    if result.returncode != 0 or "<html" not in result.stdout:
        raise RuntimeError(
            f"Chromium did not render {page}: exit {result.returncode}\n{result.stderr[-2000:]}"
        )
    return result.stdout
