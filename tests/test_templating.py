"""A template's text is parsed once per shape (generate/templating.py): the values leave markers in the
text and are swapped for their literals in a copy of the parsed tree. The tree must be the one the text
with its literals written in parses to, for any value, and a value where a marker cannot stand must
still come out right. The templates here are written for the test; the values are synthetic."""

from __future__ import annotations

import jinja2
import pytest
import sqlglot

from indexc.generate import templating

TEMPLATES = {
    "values.sql.j2": (
        "SELECT {{ text(name) }} AS name, v * {{ num(factor) }} AS scaled, "
        "QUANTILE_CONT(v, {{ plain(q) }}) AS q, {{ finite('v') }} AS ok\n"
        "FROM (VALUES ({{ text(name) }}, {{ plain(factor) }})) AS t(name, v)\n"
        "WHERE v > {{ num(factor) }} OR name IN ({{ text(name) }}, {{ text(name ~ '!') }})"
    ),
    # a string where an alias stands: sqlglot reads it as a name, not as a value
    "alias.sql.j2": "SELECT 1 AS {{ text(name) }}",
}


@pytest.fixture
def environment(monkeypatch):
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), undefined=jinja2.StrictUndefined)
    monkeypatch.setattr(templating, "_environment", lambda: env)
    return env


def _written(env, template: str, **values) -> str:
    """The SQL with its literals written in, as the template reads without markers."""
    return env.get_template(template).render(
        num=templating.num,
        plain=templating.plain,
        text=templating.text,
        finite=templating._finite,
        **values,
    )


VALUES = [
    {"name": "plain", "factor": 2, "q": 0.5},
    {"name": 'it\'s "quoted"', "factor": -1.96, "q": 1e-12},
    {"name": "", "factor": 1e20, "q": -0.25},
    {"name": "indexc_lit_0_", "factor": 0, "q": 3},
    {"name": "a\\b\nc", "factor": -0.0, "q": 5e-324},
    {"name": "''", "factor": float("inf"), "q": 1 / 3},
]


@pytest.mark.parametrize("values", VALUES)
def test_a_value_comes_out_as_it_was_written(environment, values) -> None:
    tree = templating.render("values.sql.j2", None, **values)
    expected = sqlglot.parse_one(_written(environment, "values.sql.j2", **values), read="duckdb")
    for dialect in ("duckdb", "snowflake"):
        assert tree.sql(dialect) == expected.sql(dialect)
    assert tree == expected


def test_one_shape_is_parsed_once(environment) -> None:
    templating._shape.cache_clear()
    trees = [templating.render("values.sql.j2", None, **values) for values in VALUES]
    assert templating._shape.cache_info().misses == 1
    assert len({t.sql("duckdb") for t in trees}) == len(VALUES)


def test_a_copy_is_not_shared(environment) -> None:
    first = templating.render("values.sql.j2", None, **VALUES[0])
    first.find(sqlglot.exp.Literal).replace(sqlglot.exp.Literal.string("changed"))
    again = templating.render("values.sql.j2", None, **VALUES[0])
    expected = sqlglot.parse_one(_written(environment, "values.sql.j2", **VALUES[0]), read="duckdb")
    assert again == expected


def test_a_value_where_no_marker_can_stand_is_written_in(environment) -> None:
    for name in ("first", "second"):
        tree = templating.render("alias.sql.j2", None, name=name)
        expected = sqlglot.parse_one(
            _written(environment, "alias.sql.j2", name=name), read="duckdb"
        )
        assert tree.sql("snowflake") == expected.sql("snowflake")
        assert name in tree.sql("duckdb")
