"""Targets bind logical sources to physical relations, so specs stay engine-free.

Snowflake credentials may only be named as environment variables: a target
file is committed and reviewed, and must never hold a secret.
"""

from __future__ import annotations

from typing import Literal
from pathlib import PurePosixPath

from pydantic import Field, ValidationInfo, field_validator
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from indexc.spec.base import Identifier, StrictModel, Text


class FileRelation(StrictModel):
    """A CSV or Parquet file, relative to the project root."""

    path: Text = Field(min_length=1)
    format: Literal["csv", "parquet"] | None = None

    @property
    def file_format(self) -> str:
        if self.format:
            return self.format
        return "parquet" if self.path.lower().endswith(".parquet") else "csv"


class TableRelation(StrictModel):
    """A table or view, optionally qualified as schema.table or database.schema.table."""

    table: Text = Field(min_length=1)

    @field_validator("table")
    @classmethod
    def _plain_table_name(cls, table: str) -> str:
        """One to three identifiers, nothing else: the name is spliced into every source's SQL."""
        try:
            parsed = exp.to_table(table, dialect="snowflake")
        except (ParseError, TokenError) as err:
            raise ValueError(f"'{table}' is not a table name: {str(err).splitlines()[0]}") from None
        parts = [parsed.args.get(key) for key in ("catalog", "db", "this")]
        extra = set(parsed.args) - {"catalog", "db", "this"}
        if any(part is not None and not isinstance(part, exp.Identifier) for part in parts) or any(
                parsed.args.get(key) for key in extra):
            raise ValueError(f"'{table}' is not a plain table name; write table, schema.table or "
                             "database.schema.table")
        return table


class DuckDBTarget(StrictModel):
    target: Literal["duckdb"]
    database: Text = "build/indexc.duckdb"
    schema_: Identifier = Field(default="indexc_build", alias="schema")
    relations: dict[Identifier, FileRelation] = {}

    @field_validator("schema_")
    @classmethod
    def _schema_differs_from_catalog(cls, schema: str, info: ValidationInfo) -> str:
        """DuckDB names the catalog after the database file; a schema of that name is ambiguous."""
        database = info.data.get("database", "")
        if PurePosixPath(database).stem == schema:
            raise ValueError(f"schema '{schema}' has the same name as the database file {database}, "
                             "which DuckDB cannot tell apart; rename one of them")
        return schema


class EnvVar(StrictModel):
    env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")


class SnowflakeConnection(StrictModel):
    account: EnvVar
    user: EnvVar
    password: EnvVar | None = None
    authenticator: EnvVar | None = None
    private_key_file: EnvVar | None = None
    role: EnvVar | None = None
    warehouse: EnvVar | None = None
    host: EnvVar | None = None  # a private link or a local emulator; the account's own host otherwise
    port: EnvVar | None = None
    protocol: EnvVar | None = None


class SnowflakeTarget(StrictModel):
    target: Literal["snowflake"]
    connection: SnowflakeConnection
    database: Text = Field(min_length=1)
    schema_: Text = Field(default="INDEXC", alias="schema", min_length=1)
    relations: dict[Identifier, TableRelation] = {}


Target = DuckDBTarget | SnowflakeTarget

TARGET_MODELS: dict[str, type[StrictModel]] = {"duckdb": DuckDBTarget, "snowflake": SnowflakeTarget}
