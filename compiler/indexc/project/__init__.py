"""The facade: one object the CLI (and tests) drive through the whole pipeline.

load -> validate -> resolve -> plan (front_end.py) -> generate -> emit / execute,
as an explicit sequence of stages. Each stage returns diagnostics; the first
stage with errors stops the pipeline by raising `UserError` with everything
found so far, which is the only exception the CLI turns into a clean exit.
The CLI reaches the compiler only through this module: what it needs of the
layers below (the options a project takes, the target names) is named here.
The longer bodies of its methods live in this package's modules: a run
(running.py), the work against a database (database.py), the files it writes
(outputs.py) and the reviewing commands (review.py).
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexc.migrate import CURRENT_VERSION

if TYPE_CHECKING:  # imported where used: `indexc build` with nothing to do loads none of them
    from indexc import impact, migrate_files, portfolio, report, snapshots, whatif_report
    from indexc.cache.fingerprint import Fingerprints
    from indexc.compilation import Build, Compilation
    from indexc.diff import Diff
    from indexc.engines import Progress, sessions
    from indexc.errors import Diagnostic, Location
    from indexc.generate.audiences import AudienceSql
    from indexc.geography import GeographyOptions
    from indexc.plan.selection import Selection
    from indexc.project.builds import Fresh
    from indexc.project.together import Built
    from indexc.reorganisation.readiness import Readiness
    from indexc.spec.targets import TARGET_MODELS
    from indexc.whatif import WhatIf

# the targets a command may name, known without loading their models (tests/test_build_cache.py
# holds this to TARGET_MODELS)
TARGET_NAMES = ("duckdb", "snowflake")

# what the facade names of the layers below, loaded on first use (PEP 562)
_REEXPORTED = {
    "AudienceSql": "indexc.generate.audiences",
    "TARGET_MODELS": "indexc.spec.targets",
    "Build": "indexc.compilation",
    "Compilation": "indexc.compilation",
    "GeographyOptions": "indexc.geography",
    "Readiness": "indexc.reorganisation.readiness",
    "Selection": "indexc.plan.selection",
}


def __getattr__(name: str) -> Any:
    if name in _REEXPORTED:
        return getattr(importlib.import_module(_REEXPORTED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [  # beside Project: what the CLI needs of the layers below, named by the facade
    "CURRENT_VERSION",
    "AudienceSql",
    "TARGET_MODELS",
    "Build",
    "Compilation",
    "GeographyOptions",
    "GeneratorBug",
    "Project",
    "Readiness",
    "Selection",
    "TARGET_NAMES",
]


class GeneratorBug(RuntimeError):
    """Emitted SQL failed the target's static check: a bug in indexc, reported with its traceback."""


