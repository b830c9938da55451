"""Screening by data availability (docs/methodology.md, screening; docs/spec-language.md, `method.screen`).

A small project written here: six unitary councils, three metrics read straight from one long source,
two periods. In 2022-23 council E5 has a value of one metric of three, and that value is an outlier;
councils E4 and E6 lack one metric each. Expected scores are min-max computed here from the data the test wrote,
over the areas the rule keeps, never read back from the build.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from indexc.cli import main
from indexc.generate.snowflake_check import snowflake_problems
from indexc.project import Project

SCHEMA = "screen_index"
PERIODS = ("2021-22", "2022-23")
AREAS = ("E1", "E2", "E3", "E4", "E5", "E6")
# (area, period) -> metric -> value; a missing key is a value not published.
DATA: dict[tuple[str, str], dict[str, float]] = {
    **{
        (area, "2021-22"): {"m1": 10.0 * n, "m2": 3.0 + n, "m3": float(7 - n)}
        for n, area in enumerate(AREAS, start=1)
    },
    ("E1", "2022-23"): {"m1": 10.0, "m2": 5.0, "m3": 1.0},
    ("E2", "2022-23"): {"m1": 20.0, "m2": 6.0, "m3": 2.0},
    ("E3", "2022-23"): {"m1": 30.0, "m2": 7.0, "m3": 3.0},
    ("E4", "2022-23"): {"m1": 40.0, "m2": 8.0},
    ("E5", "2022-23"): {"m1": 150.0},
    ("E6", "2022-23"): {"m2": 9.0, "m3": 4.0},
}
LOWER_IS_BETTER = {"m1"}
INPUTS = """\
indexc: 2
sources:
  - id: areas
    layout: register
    columns: {area: code, name: name, type: kind}
  - id: data
    layout: long
    columns: {area: code, period: year, item: item, value: value}
    period: {grain: financial_year, format: "YYYY-YY"}
    items: {m1: Spend per head, m2: Satisfaction, m3: Visits}
measures:
  - {id: m1, unit: gbp, additivity: none, bindings: [{source: data, item: m1}]}
  - {id: m2, unit: percent, additivity: none, bindings: [{source: data, item: m2}]}
  - {id: m3, unit: count, additivity: none, bindings: [{source: data, item: m3}]}
metrics:
  - {id: m1, version: 1, formula: m1, direction: lower_is_better, unit: gbp}
  - {id: m2, version: 1, formula: m2, direction: higher_is_better, unit: percent}
  - {id: m3, version: 1, formula: m3, direction: higher_is_better, unit: count}
universes:
  - {id: councils, register: areas, types: [unitary]}
