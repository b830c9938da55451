"""The facade: one object the CLI (and tests) drive through the whole pipeline.

load -> validate -> resolve -> plan -> generate -> emit / execute, as an
explicit sequence of stages. Each stage returns diagnostics; the first stage
with errors stops the pipeline by raising `UserError` with everything found so
far, which is the only exception the CLI turns into a clean exit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from indexc import (
    catalogue,
    guard_reports,
    impact,
    migrate_files,
    report,
    run_failures,
    run_warnings,
    schema,
    smell_report,
    snapshots,
    whatif_report,
)
from indexc import diff as review
from indexc.codes import Code
from indexc.emit import MANIFEST, content_hash, emit, is_build_directory
from indexc.engines import (
    CheckFailed,
    ObjectFailed,
    Progress,
    PublishFailed,
    sessions,
)
from indexc.errors import COMMAND_LINE, Diagnostic, Location, UserError, as_error, errors_in
from indexc.generate import CompiledObject, generate, sql_target
from indexc.generate.publish import Publication, frozen_names, publish_statements
from indexc.geography import Geography, GeographyOptions, resolve_geography
from indexc.load import load_tree
from indexc.migrate import CURRENT_VERSION
from indexc.plan import Plan, build_plan
from indexc.resolve import Graph, resolve
from indexc.spec.base import is_period_label
from indexc.spec.targets import Target
from indexc.validate import Catalog, validate
from indexc.validate.data_files import check_data_files
from indexc.validate.follow_on import set_aside_follow_ons
from indexc.validate.geography_closure import closure_diagnostics
from indexc.validate.models import did_you_mean
from indexc.validate.targets import load_target, target_path
from indexc.whatif import WhatIf, published_as_live, unknown_scenarios, what_if

SPECS_DIR = "specs"
COMPILE_GC_THRESHOLD = (
    100_000  # allocations between young-generation collections (CPython default: 700)
)
BUILD_DIR = "build"
SPEC_SCHEMA = "indexc-spec.schema.json"
TARGET_SCHEMA = "indexc-target.schema.json"


@contextlib.contextmanager
def fewer_collections():
    """Run the garbage collector's young generation less often while compiling.

    Compiling allocates hundreds of thousands of small, short-lived sqlglot
    nodes; at the default thresholds the collector ran often enough to take
    about a third of compile time (measured by benchmarks/compile_scale.py).
    Young collections still run, so garbage trees are still freed. What
    exists on entry (the specs, the plan) is frozen out of the collector's
    sight: the full collections a growing heap sets off would otherwise scan
    it again and again, which made compile time grow faster than the project.
    """
    previous = gc.get_threshold()
    gc.set_threshold(COMPILE_GC_THRESHOLD, *previous[1:])
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*previous)


class GeneratorBug(RuntimeError):
    """Emitted SQL failed the target's static check: a bug in indexc, reported with its traceback."""


@dataclass(frozen=True)
class Compilation:
    catalog: Catalog
    graph: Graph
    plan: Plan
    spec_hash: str
    warnings: list[Diagnostic] = field(default_factory=list)
    geography: Geography | None = None


@dataclass(frozen=True)
class Build:
    target_name: str
    target: Target
    objects: list[CompiledObject]
    path: Path | None
    compilation: Compilation


