"""Restatement on the made-up country of tests/fixtures/geo, every expected value worked by hand.

C1 (districts D1 300 people, D2 200 in mid-2018) splits into U1 and U2 in 2019;
M1 (100 people) and M2 (300) merge into M3 and R1 is recoded R2 in 2020. The
geography date is the latest event's, 2020-04-01.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, copy_project

from indexc.cli import main
from indexc.errors import UserError
from indexc.geography import GeographyOptions
from indexc.project import Project


def run(project: Path, **options) -> duckdb.DuckDBPyConnection:
    Project(project, GeographyOptions(**options)).run(
        publish_as_live=True
    )  # read from the live schemas
    return duckdb.connect(str(project / "build" / "geo.duckdb"), read_only=True)


def table(connection, name: str, period: str) -> dict[str, float]:
    return dict(
        connection.execute(
            f"SELECT area_code, value FROM geo_index.{name} WHERE period = ? ORDER BY area_code",
            [period],
        ).fetchall()
    )


@pytest.fixture(scope="module")
def restated(tmp_path_factory):
    """One run of the made-up country for every test that only reads it (read-only connection)."""
    connection = run(copy_project(FIXTURES / "geo", tmp_path_factory.mktemp("restated") / "geo"))
    yield connection
    connection.close()


def test_a_split_is_apportioned_by_the_population_of_each_territory(restated) -> None:
    # C1 spent 1000 in 2018-19; D1 held 300 of its 500 people, D2 200
    assert table(restated, "restated__spend", "2018-19") == {
        "M3": 800.0,
        "R2": 250.0,
        "S": 400.0,
        "U1": 600.0,
        "U2": 400.0,
    }


def test_sum_measures_keep_their_totals_every_year(restated) -> None:
    for period in ("2018-19", "2019-20", "2020-21"):
        published = restated.execute(
            "SELECT SUM(value) FROM geo_index.measure__spend WHERE period = ?", [period]
        ).fetchone()[0]
        assert sum(table(restated, "restated__spend", period).values()) == pytest.approx(
            published, rel=1e-12
        )


def test_a_mean_is_weighted_on_a_merge_and_copied_on_a_split(restated) -> None:
    satisfaction = table(restated, "restated__satisfaction", "2018-19")
    assert satisfaction["M3"] == pytest.approx(
        (80 * 100 + 40 * 300) / 400
    )  # weighted by population
    assert satisfaction["U1"] == satisfaction["U2"] == 60.0  # C1's value, copied
    assert table(restated, "restated__satisfaction", "2019-20")["M3"] == pytest.approx(
        (82 * 102 + 42 * 303) / 405
    )


def test_metrics_are_computed_after_restatement_so_money_and_people_move_together(restated) -> None:
    per_head = table(restated, "metric__spend_per_head", "2018-19")
    assert (
        per_head["U1"] == per_head["U2"] == pytest.approx(1000 / 500)
    )  # C1's spend per head, both halves
    assert per_head["M3"] == pytest.approx(800 / 400)


def test_new_areas_are_ranked_in_years_before_they_existed(restated) -> None:
    ranked = restated.execute(
        "SELECT area_code FROM geo_index.index__value__scores WHERE period = '2018-19' "
        "AND rank IS NOT NULL ORDER BY area_code"
    ).fetchall()
    assert [code for (code,) in ranked] == ["M3", "R2", "S", "U1", "U2"]


def test_indicators_say_which_areas_are_new_and_where_their_history_comes_from(restated) -> None:
    rows = restated.execute(
        "SELECT area_code, period, is_new, new_since, is_terminated, history_from "
        "FROM geo_index.geography__indicators ORDER BY area_code, period"
    ).fetchall()
    by_key = {(code, period): rest for code, period, *rest in rows}
    assert by_key[("U1", "2018-19")] == [True, datetime.date(2019, 4, 1), False, "C1"]
    assert by_key[("U1", "2019-20")] == [False, datetime.date(2019, 4, 1), False, "U1"]
    assert by_key[("M3", "2019-20")] == [True, datetime.date(2020, 4, 1), False, "M1, M2"]
    assert by_key[("S", "2018-19")] == [False, None, False, "S"]
    assert len(rows) == len(by_key)  # one row per area and period


def test_a_group_sums_its_members_and_weights_their_means(restated) -> None:
    assert table(restated, "area_map__groups__measure__spend", "2018-19") == {
        "G1": 600.0 + 800.0,
        "G2": 400.0 + 250.0,
    }
    assert table(restated, "area_map__groups__metric__spend_per_head", "2018-19")[
        "G1"
    ] == pytest.approx(1400 / 700)
    assert table(restated, "area_map__groups__metric__satisfied", "2018-19")["G1"] == pytest.approx(
        (60 * 300 + 50 * 400) / 700
    )


def without_groups(project: Path) -> None:
    data = project / "specs" / "data.yaml"
    data.write_text(data.read_text().split("area_maps:")[0])


def test_restating_backward_returns_each_area_to_the_geography_of_its_year(
    geo_project: Path,
) -> None:
    without_groups(
        geo_project
    )  # M3's members cannot go back without apportioning: see the next test
    connection = run(geo_project, date=datetime.date(2018, 4, 1))
    spend = table(connection, "restated__spend", "2020-21")
    assert spend["C1"] == 720.0 + 460.0  # U1 and U2 were both C1
    assert spend["R1"] == 270.0
    # M1 and M2 no longer exist in 2020-21: M3 divides by their populations in 2019-20, the last year they had
    assert spend["M1"] == pytest.approx(840 * 102 / 405) and spend["M2"] == pytest.approx(
        840 * 303 / 405
    )
    assert set(spend) == {"C1", "M1", "M2", "R1", "S"}
    satisfaction = table(connection, "restated__satisfaction", "2020-21")
    assert satisfaction["M1"] == satisfaction["M2"] == 52.0  # a mean is copied back to each part
    connection.close()


def test_restating_backward_divides_years_without_a_basis_by_the_year_before_the_event(
    geo_project: Path,
) -> None:
    without_groups(geo_project)
    with open(geo_project / "data" / "finance.csv", "a") as handle:
        handle.write("M3,2021-22,900\n")  # no population is published for 2021 yet
    connection = run(geo_project, date=datetime.date(2018, 4, 1))
    spend = table(connection, "restated__spend", "2021-22")
    assert spend == pytest.approx({"M1": 900 * 102 / 405, "M2": 900 * 303 / 405})
    connection.close()


def test_an_event_apportioned_in_two_levels_has_shares_in_both(geo_project: Path) -> None:
    without_groups(
        geo_project
    )  # M1, M2 and M3 are unitaries: the merge is in the upper and the lower level
    data = geo_project / "specs" / "data.yaml"
    data.write_text(
        data.read_text()
        .replace(
            "measures:\n",
            """measures:
  - id: council_tax
    unit: gbp
    additivity: sum
    bindings: [{source: lower_finance, item: tax}]
