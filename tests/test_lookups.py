"""The headline policy, `indexc show` and `indexc export` on the tiny fixture, run once for the module.

The fixture gains a headline policy for the test: a population floor of 150 on a census measure read from
a synthetic file that has mid-2016 only (so 2017-18 uses the nearest period's figure), and CCC excluded by
name. Every expectation is computed here from the fixture's CSV files or read from the published tables
the run wrote, never copied from the commands' output.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc.cli import main

pytestmark = pytest.mark.slow  # runs the tiny project on DuckDB (a few seconds)

FLOOR = 150
LISTED = "CCC"
LISTED_REASON = "synthetic: listed to test the exclusion list"
CENSUS = "area,mid_year,people\nAAA,2016,100\nBBB,2016,200\nCCC,2016,400\nDDD,2016,200\n"
"""Synthetic (made up for this test): one census year, so the policy must use the nearest figure."""

SOURCE = """
  - id: census
    layout: wide
    columns: {area: area, period: mid_year}
    period: {grain: mid_year, format: "YYYY"}
    items: {people: Residents counted in the synthetic census}
"""
MEASURE = """
  - {id: census_population, unit: people, additivity: sum, bindings: [{source: census, item: people}]}
"""
POLICY = f"""    publish:
      top: 3
      headline_policy:
        description: Synthetic policy of the test.
        population: {{measure: census_population, at_least: {FLOOR}}}
        exclude:
          - {{area: {LISTED}, reason: "{LISTED_REASON}"}}
"""


def invoke(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


def with_policy(root: Path) -> Path:
    spec = root / "specs" / "tiny.yaml"
    text = spec.read_text()
    text = text.replace(
        "\nmeasures:\n",
        "\n" + SOURCE.strip("\n") + "\n\nmeasures:\n" + MEASURE.strip("\n") + "\n",
        1,
    )
    text = text.replace("    publish: {top: 3}\n", POLICY)
    spec.write_text(text)
    (root / "data" / "census.csv").write_text(CENSUS)
    target = root / "targets" / "duckdb.yaml"
    target.write_text(target.read_text() + "  census: {path: data/census.csv}\n")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = with_policy(copy_project(FIXTURES / "tiny", tmp_path_factory.mktemp("lookups") / "tiny"))
    result = invoke(root, "run")
    assert result.exit_code == 0, result.output
    return root, result.output


def published(root: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(root / "build" / "tiny.duckdb"), read_only=True) as con:
        con.execute("SET schema = 'tiny_index_published'")
        return con.execute(sql).df()


def census() -> dict[tuple[str, int], float]:
    rows = csv.DictReader(CENSUS.splitlines())
    return {(r["area"], int(r["mid_year"])): float(r["people"]) for r in rows}


def nearest(area: str, period: str) -> tuple[float, str] | None:
    """The area's census figure nearest the period (the later of two as near), and its period."""
    year = int(period[:4])
    figures = [(abs(y - year), -y, v) for (a, y), v in census().items() if a == area]
    if not figures:
        return None
    _, minus_year, value = min(figures)
    return value, f"{-minus_year}-{str(-minus_year + 1)[-2:]}"


def names() -> dict[str, str]:
    with (FIXTURES / "tiny" / "data" / "areas.csv").open() as f:
        return {r["code"]: r["area_name"] for r in csv.DictReader(f)}


def kept_out(area: str, period: str) -> bool:
    figure = nearest(area, period)
    return area == LISTED or figure is None or figure[0] < FLOOR


# --- the headline policy -------------------------------------------------------------------------


def test_the_headline_is_the_first_n_eligible_areas_of_the_full_ranking(
    project: tuple[Path, str],
) -> None:
    root, _ = project
    scores = published(root, "SELECT area_code, period, rank FROM index__tiny__scores")
    top = published(
        root,
        "SELECT period, area_code, rank, headline_rank FROM index__tiny__top ORDER BY period, headline_rank",
    )
    ranked = scores[scores["rank"].notna()]
    assert {"AAA", LISTED} <= set(ranked["area_code"])  # the full ranking keeps everyone
    for period, rows in ranked.groupby("period"):
        eligible = rows[[not kept_out(a, period) for a in rows["area_code"]]].sort_values("rank")
        expected = list(eligible["area_code"][:3])
        got = top[top["period"] == period]
        assert list(got["area_code"]) == expected
        assert list(got["headline_rank"]) == list(range(1, len(expected) + 1))
        assert list(got["rank"]) == list(eligible["rank"][:3])  # the rank in the full ranking


