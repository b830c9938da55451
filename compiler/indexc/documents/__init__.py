"""Documents people read, rendered from jinja2 templates (never the SQL logic itself)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("indexc", "documents/templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    """HTML pages escape every value: spec text is the user's, and may hold '<' or '&'."""
    return Environment(loader=PackageLoader("indexc", "documents/templates"), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, autoescape=True)


def render_html(template: str, **context) -> str:
    return html_environment().get_template(template).render(**context)
