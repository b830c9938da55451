"""The real Adult Social Care example: it runs, its numbers trace back to the published data, and
its compiled output does not depend on how the specs are split into files."""

from __future__ import annotations

import csv
import filecmp
import shutil
from pathlib import Path

import pytest

from indexc.load import find_spec_files
from indexc.project import Project


def read_csv(project: Path, name: str) -> list[dict[str, str]]:
    with open(project / "examples" / "data" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


pytestmark = pytest.mark.slow  # the real example, run or generated


@pytest.fixture
def ran(example_run):
    """The example run once for the session (conftest.py), read only."""
    with example_run.connect() as connection:
        yield example_run.project, example_run.rankings, connection


def test_top_10_is_ten_real_councils_in_rank_order(ran) -> None:
    project, rankings, _ = ran
    (ranking,) = [r for r in rankings if r.index_id == "adult_social_care"]
    assert ranking.period == "2016-17"
    assert [row["rank"] for row in ranking.rows] == list(range(1, 11))
    scores = [row["score"] for row in ranking.rows]
    assert scores == sorted(scores, reverse=True)
    register = {code: area.name for code, area in Project(project).compile().catalog.areas.items()}
    assert all(row["name"] == register[row["area_code"]] for row in ranking.rows)
    assert all(row["area_code"][:3] in ("E06", "E08", "E09", "E10") for row in ranking.rows)


def test_spend_per_head_of_unchanged_councils_is_published_spend_over_population(
    ran,
) -> None:
    project, _, connection = ran
    spend = {
        r["gss_code"]: float(r["gross_current_expenditure_gbp000"])
        for r in read_csv(project, "asc_fr_2016_17_expenditure.csv")
    }
    population = {
        r["gss_code"]: int(r["population"])
        for r in read_csv(project, "la_population_mid_year.csv")
        if r["mid_year"] == "2016"
    }
    recoded = {
        "E08000016": "E08000038",
        "E08000019": "E08000039",
    }  # Barnsley, Sheffield (2025, same area)
    expected = {
        recoded.get(code, code): spend[code] * 1000 / population[code]
        for code in spend
        if code in population
    }
    got = dict(
        connection.execute(
            "SELECT area_code, value FROM indexc_build.metric__asc_spend_per_head WHERE period = '2016-17'"
        ).fetchall()
    )
    assert {code: got[code] for code in expected} == pytest.approx(expected, rel=1e-12)
    assert len(expected) == 143  # 8 of the 151 councils that published spend were reorganised since
    assert (
        len(got) == 152
    )  # every council of today but the Isles of Scilly, which published no spend


def test_outcomes_published_on_old_codes_are_restated_onto_todays_councils(ran) -> None:
    _, _, connection = ran
    got = connection.execute(
        "SELECT DISTINCT area_code, period FROM indexc_build.index__adult_social_care__metric_scores "
        "WHERE area_code IN ('E10000021', 'E06000061', 'E06000062')"
    ).fetchall()
    periods = [
        "2015-16",
        "2016-17",
        "2017-18",
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
    ]
    assert sorted(got) == [(code, p) for code in ("E06000061", "E06000062") for p in periods]


def test_every_period_of_outcomes_is_scored(ran) -> None:
    _, _, connection = ran
    periods = [
        p
        for (p,) in connection.execute(
            "SELECT DISTINCT period FROM indexc_build.index__adult_social_care__scores ORDER BY period"
        ).fetchall()
    ]
    assert periods == [
        "2015-16",
        "2016-17",
        "2017-18",
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
    ]


def test_compiled_output_is_identical_however_the_specs_are_split(
    example_project: Path, tmp_path: Path
) -> None:
    first = Project(example_project).build("duckdb", out=tmp_path / "first").path
    specs = example_project / "specs"
    documents = [path.read_text() for path in find_spec_files(specs)]
    shutil.rmtree(specs)
    (specs / "zz" / "nested").mkdir(parents=True)
    for i, text in enumerate(reversed(documents)):  # reversed order, new names, deeper folders
        (specs / "zz" / "nested" / f"part_{i}.yml").write_text(text)
    second = Project(example_project).build("duckdb", out=tmp_path / "second").path
    files = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    assert "audiences/public.sql" in files  # the audiences' files too (specs/audiences.yaml)
    _, mismatches, errors = filecmp.cmpfiles(first, second, files, shallow=False)
    assert mismatches == [] and errors == []
