"""Contributed data (the data club) on DuckDB, executed: the recency overlay and its provenance, the
public computation left as it would be without any contribution, and club views that suppress any
period with fewer councils than the club's minimum. The fixture (tests/fixtures/club) is synthetic.
Expected values are worked out here from the fixture's CSV files, not read from the code's output.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, copy_project

from indexc.load import load_tree
from indexc.plan.audiences import relation
from indexc.project import Project
from indexc.validate import validate

CLUB = FIXTURES / "club"
SCHEMA = "club_index"
CONTRIBUTORS = ("club_aaa", "club_bbb", "club_ccc")
SOURCES = "|".join(CONTRIBUTORS)


def fy_of_ending(year: str) -> str:
    """'2018' (financial year ending March 2018) as the label 2017-18."""
    start = int(year) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def public_satisfaction() -> dict[tuple[str, str], float]:
    """The public binding's values: SAT to 2016-17, SURVEY2 from 2017-18 (blank cells missing)."""
    values = {}
    with (CLUB / "data" / "outcomes.csv").open() as f:
        for row in csv.DictReader(f):
            period = fy_of_ending(row["fy_ending"])
            item = "SAT" if period <= "2016-17" else "SURVEY2"
            if row["measure"] == item and row["val"].strip():
                values[row["code"], period] = float(row["val"])
    return values


def contributions() -> dict[tuple[str, str], tuple[float, str]]:
    """(area, period) -> (value, contributor) of the synthetic contributions, from each binding's 'from'."""
    spec = (CLUB / "specs" / "club.yaml").read_text()
    starts = dict(
        re.findall(r"source: (club_\w+), item: SAT_LOCAL, periods: \{from: ([\d-]+)\}", spec)
    )
    found = {}
    for source in CONTRIBUTORS:
        contributor = source.removeprefix("club_").upper()
        with (CLUB / "data" / f"{source}.csv").open() as f:
            for row in csv.DictReader(f):
                assert row["synthetic"] == "true"
                if row["council"] == contributor and row["year"] >= starts[source]:
                    found[row["council"], row["year"]] = (float(row["value"]), contributor)
    return found


