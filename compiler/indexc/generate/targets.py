"""One small class per SQL target: everything that differs between DuckDB and Snowflake.

Layer builders ask a target for object and source relations and hand it the
finished tree to render; no builder ever tests which dialect it is writing.
A target prints with its dialect's stock sqlglot generator after a pass over the
tree (`Printer`), never a subclass of it: sqlglot's compiled build (sqlglotc)
cannot be subclassed, and prints the same text about as fast while parsing (the
static check's main cost) about three times faster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.generator import Generator

from indexc.generate.snowflake_check import remember_verdicts, snowflake_problems, statement_key
from indexc.spec.targets import DuckDBTarget, SnowflakeTarget


def _plain(quantile: exp.PercentileCont) -> bool:
    """A quantile at a literal fraction, not in a window or filter."""
    return isinstance(quantile.expression, exp.Literal) and not isinstance(
        quantile.parent, (exp.Window, exp.Filter, exp.WithinGroup)
    )


Undo = list[Callable[[], object]]


def _replace(node: exp.Expression, by: exp.Expression, undo: Undo) -> None:
    node.replace(by)
    undo.append(lambda: by.replace(node))


Quantiles = dict[tuple[int, str], list[exp.PercentileCont]]


def _group_quantiles(quantiles: list[exp.PercentileCont]) -> Quantiles:
    """DuckDB: several QUANTILE_CONT of one column in one SELECT as one list quantile, indexed.

    DuckDB sorts a group once per quantile aggregate, but once for a list of quantiles, and it
    computes identical aggregates once; so `QUANTILE_CONT(x, 0.05)`, `(x, 0.5)` and `(x, 0.95)` become
    `QUANTILE_CONT(x, [0.05, 0.5, 0.95])[1]`, `[2]` and `[3]`, the same values at about two thirds
    of the cost. `quantiles` are keyed by column before identifiers are folded.
    """
    groups: Quantiles = defaultdict(list)
    for quantile in quantiles:
        select = quantile.find_ancestor(exp.Select)
        if select is not None and _plain(quantile):
            groups[(id(select), quantile.this.sql())].append(quantile)
    return groups


def _index_quantiles(groups: Quantiles, undo: Undo) -> None:
    for group in groups.values():
        fractions = sorted({float(q.expression.this) for q in group})
        if len(fractions) < 2:
            continue
        array = [exp.Literal.number(repr(f)) for f in fractions]
        for quantile in group:
            shared = exp.PercentileCont(
                this=quantile.this.copy(),
                expression=exp.Array(expressions=[a.copy() for a in array]),
            )
            position = exp.Literal.number(fractions.index(float(quantile.expression.this)) + 1)
            _replace(quantile, exp.Bracket(this=shared, expressions=[position]), undo)


def _set_name(identifier: exp.Identifier, name: object, quoted: object) -> None:
    identifier.set("this", name)
    identifier.set("quoted", quoted)


def _prepare(
    tree: exp.Expression, generator: Generator, fold_case: Callable[[str], str], shares: bool
) -> Undo:
    """What indexc asks of the dialect's own generator, done to the tree before printing.

    - Every identifier is quoted; an unquoted one is first folded to the case the engine gives
      it (Snowflake upper, DuckDB lower): sqlglot's normalize_identifiers, in the one walk.
    - Each row of a VALUES table is printed on one line, so a reviewer reads an area map row by row.
    - With `shares` (DuckDB), quantiles of one column in one SELECT share one sort.
    The tree is changed in place; the steps that put it back are returned, because a tree (or a
    node shared between trees) may be printed again, for the other target too.
    """
    undo: Undo = []
    identifiers: list[exp.Identifier] = []
    tables: list[exp.Values] = []
    quantiles: list[exp.PercentileCont] = []
    for node in tree.walk():
        if isinstance(node, exp.Identifier):
            if not node.quoted:
                identifiers.append(node)
        elif isinstance(node, exp.Values):
            tables.append(node)
        elif shares and isinstance(node, exp.PercentileCont):
            quantiles.append(node)
    groups = _group_quantiles(quantiles) if quantiles else {}
    for identifier in identifiers:
        name, quoted = identifier.this, identifier.args.get("quoted")
        identifier.set("this", fold_case(identifier.name))
        identifier.set("quoted", True)
        undo.append(partial(_set_name, identifier, name, quoted))
    if groups:
        _index_quantiles(groups, undo)  # copies of folded columns
    for values in tables:
        _flatten_rows(values, generator, undo)
    return undo


def _flatten_rows(values: exp.Values, generator: Generator, undo: Undo) -> None:
    """Each row of one VALUES table as one line, the list set at once: replacing row by row looks each
    row up in its parent's list, which grows with the square of the rows (hours at 10 million)."""
    rows = list(values.expressions)
    flat = [
        exp.var("(" + ", ".join(generator.sql(value) for value in row.expressions) + ")")
        if isinstance(row, exp.Tuple)
        else row
        for row in rows
    ]
    values.set("expressions", flat)
    undo.append(partial(values.set, "expressions", rows))


