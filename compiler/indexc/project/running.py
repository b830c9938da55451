"""A run: build, then publish only what changed, then read back what readers will see.

`Project.run` is the facade's entry; the steps are here so that the facade stays a list of what
the project can do. The build is refused before a database is opened when it would fail there
(a scenario of an index on hold, a strict run's warning, a data file the target cannot read). A
DuckDB run whose statements, data files and database are unchanged since the last successful run
publishes nothing (run_state.py); any other run deploys (database.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexc import report, whatif_report
from indexc.errors import UserError, as_error
from indexc.generate import sql_target
from indexc.plan.cold_starts import COLD_STARTS
from indexc.plan.lifecycle import built_indexes
from indexc.project import database, run_state
from indexc.validate.data_files import check_data_files
from indexc.validate.lifecycle import on_hold_selections
from indexc.whatif import WhatIf, published_as_live, what_if

if TYPE_CHECKING:
    from indexc.compilation import Build
    from indexc.engines import Progress
    from indexc.project import Project


def run(
    project: Project,
    target_name: str,
    indexes: tuple[str, ...],
    period: str | None,
    progress: Progress | None,
    scenarios: tuple[str, ...],
    as_name: str | None,
    publish_as_live: bool,
    strict: bool,
) -> list[report.Ranking]:
    """`Project.run`, which says what each argument means."""
    database.refuse_unknown_period(period)
    build, whatif = _build_for_run(
        project, target_name, indexes, scenarios, as_name, publish_as_live, strict
    )
    statements = database.statements_to_publish(build, whatif)
    directory = whatif.directory(target_name) if whatif else target_name  # under build/
    target_sql = sql_target(build.target)
    catalog = build.compilation.catalog
    states, key, record = None, None, None  # the last run's state (project/run_state.py)
    database_file = run_state.database_file(project.root, build)
    if whatif is None and database_file is not None:
        states = run_state.RunStates(project.root, database_file, enabled=project.use_cache)
        key = run_state.run_key(project.root, build, statements, strict)
        record = states.unchanged(key)
    project.run_skipped = False
    with project.session(build) as session:
        if record is not None and session.query(run_state.RELATIONS_QUERY) == record["relations"]:
            project.run_warnings = list(record["warnings"])
            project.smell_accepted = dict(record["smell_accepted"])
            project.run_skipped = True
        else:
            if states is not None:
                states.forget()
            database.deploy(
                project,
                session,
                build,
                statements,
                directory,
                progress,
                strict,
                project.root,
                project._target_location(target_name),
            )
        shown = indexes or built_indexes(catalog)  # every index built, or those selected
        cold = COLD_STARTS if any(o.name == COLD_STARTS for o in build.objects) else None
        rankings = report.read_rankings(
            session.query, target_sql, catalog.indexes, shown, period, cold
        )
        if whatif is not None:
            project.run_what_if_results = whatif_report.read(
                session.query,
                target_sql,
                catalog,
                project.geography_options.proposed,
                scenarios,
                rankings,
            )
        if whatif is not None and whatif.publish_as_live:
            project.run_warnings.append(
                published_as_live(whatif, build.target, project._target_location(target_name))
            )
        relations = session.query(run_state.RELATIONS_QUERY) if states is not None else []
    if states is not None:  # the session is closed: the database file is as the run left it
        states.save(key, relations, project.run_warnings, project.smell_accepted)
    return rankings


def _build_for_run(
    project: Project,
    target_name: str,
    indexes: tuple[str, ...],
    scenarios: tuple[str, ...],
    as_name: str | None,
    publish_as_live: bool,
    strict: bool,
) -> tuple[Build, WhatIf | None]:
    """Compile and build what a run deploys, refusing what would fail before a database is opened."""
    compilation = project.compile(scenarios, indexes)
    on_hold = on_hold_selections(  # a scenario of an index on hold that is not selected
        compilation.catalog,
        (),
        tuple(
            s
            for s in scenarios
            if getattr(compilation.catalog.scenarios.get(s), "index", None) not in indexes
        ),
    )
    if on_hold:
        raise UserError(on_hold)
    if (
        strict and compilation.warnings
    ):  # a warning of the specs stops a strict run before anything is built
        raise UserError([as_error(d) for d in compilation.warnings])
    whatif = what_if(
        compilation.catalog,
        compilation.geography,
        project.geography_options,
        scenarios=scenarios,
        name=as_name,
        publish_as_live=publish_as_live,
    )
    build = project.build(target_name, compilation=compilation, whatif=whatif, indexes=indexes)
    project.run_what_if = whatif
    project.run_schemas = (build.target.schema_, build.target.published)
    project.run_what_if_results = None
    project.run_selection = build.selection
    catalog = build.compilation.catalog
    if target_name == "duckdb":
        problems = check_data_files(project.root, build.target, catalog, target_name)
        if problems:
            raise UserError(problems)
    return build, whatif