def test_exclusions_say_who_was_kept_out_and_why(project: tuple[Path, str]) -> None:
    root, _ = project
    scores = published(
        root, "SELECT area_code, period, rank FROM index__tiny__scores WHERE rank IS NOT NULL"
    )
    got = published(
        root,
        "SELECT period, area_code, name, rank, population, population_period, reason "
        "FROM index__tiny__headline_exclusions ORDER BY period, area_code",
    )
    expected = []
    for row in scores.sort_values(["period", "area_code"]).itertuples():
        if not kept_out(row.area_code, row.period):
            continue
        figure = nearest(row.area_code, row.period)
        if row.area_code == LISTED:
            reason = LISTED_REASON
        elif figure[1] == row.period:
            reason = f"population {figure[0]:.0f}, under the headline floor of {FLOOR}"
        else:
            reason = (
                f"population {figure[0]:.0f} in {figure[1]} (the nearest period with a figure), "
                f"under the headline floor of {FLOOR}"
            )
        expected.append(
            (
                row.period,
                row.area_code,
                names()[row.area_code],
                row.rank,
                figure[0],
                figure[1],
                reason,
            )
        )
    assert [tuple(r) for r in got.itertuples(index=False)] == expected
    assert any("nearest period" in r[-1] for r in expected)  # 2017-18 reads the 2016 census


def test_run_states_the_policy_and_who_it_kept_out(project: tuple[Path, str]) -> None:
    root, output = project
    assert "headline policy: areas with a census_population under 150 and CCC (listed)" in output
    assert "Synthetic policy of the test." in output
    period = published(root, "SELECT MAX(period) AS p FROM index__tiny__scores")["p"][0]
    line = " ".join(output.split())
    kept = line.split(f"kept out of the Top 3 in {period}: ")[1]
    ranks = published(
        root, f"SELECT area_code, rank FROM index__tiny__scores WHERE period = '{period}'"
    )
    rank = dict(zip(ranks["area_code"], ranks["rank"], strict=True))
    # the Top 3 shows fewer than 3 areas, so everyone kept out is named, in rank order
    first, second = sorted(["AAA", LISTED], key=lambda code: rank[code])
    assert kept.index(f"{names()[first]} ({first}, rank {rank[first]})") < kept.index(
        f"{names()[second]} ({second}, rank {rank[second]})"
    )
    assert LISTED_REASON in kept and "population 100 in 2016-17" in kept


# --- indexc show ---------------------------------------------------------------------------------


def test_show_json_is_what_the_published_tables_hold(project: tuple[Path, str]) -> None:
    root, _ = project
    result = invoke(root, "show", "alpha", "--format", "json")
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)
    assert (profile["area_code"], profile["name"]) == ("AAA", names()["AAA"])
    (entry,) = profile["indexes"]
    scores = published(
        root,
        "SELECT period, score, rank FROM index__tiny__scores WHERE area_code = 'AAA' ORDER BY period DESC",
    )
    assert [p["period"] for p in entry["periods"]] == list(scores["period"])  # latest first
    assert [p["rank"] for p in entry["periods"]] == list(scores["rank"])
    assert [p["score"] for p in entry["periods"]] == pytest.approx(list(scores["score"]))
    for p in entry["periods"]:  # AAA is under the floor in every period
        assert (
            p["headline_rank"] is None
            and "under the headline floor of 150" in p["headline_excluded"]
        )
    counts = published(
        root, "SELECT period, COUNT(rank) AS n FROM index__tiny__scores GROUP BY period"
    )
    assert {p["period"]: p["areas_ranked"] for p in entry["periods"]} == dict(
        zip(counts["period"], counts["n"], strict=True)
    )
    detail = entry["detail"]
    lenses = published(
        root,
        f"SELECT lens, score, rank FROM index__tiny__lens_scores WHERE area_code = 'AAA' "
        f"AND period = '{detail['period']}' ORDER BY depth, lens",
    )
    assert [(x["lens"], x["rank"]) for x in detail["lenses"]] == list(
        zip(lenses["lens"], lenses["rank"], strict=True)
    )
    spend = {m["metric"]: m["value"] for m in detail["recency"]}["spend_per_head"]
    assert spend == pytest.approx(spend_per_head()[("AAA", detail["period"])])
    assert detail["peers"] is None and detail["savings"] is None  # the tiny index has neither
    assert profile["lineage"]["predecessors"] == [] and profile["lineage"]["successors"] == []


def test_show_text_names_the_area_and_its_place(project: tuple[Path, str]) -> None:
    root, _ = project
    result = invoke(root, "show", "BBB")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("BBB Beta")
    assert "tiny v1" in result.output and "of the headline Top 3" in result.output


def test_show_an_unknown_area_suggests_the_one_meant(project: tuple[Path, str]) -> None:
    root, _ = project
    result = invoke(root, "show", "Alpah")
    assert result.exit_code == 1
    assert "IX407 no area 'Alpah'" in result.stderr and "did you mean Alpha (AAA)?" in result.stderr


def test_show_a_period_not_scored_is_refused(project: tuple[Path, str]) -> None:
    root, _ = project
    result = invoke(root, "show", "AAA", "--period", "2030-31")
    assert result.exit_code == 1 and "IX703" in result.stderr


# --- indexc export -------------------------------------------------------------------------------


def spend_per_head() -> dict[tuple[str, str], float]:
    data = FIXTURES / "tiny" / "data"
    spend = pd.read_csv(data / "finance.csv")
    people = pd.read_csv(data / "population.csv")
    people["year"] = [f"{y}-{str(y + 1)[-2:]}" for y in people["mid_year"]]
    both = spend.merge(people, on=["area", "year"])
    return {(r.area, r.year): r.spend / r.people for r in both.itertuples()}