def _stock_generator(dialect: Dialect) -> Generator:
    """The dialect's own generator, every identifier quoted, pretty; without its rewrites of
    SELECT (unnest, DISTINCT ON, semi-joins, ...): indexc never builds those constructs, and they
    cost more than printing. Taken out of this instance's dispatch table, not by subclassing, so
    that sqlglot's compiled build (sqlglotc, whose classes cannot be subclassed) prints alike.
    Should a later sqlglot keep no such table, the rewrites run: the SQL snapshots show they change
    nothing indexc builds, so only the time differs. (Snowflake's search of each CREATE for
    materialized-view grants, a method called directly, cannot be skipped this way; it changes
    nothing either.)"""
    generator = dialect.generator(pretty=True, identify=True)
    dispatch = getattr(generator, "_dispatch", None)
    if isinstance(dispatch, dict) and exp.Select in dispatch:
        generator._dispatch = {**dispatch, exp.Select: Generator.select_sql}
    return generator


class Printer:
    """A dialect's stock generator and the pass that prepares a tree for it (`_prepare`)."""

    def __init__(
        self, dialect: Dialect, fold_case: Callable[[str], str], shares_quantiles: bool = False
    ) -> None:
        self.generator = _stock_generator(dialect)
        self.fold_case = fold_case
        self.shares_quantiles = shares_quantiles

    def render(self, expression: exp.Expression) -> str:
        """The tree's SQL. The pass's changes are undone afterwards; sqlglot's generator may
        itself rewrite parts of a tree it prints without copying (Snowflake's quantiles), as ever."""
        undo = _prepare(expression, self.generator, self.fold_case, self.shares_quantiles)
        try:
            return self.generator.generate(expression, copy=False)
        finally:
            for step in reversed(undo):
                step()


CSV_FIELD = r'(?:^|,)("(?:[^"]|"")*"|[^,]*)'
"""One CSV field and the comma before it: quoted (a doubled quote inside is one quote) or not."""
LINE_COLUMN = "LINE"
"""The column of a staged pivoted table that holds each row's line in its file."""


