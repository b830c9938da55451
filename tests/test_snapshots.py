"""Snapshots: append-only, refused when taken again, and surfaced by a policy exactly as declared."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pytest

from indexc.errors import UserError
from indexc.project import Project

POLICY = """
snapshot_policies:
  - id: consumption
    retain: all
    surface: [{latest: 5}, {financial_year_end: all}, {lineage_events: all}, {pinned: [budget-2019, "2018-09-30"]}]
"""


def frozen_bytes(database: Path, schema: str, snapshot_id: int, out: Path) -> dict[str, bytes]:
    """Each snapshot table's rows of one snapshot, written out as CSV by DuckDB: the bytes to compare."""
    out.mkdir(parents=True, exist_ok=True)
    found = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1",
                [schema],
            ).fetchall()
        ]
        for table in tables:
            path = out / f"{table}.csv"
            connection.execute(
                f'COPY (SELECT * FROM "{schema}"."{table}" WHERE snapshot_id = {snapshot_id} '
                f"ORDER BY ALL) TO '{path}' (HEADER)"
            )
            found[table] = path.read_bytes()
    return found


@pytest.mark.slow
def test_a_repeated_snapshot_is_refused_and_the_original_stays_byte_for_byte(
    tiny_project, tmp_path
) -> None:
    project = Project(tiny_project)
    project.run()
    taken = project.take_snapshot("duckdb", datetime.date(2017, 3, 31), "year-end")
    assert taken.snapshot_id == 1 and taken.frozen["index__tiny__scores"] > 0
    target = project.build("duckdb", write=False).target
    database = tiny_project / target.database
    original = frozen_bytes(database, target.snapshots, 1, tmp_path / "before")
    assert set(original) >= {"indexc__snapshots", "index__tiny__scores", "index__tiny__top"}
    assert b"year-end" in original["indexc__snapshots"]

    # new data, a new run: the published outputs change, the snapshot does not
    finance = tiny_project / "data" / "finance.csv"
    finance.write_text(finance.read_text().replace("AAA,2016-17,", "AAA,2016-17,1", 1))
    Project(tiny_project).run()
    with pytest.raises(UserError) as refused:
        Project(tiny_project).take_snapshot("duckdb", datetime.date(2017, 3, 31), "year-end")
    assert refused.value.diagnostics[0].code == "IX801"
    assert "snapshot 2017-03-31 'year-end' exists (id 1" in refused.value.diagnostics[0].message
    assert frozen_bytes(database, target.snapshots, 1, tmp_path / "after") == original

    # the same date under another label is another snapshot, of the new outputs
    again = Project(tiny_project).take_snapshot("duckdb", datetime.date(2017, 3, 31), "restated")
    assert again.snapshot_id == 2
    second = frozen_bytes(database, target.snapshots, 2, tmp_path / "second")
    assert second["index__tiny__scores"] != original["index__tiny__scores"]
    assert frozen_bytes(database, target.snapshots, 1, tmp_path / "still") == original
    assert [r["label"] for r in Project(tiny_project).snapshots("duckdb")] == [
        "year-end",
        "restated",
    ]


def test_nothing_to_snapshot_before_a_run(tiny_project) -> None:
    with pytest.raises(UserError) as refused:
        Project(tiny_project).take_snapshot("duckdb", datetime.date(2017, 3, 31))
    assert refused.value.diagnostics[0].code == "IX801"
    assert "run 'indexc run' first" in refused.value.diagnostics[0].hint


def month_ends(first: datetime.date, months: int) -> list[datetime.date]:
    ends, year, month = [], first.year, first.month
    for _ in range(months):
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        ends.append(following - datetime.timedelta(days=1))
        year, month = following.year, following.month
    return ends


@pytest.mark.slow
def test_the_policy_surfaces_exactly_the_expected_snapshots_over_three_years(geo_project) -> None:
    """36 monthly snapshots, June 2018 to May 2021, across the fixture's two reorganisations: the split of
    C1 (with its districts) on 2019-04-01, and the merge of M1 and M2 with the recode of R1 on 2020-04-01."""
    (geo_project / "specs" / "policies.yaml").write_text("indexc: 2\n" + POLICY)
    project = Project(geo_project)
    project.run()
    dates = month_ends(datetime.date(2018, 6, 1), 36)
    assert dates[0] == datetime.date(2018, 6, 30) and dates[-1] == datetime.date(2021, 5, 31)
    for date in dates:
        project.take_snapshot(
            "duckdb", date, "budget-2019" if date == datetime.date(2019, 6, 30) else ""
        )

    target = project.build("duckdb", write=False).target
    with duckdb.connect(str(geo_project / target.database), read_only=True) as connection:
        rows = connection.execute(
            f"SELECT as_of, latest, financial_year_end, lineage_events, pinned "
            f"FROM {target.published}.consumption__consumption__snapshots ORDER BY as_of"
        ).fetchall()
        scores = connection.execute(
            f"SELECT DISTINCT snapshot_as_of, period FROM {target.published}."
            f"consumption__consumption__index__value__scores"
        ).fetchall()
    d = datetime.date
    # worked out by hand from the policy:
    expected = [
        (d(2018, 9, 30), False, False, None, True),  # pinned by date
        (
            d(2019, 3, 31),
            False,
            True,
            "c1_split, u1_districts, u2_districts",
            False,
        ),  # end of 2018-19; in force 2019-04-01
        (d(2019, 6, 30), False, False, None, True),  # pinned by label
        (
            d(2020, 3, 31),
            False,
            True,
            "m_merge, r_recode",
            False,
        ),  # end of 2019-20; in force 2020-04-01
        (d(2021, 1, 31), True, False, None, False),  # the latest five ...
        (d(2021, 2, 28), True, False, None, False),
        (
            d(2021, 3, 31),
            True,
            True,
            None,
            False,
        ),  # ... of which this ends 2020-21 (2021-22 has not ended)
        (d(2021, 4, 30), True, False, None, False),
        (d(2021, 5, 31), True, False, None, False),
    ]
    assert rows == expected
    # one period per surfaced snapshot: its latest ('periods: latest')
    assert sorted(scores) == [(as_of, "2020-21") for as_of, *_ in expected]


