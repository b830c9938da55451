"""What-ifs never touch the published results: a run with `--proposed`, another `--geography-date`,
`--scenario` or `--as` builds and publishes into schemas of its own (whatif.py), and every published
object, the publication row, the snapshots and the live build schema are as they were, to the byte.

The geo fixture gains a proposed split of its steady council S into P1 and P2, and a scenario of its
index, so that every kind of what-if has something to change.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project
from test_publish import POLICY, published_state

from indexc.cli import main
from indexc.errors import UserError
from indexc.geography import GeographyOptions
from indexc.project import Project

PROPOSED = """indexc: 2
areas:
  - {code: P1, name: Proposed One, type: UA, valid_from: 2022-04-01, provisional: true}
  - {code: P2, name: Proposed Two, type: UA, valid_from: 2022-04-01, provisional: true}
lineage:
  - id: s_split
    effective: 2022-04-01
    status: proposed
    type: split
    from: [S]
    shares_source: made up for this test
    to:
      - {code: P1, share: 0.6}
      - {code: P2, share: 0.4}
scenarios:
  - {id: cost_first, index: value, weights: {cost: 3}}
  - {id: split_s, index: value, proposed: [s_split]}
"""

WHAT_IFS = {  # the kinds of what-if: the project's geography options and the run's own options
    "proposed": (GeographyOptions(proposed=("s_split",)), {}),
    "geography date": (GeographyOptions(datetime.date(2021, 4, 1)), {}),
    "scenario": (GeographyOptions(), {"scenarios": ("cost_first",)}),
    "named": (GeographyOptions(), {"as_name": "trial"}),
    "proposed and named": (GeographyOptions(proposed=("s_split",)), {"as_name": "surrey_like"}),
}


@pytest.fixture
def geo_what_if(geo_project: Path) -> Path:
    (geo_project / "specs" / "proposed.yaml").write_text(PROPOSED)
    (geo_project / "specs" / "policies.yaml").write_text(POLICY)
    return geo_project


def live_state(project: Path) -> dict:
    """The live publication, snapshots and build schema, and the live build's SQL files, byte for byte."""
    target = Project(project).build("duckdb", write=False).target
    state = published_state(project / target.database, target.published, target.snapshots)
    state |= published_state(project / target.database, target.schema_)
    files = sorted((project / "build" / "duckdb").iterdir())
    return state | {f"file {path.name}": path.read_bytes() for path in files}


def schemas(database: Path) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            row[0]
            for row in connection.execute(
                "SELECT schema_name FROM information_schema.schemata"
            ).fetchall()
        }


def publication(database: Path, schema: str) -> tuple:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            f'SELECT geography_date, what_if FROM "{schema}".indexc__publication'
        ).fetchone()


