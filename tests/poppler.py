"""poppler-utils (pdftoppm, pdfinfo) for the tests that read a PDF's pages, installed from Debian's
packages when missing, as tests/chromium.py installs the browser: the README's one test command needs
nothing installed by hand; on a machine without apt-get or root the test that needs it fails, saying so.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

from chromium import (
    LOCK,
)  # one lock for every apt-get of the tests: apt itself allows one at a time

INSTALL_SECONDS = 900


def executable(name: str = "pdftoppm") -> str:
    found = shutil.which(name)
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise RuntimeError(
            f"{name} is not installed, and cannot be without apt-get and root: "
            "install Debian's 'poppler-utils' package"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:  # parallel test workers install it once, one after the other
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shutil.which(name) is None:
            for command in (
                ["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "poppler-utils"],
            ):
                subprocess.run(
                    command,
                    check=True,
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    env=environment,
                    timeout=INSTALL_SECONDS,
                )
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"apt-get installed 'poppler-utils' but no {name} is on PATH")
    return found


def page_images(pdf: Path, out: Path, dpi: int = 72) -> list[Path]:
    """Every page of `pdf` as a PNG at `dpi` (72: one pixel per point), in page order."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [executable(), "-r", str(dpi), "-png", str(pdf), str(out / "page")],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    return sorted(out.glob("page-*.png"))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's size in points, as pdfinfo reads it."""
    first_last = ["-f", "1", "-l", "9999"]
    result = subprocess.run(
        [executable("pdfinfo"), *first_last, str(pdf)],
        check=True,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    sizes = []
    for line in result.stdout.splitlines():
        if line.startswith("Page") and "size:" in line:
            width, _, height = line.split("size:", 1)[1].split()[:3]
            sizes.append((float(width), float(height)))
    return sizes
