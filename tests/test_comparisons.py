"""Comparisons, trends and sentences (`index__<id>__comparisons`, `__trends`, `__sentences`) checked
against the same statistics computed here, by hand, from the fixture's own numbers.

The project is SYNTHETIC, written by the test: 120 made-up areas (two types) over six financial years,
one metric with confidence limits on two rows in three (`rate`, higher is better), one computed by a
formula (`cost`, spend per head, lower is better), gaps imputed with the mean of the area's type, and
series chosen to be flat (all tied), monotonic, monotonic with a tie, or random. 120 areas rank far enough
for the ordinals 11th, 12th, 13th, 21st, 22nd, 101st, 111th.
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from indexc.generate import build, sql_target
from indexc.project import Project

pytestmark = pytest.mark.slow

PERIODS = ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20", "2020-21"]
AREAS = [f"X{i:03d}" for i in range(1, 121)]
SCHEMA = "cmp_build"

SPEC = """indexc: 2
# SYNTHETIC: a made-up project written by tests/test_comparisons.py.
sources:
  - id: areas
    layout: register
    columns: {area: code, name: area_name, type: kind, valid_from: in_force_from, valid_to: in_force_to}
  - id: figures
    layout: long
    columns: {area: code, period: year, item: item, value: value, lci: lower, uci: upper}
    period: {grain: financial_year, format: "YYYY-YY"}
    items: {RATE: A made-up rate, SPEND: Made-up spend, POP: Made-up residents}
measures:
  - {id: rate, unit: percent, additivity: none, bindings: [{source: figures, item: RATE}]}
  - {id: spend, unit: gbp, additivity: sum, bindings: [{source: figures, item: SPEND}]}
  - {id: pop, unit: people, additivity: sum, bindings: [{source: figures, item: POP}]}
metrics:
  - {id: rate, version: 1, description: Made-up rate, formula: rate, direction: higher_is_better, unit: percent}
  - id: cost
    version: 1
    description: Made-up spend per resident (pounds). Lower is better.
    formula: spend / pop
    direction: lower_is_better
    unit: gbp_per_head
universes:
  - {id: made_up, register: areas, types: [unitary, county]}
indexes:
  - id: cmp
    version: "1"
    universe: made_up
    method: {normalise: zscore, missing: {impute: mean, group: type}}
    lenses:
      - {id: outcome, weight: 1, metrics: [rate]}
      - {id: money, weight: 1, metrics: [cost]}
    peers: {groups: [type], neighbours: {features: [pop], k: 5}}
    publish: {top: 10}
"""

TARGET = """indexc: 2
target: duckdb
database: build/cmp.duckdb
build_schema: cmp_build
relations:
  areas: {path: data/areas.csv}
  figures: {path: data/figures.csv}