@pytest.fixture(scope="module")
def live_geo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The what-if fixture run live and snapshotted once, with its live state: each test of a kind of
    what-if starts from a byte-for-byte copy of it instead of running and snapshotting again."""
    root = copy_project(FIXTURES / "geo", tmp_path_factory.mktemp("live") / "geo")
    (root / "specs" / "proposed.yaml").write_text(PROPOSED)
    (root / "specs" / "policies.yaml").write_text(POLICY)
    Project(root).run()
    Project(root).take_snapshot("duckdb", datetime.date(2019, 3, 31))
    return root, live_state(root)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(WHAT_IFS))
def test_a_what_if_leaves_the_live_publication_byte_for_byte(
    live_geo: tuple[Path, dict], tmp_path: Path, kind: str
) -> None:
    geo_what_if = Path(shutil.copytree(live_geo[0], tmp_path / "geo"))
    before = live_state(geo_what_if)
    assert before == live_geo[1]  # the copy is the live run, byte for byte
    options, run_options = WHAT_IFS[kind]
    project = Project(geo_what_if, options)
    project.run(**run_options)
    assert live_state(geo_what_if) == before
    build, published = project.run_schemas
    assert (build, published) == (
        f"geo_index__whatif__{project.run_what_if.name}",
        f"geo_index_published__whatif__{project.run_what_if.name}",
    )
    database = geo_what_if / "build" / "geo.duckdb"
    assert {build, published} <= schemas(database)
    assert publication(database, published)[1] == project.run_what_if.name
    assert (
        geo_what_if / "build" / f"duckdb__whatif__{project.run_what_if.name}" / "manifest.json"
    ).is_file()


@pytest.mark.slow
def test_the_what_if_name_is_derived_from_the_options(geo_what_if: Path) -> None:
    names = {}
    for kind, (options, run_options) in WHAT_IFS.items():
        project = Project(geo_what_if, options)
        project.run(**run_options)
        names[kind] = project.run_what_if.name
    assert names == {
        "proposed": "s_split",
        "geography date": "at_2021_04_01",
        "scenario": "scenario_cost_first",
        "named": "trial",
        "proposed and named": "surrey_like",
    }


@pytest.mark.slow
def test_the_default_geography_date_is_the_live_result(geo_what_if: Path) -> None:
    project = Project(
        geo_what_if, GeographyOptions(datetime.date(2020, 4, 1))
    )  # the latest in-force event's
    project.run()
    assert project.run_what_if is None and project.run_schemas == (
        "geo_index",
        "geo_index_published",
    )


def refusal(project: Project) -> str:
    with pytest.raises(UserError) as refused:
        project.take_snapshot("duckdb", datetime.date(2023, 3, 31))
    (diagnostic,) = refused.value.diagnostics
    assert diagnostic.code == "IX721"
    return diagnostic.message


@pytest.mark.slow
def test_publish_as_live_replaces_the_live_result_and_says_so(geo_what_if: Path) -> None:
    project = Project(geo_what_if, GeographyOptions(proposed=("s_split",)))
    project.run(publish_as_live=True)
    database = geo_what_if / "build" / "geo.duckdb"
    assert publication(database, "geo_index_published") == (datetime.date(2022, 4, 1), "s_split")
    assert [w.code for w in project.run_warnings if w.code == "IX722"] == ["IX722"]


@pytest.mark.slow
def test_a_what_if_published_as_live_is_snapshotted_only_when_the_take_names_it(
    geo_what_if: Path,
) -> None:
    Project(geo_what_if, GeographyOptions(proposed=("s_split",))).run(publish_as_live=True)
    assert "is what-if 's_split', published as the live result" in refusal(Project(geo_what_if))
    other_date = Project(geo_what_if, GeographyOptions(datetime.date(2021, 4, 1)))
    assert "what-if 's_split' on the geography of 2022-04-01, not the what-if" in refusal(
        other_date
    )
    named = Project(geo_what_if, GeographyOptions(proposed=("s_split",)))
    taken = named.take_snapshot("duckdb", datetime.date(2023, 3, 31))
    assert taken.frozen["index__value__scores"] > 0


@pytest.mark.slow
def test_what_if_options_never_snapshot_the_live_result(geo_what_if: Path) -> None:
    Project(geo_what_if).run()
    proposed = Project(geo_what_if, GeographyOptions(proposed=("s_split",)))
    assert "is the live result, not the what-if" in refusal(proposed)


@pytest.mark.parametrize("name", ["Trial", "1st", "a-b", "x; drop schema y", "a" * 61])
def test_a_what_if_name_must_be_a_plain_identifier(geo_what_if: Path, name: str) -> None:
    with pytest.raises(UserError) as refused:
        Project(geo_what_if).run(as_name=name)
    assert refused.value.diagnostics[0].code == "IX720"
    assert not (geo_what_if / "build").exists()


def test_an_unknown_scenario_is_ix102_with_did_you_mean(geo_what_if: Path) -> None:
    with pytest.raises(UserError) as refused:
        Project(geo_what_if).run(scenarios=("cost_frist",))
    diagnostic = refused.value.diagnostics[0]
    assert (
        diagnostic.code == "IX102"
        and "cost_frist" in diagnostic.message
        and "cost_first" in diagnostic.hint
    )


def run_cli(project: Path, *arguments: str):
    ran = CliRunner().invoke(main, ["--project", str(project), *arguments])
    assert ran.exit_code == 0, ran.output
    return ran


@pytest.mark.slow
def test_a_proposed_run_prints_the_proposed_councils_ranks_outside_the_top_n(
    geo_what_if: Path,
) -> None:
    data = geo_what_if / "specs" / "data.yaml"
    data.write_text(data.read_text().replace("publish: {top: 3,", "publish: {top: 1,"))
    ran = run_cli(geo_what_if, "--proposed", "s_split", "run")
    top, proposed = ran.stdout.split("the proposed councils")
    assert "P1" not in top
    assert [line.split()[1:4] for line in proposed.splitlines() if "Proposed" in line] == [
        ["3", "│", "P1"],
        ["3", "│", "P2"],
    ]
    assert (
        "what-if 's_split' (proposed s_split): built in geo_index__whatif__s_split, published to "
        "geo_index_published__whatif__s_split; the live publication is unchanged"
    ) in ran.stderr


@pytest.mark.slow
def test_a_scenario_run_prints_its_biggest_rank_movers(geo_what_if: Path) -> None:
    ran = run_cli(geo_what_if, "run", "--scenario", "cost_first")
    assert "scenario cost_first of value, 2018-19: the biggest rank movers" in ran.stdout
    movers = ran.stdout.split("the biggest rank movers")[1]
    database = geo_what_if / "build" / "geo.duckdb"
    with duckdb.connect(str(database), read_only=True) as connection:
        expected = connection.execute(
            "SELECT area_code, baseline_rank, scenario_rank FROM "
            "geo_index_published__whatif__scenario_cost_first.index__value__scenario__cost_first__deltas "
            "WHERE period = '2018-19' AND rank_delta <> 0 ORDER BY abs(rank_delta) DESC, area_code LIMIT 5"
        ).fetchall()
    assert expected, "the scenario moves some council"
    rows = [line for line in movers.splitlines() if line.startswith("│")]
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in rows]
    assert [[code, baseline, scenario] for code, _, baseline, scenario, _ in cells] == [
        [code, str(baseline), str(scenario)] for code, baseline, scenario in expected
    ]


@pytest.mark.slow
def test_the_live_run_says_where_it_published_and_publish_as_live_is_loud(
    geo_what_if: Path,
) -> None:
    assert (
        "published to geo_index_published (the live result)" in run_cli(geo_what_if, "run").stderr
    )
    loud = run_cli(geo_what_if, "--proposed", "s_split", "run", "-q", "--publish-as-live").stderr
    assert (
        "PUBLISHED AS THE LIVE RESULT: what-if 's_split' (proposed s_split) replaced what consumers read in "
        "geo_index_published"
    ) in loud


def test_a_long_derived_name_is_cut_with_a_digest_of_the_whole() -> None:
    from indexc.whatif import MAX_NAME, derived_name, name_problem

    surrey = ("surrey_2027_split", "east_surrey_2027_merge", "west_surrey_2027_merge")
    name = derived_name(surrey, None, ())
    other = derived_name(surrey, datetime.date(2028, 4, 1), ())
    assert len(name) == MAX_NAME and name.startswith("east_surrey_2027_merge__surrey_2027_split__")
    assert name != other and name_problem(name) is None and name_problem(other) is None


@pytest.mark.fakesnow
def test_a_what_if_on_snowflake_leaves_the_live_publication_byte_for_byte(
    geo_what_if: Path, fakesnow_port, monkeypatch
) -> None:
    """Through fakesnow: the live published schema (and its snapshots) and the live build schema are unchanged
    by a proposed and by a scenario what-if, each published into its own schema by its own swap."""
    from test_snowflake_fakesnow import prepare_fakesnow, schema_state, stand_in_for_snowflake
    from test_snowflake_fakesnow import published_state as snowflake_state

    from indexc.engines import snowflake as snowflake_engine

    target, environment = prepare_fakesnow(geo_what_if, fakesnow_port)
    stand_in_for_snowflake(monkeypatch)
    Project(geo_what_if, environ=environment).run("snowflake")
    connection = snowflake_engine.connect(target, environment, network_timeout=60, login_timeout=15)
    cursor = connection.cursor()

    def state() -> dict:
        build = schema_state(cursor, target, target.schema_)
        return snowflake_state(cursor, target) | {f"build.{n}": rows for n, rows in build.items()}

    before = state()
    assert "INDEXC__PUBLICATION" in before and "build.INDEX__VALUE__SCORES" in before
    try:
        for options, run_options in (WHAT_IFS["proposed"], WHAT_IFS["scenario"]):
            project = Project(geo_what_if, options, environ=environment)
            project.run("snowflake", **run_options)
            assert state() == before
            published = project.run_schemas[1]
            assert published == f"GEO_PUBLISHED__WHATIF__{project.run_what_if.name.upper()}"
            publication_table = f'"{target.database}"."{published}".INDEXC__PUBLICATION'
            (row,) = cursor.execute(f"SELECT what_if FROM {publication_table}").fetchall()
            assert row == (project.run_what_if.name,)
    finally:
        connection.close()


def test_an_unsafe_what_if_name_on_the_command_line_is_a_diagnostic_not_a_traceback(
    geo_what_if: Path,
) -> None:
    ran = CliRunner().invoke(
        main, ["--project", str(geo_what_if), "run", "--as", 'x"; DROP SCHEMA geo_index; --']
    )
    assert ran.exit_code == 1
    assert "specs: IX720 'x\"; DROP SCHEMA geo_index; --' is not a what-if name" in ran.stderr
    assert "Traceback" not in ran.output


@pytest.mark.slow
def test_a_scenario_run_prints_the_ranks_of_its_own_proposed_councils(geo_what_if: Path) -> None:
    ran = run_cli(geo_what_if, "run", "--scenario", "split_s")
    own = ran.stdout.split("scenario split_s of value, 2018-19: its proposed councils")[1].split(
        "└"
    )[0]
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in own.splitlines()
        if line.startswith("│")
    ]
    assert [row[:3] for row in rows] == [["3", "P1", "Proposed One"], ["3", "P2", "Proposed Two"]]
