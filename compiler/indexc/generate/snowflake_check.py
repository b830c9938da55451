"""A static check of emitted Snowflake SQL: it parses, and uses only Snowflake's functions and types.

Local engines that imitate Snowflake accept SQL the real service rejects, so
every statement we emit for Snowflake is parsed with sqlglot's Snowflake
dialect and its functions and types are held to lists taken from Snowflake's
documentation. A failure here is a bug in indexc's generator, not a user error.

The check runs on every statement of every Snowflake build, so it is made cheap
without changing a single verdict: a function's name is looked up by its class
wherever sqlglot would print that class by its fixed SQL name (see
`function_name`), and a statement's verdict is remembered under a hash of its text
and of everything the verdict depends on (`statement_key`), in memory and, through
`verdicts` / `remember_verdicts`, in whatever cache a caller keeps between builds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError
from sqlglot.generator import Generator

# Functions Snowflake documents (a subset: those a numeric index pipeline can reasonably use).
SNOWFLAKE_FUNCTIONS = frozenset(
    """
ABS ACOS ANY_VALUE APPROX_PERCENTILE ASIN ATAN ATAN2 AVG CAST CEIL COALESCE CONCAT CONCAT_WS CORR COS COUNT
COUNT_IF COVAR_POP COVAR_SAMP CUME_DIST CURRENT_DATE CURRENT_TIMESTAMP DATEADD DATEDIFF DATE_FROM_PARTS
DATE_TRUNC DAY DENSE_RANK DIV0 EXP FIRST_VALUE FLATTEN FLOOR GREATEST IFF IFNULL KURTOSIS LAG LAST_VALUE LEAD LEAST
LEFT LENGTH LISTAGG LN LOG LOWER LPAD LTRIM MAX MEDIAN MIN MOD MONTH NTH_VALUE NTILE NULLIF NVL OBJECT_CONSTRUCT
PERCENTILE_CONT
PERCENTILE_DISC PERCENT_RANK POW POWER RANK REGEXP_LIKE REPLACE RIGHT ROUND ROW_NUMBER RPAD RTRIM SIGN SKEW
SPLIT_PART SQRT SQUARE STDDEV STDDEV_POP STDDEV_SAMP SUBSTR SUBSTRING SUM TO_CHAR TO_DATE TO_DOUBLE TO_NUMBER
TO_VARCHAR TRIM TRUNC TRY_CAST UPPER VARIANCE VAR_POP VAR_SAMP YEAR ZEROIFNULL
""".split()
)

# Scalar types Snowflake accepts; DuckDB-only types such as HUGEINT, UBIGINT, LIST or STRUCT are absent.
SNOWFLAKE_TYPES = frozenset(
    {
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.BOOLEAN,
        exp.DataType.Type.CHAR,
        exp.DataType.Type.DATE,
        exp.DataType.Type.DECIMAL,
        exp.DataType.Type.DOUBLE,
        exp.DataType.Type.FLOAT,
        exp.DataType.Type.INT,
        exp.DataType.Type.SMALLINT,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.TIMESTAMP,
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.TINYINT,
    }
)


SYNTAX = (
    exp.Binary,
    exp.Unary,
    exp.Connector,
    exp.Window,
    exp.Case,
    exp.If,
    exp.Exists,
)  # not functions

RULES = "2"
"""The version of the rules below; part of every verdict's key, so a change to them is a new key."""

_DIALECT = Dialect.get_or_raise("snowflake")
_GENERATOR = type(_DIALECT.generator())


def generated_name(node: exp.Func) -> str:
    """The name Snowflake will see: the generated text up to the first parenthesis."""
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    head = node.sql(dialect="snowflake").split("(", 1)[0]
    return head.strip().upper()


def _generated_head(node: exp.Func) -> str:
    """`generated_name` with one dialect instance for every node: `node.sql(dialect="snowflake")`
    is `Dialect.get_or_raise("snowflake").generate(node)` on a new instance of the dialect with its
    default settings, which `_DIALECT` is too (and generating never changes a dialect); making
    one for each of tens of thousands of nodes was a third of the cost of naming them."""
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    return _DIALECT.generate(node).split("(", 1)[0].strip().upper()