class Project:
    def __init__(
        self,
        root: Path | str = ".",
        geography: GeographyOptions | None = None,
        environ: Mapping[str, str] | None = None,
    ):
        self.root = Path(root).resolve()
        self.environ = (
            environ  # where Snowflake credentials are read; the process's environment by default
        )
        self.geography_options = geography or GeographyOptions()
        self.run_warnings: list[
            Diagnostic
        ] = []  # what the last run found worth saying but not failing for
        self.run_what_if: WhatIf | None = (
            None  # the last run's what-if, None when it published the live result
        )
        self.run_schemas: tuple[str, str] | None = (
            None  # the last run's build and published schemas
        )
        self.run_what_if_results: whatif_report.WhatIfResults | None = (
            None  # what the last what-if changed
        )
        self.smell_accepted: dict[
            str, int
        ] = {}  # measure -> values its smell test flagged that its spec accepts

    # --- stages ---------------------------------------------------------------------------
    def check(self, scenarios: tuple[str, ...] = ()) -> tuple[Compilation | None, list[Diagnostic]]:
        """Load, validate and resolve; every diagnostic found, and a compilation if there were no errors.

        With `scenarios`, only those of the specs' scenarios are planned (a what-if run's `--scenario`).
        """
        specs = self.root / SPECS_DIR
        if not specs.is_dir():
            return None, [
                Diagnostic(
                    Code.NO_SPECS,
                    f"no '{SPECS_DIR}/' directory in {self.root}",
                    Location(SPECS_DIR),
                    "run indexc from the project root or pass --project DIR",
                )
            ]
        files, diagnostics, failures = load_tree(specs, self.root)
        if not files and not diagnostics:
            return None, [
                Diagnostic(
                    Code.NO_SPECS,
                    "no spec files found",
                    Location(SPECS_DIR),
                    f"add YAML files starting with 'indexc: {CURRENT_VERSION}' under {SPECS_DIR}/",
                )
            ]
        catalog, problems = validate(files)
        diagnostics += set_aside_follow_ons(problems, failures)
        if scenarios and not errors_in(diagnostics):
            diagnostics += unknown_scenarios(catalog, scenarios)
            catalog = dataclasses.replace(
                catalog,
                scenarios={
                    s: catalog.scenarios[s]
                    for s in sorted(set(scenarios))
                    if s in catalog.scenarios
                },
            )
        if errors_in(diagnostics):
            return None, diagnostics
        graph, problems = resolve(catalog)
        diagnostics += problems
        if errors_in(diagnostics):
            return None, diagnostics
        geography = None
        if catalog.areas:
            geography = resolve_geography(catalog, self.geography_options)
            diagnostics += closure_diagnostics(catalog, geography)
            if errors_in(diagnostics):
                return None, diagnostics
        scenario_geographies = {}
        for scenario in catalog.scenarios.values():
            if scenario.proposed and geography is not None:
                # on the run's geography date, or later if the proposed events take effect later
                date = max(
                    [geography.date, *(catalog.lineage[e].effective for e in scenario.proposed)]
                )
                options = GeographyOptions(
                    date, tuple(sorted({*self.geography_options.proposed, *scenario.proposed}))
                )
                scenario_geographies[scenario.id] = resolve_geography(catalog, options)
                diagnostics += closure_diagnostics(
                    catalog, scenario_geographies[scenario.id], scenario.id
                )
        if errors_in(diagnostics):
            return None, diagnostics
        plan = build_plan(catalog, graph, geography, scenario_geographies)
        hashed = catalog.canonical()
        if geography is not None:
            hashed["geography"] = {
                "date": geography.date.isoformat(),
                "proposed": sorted(self.geography_options.proposed),
            }
        return Compilation(
            catalog, graph, plan, content_hash(hashed), diagnostics, geography
        ), diagnostics

    def compile(self, scenarios: tuple[str, ...] = ()) -> Compilation:
        with fewer_collections():
            compilation, diagnostics = self.check(scenarios)
        if compilation is None:
            raise UserError(diagnostics)
        return compilation

    def build(
        self,
        target_name: str,
        out: Path | None = None,
        *,
        write: bool = True,
        check: bool = False,
        compilation: Compilation | None = None,
        whatif: WhatIf | None = None,
    ) -> Build:
        """Compile for one target; with `check`, also hold every statement to the target's static check.

        Pass the `compilation` of an earlier `compile()` to build several targets from one front end; a
        `whatif` builds into its own schemas and build directory (whatif.py).
        """
        compilation = compilation or self.compile()
        target, diagnostics = load_target(self.root, target_name, compilation.catalog)
        if target is None or errors_in(diagnostics):
            raise UserError(diagnostics)
        if whatif is not None:
            target = whatif.target(target)
        target_sql = sql_target(target)
        with fewer_collections():
            objects = generate(compilation.plan, target_sql)
        if check:
            problems = [
                f"{obj.name}: {problem}"
                for obj in objects
                for problem in target_sql.static_problems(obj.statement)
            ]
            if problems:
                raise GeneratorBug(
                    f"indexc emitted SQL that {target_name} would reject:\n" + "\n".join(problems)
                )
        path = None
        if write:
            out = out or self.root / BUILD_DIR / (
                whatif.directory(target_name) if whatif else target_name
            )
            if not is_build_directory(out):
                shown = out.relative_to(self.root) if out.is_relative_to(self.root) else out
                raise UserError(
                    [
                        Diagnostic(
                            Code.OUTPUT_DIRECTORY_REFUSED,
                            f"{shown} is not empty and holds no {MANIFEST}: not an indexc build to replace",
                            Location(str(shown)),
                            "move its files away, or build into an empty or new directory",
                        )
                    ]
                )
            target_hash = content_hash(target.model_dump(mode="json", by_alias=True))
            try:
                path = emit(objects, out, target_name, compilation.spec_hash, target_hash)
            except OSError as err:
                raise UserError(
                    [
                        Diagnostic(
                            Code.OUTPUT_DIRECTORY_REFUSED,
                            f"cannot write the build to {out}: {err.strerror}",
                            Location(str(out)),
                            "choose a directory you can write",
                        )
                    ]
                ) from None
        return Build(target_name, target, objects, path, compilation)

    def run(
        self,
        target_name: str = "duckdb",
        *,
        index_id: str | None = None,
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
        and publishes into schemas of its own instead, unless `publish_as_live`.
        """
        if period is not None and not is_period_label(period):
            raise UserError(
                [
                    Diagnostic(
                        Code.PERIOD_NOT_SCORED,
                        f"'{period}' is not a financial year",
                        COMMAND_LINE,
                        "write periods as YYYY-YY, such as 2016-17",
                    )
                ]
            )
        compilation = self.compile(scenarios)
        if (
            strict and compilation.warnings
        ):  # a warning of the specs stops a strict run before anything is built
            raise UserError([as_error(d) for d in compilation.warnings])
        whatif = what_if(
            compilation.catalog,
            compilation.geography,
            self.geography_options,
            scenarios=scenarios,
            name=as_name,
            publish_as_live=publish_as_live,
        )
        build = self.build(target_name, compilation=compilation, whatif=whatif)
        self.run_what_if, self.run_schemas = whatif, (build.target.schema_, build.target.published)
        self.run_what_if_results = None
        catalog = build.compilation.catalog
        if index_id is not None and index_id not in catalog.indexes:
            raise UserError(
                [
                    Diagnostic(
                        Code.UNKNOWN_REFERENCE,
                        f"unknown index '{index_id}'",
                        COMMAND_LINE,
                        f"indexes: {', '.join(sorted(catalog.indexes)) or 'none defined'}",
                    )
                ]
            )
        if target_name == "duckdb":
            problems = check_data_files(self.root, build.target, catalog, target_name)
            if problems:
                raise UserError(problems)
        target_sql = sql_target(build.target)
        geography = build.compilation.geography
        publication = Publication(
            build.compilation.spec_hash,
            geography.date if geography else None,
            target_name,
            whatif.name if whatif else None,
        )
        statements = publish_statements(
            target_sql, build.objects, publication, set(frozen_names(catalog.indexes))
        )
        directory = whatif.directory(target_name) if whatif else target_name  # under build/
        with self.session(build) as database:

            def warnings_before_publishing() -> None:
                try:
                    with contextlib.chdir(
                        self.root
                    ):  # a lost item's report reads the source's data
                        self.run_warnings = run_warnings.after_run(
                            database.query, build.objects, build.compilation, target_sql
                        )
                        smells = smell_report.read(
                            database.query, build.objects, build.compilation, target_sql
                        )
                except (
                    sessions.QueryFailed
                ) as failed:  # the engine failed: nothing is published (IX708)
                    raise PublishFailed("reading the build's warnings", str(failed)) from failed
                self.run_warnings += smells.warnings
                self.smell_accepted = smells.accepted
                if strict and self.run_warnings:
                    raise UserError([as_error(d) for d in self.run_warnings])

            try:
                database.deploy(build.objects, statements, progress, warnings_before_publishing)
            except ObjectFailed as failure:
                raise UserError(
                    [
                        run_failures.object_failed(
                            failure,
                            catalog,
                            target_name,
                            f"{BUILD_DIR}/{directory}",
                            self._target_location(target_name),
                        )
                    ]
                ) from None
            except CheckFailed as failure:
                if isinstance(failure.object.node, guard_reports.GUARDS):
                    raise UserError(
                        self._guard_diagnostics(failure, database.query, build)
                    ) from None
                raise UserError(
                    [run_failures.check_failed(failure, catalog, f"{BUILD_DIR}/{directory}")]
                ) from None
            except PublishFailed as failure:
                raise UserError(
                    [
                        Diagnostic(
                            Code.PUBLISHING_FAILED,
                            f"publishing the build on {target_name} failed at {failure.step}: {failure.message}",
                            self._target_location(target_name),
                            f"the published schema {build.target.published} is as it was before the run; the build is "
                            f"in {build.target.schema_}",
                        )
                    ]
                ) from None
            rankings = []
            for this_index in sorted(catalog.indexes) if index_id is None else [index_id]:
                spec = catalog.indexes[this_index]
                chosen = period or (
                    None if spec.publish.period == "latest" else spec.publish.period
                )
                ranking = report.read_ranking(database.query, target_sql, spec, chosen)
                if period and period not in ranking.scored_periods:
                    raise UserError(
                        [
                            Diagnostic(
                                Code.PERIOD_NOT_SCORED,
                                f"index '{this_index}' has no scores for period '{period}'",
                                COMMAND_LINE,
                                f"scored periods: {', '.join(ranking.scored_periods) or 'none'}",
                            )
                        ]
                    )
                rankings.append(ranking)
            if whatif is not None:
                self.run_what_if_results = whatif_report.read(
                    database.query,
                    target_sql,
                    catalog,
                    self.geography_options.proposed,
                    scenarios,
                    rankings,
                )
            if whatif is not None and whatif.publish_as_live:
                self.run_warnings.append(
                    published_as_live(whatif, build.target, self._target_location(target_name))
                )
            return rankings

    def take_snapshot(
        self, target_name: str, as_of: datetime.date, label: str = ""
    ) -> snapshots.Taken:
        """Freeze what is published on the target (see snapshots.py). A what-if is frozen only when it was
        published as live and the take is given its options (snapshots.py, whatif.py)."""
        build = self.build(target_name, write=False)
        compilation = build.compilation
        whatif = what_if(compilation.catalog, compilation.geography, self.geography_options)
        with self.session(build) as database:
            try:
                return snapshots.take(
                    database,
                    sql_target(build.target),
                    as_of,
                    label,
                    compilation.geography.date if whatif else None,
                )
            except snapshots.Refused as refused:
                raise UserError(
                    [
                        Diagnostic(
                            refused.code,
                            str(refused),
                            self._target_location(target_name),
                            refused.hint,
                        )
                    ]
                ) from None
            except sessions.QueryFailed as failed:
                raise UserError(
                    [
                        Diagnostic(
                            Code.SNAPSHOT_NOT_TAKEN,
                            f"the snapshot was not taken: {failed}",
                            self._target_location(target_name),
                            "nothing of it was written; the engine's message says what failed",
                        )
                    ]
                ) from None

    def snapshots(self, target_name: str) -> list[dict]:
        build = self.build(target_name, write=False)
        with self.session(build) as database:
            return snapshots.existing(database, sql_target(build.target))

    def diff(self, base_ref: str, target_name: str = "duckdb") -> review.Diff:
        """The working tree's specs against those of `base_ref`, compiled for one target (diff.py)."""
        head = self.build(target_name, write=False)
        with tempfile.TemporaryDirectory(prefix="indexc-diff-") as directory:
            try:
                base_root = review.checkout(self.root, base_ref, Path(directory))
            except review.BaseUnavailable as err:
                raise UserError(
                    [
                        Diagnostic(
                            Code.BASE_REVISION_UNREADABLE,
                            str(err),
                            Location(SPECS_DIR),
                            "run indexc diff inside a git clone of the project, with a ref such as "
                            "main, HEAD~1 or origin/main",
                        )
                    ]
                ) from None
            try:
                base = Project(base_root, self.geography_options).build(target_name, write=False)
            except UserError as err:
                first = err.diagnostics[0].render().splitlines()[0] if err.diagnostics else ""
                raise UserError(
                    [
                        Diagnostic(
                            Code.BASE_REVISION_UNREADABLE,
                            f"the specs at '{base_ref}' do not compile: {first}",
                            Location(SPECS_DIR),
                            "compare with a revision that compiles",
                        )
                    ]
                ) from None
        return review.compare(
            base.objects,
            head.objects,
            base.compilation.catalog,
            head.compilation.catalog,
            base_ref,
            target_name,
        )

    def impact(self, source_id: str, structure: Path) -> impact.Impact:
        """What the proposed structure (a source entry under `source:` in a YAML file) would break."""
        compilation = self.compile()
        catalog = compilation.catalog
        if source_id not in catalog.sources:
            raise UserError(
                [
                    Diagnostic(
                        Code.UNKNOWN_REFERENCE,
                        f"unknown source '{source_id}'",
                        COMMAND_LINE,
                        did_you_mean(source_id, catalog.sources) or "name a source of specs/",
                    )
                ]
            )
        proposed = impact.read_structure(structure, source_id)
        return impact.analyse(catalog, compilation.graph, source_id, proposed)

    def migrate(self, *, write: bool = True) -> list[migrate_files.Migrated]:
        """Bring every spec and target file to the current language in place (all or nothing)."""
        return migrate_files.migrate_project(self.root, write=write)

    def write_docs(self, out: Path) -> Path:
        """The HTML catalogue (catalogue.py) of the specs as they are."""
        compilation = self.compile()
        directory = out if out.is_absolute() else self.root / out
        geography = compilation.geography
        try:
            return catalogue.write(
                compilation.catalog, geography.date.isoformat() if geography else None, directory
            )
        except OSError as err:
            raise UserError(
                [
                    Diagnostic(
                        Code.OUTPUT_DIRECTORY_REFUSED,
                        f"cannot write the catalogue to {out}: {err.strerror}",
                        Location(str(out)),
                        "choose a directory you can write",
                    )
                ]
            ) from None

    def write_schemas(self, out: Path) -> list[Path]:
        """The JSON Schemas of spec and target files, for editors; needs no specs."""
        directory = out if out.is_absolute() else self.root / out
        files = {SPEC_SCHEMA: schema.spec_schema(), TARGET_SCHEMA: schema.target_schema()}
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                (directory / name).write_text(
                    json.dumps(content, indent=2) + "\n", encoding="utf-8"
                )
        except OSError as err:
            raise UserError(
                [
                    Diagnostic(
                        Code.OUTPUT_DIRECTORY_REFUSED,
                        f"cannot write the schemas to {out}: {err.strerror}",
                        Location(str(out)),
                        "choose a directory you can write",
                    )
                ]
            ) from None
        return [directory / name for name in files]

    @contextlib.contextmanager
    def session(self, build: Build):
        """A session on the build's target database; a clear IX704 when it cannot be opened."""
        try:
            opened = sessions.open_session(
                self.root, build.target, sql_target(build.target), self.environ
            )
        except sessions.CannotOpen as err:
            hint = (
                (
                    "another program may hold it open (a notebook, the duckdb shell): close it, or set 'database:' "
                    "in the target file to another file"
                )
                if build.target_name == "duckdb"
                else (
                    "set the environment variables the target's 'connection:' names, or name a connection of the "
                    "connector's connections.toml with 'connection: {name: ...}'"
                )
            )
            raise UserError(
                [
                    Diagnostic(
                        Code.DATABASE_UNREACHABLE,
                        str(err),
                        self._target_location(build.target_name),
                        hint,
                    )
                ]
            ) from None
        try:
            yield opened
        finally:
            opened.close()

    def _target_location(self, target_name: str) -> Location:
        return Location(str(target_path(self.root, target_name).relative_to(self.root)))

    # --- helpers -----------------------------------------------------------------------------
    def _guard_diagnostics(self, failure: CheckFailed, query, build: Build) -> list[Diagnostic]:
        """A guard's check found rows: every row, with its source's file (guard_reports.py)."""
        files = {
            source: getattr(relation, "path", None) or getattr(relation, "table", "")
            for source, relation in build.target.relations.items()
        }
        with contextlib.chdir(
            self.root
        ):  # where a DuckDB target's data paths start, as when building
            return guard_reports.failed(
                failure.object.node,
                failure.examples,
                query,
                build.objects,
                build.compilation.catalog,
                sql_target(build.target),
                files,
            )