"""
INDEX = """\
indexc: 2
indexes:
  - id: screen
    version: "1"
    universe: councils
    method:
      normalise: minmax
{method}
    lenses:
      - {{id: cost, weight: 1, metrics: [m1]}}
      - {{id: quality, weight: 1, metrics: [m2, m3]}}
    publish: {{period: 2022-23}}
{extra}"""


def write_project(
    root: Path,
    method: str,
    extra: str = "",
    data: dict[tuple[str, str], dict[str, float]] = DATA,
    inputs: str = INPUTS,
) -> Path:
    (root / "specs").mkdir(parents=True)
    (root / "targets").mkdir()
    (root / "data").mkdir()
    (root / "specs" / "inputs.yaml").write_text(inputs)
    (root / "specs" / "index.yaml").write_text(INDEX.format(method=method, extra=extra))
    (root / "targets" / "duckdb.yaml").write_text(
        "indexc: 2\ntarget: duckdb\ndatabase: build/screen.duckdb\n"
        f"build_schema: {SCHEMA}\nrelations:\n"
        "  areas: {path: data/areas.csv}\n  data: {path: data/data.csv}\n"
    )
    (root / "targets" / "snowflake.yaml").write_text(
        "indexc: 2\ntarget: snowflake\n"
        "connection: {account: {env: SNOWFLAKE_ACCOUNT}, user: {env: SNOWFLAKE_USER}, "
        "password: {env: SNOWFLAKE_PASSWORD}}\n"
        "database: SCREEN\nbuild_schema: SCREEN_INDEX\nrelations:\n"
        "  areas: {table: RAW.AREAS}\n  data: {table: RAW.DATA}\n"
    )
    (root / "data" / "areas.csv").write_text(
        "code,name,kind\n" + "".join(f"{a},Council {a},unitary\n" for a in AREAS)
    )
    rows = [
        f"{area},{period},{metric},{value:g}\n"
        for (area, period), values in data.items()
        for metric, value in values.items()
    ]
    (root / "data" / "data.csv").write_text("code,year,item,value\n" + "".join(rows))
    return root


def run(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(root), "run"], catch_exceptions=False)
    return result.exit_code, result.output + result.stderr


def minmax(period: str, metric: str, areas: set[str]) -> dict[str, float]:
    """Min-max scores onto 0-100, higher is better, over `areas` with a value: computed from DATA."""
    values = {
        a: v[metric] for (a, p), v in DATA.items() if p == period and a in areas and metric in v
    }
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    oriented = {a: sign * v for a, v in values.items()}
    low, high = min(oriented.values()), max(oriented.values())
    return {a: 100 * (o - low) / (high - low) for a, o in oriented.items()}


OUTPUTS: dict[str, str] = {}  # what `indexc run` printed, per project built


def built(
    tmp_path_factory: pytest.TempPathFactory, name: str, method: str, extra: str = ""
) -> duckdb.DuckDBPyConnection:
    root = write_project(tmp_path_factory.mktemp(name), method, extra)
    code, output = run(root)
    assert code == 0, output
    OUTPUTS[name] = output
    return duckdb.connect(str(root / "build" / "screen.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return built(tmp_path_factory, "screened", "      screen: {min_share: 0.66}")


@pytest.fixture(scope="module")
def unscreened(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return built(tmp_path_factory, "unscreened", "")


def scores(connection: duckdb.DuckDBPyConnection, period: str, metric: str) -> dict[str, float]:
    rows = connection.execute(
        f"SELECT area_code, score FROM {SCHEMA}.index__screen__metric_scores "
        "WHERE period = ? AND metric = ?",
        [period, metric],
    ).fetchall()
    return dict(rows)


@pytest.mark.slow
def test_a_sparsely_covered_area_is_listed_with_its_share_and_gets_no_score(
    screened: duckdb.DuckDBPyConnection,
) -> None:
    listed = screened.execute(
        f"SELECT area_code, period, rule, lens, share, threshold, metrics_with_value, metrics "
        f"FROM {SCHEMA}.index__screen__screened"
    ).fetchall()
    assert listed == [("E5", "2022-23", "index", None, pytest.approx(1 / 3), 0.66, 1, 3)]
    ranked = dict(
        screened.execute(
            f"SELECT area_code, score FROM {SCHEMA}.index__screen__scores WHERE period = '2022-23'"
        ).fetchall()
    )
    assert set(ranked) == set(AREAS) - {"E5"}  # E4, with two of three metrics, is kept
    lens_areas = screened.execute(
        f"SELECT DISTINCT area_code FROM {SCHEMA}.index__screen__lens_scores "
        "WHERE period = '2022-23' AND area_code = 'E5'"
    ).fetchall()
    assert lens_areas == []
    assert "E5" in scores(screened, "2021-22", "m1")  # screened out of one period only
    assert "screened out in 2022-23: 1 area (1 with under 66% of the index's metrics)" in " ".join(
        OUTPUTS["screened"].split()
    )


@pytest.mark.slow
def test_the_others_are_normalised_over_the_areas_kept_only(
    screened: duckdb.DuckDBPyConnection, unscreened: duckdb.DuckDBPyConnection
) -> None:
    kept = set(AREAS) - {"E5"}
    for metric in ("m1", "m2", "m3"):
        assert scores(screened, "2022-23", metric) == pytest.approx(minmax("2022-23", metric, kept))
    everyone = minmax("2022-23", "m1", set(AREAS))
    assert scores(unscreened, "2022-23", "m1") == pytest.approx(everyone)
    # E5's outlier squeezed everyone else's m1 scores together; screened out, it no longer does.
    assert scores(screened, "2022-23", "m1")["E2"] != pytest.approx(everyone["E2"])


@pytest.fixture(scope="module")
def lens_screened(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return built(
        tmp_path_factory, "lens", "      screen: {lenses: [{lens: quality, min_share: 1}]}"
    )


@pytest.mark.slow
def test_a_lens_rule_counts_the_metrics_of_its_lens(
    lens_screened: duckdb.DuckDBPyConnection,
) -> None:
    listed = lens_screened.execute(
        f"SELECT area_code, rule, lens, share, metrics_with_value, metrics "
        f"FROM {SCHEMA}.index__screen__screened ORDER BY area_code"
    ).fetchall()
    assert listed == [("E4", "lens", "quality", 0.5, 1, 2), ("E5", "lens", "quality", 0.0, 0, 2)]
    kept = set(AREAS) - {"E4", "E5"}
    assert scores(lens_screened, "2022-23", "m1") == pytest.approx(minmax("2022-23", "m1", kept))


def test_the_snowflake_build_passes_the_static_check(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        "      missing: {impute: median, group: type}\n"
        "      screen: {min_share: 0.5, lenses: [{lens: quality, min_share: 1}]}",
    )
    build = Project(root).build("snowflake", write=False)
    statements = {o.name: o.statement for o in build.objects}
    assert {"index__screen__screened", "index__screen__kept_values"} <= statements.keys()
    for name, statement in statements.items():
        assert snowflake_problems(statement) == [], name


def test_a_screening_index_reading_another_passes_the_snowflake_static_check(
    tmp_path: Path,
) -> None:
    build = Project(write_project(tmp_path / "p", "", READER)).build("snowflake", write=False)
    statements = {o.name: o.statement for o in build.objects}
    assert "INDEX__READER__SCREENED" in statements["index__reader__lens_scores"].upper()
    for name, statement in statements.items():
        assert snowflake_problems(statement) == [], name


def test_without_a_screen_there_is_no_screened_object(tmp_path: Path) -> None:
    build = Project(write_project(tmp_path / "p", "")).build("duckdb", write=False)
    names = {o.name for o in build.objects}
    assert "index__screen__metric_scores" in names
    assert not {"index__screen__screened", "index__screen__kept_values"} & names


@pytest.fixture(scope="module")
def imputed(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return built(
        tmp_path_factory,
        "imputed",
        "      missing: {impute: mean, group: type}\n      screen: {min_share: 0.66}",
    )


@pytest.mark.slow
def test_screening_comes_before_imputation(imputed: duckdb.DuckDBPyConnection) -> None:
    """Imputed values do not count towards a share, and a screened area's values fill no one's gap."""
    listed = imputed.execute(
        f"SELECT area_code, share FROM {SCHEMA}.index__screen__screened"
    ).fetchall()
    assert listed == [("E5", pytest.approx(1 / 3))]
    values = {
        (area, metric): (value, was_imputed)
        for area, metric, value, was_imputed in imputed.execute(
            f"SELECT area_code, metric, value, imputed FROM {SCHEMA}.index__screen__kept_values "
            "WHERE period = '2022-23'"
        ).fetchall()
    }
    kept = set(AREAS) - {"E5"}

    def mean_of(metric: str) -> float:
        observed = [DATA[a, "2022-23"][metric] for a in kept if metric in DATA[a, "2022-23"]]
        return sum(observed) / len(observed)

    assert values["E6", "m1"] == (pytest.approx(mean_of("m1")), True)  # 25, not 50 with E5's 150
    assert values["E4", "m3"] == (pytest.approx(mean_of("m3")), True)
    assert not any(area == "E5" for area, _ in values)
    assert "imputed: 2 values" in " ".join(OUTPUTS["imputed"].split())


@pytest.fixture(scope="module")
def with_savings(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return built(
        tmp_path_factory,
        "savings",
        "      screen: {min_share: 0.66}",
        "    peers: {groups: [type]}\n"
        "    savings:\n"
        "      - {id: spend, lens: cost, unit_cost: m1, volume: m2, peers: type, quantile: 0.25}\n"
        "    stability: {draws: 20, seed: 1}\n",
    )


@pytest.mark.slow
def test_a_screened_area_has_no_savings_nor_draws_and_is_no_benchmark(
    with_savings: duckdb.DuckDBPyConnection,
) -> None:
    savings = {
        area: benchmark
        for area, benchmark in with_savings.execute(
            f"SELECT area_code, benchmark FROM {SCHEMA}.index__screen__savings "
            "WHERE period = '2022-23'"
        ).fetchall()
    }
    costs = sorted(
        DATA[a, "2022-23"]["m1"] for a in AREAS if a != "E5" and "m1" in DATA[a, "2022-23"]
    )
    h = (len(costs) - 1) * 0.25  # the linearly interpolated quantile (docs/methodology.md)
    quantile = costs[int(h)] + (h - int(h)) * (costs[int(h) + 1] - costs[int(h)])
    assert set(savings) == {"E1", "E2", "E3", "E4"}
    assert list(savings.values()) == pytest.approx([quantile] * 4)  # 17.5; 20 with E5
    drawn = {
        area
        for (area,) in with_savings.execute(
            f"SELECT area_code FROM {SCHEMA}.index__screen__stability WHERE period = '2022-23'"
        ).fetchall()
    }
    assert drawn == set(AREAS) - {"E5"}


def test_the_catalogue_says_what_is_screened(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p", "      screen: {min_share: 0.66, lenses: [{lens: quality, min_share: 1}]}"
    )
    result = CliRunner().invoke(main, ["--project", str(root), "docs"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = " ".join((root / "build" / "docs" / "index.html").read_text().split())
    assert (
        "a value of under 66% of the index's metrics or under 100% of the metrics of lens quality"
        in page
    )
    assert "index__screen__screened" in page


@pytest.mark.slow
def test_a_snapshot_keeps_who_was_screened_and_why(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", "      screen: {min_share: 0.66}")
    code, output = run(root)
    assert code == 0, output
    taken = CliRunner().invoke(
        main, ["--project", str(root), "snapshot", "take", "--as-of", "2024-03-31"]
    )
    assert taken.exit_code == 0, taken.output
    connection = duckdb.connect(str(root / "build" / "screen.duckdb"), read_only=True)
    frozen = connection.execute(
        f"SELECT area_code, period, rule, metrics_with_value, metrics "
        f"FROM {SCHEMA}_snapshots.index__screen__screened"
    ).fetchall()
    connection.close()
    assert frozen == [("E5", "2022-23", "index", 1, 3)]


READER = """\
  - id: reader
    version: "1"
    universe: councils
    method:
      normalise: minmax
      screen: {min_share: 0.66}
    lenses:
      - {id: quality, weight: 1, metrics: [m2, m3]}
      - {id: screen_cost, weight: 1, index: {id: screen, lens: cost}}