def _printed_by_sql_name(kind: type[exp.Func]) -> bool:
    """Whether the Snowflake generator prints every node of this class as `<sql_name>(<args>)`.

    `Generator.sql` looks a handler up by the node's exact class (a TRANSFORMS entry, or a
    `<key>_sql` method); with none it calls `function_fallback_sql`, which prints
    `func(function_name(node), ...)`, and that name is the class's `sql_name()` unless the dialect
    keeps parsed names in the node's meta (Snowflake does not). Every step is checked to be
    sqlglot's own, so a future release that overrides one sends the class to `generated_name`.
    """
    stock = all(
        getattr(_GENERATOR, method) is getattr(Generator, method)
        for method in ("sql", "function_fallback_sql", "function_name", "func", "normalize_func")
    )
    handled = kind in _GENERATOR.TRANSFORMS or hasattr(_GENERATOR, f"{kind.key}_sql")
    return stock and not handled and _DIALECT.ORIGINAL_NAME_META_KEY is None


_NAMES: dict[type[exp.Func], str | None] = {}
"""Per class: its fixed name, or None where only generating the node tells."""


def function_name(node: exp.Func) -> str:
    """`generated_name`, without generating where the class alone fixes the name.

    Anonymous functions print their own name; a node with comments is generated (a comment
    may be printed before the name); otherwise a class printed by its SQL name is that name.
    """
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    kind = type(node)
    if kind not in _NAMES:
        fixed = _printed_by_sql_name(kind)
        _NAMES[kind] = kind.sql_name().split("(", 1)[0].strip().upper() if fixed else None
    name = _NAMES[kind]
    if name is None or node.comments:
        return _generated_head(node)
    return name


def check_version() -> str:
    """Everything a verdict depends on besides the statement: the rules, the lists and sqlglot
    (its version, and whether it is the compiled build: their parsers give up at other depths)."""
    lists = (
        " ".join(sorted(SNOWFLAKE_FUNCTIONS))
        + "|"
        + " ".join(sorted(t.name for t in SNOWFLAKE_TYPES))
    )
    syntax = " ".join(kind.__name__ for kind in SYNTAX)
    build = "compiled" if not sqlglot.parser.__file__.endswith(".py") else "pure"
    return f"{RULES}|{sqlglot.__version__} {build}|{syntax}|{lists}"


_VERSION = hashlib.sha256(check_version().encode()).hexdigest()


def statement_key(sql: str) -> str:
    """The key of a statement's verdict: sha256 of the check's version and the statement's text."""
    return hashlib.sha256(f"{_VERSION}\n{sql}".encode()).hexdigest()


_VERDICTS: dict[str, tuple[str, ...]] = {}


def verdicts() -> dict[str, list[str]]:
    """Every verdict reached in this process, by `statement_key`, for a cache kept between builds."""
    return {key: list(problems) for key, problems in _VERDICTS.items()}


def remember_verdicts(saved: Mapping[str, Sequence[str]]) -> None:
    """Take verdicts saved by `verdicts` in an earlier process. Their keys hold the check's
    version, so a verdict of other rules or another sqlglot is never found again."""
    for key, problems in saved.items():
        if isinstance(key, str) and all(isinstance(p, str) for p in problems):
            _VERDICTS[key] = tuple(problems)


def check_statement(sql: str, *, generate_names: bool = False) -> list[str]:
    """The check itself, on a statement's text: parse it as Snowflake, then walk it. With
    `generate_names`, every function's name is generated (the reference `function_name` must match)."""
    name = generated_name if generate_names else function_name
    try:
        statements = [s for s in sqlglot.parse(sql, read="snowflake") if s is not None]
    except ParseError as err:
        return [f"does not parse as Snowflake SQL: {err}"]
    if len(statements) != 1:
        return [f"expected one statement, found {len(statements)}"]
    problems = []
    for node in statements[0].walk():
        if isinstance(node, exp.Func) and not isinstance(node, SYNTAX):
            function = name(node)
            if function not in SNOWFLAKE_FUNCTIONS:
                problems.append(f"function {function} is not a Snowflake function")
        elif isinstance(node, exp.DataType) and node.this not in SNOWFLAKE_TYPES:
            problems.append(f"type {node.sql(dialect='snowflake')} is not a Snowflake type")
    return problems


def snowflake_problems(sql: str) -> list[str]:
    """Everything in one statement that Snowflake would not accept, as messages."""
    key = statement_key(sql)
    known = _VERDICTS.get(key)
    if known is None:
        known = _VERDICTS[key] = tuple(check_statement(sql))
    return list(known)
