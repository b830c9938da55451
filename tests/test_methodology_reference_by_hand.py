"""The reference implementation (tests/reference/) checked by hand: the worked example of
docs/methodology.md with the doc's own numbers, and each formula on values small enough to work on
paper. These pass or fail on the reference alone, whatever the SQL does."""

from __future__ import annotations

import math

import pytest
from reference.inputs import Inputs
from reference.methodology import compute_index
from reference.scoring import normalise, treat
from reference.spec import apply_scenario, parse_index
from reference.stats import competition_ranks, quantile, skew_kurtosis, weyl_multipliers

P = "2016-17"


def worked_example(normalisation: dict, aggregate: str = "arithmetic") -> dict:
    """Three areas, one lens L of m1 (weight 2, higher is better) and m2 (weight 1, lower is better)."""
    index = parse_index(
        {
            "id": "example",
            "universe": "u",
            "method": {"normalise": normalisation, "aggregate": aggregate},
            "lenses": [
                {
                    "id": "l",
                    "weight": 1,
                    "metrics": [{"metric": "m1", "weight": 2}, {"metric": "m2", "weight": 1}],
                }
            ],
            "savings": [
                {
                    "id": "s",
                    "lens": "l",
                    "unit_cost": "m2",
                    "volume": "v",
                    "peers": "type",
                    "quantile": 0.25,
                }
            ],
        }
    )
    inputs = Inputs(
        metrics={
            "m1": {("A", P): 10, ("B", P): 20, ("C", P): 30},
            "m2": {("A", P): 5, ("B", P): 7, ("C", P): 10},
        },
        universe=[(code, code, "t", None, None) for code in "ABC"],
        measures={"v": {("A", P): 1000, ("B", P): 2000, ("C", P): 4000}},
    )
    return compute_index(index, inputs, {"m1": "higher_is_better", "m2": "lower_is_better"})


def by_area(rows: list[dict], column: str) -> dict:
    return {r["area_code"]: r[column] for r in rows}


def test_the_worked_example_with_minmax_0_100() -> None:
    tables = worked_example({"method": "minmax", "low": 0, "high": 100})
    scores = {(r["metric"], r["area_code"]): r["score"] for r in tables["metric_scores"]}
    assert scores == {
        ("m1", "A"): 0,
        ("m1", "B"): 50,
        ("m1", "C"): 100,
        ("m2", "A"): 100,
        ("m2", "B"): 60,
        ("m2", "C"): 0,
    }
    lens = by_area(tables["lens_scores"], "score")
    assert [round(lens[a], 2) for a in "ABC"] == [33.33, 53.33, 66.67]
    assert by_area(tables["scores"], "rank") == {"A": 3, "B": 2, "C": 1}


def test_the_worked_example_geometric_with_minmax_1_100_punishes_c() -> None:
    tables = worked_example({"method": "minmax", "low": 1, "high": 100}, "geometric")
    lens = by_area(tables["lens_scores"], "score")
    assert lens["A"] == pytest.approx(math.exp((2 * math.log(1) + math.log(100)) / 3))
    assert lens["B"] == pytest.approx(math.exp((2 * math.log(50.5) + math.log(60.4)) / 3))
    assert [round(lens["A"], 2), round(lens["B"], 1), round(lens["C"], 1)] == [4.64, 53.6, 21.5]
    assert by_area(tables["scores"], "rank") == {"A": 3, "B": 1, "C": 2}


def test_the_worked_example_savings() -> None:
    tables = worked_example({"method": "minmax", "low": 0, "high": 100})
    assert by_area(tables["savings"], "benchmark") == {"A": 6, "B": 6, "C": 6}
    assert by_area(tables["savings"], "amount") == {"A": 0, "B": 2000, "C": 16000}
    assert tables["savings_totals"] == [
        {"period": P, "lens": "*", "amount": 18000},
        {"period": P, "lens": "l", "amount": 18000},
    ]
    assert by_area(tables["top"], "savings") == {"A": 0, "B": 2000, "C": 16000}


def test_quantile_interpolates_between_sorted_values() -> None:
    assert quantile([7, 5, 10], 0.25) == 6  # h = 0.5: 5 + 0.5 (7 - 5)
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([4, 1], 1.0) == 4 and quantile([4, 1], 0.0) == 1
    assert quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.05) == pytest.approx(1.5)


def test_skewness_and_kurtosis_agree_with_excels_own_formulas() -> None:
    xs = [1, 2, 3, 4, 10, 12, 2.5]
    n, m = len(xs), sum(xs) / len(xs)
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    skew = n / ((n - 1) * (n - 2)) * sum(((x - m) / s) ** 3 for x in xs)
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * sum(((x - m) / s) ** 4 for x in xs) - 3 * (
        n - 1
    ) ** 2 / ((n - 2) * (n - 3))
    g1, g2 = skew_kurtosis(xs)
    assert g1 == pytest.approx(skew, rel=1e-12) and g2 == pytest.approx(kurt, rel=1e-12)
    assert skew_kurtosis([3, 3, 3, 3]) == (None, None)