"""


@pytest.mark.slow
def test_a_screened_area_has_no_score_from_a_lens_reading_another_index(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Index `screen` (not screening) scores every council on m1; `reader` screens on m2 and m3, which
    E4 (m2 only) and E5 (m1 only) lack in 2022-23: they get no score of `reader` then, not even the
    one its lens reading `screen` would give them."""
    connection = built(tmp_path_factory, "reader", "", READER)

    def areas(table: str, lens: str | None = None) -> set[str]:
        where = "period = '2022-23'" + (f" AND lens = '{lens}'" if lens else "")
        query = f"SELECT area_code FROM {SCHEMA}.index__reader__{table} WHERE {where}"
        return {area for (area,) in connection.execute(query).fetchall()}

    kept = set(AREAS) - {"E4", "E5"}
    cost = minmax("2022-23", "m1", set(AREAS))  # `screen` scores E1-E5: E6 has no m1
    assert areas("screened") == {"E4", "E5"}
    assert areas("lens_scores", "quality") == areas("scores") == kept
    read = connection.execute(
        f"SELECT area_code, score FROM {SCHEMA}.index__reader__lens_scores "
        "WHERE period = '2022-23' AND lens = 'screen_cost'"
    ).fetchall()
    assert dict(read) == pytest.approx({a: s for a, s in cost.items() if a in kept})