def run(project: Path) -> duckdb.DuckDBPyConnection:
    Project(project).run()
    return duckdb.connect(str(project / "build" / "club.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def club_run(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return run(copy_project(CLUB, tmp_path_factory.mktemp("club") / "club"))


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_overlay_supersedes_public_values_for_the_contributor_with_provenance(club_run) -> None:
    got = {
        (a, p): (v, prov, by)
        for a, p, v, prov, by in club_run.execute(
            f"SELECT area_code, period, value, provenance, contributed_by "
            f"FROM {SCHEMA}.contributed__measure__satisfaction"
        ).fetchall()
    }
    expected = {key: (value, "public", None) for key, value in public_satisfaction().items()}
    for key, (value, by) in contributions().items():
        expected[key] = (value, "contributed", by)
    assert got == expected
    assert got["AAA", "2017-18"] == (56.0, "contributed", "AAA")  # public 50, superseded


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_metric_and_lens_views_carry_the_provenance(club_run) -> None:
    metric = club_run.execute(
        f"SELECT area_code, period, provenance, contributed_by FROM {SCHEMA}.contributed__metric__satisfaction "
        "WHERE provenance = 'contributed'"
    ).fetchall()
    assert {(a, p) for a, p, _, _ in metric} == set(contributions())
    lens = club_run.execute(
        f"SELECT area_code, period, provenance, contributed_by FROM {SCHEMA}.index__tiny__contributed__lens_scores "
        "WHERE lens = 'outcome'"
    ).fetchall()
    for area, period, provenance, by in lens:
        contributed = (area, period) in contributions()
        assert provenance == ("contributed" if contributed else "public")
        assert by == (area if contributed else None)
    scores = club_run.execute(
        f"SELECT area_code, period, provenance, contributed_by FROM {SCHEMA}.index__tiny__contributed__scores"
    ).fetchall()
    assert {(a, p, by) for a, p, prov, by in scores if prov == "contributed"} == {
        (a, p, by) for (a, p), (_, by) in contributions().items()
    }
    top = club_run.execute(
        f"SELECT area_code, period, provenance FROM {SCHEMA}.index__tiny__contributed__top"
    ).fetchall()
    assert {(a, p) for a, p, prov in top if prov == "contributed"} <= set(contributions())
    assert any(prov == "contributed" for _, _, prov in top)


def without_contributions(project: Path) -> Path:
    """The project as if nothing were contributed: no contributed source, binding or relation."""
    (project / "specs" / "contributed.yaml").unlink()
    for path in (project / "specs" / "club.yaml", *(project / "targets").glob("*.yaml")):
        kept = [line for line in path.read_text().splitlines() if not re.search(SOURCES, line)]
        path.write_text("\n".join(kept) + "\n")
    return project


SCORES = "SELECT area_code, period, score, rank FROM {schema}.{table} ORDER BY period, area_code"


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_public_computation_is_unchanged_by_the_contributions(club_run, tmp_path: Path) -> None:
    alone = run(without_contributions(copy_project(CLUB, tmp_path / "alone")))
    for table in ("index__tiny__scores", "index__tiny__lens_scores", "index__tiny__top"):
        query = f"SELECT * FROM {SCHEMA}.{table} ORDER BY ALL"
        assert club_run.execute(query).fetchall() == alone.execute(query).fetchall(), table
    # ...while the computation with the contributions moves every council's score in 2017-18, where
    # only AAA contributed: normalisation uses every area's values
    public = dict(
        ((a, p), s)
        for a, p, s, _ in club_run.execute(
            SCORES.format(schema=SCHEMA, table="index__tiny__scores")
        ).fetchall()
    )
    contributed = dict(
        ((a, p), s)
        for a, p, s, _ in club_run.execute(
            SCORES.format(schema=SCHEMA, table="index__tiny__contributed__scores")
        ).fetchall()
    )
    moved = {
        a
        for (a, p), s in contributed.items()
        if p == "2017-18" and s != pytest.approx(public[a, p])
    }
    assert moved == {"AAA", "BBB", "CCC"}
    assert not any(p == "2018-19" for _, p in public)  # the public data ends in 2017-18


def club_rows(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    return connection.execute(
        f"SELECT period, councils, mean, min, max FROM {SCHEMA}.club__measure__satisfaction "
        "ORDER BY period"
    ).fetchall()


def expected_club(minimum: int) -> list[tuple]:
    by_period: dict[str, list[float]] = {}
    for (_, period), (value, _) in contributions().items():
        by_period.setdefault(period, []).append(value)
    return [
        (p, len(v), pytest.approx(sum(v) / len(v)), min(v), max(v))
        for p, v in sorted(by_period.items())
        if len(v) >= minimum
    ]


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_club_view_shows_only_periods_with_enough_councils(club_run) -> None:
    rows = club_rows(club_run)
    assert rows == expected_club(3)
    assert [r[0] for r in rows] == ["2018-19"]  # 2017-18 had AAA alone: suppressed


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_club_view_below_the_declared_minimum_has_no_row(tmp_path: Path) -> None:
    project = copy_project(CLUB, tmp_path / "club")
    spec = project / "specs" / "contributed.yaml"
    spec.write_text(spec.read_text().replace("club: {min_councils: 3}", "club: {min_councils: 4}"))
    connection = run(project)
    assert expected_club(4) == []
    assert club_rows(connection) == []
    sql = (project / "build" / "duckdb").glob("*club__measure__satisfaction.sql")
    assert "HAVING" in next(iter(sql)).read_text()  # suppressed in SQL, not filtered afterwards


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_snowflake_sql_is_statically_checked(tmp_path: Path) -> None:
    project = copy_project(CLUB, tmp_path / "club")
    build = Project(project).build("snowflake", check=True)
    names = {obj.name for obj in build.objects}
    assert {
        "contributed__measure__satisfaction",
        "index__tiny__contributed__top",
        "club__measure__satisfaction",
    } <= names


@pytest.mark.slow  # compiles the fixture (about a second)
def test_contributed_sql_suppresses_and_supersedes_in_the_query(tmp_path: Path) -> None:
    """Generated, not run: the club view's minimum is a HAVING clause, and the overlay keeps a public
    row only where no contribution gives the area and period."""
    build = Project(copy_project(CLUB, tmp_path / "club")).build("duckdb", write=False)
    sql = {obj.name: obj.statement for obj in build.objects}
    club = sql["club__measure__satisfaction"]
    assert 'HAVING\n  COUNT(DISTINCT "area_code") >= 3' in club
    overlay = sql["contributed__measure__satisfaction"]
    assert "NOT EXISTS" in overlay and "'contributed' AS \"provenance\"" in overlay
    assert (
        "club_aaa" not in sql["measure__satisfaction"]
    )  # the public measure reads public data only


def test_the_example_has_no_contributed_source() -> None:
    root = Path(__file__).resolve().parents[1]
    for spec in (root / "specs").rglob("*.yaml"):
        assert "contributed_by" not in spec.read_text(), spec
    for data in (root / "examples" / "data").rglob("*.csv"):
        header = data.open(encoding="utf-8", errors="replace").readline()
        assert "synthetic" not in header.lower() or "contributed" not in data.name, data


@pytest.mark.slow  # runs the fixture, or checks its SQL for Snowflake
def test_an_index_published_with_contributions_when_every_audience_consented(
    club_run, tmp_path: Path
) -> None:
    """`publish: {contributed: true}`: the index's own objects are the computation with contributions
    (the same scores as the contributed computation beside the public one), with their provenance.
    It publishes 2017-18: in 2018-19 only the contributed satisfaction has values (IX744 otherwise)."""
    project = copy_project(CLUB, tmp_path / "club")
    sources = project / "specs" / "contributed.yaml"
    sources.write_text(
        sources.read_text().replace(
            "audiences: [internal,", "audiences: [public, client, internal,"
        )
    )
    spec = project / "specs" / "club.yaml"
    spec.write_text(
        spec.read_text().replace(
            "publish: {top: 3}", "publish: {top: 3, period: 2017-18, contributed: true}"
        )
    )
    included = run(project)
    query = "SELECT period, rank, area_code, score, provenance, contributed_by FROM {} ORDER BY ALL"
    assert included.execute(query.format(f"{SCHEMA}.index__tiny__top")).fetchall() == (
        club_run.execute(query.format(f"{SCHEMA}.index__tiny__contributed__top")).fetchall()
    )
    tables = "SELECT table_name FROM information_schema.tables"
    names = {row[0] for row in included.execute(tables).fetchall()}
    assert not any("__contributed__" in name for name in names)  # no computation beside


def test_audiences_within_the_consent_are_routed_to_the_contributed_computation() -> None:
    """The fixture's consent names internal (and the club's scopes), not public or client."""
    files, _, _ = load_tree(CLUB / "specs", CLUB)
    catalog, problems = validate(files)
    assert problems == []
    assert relation("internal", "index__tiny__top", catalog) == "index__tiny__contributed__top"
    assert relation("public", "index__tiny__top", catalog) == "index__tiny__top"
    assert relation("client", "index__tiny__scores", catalog) == "index__tiny__scores"


@pytest.mark.slow  # runs the fixture
def test_audience_views_read_the_computation_their_consent_allows(tmp_path: Path) -> None:
    """`analysts` is within every contribution's consent, `client` is not: the same view name reads the
    contributed computation for one and the public computation for the other."""
    project = copy_project(CLUB, tmp_path / "club")
    consent = project / "specs" / "contributed.yaml"
    consent.write_text(
        consent.read_text().replace("[internal, contributor", "[internal, analysts, contributor")
    )
    (project / "specs" / "audiences.yaml").write_text(
        "indexc: 2\naudiences:\n"
        "  - {id: client, sees: results}\n"
        "  - {id: analysts, sees: results}\n"
        "  - {id: internal, sees: everything}\n"
    )
    db = run(project)
    rows = "SELECT area_code, period, score, rank FROM {} ORDER BY ALL"
    public = db.execute(rows.format(f"{SCHEMA}.index__tiny__scores")).fetchall()
    contributed = db.execute(rows.format(f"{SCHEMA}.index__tiny__contributed__scores")).fetchall()
    assert public != contributed  # the contributions move the scores
    client = db.execute(
        rows.format(f"{SCHEMA}_published__audience__client.index__tiny__scores")
    ).fetchall()
    analysts = db.execute(
        rows.format(f"{SCHEMA}_published__audience__analysts.index__tiny__scores")
    ).fetchall()
    assert client == public
    assert analysts == contributed
    views = "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
    client_views = {
        r[0] for r in db.execute(views, [f"{SCHEMA}_published__audience__client"]).fetchall()
    }
    assert not any("contributed" in name for name in client_views)


@pytest.mark.slow  # runs the fixture
def test_a_report_says_whose_contributed_values_are_behind_its_top_n(tmp_path: Path) -> None:
    """The analysts' report (within the consent) names the contributors behind its Top N rows, as the
    contributed computation's `top` records them; the client's (outside it) reads the public one and
    says nothing of contributions."""
    project = copy_project(CLUB, tmp_path / "club")
    consent = project / "specs" / "contributed.yaml"
    consent.write_text(
        consent.read_text().replace("[internal, contributor", "[internal, analysts, contributor")
    )
    (project / "specs" / "audiences.yaml").write_text(
        "indexc: 2\naudiences:\n"
        "  - {id: client, sees: results}\n"
        "  - {id: analysts, sees: results}\n"
        "  - {id: internal, sees: everything}\n"
    )
    db = run(project)
    [(period,)] = db.execute(
        f"SELECT MAX(period) FROM {SCHEMA}_published.index__tiny__scores"
    ).fetchall()
    behind = db.execute(
        f"SELECT area_code, contributed_by FROM {SCHEMA}_published.index__tiny__contributed__top "
        "WHERE period = ? AND provenance = 'contributed' ORDER BY area_code",
        [period],
    ).fetchall()
    db.close()
    texts = {}
    for audience in ("analysts", "client"):
        Project(project).write_report("tiny", tmp_path / audience, audience=audience, pdf=False)
        texts[audience] = (tmp_path / audience / "report.html").read_text(encoding="utf-8")
    assert behind  # the fixture's contributions reach the Top N of its latest period
    for code, by in behind:
        assert f"({code}): contributed by {by}" in texts["analysts"]
    assert "Contributed data" not in texts["client"]


@pytest.mark.slow  # runs the fixture
def test_a_club_audience_sees_the_club_views_and_nothing_else(tmp_path: Path) -> None:
    """`members` (sees: club) is the club every contribution's consent names: its schema holds the club
    views, with the published rows (none below the minimum), and nothing else."""
    project = copy_project(CLUB, tmp_path / "club")
    (project / "specs" / "audiences.yaml").write_text(
        "indexc: 2\naudiences:\n"
        "  - {id: members, sees: club}\n"
        "  - {id: internal, sees: everything}\n"
    )
    db = run(project)
    published = f"{SCHEMA}_published"
    views = "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1"
    club = [r[0] for r in db.execute(views, [published]).fetchall() if r[0].startswith("club__")]
    members = [r[0] for r in db.execute(views, [f"{published}__audience__members"]).fetchall()]
    assert club and members == club
    for name in club:
        rows = f"SELECT * FROM {{}}.{name} ORDER BY ALL"
        expected = db.execute(rows.format(published)).fetchall()
        assert db.execute(rows.format(f"{published}__audience__members")).fetchall() == expected
        councils = db.execute(f"SELECT MIN(councils) FROM {published}.{name}").fetchone()
        assert councils is not None and (councils[0] is None or councils[0] >= 3)
