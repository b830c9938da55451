"""Documents people read, rendered from jinja2 templates (never the SQL logic itself)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def code_span(text: str) -> str:
    """Markdown inline code that holds any text: delimited by more backticks than any run inside it,
    and with a table's cell separator escaped (GitHub reads `\\|` in a code span as a pipe)."""
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{padding}{text.replace('|', chr(92) + '|')}{padding}{ticks}"


def fenced(text: str, language: str = "") -> str:
    """A markdown code block that no line of `text` can close."""
    fence = "`" * max(3, max((len(run) + 1 for run in re.findall("`{3,}", text)), default=0))
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("indexc", "documents/templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters.update(code=code_span, fence=fenced)
    return environment


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    """HTML pages escape every value: spec text is the user's, and may hold '<' or '&'."""
    return Environment(
        loader=PackageLoader("indexc", "documents/templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=True,
    )


def render_html(template: str, **context: Any) -> str:
    return html_environment().get_template(template).render(**context)