"""


def area_type(area: str) -> str:
    return "unitary" if int(area[1:]) % 2 else "county"


def rate_series(i: int, rng: random.Random) -> list[float | None]:
    """Flat (ties only), rising, falling, rising with a tie, with a gap, or random."""
    kind = i % 10
    if kind == 0:
        return [50.0] * 6
    if kind == 1:
        return [40.0 + 2 * t for t in range(6)]
    if kind == 2:
        return [60.0 - 1.5 * t for t in range(6)]
    if kind == 3:
        return [40.0, 41.0, 41.0, 43.0, 44.0, 45.0]
    base = rng.uniform(35, 65)
    values: list[float | None] = [round(base + rng.uniform(-5, 5), 1) for _ in range(6)]
    if kind == 4:
        values[2] = None
    return values


def write_project(root: Path) -> dict:
    """The project and what it holds: {rate: {(area, period): (value, lci, uci)}, cost: {...}}."""
    rng = random.Random(19)
    (root / "specs").mkdir(parents=True)
    (root / "targets").mkdir()
    (root / "data").mkdir()
    (root / "specs" / "cmp.yaml").write_text(SPEC)
    (root / "targets" / "duckdb.yaml").write_text(TARGET)
    areas = ["code,area_name,kind,in_force_from,in_force_to"]
    rows = ["code,year,item,value,lower,upper"]
    truth: dict = {"rate": {}, "cost": {}}
    for i, area in enumerate(AREAS, start=1):
        areas.append(f"{area},Place {i},{area_type(area)},,")
        residents, per_head = rng.randint(50_000, 500_000), rng.uniform(0.5, 2.0)
        for t, (period, value) in enumerate(zip(PERIODS, rate_series(i, rng), strict=True)):
            if value is not None:
                if i % 3:
                    half = round(rng.uniform(0.5, 8), 1)
                    low, high = round(value - half, 1), round(value + half, 1)
                    rows.append(f"{area},{period},RATE,{value},{low},{high}")
                    truth["rate"][area, period] = (value, low, high)
                else:
                    rows.append(f"{area},{period},RATE,{value},,")
                    truth["rate"][area, period] = (value, None, None)
            pop = round(residents * (1 + 0.01 * t))
            rows.append(f"{area},{period},POP,{pop},,")
            if i == 7 and t == 4:
                continue  # no spend: cost imputed
            spend = round(pop * per_head * rng.uniform(0.95, 1.05))
            rows.append(f"{area},{period},SPEND,{spend},,")
            truth["cost"][area, period] = (spend / pop, None, None)
    (root / "data" / "areas.csv").write_text("\n".join(areas) + "\n")
    (root / "data" / "figures.csv").write_text("\n".join(rows) + "\n")
    return truth


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("comparisons") / "cmp"
    truth = write_project(root)
    Project(root).run(publish_as_live=True)
    return root, truth


def rows(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "build" / "cmp.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (QUANTILE_CONT, numpy's default)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


DIRECTION = {"rate": 1, "cost": -1}


def expected_comparisons(root: Path, truth: dict, direction: dict[str, int]) -> dict:
    """(metric, area, period, benchmark) -> (benchmark_value, peers, comparison, method)."""
    values = rows(
        root,
        f"SELECT metric, area_code, period, value, imputed FROM {SCHEMA}.index__cmp__metric_values",
    )
    observed = {(m, a, p): v for m, a, p, v, imputed in values if not imputed}
    for (m, a, p), v in observed.items():  # the index reads the fixture's numbers
        assert v == pytest.approx(truth[m][a, p][0], rel=1e-12)
    neighbours = defaultdict(list)
    for area, period, neighbour in rows(
        root, f"SELECT area_code, period, neighbour_code FROM {SCHEMA}.index__cmp__neighbours"
    ):
        neighbours[area, period].append(neighbour)
    expected = {}
    for m, a, p, v, imputed in values:
        peer_sets = {
            "england": [x for (mm, aa, pp), x in observed.items() if mm == m and pp == p],
            "group": [
                x
                for (mm, aa, pp), x in observed.items()
                if mm == m and pp == p and area_type(aa) == area_type(a)
            ],
            "neighbours": [observed[m, n, p] for n in neighbours[a, p] if (m, n, p) in observed],
        }
        for benchmark, peers in peer_sets.items():
            median = quantile(peers, 0.5) if peers else None
            _, low, high = truth[m].get((a, p), (None, None, None))
            if imputed or median is None:
                comparison, method = "not compared", None
            else:
                if low is not None:
                    method = "confidence interval"
                    side = (
                        1
                        if round(low, 9) > round(median, 9)
                        else -1
                        if round(high, 9) < round(median, 9)
                        else 0
                    )
                elif len(peers) >= 5:
                    method = "position"
                    p20, p80 = quantile(peers, 0.2), quantile(peers, 0.8)
                    side = (
                        1
                        if round(v, 9) > round(p80, 9)
                        else -1
                        if round(v, 9) < round(p20, 9)
                        else 0
                    )
                else:
                    method, side = None, 0
                d = direction[m]
                if method is None:
                    comparison = "not compared"
                elif side == 0:
                    comparison = "similar"
                elif d == 0:
                    comparison = "higher" if side > 0 else "lower"
                else:
                    comparison = "better" if side * d > 0 else "worse"
            expected[m, a, p, benchmark] = (median, len(peers), comparison, method)
    return expected


def compare(got: list[tuple], expected: dict) -> None:
    found = {(m, a, p, b): (bv, peers, c, method) for m, a, p, b, bv, peers, c, method in got}
    assert found.keys() == expected.keys()
    for key, (median, peers, comparison, method) in expected.items():
        bv, got_peers, got_comparison, got_method = found[key]
        assert (got_peers, got_comparison, got_method) == (peers, comparison, method), key
        assert (bv is None) == (median is None) and (
            median is None or bv == pytest.approx(median, rel=1e-9)
        ), key


COMPARISONS = (
    "SELECT metric, area_code, period, benchmark, benchmark_value, peers, comparison, method FROM "
)


def test_comparisons_match_medians_intervals_and_quintiles_computed_by_hand(project) -> None:
    root, truth = project
    got = rows(root, COMPARISONS + f"{SCHEMA}.index__cmp__comparisons")
    compare(got, expected_comparisons(root, truth, DIRECTION))
    summary = {(c, method) for *_, c, method in got}
    # Every verdict occurs, by both methods, and some values could not be compared.
    for verdict in ("better", "similar", "worse"):
        assert (verdict, "confidence interval") in summary and (verdict, "position") in summary
    assert ("not compared", None) in summary
    limits = rows(
        root,
        f"SELECT COUNT(*) FROM {SCHEMA}.index__cmp__comparisons WHERE metric = 'cost' AND lci IS NOT NULL",
    )
    assert limits == [(0,)]  # a computed value carries no interval


def test_a_metric_without_a_direction_is_higher_lower_or_similar(project) -> None:
    """The spec language gives every metric a direction today; the comparison's neutral branch is checked
    by compiling the same node with directions of 0 and running it on the built database."""
    root, truth = project
    compiled = Project(root).build("duckdb", write=False)
    node = next(o.node for o in compiled.objects if o.name == "index__cmp__comparisons")
    params = node.params
    neutral = dataclasses.replace(params, metrics=[{**m, "direction": 0} for m in params.metrics])
    target = sql_target(compiled.target)
    query = target.render(build(dataclasses.replace(node, params=neutral), target))
    got = rows(
        root,
        f"SELECT metric, area_code, period, benchmark, benchmark_value, peers, comparison, method FROM ({query})",
    )
    compare(got, expected_comparisons(root, truth, {"rate": 0, "cost": 0}))
    assert {c for *_, c, _ in got} == {"higher", "lower", "similar", "not compared"}


def mann_kendall(values: list[float]) -> tuple[int, float]:
    """S, and z with the tie-corrected variance and the continuity correction."""
    n = len(values)
    s = sum(
        (values[j] > values[i]) - (values[j] < values[i]) for i in range(n) for j in range(i + 1, n)
    )
    counts: dict[float, int] = defaultdict(int)
    for v in values:
        counts[v] += 1
    variance = (
        n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts.values())
    ) / 18
    if s == 0 or variance <= 0:
        return s, 0.0
    return s, (s - (1 if s > 0 else -1)) / math.sqrt(variance)


def expected_trends(series: dict[tuple[str, str | None, str], dict[str, float]]) -> dict:
    """(subject, metric, area, period) -> (points, S, z, trend, assessment)."""
    expected = {}
    for (subject, metric, area), by_period in series.items():
        periods = sorted(by_period)
        direction = -1 if subject == "rank" else DIRECTION[metric]
        for k, period in enumerate(periods):
            window = [round(by_period[p], 9) for p in periods[max(0, k - 4) : k + 1]]
            if len(window) < 5:
                expected[subject, metric, area, period] = (
                    len(window),
                    None,
                    None,
                    "too few points",
                    None,
                )
                continue
            s, z = mann_kendall(window)
            trend = (
                "increasing" if z > 1.96 else "decreasing" if z < -1.96 else "no significant change"
            )
            if trend == "no significant change":
                assessment = trend
            else:
                assessment = (
                    "improving" if (trend == "increasing") == (direction > 0) else "worsening"
                )
            expected[subject, metric, area, period] = (5, s, z, trend, assessment)
    return expected


def test_trends_are_the_mann_kendall_test_over_the_last_five_values(project) -> None:
    root, truth = project
    series: dict = defaultdict(dict)
    for metric, values in truth.items():
        for (area, period), (value, _, _) in values.items():
            series["metric", metric, area][period] = value
    for area, period, rank in rows(
        root, f"SELECT area_code, period, rank FROM {SCHEMA}.index__cmp__scores WHERE ranked"
    ):
        series["rank", None, area][period] = float(rank)
    expected = expected_trends(series)
    got = rows(
        root,
        "SELECT subject, metric, area_code, period, points, statistic, z, trend, assessment "
        f"FROM {SCHEMA}.index__cmp__trends",
    )
    found = {(s, m, a, p): tuple(rest) for s, m, a, p, *rest in got}
    assert found.keys() == expected.keys()
    for key, (points, s, z, trend, assessment) in expected.items():
        got_points, got_s, got_z, got_trend, got_assessment = found[key]
        assert (got_points, got_s, got_trend, got_assessment) == (points, s, trend, assessment), key
        assert (got_z is None) == (z is None) and (
            z is None or got_z == pytest.approx(z, abs=1e-12)
        ), key
    # The flat series is all ties (z = 0), the monotonic ones are significant, the one with a tie too.
    assert found["metric", "rate", "X010", "2019-20"][:4] == (5, 0, 0.0, "no significant change")
    assert found["metric", "rate", "X001", "2020-21"][3:] == ("increasing", "improving")
    assert found["metric", "rate", "X002", "2020-21"][3:] == ("decreasing", "worsening")
    # 40, 41, 41, 43, 44: S = 9; one pair tied, so the variance is (300 - 18) / 18 and z = 8 / 3.958 =
    # 2.02, significant; without the tie correction z would be 8 / 4.082 = 1.96, not.
    assert found["metric", "rate", "X003", "2019-20"][1:4] == (
        9,
        pytest.approx(8 / math.sqrt(282 / 18)),
        "increasing",
    )
    # X004 has no value in 2017-18: five values end only in 2020-21.
    assert found["metric", "rate", "X004", "2019-20"][0] == 4


def ordinal(n: int) -> str:
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def test_ordinals_by_hand() -> None:
    pairs = {
        1: "1st",
        2: "2nd",
        3: "3rd",
        4: "4th",
        11: "11th",
        12: "12th",
        13: "13th",
        21: "21st",
        22: "22nd",
        23: "23rd",
        101: "101st",
        111: "111th",
        112: "112th",
        113: "113th",
        121: "121st",
    }
    assert {n: ordinal(n) for n in pairs} == pairs


def test_rank_sentences_name_the_rank_the_count_and_the_change(project) -> None:
    root, _ = project
    scores = rows(
        root,
        f"SELECT area_code, period, rank, rank_change FROM {SCHEMA}.index__cmp__scores WHERE ranked",
    )
    ranked = defaultdict(list)
    for _, period, rank, _ in scores:
        ranked[period].append(rank)
    sentences = dict(
        ((a, p), s)
        for a, p, s in rows(
            root,
            f"SELECT area_code, period, sentence FROM {SCHEMA}.index__cmp__sentences WHERE topic = 'rank'",
        )
    )
    previous = {p: PERIODS[PERIODS.index(p) - 1] for p in PERIODS[1:]}
    seen = set()
    for area, period, rank, change in scores:
        joint = "joint " if ranked[period].count(rank) > 1 else ""
        text = f"Place {int(area[1:])} ranks {joint}{ordinal(rank)} of {len(ranked[period])} areas in {period}"
        if change is not None and change > 0:
            text += f", up {change} place{'s' if change != 1 else ''} since {previous[period]}"
        elif change is not None and change < 0:
            text += f", down {-change} place{'s' if change != -1 else ''} since {previous[period]}"
        elif change == 0:
            text += f", the same rank as in {previous[period]}"
        assert sentences[area, period] == text + "."
        seen.add(rank)
    assert {11, 12, 13, 21, 22, 101, 111, 112, 113} <= seen


def figure(x: float, decimals: int) -> str:
    """Rounded half away from zero to 9 decimals, then to `decimals`, as the casts to DECIMAL do."""
    nine = Decimal(repr(x)).quantize(Decimal(1).scaleb(-9), rounding=ROUND_HALF_UP)
    return str(nine.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def test_every_number_in_a_comparison_sentence_is_in_the_comparisons_table(project) -> None:
    root, _ = project
    table = {
        (m, a, p, b): (v, bv, peers, c, method)
        for m, a, p, b, v, bv, peers, c, method in rows(
            root,
            "SELECT metric, area_code, period, benchmark, value, benchmark_value, peers, comparison, "
            f"method FROM {SCHEMA}.index__cmp__comparisons",
        )
    }
    labels = {"Made-up rate": "rate", "Made-up spend per resident (pounds)": "cost"}
    pattern = re.compile(
        r"^(?P<label>.+) in Place (?P<n>\d+) \((?P<value>[-\d.]+)\) (?P<verdict>.+?) the median of "
        r"(?:all (?P<england>\d+) areas|the (?P<group>\d+) areas of its group|its (?P<near>\d+) nearest neighbours) "
        r"\((?P<benchmark>[-\d.]+)\) in (?P<period>\d{4}-\d\d)(?P<tail>.*)\.$"
    )
    checked = 0
    for area, period, topic, sentence in rows(
        root,
        f"SELECT area_code, period, topic, sentence FROM {SCHEMA}.index__cmp__sentences "
        "WHERE topic LIKE 'compared with %'",
    ):
        match = pattern.match(sentence)
        assert match, sentence
        benchmark = topic.removeprefix("compared with ")
        value, bv, peers, comparison, method = table[
            labels[match["label"]], area, period, benchmark
        ]
        size = max(abs(value), abs(bv), 1e-4)
        decimals = min(4, max(0, 2 - math.floor(round(math.log10(size), 9))))
        assert match["value"] == figure(value, decimals) and match["benchmark"] == figure(
            bv, decimals
        )
        assert int(match["england"] or match["group"] or match["near"]) == peers
        assert match["period"] == period and f"Place {match['n']}" == f"Place {int(area[1:])}"
        words = {
            ("similar", "confidence interval"): "is not significantly different from",
            ("similar", "position"): "is similar to",
        }.get(
            (comparison, method),
            f"is {'significantly ' if method == 'confidence interval' else ''}{comparison} than",
        )
        assert match["verdict"] == words
        assert ("percentile" in match["tail"]) == (method == "position" and comparison != "similar")
        checked += 1
    compared = sum(1 for v in table.values() if v[3] != "not compared")
    assert checked == compared


def test_trend_sentences_follow_the_trends_table(project) -> None:
    root, _ = project
    got = rows(
        root,
        f"SELECT t.area_code, t.period, t.trend, t.assessment, s.sentence FROM {SCHEMA}.index__cmp__trends AS t "
        f"JOIN {SCHEMA}.index__cmp__sentences AS s ON s.area_code = t.area_code AND s.period = t.period "
        f"AND s.topic = 'trend' AND s.sentence LIKE 'Made-up rate in %' WHERE t.metric = 'rate'",
    )
    assert got
    for area, period, trend, assessment, sentence in got:
        assert trend != "too few points"
        assert sentence.startswith(f"Made-up rate in Place {int(area[1:])} ")
        assert f"over its last 5 values to {period}" in sentence
        if trend == "no significant change":
            assert "shows no significant change" in sentence and "Mann-Kendall" not in sentence
        else:
            assert f"has been {trend}" in sentence
            assert (", an improvement" in sentence) == (assessment == "improving")


def test_the_spec_chooses_the_benchmarks_and_the_neutral_metrics(tmp_path: Path) -> None:
    """`comparisons: {benchmarks: [england, neighbours], neutral: [cost]}`: no group rows, and cost is
    higher or lower, its trends unassessed, as computed by hand without a direction."""
    root = tmp_path / "cmp"
    truth = write_project(root)
    spec = root / "specs" / "cmp.yaml"
    spec.write_text(
        spec.read_text() + "    comparisons: {benchmarks: [england, neighbours], neutral: [cost]}\n"
    )
    Project(root).run(publish_as_live=True)
    got = rows(root, COMPARISONS + f"{SCHEMA}.index__cmp__comparisons")
    expected = {
        key: value
        for key, value in expected_comparisons(root, truth, {"rate": 1, "cost": 0}).items()
        if key[3] != "group"
    }
    compare(got, expected)
    assert {c for m, *_, c, _ in got if m == "cost"} == {
        "higher",
        "lower",
        "similar",
        "not compared",
    }
    assessed = rows(
        root,
        f"SELECT DISTINCT trend, assessment FROM {SCHEMA}.index__cmp__trends WHERE metric = 'cost'",
    )
    assert {a for t, a in assessed if t in ("increasing", "decreasing")} == {None}
    assert ("no significant change", "no significant change") in assessed
    higher = rows(
        root,
        f"SELECT sentence FROM {SCHEMA}.index__cmp__sentences WHERE sentence LIKE 'Made-up spend%' "
        "AND topic LIKE 'compared with %'",
    )
    assert higher and not any("better" in s or "worse" in s for (s,) in higher)


def test_limits_are_read_only_from_measures_whose_source_names_limit_columns(
    tmp_path: Path,
) -> None:
    """The comparison reads a measure's own view for its confidence limits only when a source of the
    measure names limit columns: with `lci`/`uci` gone from the source, no measure view is read (each
    would be a scan of the source for limits that are all NULL)."""
    with_limits = tmp_path / "with"
    without = tmp_path / "without"
    write_project(with_limits)
    write_project(without)
    spec = without / "specs" / "cmp.yaml"
    spec.write_text(spec.read_text().replace(", lci: lower, uci: upper", ""))

    def measures_read(root: Path) -> set[str]:
        built = Project(root).build("duckdb", write=False)
        comparisons = next(o for o in built.objects if o.name == "index__cmp__comparisons")
        return {d for d in comparisons.node.depends_on if d.startswith("measure__")}

    assert measures_read(with_limits) == {"measure__rate"}  # `cost` is computed: never limits
    assert measures_read(without) == set()