def test_terminated_codes_are_followed_through_later_events() -> None:
    from indexc.plan.snapshots import Succession, successions
    from indexc.spec.geography import LineageEvent
    from indexc.validate.catalog import Catalog

    d = datetime.date
    catalog = Catalog(
        lineage={
            e["id"]: LineageEvent.model_validate(e)
            for e in [
                {
                    "id": "split",
                    "effective": "2019-04-01",
                    "type": "split",
                    "from": ["A"],
                    "to": ["B", "C"],
                },
                {
                    "id": "merge",
                    "effective": "2021-04-01",
                    "type": "merge",
                    "from": ["B", "X"],
                    "to": ["D"],
                },
                {
                    "id": "rename",
                    "effective": "2022-04-01",
                    "type": "rename",
                    "from": ["D"],
                    "to": [{"code": "D", "name": "Dee"}],
                },
                {
                    "id": "later",
                    "effective": "2030-04-01",
                    "type": "recode",
                    "from": ["C"],
                    "to": ["E"],
                    "status": "proposed",
                },
            ]
        }
    )
    assert successions(catalog) == (
        Succession("A", "B", d(2019, 4, 1), d(2021, 4, 1)),
        Succession("A", "C", d(2019, 4, 1), d(2021, 4, 1)),
        Succession("A", "C", d(2021, 4, 1), None),
        Succession("A", "D", d(2021, 4, 1), None),
        Succession("B", "D", d(2021, 4, 1), None),
        Succession("X", "D", d(2021, 4, 1), None),
    )


@pytest.mark.slow
def test_consumption_views_follow_lineage_to_each_snapshots_date(geo_project) -> None:
    """Built on the geography of 2018 (before C1 split on 2019-04-01, and before M1 and M2 merged and R1
    was recoded on 2020-04-01), then snapshotted as of a date between the events and one after both;
    the expectations are worked out by hand from the fixture's events and neighbour list."""
    from indexc.geography import GeographyOptions

    (geo_project / "specs" / "policies.yaml").write_text("indexc: 2\n" + POLICY)
    data = geo_project / "specs" / "data.yaml"  # its groups are on today's codes: not needed here
    data.write_text(
        data.read_text().replace(
            "  - id: groups\n    type: group\n    source: groups\n    level: upper\n"
            "    metrics: [spend_per_head, satisfied]\n",
            "",
        )
    )
    project = Project(geo_project, GeographyOptions(datetime.date(2018, 6, 30)))
    project.run(
        publish_as_live=True
    )  # a what-if is snapshotted only published as live, with its options
    project.take_snapshot("duckdb", datetime.date(2019, 6, 30), "between")
    project.take_snapshot("duckdb", datetime.date(2020, 6, 30), "after")
    target = project.build("duckdb", write=False).target
    with duckdb.connect(str(geo_project / target.database), read_only=True) as connection:
        neighbours = connection.execute(
            "SELECT snapshot_label, area_code, list(DISTINCT neighbour_code_in_force ORDER BY neighbour_code_in_force)"
            f" FROM {target.published}.consumption__consumption__index__value__neighbours "
            "WHERE area_code IN ('S', 'R1') GROUP BY ALL ORDER BY 1, 2"
        ).fetchall()
        areas = connection.execute(
            "SELECT DISTINCT area_code, area_ended_on, area_now_stood_for_by "
            f"FROM {target.published}.consumption__consumption__index__value__scores ORDER BY 1"
        ).fetchall()
    # the universe of 2018 is M1, M2, R1 and S (C1 is a county); S listed M1, R1 listed M2
    assert neighbours == [
        ("after", "R1", ["M3"]),
        ("after", "S", ["M3"]),
        ("between", "R1", ["M2"]),
        ("between", "S", ["M1"]),
    ]
    d = datetime.date
    assert areas == [
        ("M1", d(2020, 4, 1), "M3"),
        ("M2", d(2020, 4, 1), "M3"),
        ("R1", d(2020, 4, 1), "R2"),
        ("S", None, None),
    ]