""",
        )
        .replace(
            "sources:\n",
            """sources:
  - id: lower_finance
    layout: wide
    columns: {area: area, period: year}
    period: {grain: financial_year, format: "YYYY-YY"}
    geography: {level: lower, codes: as_published}
    items: {tax: Council tax}
""",
        )
    )
    (geo_project / "data" / "lower_finance.csv").write_text(
        "area,year,tax\nM3,2020-21,81\nS,2020-21,10\n"
    )
    target = geo_project / "targets" / "duckdb.yaml"
    target.write_text(target.read_text() + "  lower_finance: {path: data/lower_finance.csv}\n")
    connection = run(geo_project, date=datetime.date(2018, 4, 1))
    assert table(connection, "restated__council_tax", "2020-21") == pytest.approx(
        {"M1": 81 * 102 / 405, "M2": 81 * 303 / 405, "S": 10.0}
    )
    connection.close()


def test_a_group_member_that_cannot_be_carried_onto_the_geography_date_fails_the_run(
    geo_project: Path,
) -> None:
    (problem,) = diagnostics_of(geo_project, date=datetime.date(2018, 4, 1))
    assert (problem.code, problem.location.file) == ("IX702", "specs/data.yaml")
    assert "'M3: not carried onto the geography date without apportioning'" in problem.message


def test_a_group_member_unknown_to_the_register_fails_the_run(geo_project: Path) -> None:
    with open(geo_project / "data" / "groups.csv", "a") as handle:
        handle.write("Q7,G2,Group Two\n")
    (problem,) = diagnostics_of(geo_project)
    assert "'Q7: not in the area register'" in problem.message


def diagnostics_of(project: Path, **options) -> list:
    with pytest.raises(UserError) as raised:
        Project(project, GeographyOptions(**options)).run()
    return raised.value.diagnostics


def test_data_on_a_code_not_in_force_that_year_fails_the_run_at_the_measure(
    geo_project: Path,
) -> None:
    with open(geo_project / "data" / "finance.csv", "a") as handle:
        handle.write("U1,2017-18,690\nZZ,2018-19,7\n")  # 690: near U1's later spend, no smell
    (problem,) = diagnostics_of(geo_project)
    assert (problem.code, problem.location.file, problem.location.line) == (
        "IX702",
        "specs/data.yaml",
        36,
    )
    assert "'U1 2017-18 finance', 'ZZ 2018-19 finance'" in problem.message


def test_a_territory_without_a_basis_value_fails_the_run_at_the_event(geo_project: Path) -> None:
    people = geo_project / "data" / "people.csv"
    people.write_text(
        "".join(
            line
            for line in people.read_text().splitlines(keepends=True)
            if not line.startswith("D2,2018")
        )
    )
    (problem,) = diagnostics_of(geo_project)
    assert (problem.code, problem.location.file, problem.location.line) == (
        "IX702",
        "specs/geography.yaml",
        28,
    )
    assert "c1_split" in problem.message and "'2018-19: 1 of 2 territories'" in problem.message


def test_restating_backward_across_a_merge_needs_its_basis(geo_project: Path) -> None:
    without_groups(geo_project)
    geography = geo_project / "specs" / "geography.yaml"
    geography.write_text(
        geography.read_text().replace(
            "    from: [M1, M2]\n    to: [M3]\n    apportion: {by: population}\n",
            "    from: [M1, M2]\n    to: [M3]\n",
        )
    )
    (problem,) = diagnostics_of(geo_project, date=datetime.date(2019, 4, 1))
    assert (problem.code, problem.location.file, problem.location.line) == (
        "IX609",
        "specs/geography.yaml",
        48,
    )  # its type: merge
    assert (
        "M3 (upper) cannot be restated onto 2019-04-01" in problem.message
    )  # the level its data is in


def test_only_proposed_events_can_be_asked_for(geo_project: Path) -> None:
    (problem,) = diagnostics_of(geo_project, proposed=("m_merge",))
    assert (
        problem.code == "IX608" and "'m_merge' is not a proposed lineage event" in problem.message
    )


def test_a_crosswalk_divides_health_board_data_among_councils_by_patient_share(restated) -> None:
    appointments = table(
        restated, "area_map__boards_onto_councils__metric__appointments", "2020-21"
    )
    assert appointments == {"U1": 700.0, "U2": 300.0, "M3": 300.0, "S": 150.0, "R2": 150.0}
    assert sum(appointments.values()) == 1000 + 600  # nothing created or lost


def test_crosswalk_weights_that_do_not_sum_to_1_fail_the_run(geo_project: Path) -> None:
    weights = geo_project / "data" / "board_to_council.csv"
    weights.write_text(weights.read_text().replace("I2,R2,0.25", "I2,R2,0.2"))
    (problem,) = diagnostics_of(geo_project)
    assert (problem.code, problem.location.file) == ("IX702", "specs/data.yaml")
    assert "'I2: weights sum to 0.95'" in problem.message


def test_a_group_listing_members_that_have_since_merged_fails_rather_than_counting_twice(
    geo_project: Path,
) -> None:
    data = geo_project / "specs" / "data.yaml"
    data.write_text(
        data.read_text().replace(
            "geography: {level: upper, codes: 2020-04-01}",
            "geography: {level: upper, codes: 2019-04-01}",
        )
    )
    (geo_project / "data" / "groups.csv").write_text(
        "member,group,group_name\nU1,G1,Group One\nM1,G1,Group One\nM2,G1,Group One\n"
    )
    (problem,) = diagnostics_of(geo_project)
    assert (
        "M3: reached by several members' codes; list the code in force on the geography date"
        in problem.message
    )


def test_crosswalk_weights_may_change_over_time_as_long_as_they_sum_to_1_each_day(
    geo_project: Path,
) -> None:
    data = geo_project / "specs" / "data.yaml"
    data.write_text(
        data.read_text().replace(
            "columns: {from: board, to: council, weight: patient_share}",
            "columns: {from: board, to: council, weight: patient_share, "
            "valid_from: start, valid_to: end}",
        )
    )
    (geo_project / "data" / "board_to_council.csv").write_text(
        "board,council,patient_share,start,end\nI1,U1,0.7,,2020-03-31\nI1,U1,0.6,2020-04-01,\nI1,U2,0.3,,\n"
        "I1,S,0.1,2020-04-01,\nI2,M3,1.0,,\n"
    )
    connection = run(geo_project)
    assert table(connection, "area_map__boards_onto_councils__metric__appointments", "2019-20") == {
        "U1": 630.0,
        "U2": 270.0,
        "M3": 500.0,
    }
    assert table(connection, "area_map__boards_onto_councils__metric__appointments", "2020-21") == {
        "U1": 600.0,
        "U2": 300.0,
        "S": 100.0,
        "M3": 600.0,
    }
    connection.close()


def test_a_negative_basis_fails_the_run_at_the_event(geo_project: Path) -> None:
    people = geo_project / "data" / "people.csv"
    people.write_text(people.read_text().replace("D1,2018,300", "D1,2018,-300"))
    (problem,) = diagnostics_of(geo_project)
    assert (problem.code, problem.location.line) == ("IX702", 28)
    assert "'2018-19: negative basis for C1>U1'" in problem.message


def test_a_measure_given_twice_for_one_area_and_period_fails_the_run_at_the_measure(
    geo_project: Path,
) -> None:
    data = geo_project / "specs" / "data.yaml"
    data.write_text(
        data.read_text()
        .replace(
            "    bindings: [{source: people, item: people}]",
            "    bindings: [{source: people, item: people},\n"
            "               {source: people_again, item: people, restate: false}]",
        )
        .replace(
            "  - id: survey\n",
            "  - id: people_again\n    layout: wide\n"
            "    columns: {area: area, period: mid_year}\n"
            '    period: {grain: mid_year, format: "YYYY"}\n'
            "    geography: {level: upper, codes: as_published}\n"
            "    items: {people: Residents}\n  - id: survey\n",
        )
    )
    (geo_project / "data" / "people_again.csv").write_text("area,mid_year,people\nM1,2018,100\n")
    target = geo_project / "targets" / "duckdb.yaml"
    target.write_text(target.read_text() + "  people_again: {path: data/people_again.csv}\n")
    (problem,) = diagnostics_of(geo_project)
    assert problem.code == "IX702" and "'M1 2018-19 given twice'" in problem.message


@pytest.mark.slow
def test_a_value_left_unknown_for_lack_of_a_contributors_data_is_a_warning(
    geo_project: Path,
) -> None:
    finance = geo_project / "data" / "finance.csv"
    finance.write_text(finance.read_text().replace("M2,2018-19,500\n", ""))
    result = CliRunner().invoke(main, ["--project", str(geo_project), "run"])
    assert result.exit_code == 0, result.output
    assert (
        "specs/data.yaml:36:5: IX705 warning: spend: 1 value(s) left unknown on the geography of 2020-04-01: "
        "some contributing area has no data (first: M3 2018-19, 1 of 2)"
    ) in result.output
    with duckdb.connect(str(geo_project / "build" / "geo.duckdb"), read_only=True) as connection:
        assert table(connection, "restated__spend", "2018-19")["M3"] is None


@pytest.mark.slow
def test_a_measure_that_cannot_be_combined_is_copied_where_no_code_it_holds_changed(
    geo_project: Path,
) -> None:
    """`additivity: none` has no weight: its restatement must not read one (it read a `basis` column)."""
    data = geo_project / "specs" / "data.yaml"
    data.write_text(
        data.read_text().replace(
            "metrics:\n",
            "  - id: satisfaction_as_answered\n    unit: percent\n"
            "    additivity: none\n"
            "    bindings: [{source: survey, item: SAT, periods: {from: 2020-21}}]\n"
            "metrics:\n",
            1,
        )
    )
    connection = run(geo_project)
    assert table(connection, "restated__satisfaction_as_answered", "2020-21") == {
        "M3": 52.0,
        "R2": 57.0,
        "S": 72.0,
        "U1": 63.0,
        "U2": 59.0,
    }  # as published: nothing to combine
    connection.close()


def test_crosswalk_weights_of_0_or_below_fail_the_run_even_when_they_sum_to_1(
    geo_project: Path,
) -> None:
    weights = geo_project / "data" / "board_to_council.csv"
    weights.write_text(
        weights.read_text()
        .replace("I2,S,0.25\nI2,R2,0.25", "I2,S,-0.25\nI2,R2,0.75")
        .replace("I1,U2,0.3", "I1,U2,0.3\nI1,S,0")
    )
    (problem,) = diagnostics_of(geo_project)
    assert (problem.code, problem.location.file, problem.location.line) == (
        "IX702",
        "specs/data.yaml",
        75,
    )
    assert "'I1 -> S: weight 0.0', 'I2 -> S: weight -0.25'" in problem.message


@pytest.mark.slow
def test_a_split_with_literal_shares_and_a_basis_divides_forward_by_its_shares(
    geo_project: Path,
) -> None:
    """docs/geography.md: both may be given; the shares divide forward, the basis serves only backward."""
    geography = geo_project / "specs" / "geography.yaml"
    geography.write_text(
        geography.read_text().replace(
            "      - {code: U1, districts: [D1]}\n      - {code: U2, districts: [D2]}\n"
            "    apportion: {by: population}\n",
            "      - {code: U1, districts: [D1], share: 0.5}\n      - {code: U2, districts: [D2], share: 0.5}\n"
            "    apportion: {by: population}\n    shares_source: an even split, for the test\n",
        )
    )
    connection = run(geo_project)
    spend = table(connection, "restated__spend", "2018-19")
    assert (
        spend["U1"] == spend["U2"] == 500.0
    )  # C1's 1000 by the shares, not 600/400 by D1's and D2's people
    connection.close()
