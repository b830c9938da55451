"""A static check of emitted Snowflake SQL: it parses, and uses only Snowflake's functions and types.

Local engines that imitate Snowflake accept SQL the real service rejects, so
every statement we emit for Snowflake is parsed with sqlglot's Snowflake
dialect and its functions and types are held to lists taken from Snowflake's
documentation. A failure here is a bug in indexc's generator, not a user error.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

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


def function_name(node: exp.Func) -> str:
    """The name Snowflake will see: the generated text up to the first parenthesis."""
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    head = node.sql(dialect="snowflake").split("(", 1)[0]
    return head.strip().upper()


def snowflake_problems(sql: str) -> list[str]:
    """Everything in one statement that Snowflake would not accept, as messages."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="snowflake") if s is not None]
    except ParseError as err:
        return [f"does not parse as Snowflake SQL: {err}"]
    if len(statements) != 1:
        return [f"expected one statement, found {len(statements)}"]
    problems = []
    for node in statements[0].walk():
        if isinstance(node, exp.Func) and not isinstance(node, SYNTAX):
            name = function_name(node)
            if name not in SNOWFLAKE_FUNCTIONS:
                problems.append(f"function {name} is not a Snowflake function")
        elif isinstance(node, exp.DataType) and node.this not in SNOWFLAKE_TYPES:
            problems.append(f"type {node.sql(dialect='snowflake')} is not a Snowflake type")
    return problems