class SqlTarget:
    """A dialect plus the physical bindings of one target file."""

    name: str
    dialect: str
    spec: DuckDBTarget | SnowflakeTarget  # set by each subclass, to its own kind of target
    fold_case = staticmethod(str.lower)
    shares_quantiles = False

    def __init__(self) -> None:
        self._dialect = Dialect.get_or_raise(self.dialect)
        self._printer = Printer(self._dialect, self.fold_case, self.shares_quantiles)
        self.precheck = False
        """Whether generating a statement also reaches its `static_problems` (a build that checks
        sets it): where generation is split between processes, so is the check."""

    def schema_parts(self, schema: str | None = None) -> dict[str, exp.Identifier]:
        """The qualifiers of an object in `schema`: the build schema unless another is named."""
        raise NotImplementedError

    def object_table(
        self, name: str, alias: str | None = None, schema: str | None = None
    ) -> exp.Table:
        table = exp.Table(this=exp.to_identifier(name), **self.schema_parts(schema))
        if alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        return table

    def schema(self, name: str | None = None) -> exp.Table:
        parts = self.schema_parts(name)
        return exp.Table(this=parts["db"], catalog=parts.get("catalog"))

    def published_schema(self, suffix: str = "") -> exp.Table:
        return self.schema(self.spec.published + suffix)

    def published_table(self, name: str, suffix: str = "") -> exp.Table:
        return self.object_table(name, schema=self.spec.published + suffix)

    def snapshot_table(self, name: str, alias: str | None = None) -> exp.Table:
        return self.object_table(name, alias, schema=self.spec.snapshots)

    def source_relation(self, source_id: str) -> exp.Expression:
        raise NotImplementedError

    def numbered_source(self, source_id: str) -> exp.Expression:
        """The source's relation with `source_line`: where each row is in its file, for reports; NULL where
        the engine reads a table, which has no lines."""
        line = exp.Cast(this=exp.Null(), to=exp.DataType.build("bigint"))
        return (
            exp.select(exp.Star(), exp.alias_(line, "source_line"), copy=False)
            .from_(self.source_relation(source_id), copy=False)
            .subquery("numbered", copy=False)
        )

    def source_file(self, source_id: str) -> str:
        """Where a source's rows are read from, as a person would look for them."""
        raise NotImplementedError

    def pivoted_cells(self, source_id: str) -> exp.Select:
        """A pivoted source cell by cell: `source_line`, `cell_column` (text naming the column the same
        way on every line) and `cell` (text, without its quotes), title lines and headers included;
        generate/pivoted.py finds the header among them. Column names are not known when compiling."""
        raise NotImplementedError

    def create(self, name: str, kind: str, query: exp.Expression) -> exp.Create:
        return exp.Create(this=self.object_table(name), kind=kind, replace=True, expression=query)

    def create_schema(self) -> exp.Create:
        return exp.Create(this=self.schema(), kind="SCHEMA", exists=True)

    def static_problems(self, statement: str) -> list[str]:
        """What the target would reject in an emitted statement; none known for engines we execute."""
        return []

    def remember_problems(self, statement: str, problems: list[str]) -> None:
        """Take `static_problems` of a statement reached in another process (generate/halves.py),
        so that asking again here finds them; a target that remembers nothing ignores them."""

    def render(self, expression: exp.Expression) -> str:
        """Pretty SQL with every identifier quoted after the dialect's own case rules."""
        return self._printer.render(expression)