def test_jrc_winsorises_one_point_at_a_time_then_falls_back_to_the_log() -> None:
    one_outlier = [12, 14, 11, 15, 13, 16, 70, 12, 17, 14, 19, 13, 15]
    treated, report = treat({"method": "jrc", "max_points": 3}, one_outlier)
    assert (report["high_points"], report["low_points"], report["log_applied"]) == (1, 0, False)
    assert max(treated) == 19 and treated.count(19) == 2  # 70 set to the second largest
    two_outliers = [0.0] * 12 + [
        1.0,
        2.0,
    ]  # after one point: a cluster of 2 of 14, |G1| 2.29, G2 3.79
    treated, report = treat({"method": "jrc", "max_points": 1}, two_outliers)
    assert report["log_applied"] and (report["high_points"], report["low_points"]) == (0, 0)
    assert treated == [math.log(x - 0 + 1) for x in two_outliers]
    low_side = [-x for x in two_outliers]  # skewed to the left: -ln(max x - x + 1)
    treated, report = treat({"method": "jrc", "max_points": 1}, low_side)
    assert report["log_applied"] and treated == [-math.log(0 - x + 1) for x in low_side]
    assert treat({"method": "jrc", "max_points": 3}, [1, 2, 100])[0] == [1, 2, 100]  # fewer than 4


def test_winsorise_clips_at_the_interpolated_quantiles() -> None:
    treated, report = treat(
        {"method": "winsorise", "lower": 0.1, "upper": 0.9}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]
    )
    assert (
        treated[0] == 2
        and treated[-1] == 10
        and (report["high_points"], report["low_points"]) == (1, 1)
    )


def test_rank_based_normalisations_share_ties_as_the_doc_says() -> None:
    o = [1.0, 2.0, 2.0, 3.0]
    assert normalise({"method": "percentile_rank"}, o, o) == pytest.approx(
        [0, 100 / 3, 100 / 3, 100]
    )
    assert normalise({"method": "rank"}, o, o) == [1, 2.5, 2.5, 4]
    assert normalise({"method": "borda"}, o, o) == [0, 1, 1, 3]
    assert normalise({"method": "zscore", "mean": 100, "sd": 10}, [5.0, 5.0], [5.0, 5.0]) == [
        None,
        None,
    ]
    assert normalise(
        {"method": "goalpost", "worst": 50, "target": 90}, [40.0, 70.0, 95.0], [-40.0, -70.0, -95.0]
    ) == [0, 50, 100]
    assert normalise(
        {"method": "goalpost", "worst": 50, "target": 90, "cap": False}, [95.0], [95.0]
    ) == [112.5]


def test_competition_ranks_tie_scores_equal_to_nine_decimals() -> None:
    assert competition_ranks({"a": 2.0, "b": 1.0000000000001, "c": 1.0, "d": 0.5}) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }


def test_the_weyl_sequence_by_hand() -> None:
    u = weyl_multipliers(1, 7, 0.25, 2)
    assert u[0] == pytest.approx(0.75 + 0.5 * (8 * math.sqrt(2) - math.floor(8 * math.sqrt(2))))
    assert u[1] == pytest.approx(0.75 + 0.5 * ((8 * (math.sqrt(3) - 1)) % 1))


def test_imputed_values_are_scored_but_do_not_raise_coverage() -> None:
    index = parse_index(
        {
            "id": "i",
            "universe": "u",
            "method": {
                "normalise": "minmax",
                "missing": {"impute": "mean", "group": "type"},
                "min_coverage": 0.5,
            },
            "lenses": [
                {"id": "a", "weight": 1, "metrics": ["m1"]},
                {"id": "b", "weight": 3, "metrics": ["m2"]},
            ],
        }
    )
    inputs = Inputs(
        metrics={"m1": {("A", P): 1, ("B", P): 3, ("C", P): 2}, "m2": {("A", P): 1, ("B", P): 3}},
        universe=[
            ("A", "A", "t", None, None),
            ("B", "B", "t", None, None),
            ("C", "C", "t", None, None),
        ],
    )
    tables = compute_index(index, inputs, {"m1": "higher_is_better", "m2": "higher_is_better"})
    imputed = [r for r in tables["metric_scores"] if r["imputed"]]
    assert [(r["metric"], r["area_code"], r["value"], r["score"]) for r in imputed] == [
        ("m2", "C", 2, 50)
    ]
    c = [r for r in tables["scores"] if r["area_code"] == "C"][0]
    assert (c["score"], c["lenses_used"], c["coverage"], c["ranked"], c["rank"]) == (
        50,
        2,
        0.25,
        False,
        None,
    )


def test_a_scenario_changes_a_lens_a_lens_metric_or_a_metric_in_every_lens() -> None:
    index = parse_index(
        {
            "id": "i",
            "universe": "u",
            "method": {"normalise": "minmax"},
            "lenses": [
                {"id": "a", "weight": 1, "metrics": ["m1", "m2"]},
                {"id": "b", "weight": 1, "metrics": ["m2"]},
            ],
            "savings": [
                {
                    "id": "s",
                    "lens": "a",
                    "unit_cost": "m1",
                    "volume": "v",
                    "peers": "type",
                    "quantile": 0.25,
                }
            ],
        }
    )
    changed = apply_scenario(
        index,
        {
            "id": "x",
            "weights": {"b": 4, "a/m1": 2, "m2": 3},
            "savings": {"quantile": 0.5, "improvement": 0.5},
        },
    )
    assert [lens.weight for lens in changed.lenses] == [1, 4]
    assert [[m.weight for m in lens.children] for lens in changed.lenses] == [[2, 3], [3]]
    assert (changed.savings[0]["quantile"], changed.savings[0]["improvement"]) == (0.5, 0.5)
    assert index.lenses[1].weight == 1  # the baseline is left alone
