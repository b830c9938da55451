"""The facade: one object the CLI (and tests) drive through the whole pipeline.

load -> validate -> resolve -> plan (front_end.py) -> generate -> emit / execute,
as an explicit sequence of stages. Each stage returns diagnostics; the first
stage with errors stops the pipeline by raising `UserError` with everything
found so far, which is the only exception the CLI turns into a clean exit.
The CLI reaches the compiler only through this module: what it needs of the
layers below (the options a project takes, the target names) is named here.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from indexc import (
    catalogue,
    front_end,
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
from indexc.compilation import Build, Compilation
from indexc.emit import MANIFEST, content_hash, emit, is_build_directory
from indexc.engines import CheckFailed, ObjectFailed, Progress, PublishFailed, sessions
from indexc.errors import COMMAND_LINE, Diagnostic, Location, UserError, as_error, errors_in
from indexc.front_end import SPECS_DIR, fewer_collections
from indexc.generate import generate, sql_target
from indexc.generate.publish import Publication, PublishStatement, frozen_names, publish_statements
from indexc.geography import GeographyOptions
from indexc.geography.explain import explain_mermaid, explain_text
from indexc.migrate import CURRENT_VERSION
from indexc.spec.base import is_period_label
from indexc.spec.targets import TARGET_MODELS
from indexc.validate.data_files import check_data_files
from indexc.validate.models import did_you_mean
from indexc.validate.targets import load_target, target_path
from indexc.whatif import WhatIf, published_as_live, what_if

__all__ = [  # beside Project: what the CLI needs of the layers below, named by the facade
    "CURRENT_VERSION",
    "TARGET_MODELS",
    "Build",
    "Compilation",
    "GeographyOptions",
    "GeneratorBug",
    "Project",
]

BUILD_DIR = "build"
SPEC_SCHEMA = "indexc-spec.schema.json"
TARGET_SCHEMA = "indexc-target.schema.json"


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
        self.geography_options = geography or GeographyOptions()
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

    # --- stages ---------------------------------------------------------------------------
    def check(self, scenarios: tuple[str, ...] = ()) -> tuple[Compilation | None, list[Diagnostic]]:
        """Load, validate and resolve; every diagnostic found, and a compilation if there were no errors.

        With `scenarios`, only those of the specs' scenarios are planned (a what-if run's `--scenario`).
        """
        return front_end.check(self.root, self.geography_options, scenarios)

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
                raise _unwritable("the build", out, err) from None
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
        _refuse_unknown_period(period)
        build, whatif = self._build_for_run(
            target_name, index_id, scenarios, as_name, publish_as_live, strict
        )
        statements = _publish_statements(build, whatif)
        directory = whatif.directory(target_name) if whatif else target_name  # under build/
        target_sql = sql_target(build.target)
        catalog = build.compilation.catalog
        with self.session(build) as database:
            self._deploy(database, build, statements, directory, progress, strict)
            rankings = report.read_rankings(
                database.query, target_sql, catalog.indexes, index_id, period
            )
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

    def _build_for_run(
        self,
        target_name: str,
        index_id: str | None,
        scenarios: tuple[str, ...],
        as_name: str | None,
        publish_as_live: bool,
        strict: bool,
    ) -> tuple[Build, WhatIf | None]:
        """Compile and build what a run deploys, refusing what would fail before a database is opened."""
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
        return build, whatif

    def _deploy(
        self,
        database: sessions.Session,
        build: Build,
        statements: list[PublishStatement],
        directory: str,
        progress: Progress | None,
        strict: bool,
    ) -> None:
        """Build every object and publish; the run's warnings are read in between (`strict`: they stop it)."""

        def warnings_before_publishing() -> None:
            self._read_run_warnings(database, build, strict)

        try:
            database.deploy(build.objects, statements, progress, warnings_before_publishing)
        except (ObjectFailed, CheckFailed, PublishFailed) as failure:
            raise UserError(
                run_failures.deploy_failed(
                    failure,
                    database.query,
                    build,
                    self.root,
                    f"{BUILD_DIR}/{directory}",
                    self._target_location(build.target_name),
                )
            ) from None

    def _read_run_warnings(self, database: sessions.Session, build: Build, strict: bool) -> None:
        """What the build found worth saying (run_warnings.py, smell_report.py), read before publishing."""
        target_sql = sql_target(build.target)
        try:
            with contextlib.chdir(self.root):  # a lost item's report reads the source's data
                self.run_warnings = run_warnings.after_run(
                    database.query, build.objects, build.compilation, target_sql
                )
                smells = smell_report.read(
                    database.query, build.objects, build.compilation, target_sql
                )
        except sessions.QueryFailed as failed:  # the engine failed: nothing is published (IX708)
            raise PublishFailed("reading the build's warnings", str(failed)) from failed
        self.run_warnings += smells.warnings
        self.smell_accepted = smells.accepted
        if strict and self.run_warnings:
            raise UserError([as_error(d) for d in self.run_warnings])

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
                    compilation.geography.date if whatif and compilation.geography else None,
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

    def lineage(self, code: str, *, mermaid: bool = False) -> str:
        """An area's history: events, predecessors, successors and weights (geography/explain.py)."""
        compilation = self.compile()
        catalog, geography = compilation.catalog, compilation.geography
        if geography is None or code not in catalog.areas:
            raise UserError(
                [
                    Diagnostic(
                        Code.UNKNOWN_REFERENCE,
                        f"unknown area code '{code}'",
                        COMMAND_LINE,
                        did_you_mean(code, catalog.areas)
                        or "declare areas under 'areas:' in specs/",
                    )
                ]
            )
        explain = explain_mermaid if mermaid else explain_text
        return explain(catalog, geography, code)

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
            raise _unwritable("the catalogue", out, err) from None

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
            raise _unwritable("the schemas", out, err) from None
        return [directory / name for name in files]

    @contextlib.contextmanager
    def session(self, build: Build) -> Iterator[sessions.Session]:
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


def _refuse_unknown_period(period: str | None) -> None:
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


def _publish_statements(build: Build, whatif: WhatIf | None) -> list[PublishStatement]:
    """The statements that publish the build, stamped with what it was compiled from."""
    geography = build.compilation.geography
    publication = Publication(
        build.compilation.spec_hash,
        geography.date if geography else None,
        build.target_name,
        whatif.name if whatif else None,
    )
    frozen = set(frozen_names(build.compilation.catalog.indexes))
    return publish_statements(sql_target(build.target), build.objects, publication, frozen)


def _unwritable(what: str, out: Path, err: OSError) -> UserError:
    return UserError(
        [
            Diagnostic(
                Code.OUTPUT_DIRECTORY_REFUSED,
                f"cannot write {what} to {out}: {err.strerror}",
                Location(str(out)),
                "choose a directory you can write",
            )
        ]
    )