@pytest.mark.slow
def test_a_lens_reading_another_index_scores_only_in_the_periods_of_its_own_metrics(
    tmp_path: Path,
) -> None:
    """`reader`'s own metrics m2 and m3 are not published in 2021-22: it scores no area then, though
    index `screen` (m1) does (docs/methodology.md: an index's periods are those of its metrics)."""
    data = {
        key: {m: v for m, v in values.items() if key[1] == "2022-23" or m == "m1"}
        for key, values in DATA.items()
    }
    inputs = INPUTS
    for item in ("m2", "m3"):
        binding = f"{{source: data, item: {item}}}"
        inputs = inputs.replace(binding, binding[:-1] + ", not_published: [2021-22]}")
    reader = READER.replace("      screen: {min_share: 0.66}\n", "")
    root = write_project(tmp_path / "p", "", reader, data, inputs)
    code, output = run(root)
    assert code == 0, output
    with duckdb.connect(str(root / "build" / "screen.duckdb"), read_only=True) as connection:
        periods = {
            table: {
                period
                for (period,) in connection.execute(
                    f"SELECT DISTINCT period FROM {SCHEMA}.index__{table}"
                ).fetchall()
            }
            for table in ("screen__scores", "reader__lens_scores", "reader__scores")
        }
    assert periods == {
        "screen__scores": set(PERIODS),
        "reader__lens_scores": {"2022-23"},
        "reader__scores": {"2022-23"},
    }