class DuckDBSql(SqlTarget):
    name = "duckdb"
    dialect = "duckdb"
    shares_quantiles = True
    spec: DuckDBTarget

    def __init__(self, spec: DuckDBTarget) -> None:
        super().__init__()
        self.spec = spec

    def schema_parts(self, schema: str | None = None) -> dict[str, exp.Identifier]:
        return {"db": exp.to_identifier(schema or self.spec.schema_)}

    def source_relation(self, source_id: str) -> exp.Expression:
        """Files are read as text so that every engine parses values the same way, in SQL."""
        relation = self.spec.relations[source_id]
        path = exp.Literal.string(relation.path)
        if relation.file_format == "parquet":
            return exp.Table(this=exp.ReadParquet(expressions=[path]))
        options = [
            exp.EQ(this=exp.var("header"), expression=exp.true()),
            exp.EQ(this=exp.var("all_varchar"), expression=exp.true()),
        ]
        return exp.Table(this=exp.ReadCSV(this=path, expressions=options))

    def numbered_source(self, source_id: str) -> exp.Expression:
        """A CSV row's line in its file (the header is line 1; DuckDB reads in file order, and a row number
        over the scan keeps it); a Parquet row's number from 1. A quoted value spanning lines shifts the
        lines after it."""
        first = 0 if self.spec.relations[source_id].file_format == "parquet" else 1
        number = exp.Add(
            this=exp.Window(this=exp.RowNumber()), expression=exp.Literal.number(first)
        )
        return (
            exp.select(exp.Star(), exp.alias_(number, "source_line"), copy=False)
            .from_(self.source_relation(source_id), copy=False)
            .subquery("numbered", copy=False)
        )

    def source_file(self, source_id: str) -> str:
        return self.spec.relations[source_id].path

    def pivoted_cells(self, source_id: str) -> exp.Select:
        """The file as text, split into lines (`source_line` is the line in the file) and each line into
        CSV fields (`cell_column` is the field's position, from 1). read_csv cannot read it: its
        sniffer refuses a file whose title lines have other field counts than its rows. A quoted field
        holding a line break is not supported (LG Inform's area names have none)."""
        path = exp.Literal.string(self.spec.relations[source_id].path).sql(dialect=self.dialect)
        lines = "STRING_SPLIT(content, CHR(10))"
        return sqlglot.parse_one(
            f"""
            SELECT source_line, cell_column, CASE
                WHEN LENGTH(field) >= 2 AND LEFT(field, 1) = '"'
                THEN REPLACE(SUBSTRING(field, 2, LENGTH(field) - 2), '""', '"')
                ELSE field END AS cell
            FROM (
                SELECT source_line, CAST(GENERATE_SUBSCRIPTS(fields, 1) AS VARCHAR) AS cell_column,
                    UNNEST(fields) AS field
                FROM (
                    SELECT source_line, REGEXP_EXTRACT_ALL(
                        RTRIM(LTRIM(line_text, CHR(65279)), CHR(13)), '{CSV_FIELD}', 1
                    ) AS fields
                    FROM (
                        SELECT UNNEST({lines}) AS line_text,
                            GENERATE_SUBSCRIPTS({lines}, 1) AS source_line
                        FROM READ_TEXT({path})
                    ) AS lines
                ) AS fields
            ) AS fields
            """,
            read=self.dialect,
            into=exp.Select,
        )


class SnowflakeSql(SqlTarget):
    name = "snowflake"
    dialect = "snowflake"
    fold_case = staticmethod(str.upper)
    spec: SnowflakeTarget

    def __init__(self, spec: SnowflakeTarget) -> None:
        super().__init__()
        self.spec = spec

    def schema_parts(self, schema: str | None = None) -> dict[str, exp.Identifier]:
        return {
            "db": exp.to_identifier(schema or self.spec.schema_),
            "catalog": exp.to_identifier(self.spec.database),
        }

    def source_relation(self, source_id: str) -> exp.Expression:
        return exp.to_table(self.spec.relations[source_id].table, dialect=self.dialect)

    def source_file(self, source_id: str) -> str:
        return f"table {self.spec.relations[source_id].table}"

    def pivoted_cells(self, source_id: str) -> exp.Select:
        """The table the file was staged into as it is: a column LINE with the file's row number
        (METADATA$FILE_ROW_NUMBER) and one text column per field, any names, any number; each row
        becomes an object of its columns, flattened into one row per cell (an empty cell is NULL and
        absent). The column's name (FLATTEN's KEY) ties each cell to its heading."""
        relation = self.source_relation(source_id).sql(dialect=self.dialect)
        return sqlglot.parse_one(
            f"""
            SELECT row_objects.source_line, cell.key AS cell_column,
                CAST(cell.value AS VARCHAR) AS cell
            FROM (
                SELECT {LINE_COLUMN} AS source_line, OBJECT_CONSTRUCT(*) AS row_object
                FROM {relation}
            ) AS row_objects,
            LATERAL FLATTEN(input => row_objects.row_object) AS cell
            WHERE cell.key <> '{LINE_COLUMN}'
            """,
            read=self.dialect,
            into=exp.Select,
        )

    def static_problems(self, statement: str) -> list[str]:
        return snowflake_problems(statement)

    def remember_problems(self, statement: str, problems: list[str]) -> None:
        remember_verdicts({statement_key(statement): problems})


def sql_target(spec: DuckDBTarget | SnowflakeTarget) -> SqlTarget:
    if isinstance(spec, DuckDBTarget):
        return DuckDBSql(spec)
    return SnowflakeSql(spec)