class Project:
    def __init__(
        self,
        root: Path | str = ".",
        geography: GeographyOptions | None = None,
        environ: Mapping[str, str] | None = None,
    ):
        self.root = Path(root).resolve()
        # where Snowflake credentials are read; the process's environment by default
        self.environ = environ
        self._geography = geography
        # the command line's --geography-date and --proposed, made options only when compiling
        self.geography_arguments: tuple[datetime.date | None, tuple[str, ...]] = (None, ())
        # whether a build may read and write the cache under .indexc/cache (--no-cache: not)
        self.use_cache = True
        # per build directory written: (objects generated rather than cached, files written)
        self.build_work: dict[Path, tuple[int, int]] = {}
        # the fingerprints of the planned nodes built so far (project/incremental.py)
        self._fingerprints: Fingerprints | None = None
        # the build records `fresh_builds` read, by output directory, for the builds not to read again
        self._records: dict[str, dict[str, Any]] = {}
        # whether the last run found nothing changed since the run before, and published nothing
        self.run_skipped = False
        # what the last run found worth saying but not failing for
        self.run_warnings: list[Diagnostic] = []
        # the last run's what-if, None when it published the live result
        self.run_what_if: WhatIf | None = None
        # the last run's build and published schemas
        self.run_schemas: tuple[str, str] | None = None
        # what the last what-if changed
        self.run_what_if_results: whatif_report.WhatIfResults | None = None
        # measure -> values its smell test flagged that its spec accepts
        self.smell_accepted: dict[str, int] = {}
        # the indexes the last run built and published, when it was given --index
        self.run_selection: Selection | None = None

    @classmethod
    def from_command_line(
        cls, root: Path, date: datetime.date | None, proposed: tuple[str, ...]
    ) -> Project:
        """The project of the command line, without loading the geography's modules until needed."""
        project = cls(root)
        project.geography_arguments = (date, proposed)
        return project

    @property
    def geography_options(self) -> GeographyOptions:
        if self._geography is None:
            from indexc.geography import GeographyOptions

            self._geography = GeographyOptions(*self.geography_arguments)
        return self._geography

    # --- stages ---------------------------------------------------------------------------
    def check(
        self, scenarios: tuple[str, ...] = (), selected: tuple[str, ...] = ()
    ) -> tuple[Compilation | None, list[Diagnostic]]:
        """Load, validate and resolve; every diagnostic found, and a compilation if there were no errors.

        With `scenarios`, only those of the specs' scenarios are planned (a what-if run's `--scenario`);
        `selected`: indexes named to be built, planned even when on hold (plan/lifecycle.py).
        """
        from indexc import front_end

        return front_end.check(
            self.root, self.geography_options, scenarios, selected, cache=self.use_cache
        )

    def compile(
        self, scenarios: tuple[str, ...] = (), selected: tuple[str, ...] = ()
    ) -> Compilation:
        from indexc.collector import fewer_collections
        from indexc.errors import UserError

        with fewer_collections():
            compilation, diagnostics = self.check(scenarios, selected)
        if compilation is None:
            raise UserError(diagnostics)
        return compilation

    def fresh_builds(
        self,
        targets: tuple[str, ...],
        out: Path | None,
        *,
        check: bool,
        indexes: tuple[str, ...],
    ) -> tuple[dict[str, str | None], dict[str, Fresh]]:
        """What each target's build would be made from (project/builds.py), and the targets whose build
        directory is already what their build would write: nothing to do for those. Reads the files
        and the cache only, loading none of the compiler."""
        from indexc.project import builds

        if self._geography is not None:
            date, proposed = self._geography.date, self._geography.proposed
        else:
            date, proposed = self.geography_arguments
        inputs: dict[str, str | None] = {}
        found: dict[str, Fresh] = {}
        for target_name in targets:
            directory = out or builds.default_out(self.root, target_name)
            options = {
                "target": target_name,
                "out": str(directory.resolve()),
                "check": check,
                "indexes": tuple(sorted(set(indexes))),
                "geography_date": date.isoformat() if date else None,
                "proposed": tuple(sorted(set(proposed))),
            }
            inputs[target_name] = builds.inputs_key(self.root, options) if self.use_cache else None
            one = builds.fresh(
                self.root, target_name, directory, inputs[target_name], self._records
            )
            if one is not None:
                found[target_name] = one
        return inputs, found

    def build(
        self,
        target_name: str,
        out: Path | None = None,
        *,
        write: bool = True,
        check: bool = False,
        compilation: Compilation | None = None,
        whatif: WhatIf | None = None,
        indexes: tuple[str, ...] = (),
        inputs: str | None = None,
        after_generating: Callable[[int], None] | None = None,
        before_writing: Callable[[], None] | None = None,
    ) -> Build:
        """Compile for one target; with `check`, also hold every statement to the target's static check.

        Pass the `compilation` of an earlier `compile()` to build several targets from one front end; a
        `whatif` builds into its own schemas and build directory (whatif.py). `indexes`: build only
        what these indexes need (plan/selection.py); none, the whole plan. The SQL of an object whose
        planned node is unchanged since an earlier build, and its check, are taken from the cache
        (project/incremental.py); `inputs`: what `fresh_builds` found the build is made from, recorded
        with what it writes so that the next build with the same inputs writes nothing.
        `after_generating` is told how many objects were generated rather than taken from the cache,
        and `before_writing` is called once everything is generated and checked, before anything is
        written (project/together.py builds a second target meanwhile).
        """
        from indexc.collector import fewer_collections
        from indexc.compilation import Build
        from indexc.errors import UserError, errors_in
        from indexc.generate import sql_target
        from indexc.generate.audiences import compile_audiences
        from indexc.generate.publish import CommandStatement
        from indexc.plan.selection import select, selected_plan, unknown_indexes
        from indexc.project import builds, incremental, outputs
        from indexc.validate.targets import load_target

        compilation = compilation or self.compile(selected=indexes)
        target, diagnostics = load_target(self.root, target_name, compilation.catalog)
        if target is None or errors_in(diagnostics):
            raise UserError(diagnostics)
        if whatif is not None:
            target = whatif.target(target)
        target_sql = sql_target(target)
        target_sql.precheck = check  # generation, split between processes, checks as it goes
        plan, chosen = compilation.plan, None
        if indexes:
            unknown = unknown_indexes(compilation.catalog, indexes, "--index")
            if unknown:
                raise UserError(unknown)
            chosen = select(plan, compilation.catalog, indexes)
            plan = selected_plan(plan, chosen)
        directory = whatif.directory(target_name) if whatif else target_name  # under build/
        if self._fingerprints is None:  # kept for the next build: its nodes are read once
            self._fingerprints = incremental.Fingerprints(incremental.REDUCERS)
        cache = incremental.SqlCache(
            self.root,
            directory,
            target_sql,
            enabled=self.use_cache,
            fingerprints=self._fingerprints,
        )
        with fewer_collections():
            objects = cache.generate(plan)
        if after_generating is not None:
            after_generating(cache.generated)
        audiences = (  # a what-if's own publication is no audience's
            compile_audiences(target_sql, compilation.catalog, objects)
            if whatif is None or whatif.publish_as_live
            else []
        )
        if check:
            problems = [
                f"{obj.name}: {problem}"
                for obj in cache.unchecked(objects)
                for problem in target_sql.static_problems(obj.statement)
            ] + [
                f"audience {audience.audience_id}: {problem}"
                for audience in audiences
                for statement in audience.statements
                if not isinstance(statement, CommandStatement)  # tested by its text
                for problem in target_sql.static_problems(statement.sql)
            ]
            if problems:
                raise GeneratorBug(
                    f"indexc emitted SQL that {target_name} would reject:\n" + "\n".join(problems)
                )
        cache.save(objects, checked=check)
        path = None
        if before_writing is not None:
            before_writing()
        if write:
            out = out or self.root / outputs.BUILD_DIR / directory
            path, written = outputs.write_build(
                self.root,
                out,
                objects,
                target,
                target_name,
                compilation.spec_hash,
                audiences,
                builds.Recorder(
                    self.root,
                    out,
                    cache.keys,
                    compilation.warnings,
                    inputs,
                    self._records.pop(str(out.resolve()), None),
                )
                if self.use_cache
                else None,
            )
            self.build_work[path] = (cache.generated, written)
        return Build(target_name, target, objects, path, compilation, chosen, audiences)

    def build_targets(
        self,
        targets: tuple[str, ...],
        report: Callable[[Built], None],
        out: Path | None,
        *,
        check: bool,
        compilation: Compilation,
        indexes: tuple[str, ...],
        inputs: dict[str, str | None],
    ) -> None:
        """`build` each target in order, calling `report` with what each wrote as it is done; after a
        small change, two targets are built side by side (project/together.py)."""
        from indexc.project import together

        together.build_targets(
            self,
            targets,
            report,
            out=out,
            check=check,
            compilation=compilation,
            indexes=indexes,
            inputs=inputs,
        )

    def run(
        self,
        target_name: str = "duckdb",
        *,
        indexes: tuple[str, ...] = (),
        period: str | None = None,
        progress: Progress | None = None,
        scenarios: tuple[str, ...] = (),
        as_name: str | None = None,
        publish_as_live: bool = False,
        strict: bool = False,
    ) -> list[report.Ranking]:
        """Build into the target's build schema, check, publish, and read back each index's published Top N.

        Consumers read only the published schema, which changes in one step and only when every
        object, check and error audit has passed (generate/publish.py). The run's warnings are read
        from the build before it is published; with `strict`, any of them fails the run instead. A
        what-if (whatif.py: proposed events, another geography date, `scenarios`, or `as_name`) builds
        and publishes into schemas of its own instead, unless `publish_as_live`. `indexes`: build and
        publish only these indexes (and those they read), leaving the others' published objects as they
        are (plan/selection.py, generate/publish.py); their Top N only is read back. A DuckDB run
        whose statements, data files and database are unchanged since the last successful run
        publishes nothing and reads back what is published (project/run_state.py).
        """
        from indexc.project import running

        return running.run(
            self,
            target_name,
            indexes,
            period,
            progress,
            scenarios,
            as_name,
            publish_as_live,
            strict,
        )

    def take_snapshot(
        self, target_name: str, as_of: datetime.date, label: str = ""
    ) -> snapshots.Taken:
        """Freeze what is published on the target (see snapshots.py). A what-if is frozen only when it was
        published as live and the take is given its options (snapshots.py, whatif.py)."""
        from indexc.project import database
        from indexc.whatif import what_if

        build = self.build(target_name, write=False)
        compilation = build.compilation
        whatif = what_if(compilation.catalog, compilation.geography, self.geography_options)
        with self.session(build) as session:
            return database.take_snapshot(
                session,
                build,
                as_of,
                label,
                compilation.geography.date if whatif and compilation.geography else None,
                self._target_location(target_name),
            )

    def status(self, target_name: str = "duckdb") -> list[portfolio.IndexStatus]:
        """Every index: its lifecycle and lenses from the specs, and what the target's database holds of
        it (portfolio.py). A database that does not exist is not created: every index is then not built."""
        from indexc import portfolio
        from indexc.compilation import Build
        from indexc.errors import UserError, errors_in
        from indexc.generate import sql_target
        from indexc.spec.targets import DuckDBTarget
        from indexc.validate.targets import load_target, target_path

        compilation = self.compile()
        declared = portfolio.declared(compilation.catalog, compilation.geography)
        if not target_path(self.root, target_name).is_file():
            return declared  # no target: nothing can have been built
        target, diagnostics = load_target(self.root, target_name, compilation.catalog)
        if target is None or errors_in(diagnostics):
            raise UserError(diagnostics)
        if isinstance(target, DuckDBTarget) and not (self.root / target.database).is_file():
            return declared
        build = Build(target_name, target, [], None, compilation)
        with self.session(build) as session:
            return portfolio.read_back(session, sql_target(target), declared)

    def write_report(
        self,
        index_id: str,
        out: Path,
        *,
        target_name: str = "duckdb",
        snapshot_id: int | None = None,
        audience: str | None = None,
        pdf: bool = True,
    ) -> list[Path]:
        """The regular report of one index (report/regular.py): report.html and report.pdf in `out`, read
        from the live published schema, the frozen rows of `snapshot_id`, or what `audience` may read."""
        from indexc.project import reporting

        return reporting.report(self, index_id, out, target_name, snapshot_id, audience, pdf)

    def show(
        self, area: str, period: str | None = None, target_name: str = "duckdb"
    ) -> dict[str, Any]:
        """An area's profile (a code or a name, any case) across every index the last run published:
        rank and score per period, and the detail of the latest or `period` (lookups/profile.py)."""
        from indexc.project import lookups

        return lookups.show(self, area, period, target_name)

    def export(
        self,
        index_id: str,
        out: Path,
        fmt: str,
        *,
        period: str | None = None,
        with_scores: bool = False,
        force: bool = False,
        audience: str | None = None,
    ) -> list[Path]:
        """Write an index's published results as tidy tables (lookups/tables.py): csv or parquet files
        in the directory `out`, or the xlsx workbook `out`; the paths written. With `audience`, only
        what that audience's views hold (`audience_relations`)."""
        from indexc.project import lookups

        return lookups.export(self, index_id, out, fmt, period, with_scores, force, audience)

    def snapshots(self, target_name: str) -> list[dict]:
        from indexc import snapshots
        from indexc.generate import sql_target

        build = self.build(target_name, write=False)
        with self.session(build) as session:
            return snapshots.existing(session, sql_target(build.target))

    def diff(self, base_ref: str, target_name: str = "duckdb") -> Diff:
        """The working tree's specs against those of `base_ref`, compiled for one target (diff.py)."""
        from indexc.project import review

        head = self.build(target_name, write=False)
        return review.diff_against(
            self.root,
            base_ref,
            target_name,
            head,
            lambda base_root: Project(base_root, self.geography_options).build(
                target_name, write=False
            ),
        )

    def impact(self, source_id: str, structure: Path) -> impact.Impact:
        """What the proposed structure (a source entry under `source:` in a YAML file) would break."""
        from indexc.project import review

        return review.impact_of(self.compile(), source_id, structure)

    def readiness(self, proposed: tuple[str, ...]) -> Readiness:
        """What modelling the `proposed` lineage events would do to every measure's history: per council
        they create or change, how it is produced, and what loses it (reorganisation/readiness.py)."""
        from indexc.project import review

        return review.readiness_of(self.compile(), self.geography_options, proposed)

    def audiences(self, target_name: str = "duckdb") -> list[AudienceSql]:
        """Every audience the specs declare, compiled for one target: its schema, role and views."""
        from indexc.errors import UserError, errors_in
        from indexc.project.audiences import audiences_on
        from indexc.validate.targets import load_target

        compilation = self.compile()
        target, diagnostics = load_target(self.root, target_name, compilation.catalog)
        if target is None or errors_in(diagnostics):
            raise UserError(diagnostics)
        return audiences_on(compilation, target)

    def audience_relations(self, name: str, target_name: str = "duckdb") -> dict[str, str]:
        """What audience `name` may read on a target: each published object it sees (by its logical
        name, e.g. `index__top_level__top`) -> the audience's view of it, qualified as the target
        writes it. A command reading for an audience reads through these only; IX719 for an audience
        the specs do not declare."""
        from indexc.errors import UserError, errors_in
        from indexc.project.audiences import audiences_on, refuse_unknown_audience
        from indexc.validate.targets import load_target

        compilation = self.compile()
        refuse_unknown_audience(compilation, name)
        target, diagnostics = load_target(self.root, target_name, compilation.catalog)
        if target is None or errors_in(diagnostics):
            raise UserError(diagnostics)
        chosen = [a for a in audiences_on(compilation, target) if a.audience_id == name]
        return dict(chosen[0].relations)

    def lineage(self, code: str, *, mermaid: bool = False) -> str:
        """An area's history: events, predecessors, successors and weights (geography/explain.py)."""
        from indexc.project import review

        return review.explain_lineage(self.compile(), code, mermaid)

    def migrate(self, *, write: bool = True) -> list[migrate_files.Migrated]:
        """Bring every spec and target file to the current language in place (all or nothing)."""
        from indexc import migrate_files

        return migrate_files.migrate_project(self.root, write=write)

    def write_docs(self, out: Path) -> Path:
        """The HTML catalogue (catalogue.py) of the specs as they are."""
        from indexc.project import outputs

        return outputs.write_docs(self.compile(), self.root, out)

    def write_schemas(self, out: Path) -> list[Path]:
        """The JSON Schemas of spec and target files, for editors; needs no specs."""
        from indexc.project import outputs

        return outputs.write_schemas(self.root, out)

    @contextlib.contextmanager
    def session(self, build: Build) -> Iterator[sessions.Session]:
        """A session on the build's target database; a clear IX704 when it cannot be opened."""
        from indexc.project import database

        with database.open_session(
            self.root, build, self.environ, self._target_location(build.target_name)
        ) as opened:
            yield opened

    def _target_location(self, target_name: str) -> Location:
        from indexc.errors import Location
        from indexc.validate.targets import target_path

        return Location(str(target_path(self.root, target_name).relative_to(self.root)))