def test_export_csv_is_tidy_with_names_beside_codes(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    root, _ = project
    out = tmp_path / "csv"
    result = invoke(
        root, "export", "--index", "tiny", "--format", "csv", "--out", str(out), "--with-scores"
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert "index__tiny__scores.csv" in written and "index__tiny__metric_values.csv" in written
    scores = pd.read_csv(out / "index__tiny__scores.csv")
    assert list(scores.columns[:3]) == ["period", "area_code", "area_name"]
    assert dict(zip(scores["area_code"], scores["area_name"], strict=False)) == {
        c: names()[c] for c in scores["area_code"]
    }
    database = published(root, "SELECT area_code, period, score, rank FROM index__tiny__scores")
    merged = scores.merge(database, on=["area_code", "period"], suffixes=("", "_db"))
    assert len(merged) == len(database) == len(scores)
    assert list(merged["score"]) == pytest.approx(list(merged["score_db"]))
    ordered = scores.assign(r=scores["rank"].fillna(1e9)).sort_values(["period", "r", "area_code"])
    assert list(ordered.index) == list(scores.index)  # period, then rank (unranked last), then area
    values = pd.read_csv(out / "index__tiny__metric_values.csv")
    spend = values[values["metric"] == "spend_per_head"]
    expected = spend_per_head()
    for row in spend.itertuples():
        assert row.value == pytest.approx(expected[(row.area_code, row.period)])
    assert set(spend["unit"]) == {"gbp_per_head"} and set(spend["direction"]) == {"lower_is_better"}


def test_export_parquet_keeps_the_types(project: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = project
    out = tmp_path / "pq"
    result = invoke(
        root,
        "export",
        "--index",
        "tiny",
        "--period",
        "2016-17",
        "--format",
        "parquet",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect() as con:
        path = str(out / "index__tiny__scores.parquet")
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        types = {row[0]: row[1] for row in described}
        rows = con.execute(f"SELECT period, area_code, rank FROM read_parquet('{path}')").fetchall()
    assert (types["score"], types["rank"], types["area_name"], types["ranked"]) == (
        "DOUBLE",
        "BIGINT",
        "VARCHAR",
        "BOOLEAN",
    )
    database = published(
        root, "SELECT period, area_code, rank FROM index__tiny__scores WHERE period = '2016-17'"
    )
    assert sorted(rows, key=str) == sorted(database.itertuples(index=False, name=None), key=str)
    assert {r[0] for r in rows} == {"2016-17"}


def test_export_xlsx_has_a_typed_sheet_per_table(project: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = project
    out = tmp_path / "tiny.xlsx"
    result = invoke(
        root, "export", "--index", "tiny", "--format", "xlsx", "--out", str(out), "--with-scores"
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["scores", "top", "headline_exclusions"]
    assert {"lens_scores", "metric_scores", "metric_values"} <= set(book.sheetnames)
    sheet = book["scores"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    database = published(
        root, "SELECT area_code, period, score, rank, ranked FROM index__tiny__scores"
    )
    assert len(rows) == len(database)
    for row in rows:
        assert isinstance(row["score"], float) and isinstance(row["ranked"], bool)
        assert row["rank"] is None or isinstance(row["rank"], int)
        assert row["area_name"] == names()[row["area_code"]]
    top = book["top"]
    assert [c.value for c in top[1]][-1] == "headline_rank"


def test_export_never_replaces_a_file_silently(project: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = project
    out = tmp_path / "kept.xlsx"
    out.write_text("an earlier export")
    result = invoke(root, "export", "--index", "tiny", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 1 and "IX008" in result.stderr and "--force" in result.stderr
    assert out.read_text() == "an earlier export"
    result = invoke(
        root, "export", "--index", "tiny", "--format", "xlsx", "--out", str(out), "--force"
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "scores"


@pytest.mark.parametrize(
    "args, code, text",
    [
        (["--index", "tiyn"], "IX102", "unknown index 'tiyn'"),
        (["--index", "tiny", "--period", "2030-31"], "IX703", "scored periods: 2016-17, 2017-18"),
        (["--index", "tiny", "--period", "2016"], "IX703", "not a financial year"),
    ],
)
def test_export_refuses_what_is_not_there(
    project: tuple[Path, str], tmp_path: Path, args: list[str], code: str, text: str
) -> None:
    root, _ = project
    result = invoke(root, "export", *args, "--format", "csv", "--out", str(tmp_path / "x"))
    assert result.exit_code == 1 and code in result.stderr and text in result.stderr
    assert not (tmp_path / "x").exists()


def test_export_and_show_before_any_run_say_to_run_first(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "tiny", tmp_path / "tiny")
    for args in (["export", "--index", "tiny", "--format", "csv", "--out", "x"], ["show", "AAA"]):
        result = invoke(root, *args)
        assert result.exit_code == 1 and "IX406" in result.stderr and "indexc run" in result.stderr
