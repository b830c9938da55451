"""What sqlglot's compiled build (sqlglotc) gains indexc, and that indexc prints alike without it.

indexc used to subclass the dialect's sqlglot Generator, which a compiled Generator refuses
("interpreted classes cannot inherit from compiled"); generate/targets.py now prints with the stock
generator after a pass over the tree (targets.Printer). This script keeps the subclass
(`subclassed_generator`, as it was) to compare against, and measures on a build directory:

  compare   (pure sqlglot only) Printer against the subclass on every tree indexc builds for a
            project, per target: byte for byte.
  worker    parse every statement of a build directory (its target's dialect) and print every
            parsed tree with Printer, and under pure sqlglot with the subclass too; prints JSON.
  (default) run `worker` alternately under two interpreters (sqlglot alone, and sqlglot with
            sqlglotc, of one version), and print each round and the medians.

  check     the static Snowflake check on every statement of a build directory, its function
            names generated node by node and by class, and its verdicts remembered; medians.

    python benchmarks/sqlglotc_gain.py compare PROJECT
    python benchmarks/sqlglotc_gain.py check PROJECT/build/snowflake 3
    python benchmarks/sqlglotc_gain.py --pure VENV/bin/python --compiled VENVC/bin/python \
        --statements PROJECT/build/snowflake --rounds 5 --step 1
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.generator import Generator

from indexc.generate.targets import Printer

FOLD = {"snowflake": str.upper, "duckdb": str.lower}


def printer(dialect: str) -> Printer:
    return Printer(Dialect.get_or_raise(dialect), FOLD[dialect], dialect == "duckdb")


def _shared_quantiles(generator: Generator, expression: exp.PercentileCont) -> str | None:
    """DuckDB: several QUANTILE_CONT of one column in one SELECT as one list quantile, indexed.

    DuckDB sorts a group once per quantile aggregate, but once for a list of quantiles, and it
    computes identical aggregates once; so `QUANTILE_CONT(x, 0.05)`, `(x, 0.5)` and `(x, 0.95)` become
    `QUANTILE_CONT(x, [0.05, 0.5, 0.95])[1]`, `[2]` and `[3]`, the same values at about two thirds
    of the cost. None where there is nothing to share.
    """

    def plain(
        quantile: exp.PercentileCont,
    ) -> bool:  # a literal fraction, not in a window or filter
        return isinstance(quantile.expression, exp.Literal) and not isinstance(
            quantile.parent, (exp.Window, exp.Filter, exp.WithinGroup)
        )

    select = expression.find_ancestor(exp.Select)
    if select is None or not plain(expression):
        return None
    column = expression.this.sql()
    fractions = sorted(
        {
            float(q.expression.this)
            for q in select.find_all(exp.PercentileCont)
            if plain(q) and q.this.sql() == column and q.find_ancestor(exp.Select) is select
        }
    )
    if len(fractions) < 2:
        return None
    shared = exp.PercentileCont(
        this=expression.this.copy(),
        expression=exp.Array(expressions=[exp.Literal.number(repr(f)) for f in fractions]),
    )
    position = fractions.index(float(expression.expression.this)) + 1
    return generator.sql(exp.Bracket(this=shared, expressions=[exp.Literal.number(position)]))


def subclassed_generator(
    dialect: Dialect, fold_case: Callable[[str], str], shares_quantiles: bool = False
) -> Generator:
    """indexc's generator before this comparison: a subclass of the dialect's (pure sqlglot only).

    - Every identifier is quoted; an unquoted one is first folded to the case
      the engine gives it (Snowflake upper, DuckDB lower): sqlglot's
      normalize_identifiers, without a separate pass over the tree.
    - The dialect's rewrites of SELECT (unnest, DISTINCT ON, semi-joins, ...)
      and Snowflake's search of each CREATE for materialized-view grants are
      skipped: indexc never builds those constructs, and together they cost
      more than generating the SQL itself.
    - Each row of a VALUES table stays on one line.
    - With `shares_quantiles` (DuckDB), quantiles of one column in one SELECT share one sort.
    """
    base = type(dialect.generator())

    # the dialect's generator class is only known at run time; mypy cannot check a dynamic base
    class IndexcGenerator(base):  # type: ignore[misc,valid-type]
        TRANSFORMS = {key: value for key, value in base.TRANSFORMS.items() if key is not exp.Select}
        if shares_quantiles:
            one_quantile = TRANSFORMS.pop(exp.PercentileCont)

            def percentilecont_sql(self, expression: exp.PercentileCont) -> str:
                return _shared_quantiles(self, expression) or type(self).one_quantile(
                    self, expression
                )

        def identifier_sql(self, expression: exp.Identifier) -> str:
            text = expression.name if expression.quoted else fold_case(expression.name)
            text = text.replace(self._identifier_end, self._escaped_identifier_end)
            return f"{self._identifier_start}{text}{self._identifier_end}"

        def createable_sql(self, expression: exp.Create, locations: defaultdict) -> str:
            return Generator.createable_sql(self, expression, locations)

        def tuple_sql(self, expression: exp.Tuple) -> str:
            """A row of a literal table on one line, so a reviewer reads the area map row by row."""
            if isinstance(expression.parent, exp.Values):
                return f"({self.expressions(expression, flat=True)})"
            return super().tuple_sql(expression)

    return IndexcGenerator(dialect=dialect, pretty=True, identify=True)


def compare(project: Path) -> None:
    """Both ways of generating, on copies of every tree indexc builds for the project."""
    from indexc.generate import statement_for
    from indexc.project import Project

    built = Project(project)
    compilation = built.compile()
    for target_name in ("duckdb", "snowflake"):
        build = built.build(target_name, write=False, compilation=compilation, check=False)
        target = __import__("indexc.generate", fromlist=["sql_target"]).sql_target(build.target)
        new = printer(target_name)
        old = subclassed_generator(
            Dialect.get_or_raise(target_name), FOLD[target_name], target_name == "duckdb"
        )
        same = differ = 0
        started = time.perf_counter()
        for obj in build.objects:
            tree = statement_for(obj.node, target)
            if new.render(tree) == old.generate(tree, copy=False) == obj.statement:
                same += 1
            else:
                differ += 1
                print(f"  differs: {obj.name}")
        seconds = time.perf_counter() - started
        print(f"{target_name}: {same} identical, {differ} differ ({seconds:.1f} s)")


def worker(statements: Path, step: int, dialect: str) -> None:
    texts = [p.read_text() for p in sorted(statements.glob("*.sql"))][::step]
    new = printer(dialect)
    started = time.perf_counter()
    trees = [sqlglot.parse_one(text, read=dialect) for text in texts]
    parsed = time.perf_counter()
    gc.collect()
    gc.freeze()  # the parsed trees are not garbage: no collection rescans them while printing
    for tree in trees[:50]:  # warm both printers alike before timing either
        new.render(tree)
    printing = time.perf_counter()
    for tree in trees:
        new.render(tree)
    generated = time.perf_counter()
    compiled = not sqlglot.generator.__file__.endswith(".py")
    subclass = None
    if not compiled:  # today's way: targets.py's Generator subclass, on the same (restored) trees
        fold = FOLD[dialect]
        ours = subclassed_generator(Dialect.get_or_raise(dialect), fold, dialect == "duckdb")
        for tree in trees[:50]:
            ours.generate(tree, copy=False)
        before = time.perf_counter()
        for tree in trees:
            ours.generate(tree, copy=False)
        subclass = time.perf_counter() - before
    print(
        json.dumps(
            {
                "sqlglot": sqlglot.__version__,
                "compiled": compiled,
                "statements": len(texts),
                "characters": sum(map(len, texts)),
                "parse": parsed - started,
                "generate": generated - printing,
                "generate_subclass": subclass,
            }
        )
    )


def check(statements: Path, rounds: int) -> None:
    """The static Snowflake check on every statement: names generated node by node (as before),
    names by class, and verdicts remembered (a second build of the same text); medians."""
    from indexc.generate import snowflake_check

    texts = [p.read_text() for p in sorted(statements.glob("*.sql"))]
    figures: dict[str, list[float]] = defaultdict(list)
    for round_ in range(rounds):
        ways = [("generated names", True), ("names by class", False)]
        for name, generate_names in ways if round_ % 2 == 0 else ways[::-1]:
            started = time.perf_counter()
            for text in texts:
                snowflake_check.check_statement(text, generate_names=generate_names)
            figures[name].append(time.perf_counter() - started)
        snowflake_check.remember_verdicts(
            {snowflake_check.statement_key(t): snowflake_check.check_statement(t) for t in texts}
        )
        started = time.perf_counter()
        for text in texts:
            snowflake_check.snowflake_problems(text)
        figures["remembered"].append(time.perf_counter() - started)
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in figures.items()))
    compiled = not sqlglot.generator.__file__.endswith(".py")
    print(f"sqlglot {sqlglot.__version__}, compiled {compiled}, {len(texts)} statements, medians:")
    for name, seconds in figures.items():
        print(f"  {name:16} {statistics.median(seconds):7.2f} s")


def alternate(pure: str, compiled: str, statements: Path, rounds: int, step: int) -> None:
    figures: dict[str, dict[str, list[float]]] = {"pure": defaultdict(list), "compiled": {}}
    figures["compiled"] = defaultdict(list)
    dialect = "duckdb" if statements.name == "duckdb" else "snowflake"
    for round_ in range(rounds):
        order = [("pure", pure), ("compiled", compiled)]
        for name, python in order if round_ % 2 == 0 else order[::-1]:
            command = [python, __file__, "worker", str(statements), str(step), dialect]
            result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
            print(f"round {round_ + 1} {name:8} {json.dumps(result)}")
            for key in ("parse", "generate"):
                figures[name][key].append(result[key])
            if result["generate_subclass"] is not None:
                figures[name]["generate_subclass"].append(result["generate_subclass"])
    for key in ("parse", "generate"):
        pure_median = statistics.median(figures["pure"][key])
        compiled_median = statistics.median(figures["compiled"][key])
        print(
            f"median {key:8}: pure {pure_median:6.2f} s, compiled {compiled_median:6.2f} s, "
            f"{pure_median / compiled_median:.2f}x"
        )
    today = statistics.median(figures["pure"]["generate_subclass"])
    compiled_median = statistics.median(figures["compiled"]["generate"])
    print(
        f"median generate today (pure, Generator subclass): {today:6.2f} s; "
        f"compiled stock after the pass {compiled_median:6.2f} s, {today / compiled_median:.2f}x"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "compare":
        compare(Path(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        check(Path(sys.argv[2]), int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pure", required=True, help="python of a venv with sqlglot only")
    parser.add_argument("--compiled", required=True, help="python of a venv with sqlglotc too")
    parser.add_argument("--statements", required=True, type=Path, help="a build directory")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--step", type=int, default=1, help="every step-th statement")
    options = parser.parse_args()
    alternate(options.pure, options.compiled, options.statements, options.rounds, options.step)


if __name__ == "__main__":
    main()
