"""Targets bind logical sources to physical relations, so specs stay engine-free.

Snowflake credentials may only be named as environment variables: a target
file is committed and reviewed, and must never hold a secret.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
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
            parsed.args.get(key) for key in extra
        ):
            raise ValueError(
                f"'{table}' is not a plain table name; write table, schema.table or "
                "database.schema.table"
            )
        return table


class Schemas:
    """The three schemas of a target, each with one job.

    - `build_schema`: where a run builds every object (the staging area; consumers never read it);
    - `published_schema`: what consumers read, replaced in one step when a run succeeds;
    - `snapshot_schema`: append-only tables of frozen outputs, which no run ever drops or rewrites.
    """

    schema_: str
    published_schema: str | None
    snapshot_schema: str | None

    upper_case_defaults: ClassVar[bool] = False  # Snowflake's unquoted names are upper case

    @property
    def published(self) -> str:
        return self.published_schema or self._beside("_published")

    @property
    def snapshots(self) -> str:
        return self.snapshot_schema or self._beside("_snapshots")

    def _beside(self, suffix: str) -> str:
        return self.schema_ + (suffix.upper() if self.upper_case_defaults else suffix)

    def _three_schemas(self) -> None:
        names = [self.schema_, self.published, self.snapshots]
        if len({n.lower() for n in names}) < 3:
            raise ValueError(
                f"build_schema, published_schema and snapshot_schema must differ (they are {', '.join(names)})"
            )


class DuckDBTarget(StrictModel, Schemas):
    target: Literal["duckdb"]
    database: Text = "build/indexc.duckdb"
    schema_: Identifier = Field(default="indexc_build", alias="build_schema")
    published_schema: Identifier | None = None
    snapshot_schema: Identifier | None = None
    relations: dict[Identifier, FileRelation] = {}

    @field_validator("schema_", "published_schema", "snapshot_schema")
    @classmethod
    def _schema_differs_from_catalog(cls, schema: str | None, info: ValidationInfo) -> str | None:
        """DuckDB names the catalog after the database file; a schema of that name is ambiguous."""
        database = info.data.get("database", "")
        if schema is not None and PurePosixPath(database).stem == schema:
            raise ValueError(
                f"schema '{schema}' has the same name as the database file {database}, "
                "which DuckDB cannot tell apart; rename one of them"
            )
        return schema

    @model_validator(mode="after")
    def _distinct(self) -> DuckDBTarget:
        self._three_schemas()
        return self


class EnvVar(StrictModel):
    env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")


class SnowflakeConnection(StrictModel):
    """Either `name`, a connection of the connector's connections.toml, or `account` and `user` at least.

    Each other field names an environment variable; with `name`, the variables given override the file.
    """

    name: Text | None = None
    connections_file: Text | None = (
        None  # with `name`: this file instead of the connector's own; ~ and relative paths allowed
    )
    account: EnvVar | None = None
    user: EnvVar | None = None
    password: EnvVar | None = None
    authenticator: EnvVar | None = None
    private_key_file: EnvVar | None = None
    role: EnvVar | None = None
    warehouse: EnvVar | None = None
    host: EnvVar | None = (
        None  # a private link or a local emulator; the account's own host otherwise
    )
    port: EnvVar | None = None
    protocol: EnvVar | None = None

    @model_validator(mode="after")
    def _named_or_account(self) -> SnowflakeConnection:
        if self.name is None and (self.account is None or self.user is None):
            raise ValueError(
                "give 'account' and 'user' (each {env: VARIABLE}), or 'name' for a connection of "
                "the Snowflake connector's connections.toml"
            )
        return self


ROLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


class AudienceRoles(StrictModel):
    """The Snowflake role of each audience (spec kind `audiences`): `<prefix>_<AUDIENCE>` unless named.

    A role is granted usage of its audience's schema and select on its views, nothing else
    (generate/audiences.py); two audiences never share one (IX348)."""

    prefix: str | None = Field(default=None, pattern=ROLE_PATTERN, max_length=200)
    """Default: the target's database name."""
    roles: dict[Identifier, str] = Field(default_factory=dict)
    """audience id -> its role, for a role named otherwise than the prefix gives."""

    @field_validator("roles")
    @classmethod
    def _plain_roles(cls, roles: dict[str, str]) -> dict[str, str]:
        for audience, role in roles.items():
            if not isinstance(role, str) or not re.match(ROLE_PATTERN, role):
                raise ValueError(
                    f"the role of audience '{audience}' must be a plain name (letters, digits, _)"
                )
        return roles


class SnowflakeTarget(StrictModel, Schemas):
    upper_case_defaults: ClassVar[bool] = True
    target: Literal["snowflake"]
    connection: SnowflakeConnection
    database: Text = Field(min_length=1)
    schema_: Text = Field(default="INDEXC", alias="build_schema", min_length=1)
    published_schema: Text | None = Field(default=None, min_length=1)
    snapshot_schema: Text | None = Field(default=None, min_length=1)
    relations: dict[Identifier, TableRelation] = {}
    audience_roles: AudienceRoles = AudienceRoles()

    @model_validator(mode="after")
    def _distinct(self) -> SnowflakeTarget:
        self._three_schemas()
        return self

    def audience_role(self, audience_id: str) -> str:
        """The role of an audience: as `audience_roles.roles` names it, else `<prefix>_<AUDIENCE>`
        (the prefix is the database's name unless given), upper case as Snowflake keeps it."""
        named = self.audience_roles.roles.get(audience_id)
        if named is not None:
            return named.upper()
        prefix = self.audience_roles.prefix or self.database
        return f"{prefix}_{audience_id}".upper()


Target = DuckDBTarget | SnowflakeTarget

TARGET_MODELS: dict[str, type[DuckDBTarget] | type[SnowflakeTarget]] = {
    "duckdb": DuckDBTarget,
    "snowflake": SnowflakeTarget,
}
