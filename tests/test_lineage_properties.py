"""Properties of restatement over random histories of merges, splits, transfers and recodes.

Hypothesis draws a country of districts grouped into councils, then one
reorganisation a year. Each example is compiled and run on DuckDB, and the
restated tables are held to the properties the issue names:
- `sum` measures keep their totals in every period (to 1e-9 relative);
- the weights that leave each code in each period sum to 1;
- restating forward and then back to the first geography returns the original
  values where the maps allow it (no merger or transfer to undo);
and a `mean` measure stays within the range of the values it combines.
"""

from __future__ import annotations

import datetime
import json
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from indexc.geography import GeographyOptions
from indexc.project import Project

pytestmark = pytest.mark.slow  # compiles and runs DuckDB twice for each of 25 random histories

FIRST_YEAR = 2010


def label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass
class Council:
    start: int | None  # first year in force (None: from the beginning)
    end: int | None = None  # last year in force
    territory: list = field(
        default_factory=list
    )  # (from year, districts or None when a literal split hid them)

    @property
    def districts(self) -> tuple[str, ...] | None:
        return self.territory[-1][1] if self.territory else None

    def districts_in(self, year: int) -> tuple[str, ...] | None:
        return [d for start, d in self.territory if start <= year][-1]


@dataclass
class History:
    years: int
    councils: dict[str, Council]
    districts: list[str]
    events: list[dict] = field(default_factory=list)
    undoable: bool = True  # only splits and recodes: going back needs no basis


@st.composite
def histories(draw) -> History:
    districts = [f"D{i}" for i in range(draw(st.integers(3, 8)))]
    cuts = sorted(draw(st.sets(st.integers(1, len(districts) - 1), max_size=len(districts) - 1)))
    groups = [
        tuple(districts[a:b]) for a, b in zip([0, *cuts], [*cuts, len(districts)], strict=True)
    ]
    councils = {
        f"C{i}": Council(None, territory=[(FIRST_YEAR, group)]) for i, group in enumerate(groups)
    }
    history = History(draw(st.integers(1, 5)), councils, districts)
    number = len(councils)
    for year in range(FIRST_YEAR + 1, FIRST_YEAR + 1 + history.years):
        current = sorted(code for code, c in councils.items() if c.end is None)
        kind = draw(st.sampled_from(["merge", "split", "shares", "transfer", "recode"]))
        splittable = [
            c for c in current if councils[c].districts and len(councils[c].districts) > 1
        ]
        # what a transfer's giver keeps is its basis less the districts it gives: that needs the giver's basis,
        # on the same territory, in every period restated (indexc refuses a negative remainder), so only
        # councils published from the first year, whose territory never changed, give districts away
        givers = [
            c for c in splittable if councils[c].start is None and len(councils[c].territory) == 1
        ]
        if (
            kind == "merge"
            and len(current) < 2
            or kind == "split"
            and not splittable
            or kind == "transfer"
            and not givers
        ):
            kind = "recode"
        event = {
            "id": f"e{year}",
            "effective": f"{year}-04-01",
            "type": kind,
            "apportion": {"by": "population"},
        }
        if kind == "merge":
            merging = draw(st.lists(st.sampled_from(current), min_size=2, max_size=3, unique=True))
            territory = (
                [d for c in merging for d in councils[c].districts or ()]
                if all(councils[c].districts for c in merging)
                else None
            )
            successors = [(f"N{number}", tuple(territory) if territory else None)]
            event.update({"from": merging, "to": [successors[0][0]]})
            ended = merging
        elif kind in ("split", "transfer"):
            origin = draw(st.sampled_from(splittable if kind == "split" else givers))
            own = councils[origin].districts
            cut = draw(st.integers(1, len(own) - 1))
            if kind == "split":
                successors = [(f"N{number}", own[:cut]), (f"N{number + 1}", own[cut:])]
                event.update(
                    {
                        "from": [origin],
                        "to": [{"code": c, "districts": list(d)} for c, d in successors],
                    }
                )
                ended = [origin]
            else:
                receivers = [c for c in current if c != origin and councils[c].districts]
                if not receivers:
                    successors, ended, kind = [], [], "none"
                else:
                    receiver = draw(st.sampled_from(receivers))
                    event.update(
                        {"from": [origin], "to": [{"code": receiver, "districts": list(own[cut:])}]}
                    )
                    councils[origin].territory.append((year, own[:cut]))
                    councils[receiver].territory.append(
                        (year, councils[receiver].districts + own[cut:])
                    )
                    successors, ended = [], []
        elif kind == "shares":
            origin = draw(st.sampled_from(current))
            share = draw(st.integers(1, 99)) / 100
            successors = [(f"N{number}", None), (f"N{number + 1}", None)]
            event.update(
                {
                    "type": "split",
                    "from": [origin],
                    "apportion": None,
                    "to": [
                        {"code": successors[0][0], "share": share},
                        {"code": successors[1][0], "share": round(1 - share, 2)},
                    ],
                    "shares_source": "drawn by the test",
                }
            )
            ended = [origin]
        else:
            origin = draw(st.sampled_from(current))
            successors = [(f"N{number}", councils[origin].districts)]
            event.update({"type": "recode", "from": [origin], "to": [successors[0][0]]})
            ended = [origin]
        if kind == "none":
            continue
        history.undoable &= kind in ("split", "shares", "recode")
        for code in ended:
            councils[code].end = year - 1
        for code, territory in successors:
            councils[code] = Council(year, territory=[(year, territory)])
        number += len(successors)
        history.events.append({k: v for k, v in event.items() if v is not None})
    return history


RANDOM = {"off": "random data: its spread is drawn, not measured"}


def in_force(council: Council, year: int) -> bool:
    return (council.start is None or council.start <= year) and (
        council.end is None or year <= council.end
    )


def write_project(
    root: Path,
    history: History,
    seed: int,
    spend_rows: list[tuple] | None = None,
    spend_codes: str = "as_published",
    with_mean: bool = True,
) -> dict:
    """The specs, data and target of one drawn history; returns the data written."""
    rng = random.Random(seed)
    last = FIRST_YEAR + history.years
    years = range(FIRST_YEAR, last + 1)
    areas = [{"code": d, "name": d, "type": "DIS"} for d in history.districts]
    for code, c in history.councils.items():
        area = {"code": code, "name": code, "type": "UA"}
        if c.start is not None:
            area["valid_from"] = f"{c.start}-04-01"
        if c.end is not None:
            area["valid_to"] = f"{c.end + 1}-03-31"
        areas.append(area)
    district_people = {(d, y): rng.randint(100, 10_000) for d in history.districts for y in years}
    people = dict(district_people)
    spend, score = {}, {}
    for y in years:
        for code, c in history.councils.items():
            if in_force(c, y):
                own = c.districts_in(y)
                people[(code, y)] = (
                    sum(district_people[(d, y)] for d in own) if own else rng.randint(1_000, 50_000)
                )
                spend[(code, y)] = rng.randint(0, 1_000_000) / 7
                score[(code, y)] = rng.uniform(0, 100)
    geography = {
        "indexc": 1,
        "levels": [
            {"id": "councils", "types": ["UA"]},
            {"id": "districts", "types": ["DIS"], "tiles": False},
        ],
        "areas": areas,
        "lineage": history.events,
    }
    specs = {
        "indexc": 1,
        "sources": [
            {
                "id": "finance",
                "layout": "wide",
                "columns": {"area": "area", "period": "year"},
                "period": {"grain": "financial_year", "format": "YYYY-YY"},
                "geography": {"level": "councils", "codes": spend_codes},
                "items": {"spend": "s", "score": "q"},
            },
            {
                "id": "people",
                "layout": "wide",
                "columns": {"area": "area", "period": "year"},
                "period": {"grain": "financial_year", "format": "YYYY-YY"},
                "geography": {"level": "councils", "codes": "as_published"},
                "items": {"people": "p"},
            },
        ],
        "measures": [
            {
                "id": "spend",
                "unit": "gbp",
                "additivity": "sum",
                "bindings": [{"source": "finance", "item": "spend"}],
                "smell": RANDOM,
            },
            *(
                [
                    {
                        "id": "score",
                        "unit": "points",
                        "additivity": "mean",
                        "weight": "population",
                        "bindings": [{"source": "finance", "item": "score"}],
                        "smell": RANDOM,
                    }
                ]
                if with_mean
                else []
            ),
            {
                "id": "population",
                "unit": "people",
                "additivity": "sum",
                "bindings": [{"source": "people", "item": "people"}],
                "smell": RANDOM,
            },
        ],
    }
    (root / "specs").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "targets").mkdir()
    (root / "specs" / "geography.yaml").write_text(json.dumps(geography, indent=1))
    (root / "specs" / "data.yaml").write_text(json.dumps(specs, indent=1))
    (root / "targets" / "duckdb.yaml").write_text(
        "indexc: 2\ntarget: duckdb\ndatabase: build/p.duckdb\nbuild_schema: prop\n"
        "relations: {finance: {path: data/finance.csv}, people: {path: data/people.csv}}\n"
    )
    rows = (
        spend_rows
        if spend_rows is not None
        else [
            (code, label(y), repr(value), repr(score[(code, y)]))
            for (code, y), value in sorted(spend.items())
        ]
    )
    (root / "data" / "finance.csv").write_text(
        "area,year,spend,score\n" + "".join(",".join(row) + "\n" for row in rows)
    )
    (root / "data" / "people.csv").write_text(
        "area,year,people\n"
        + "".join(f"{code},{label(y)},{n}\n" for (code, y), n in sorted(people.items()))
    )
    return {"spend": spend, "score": score, "rows": rows}


def run(root: Path, date: datetime.date | None = None) -> duckdb.DuckDBPyConnection:
    Project(root, GeographyOptions(date=date)).run(
        publish_as_live=True
    )  # read from the live schemas
    return duckdb.connect(str(root / "build" / "p.duckdb"), read_only=True)


@pytest.fixture
def workspace():
    path = Path(tempfile.mkdtemp(prefix="indexc-prop-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)  # shrinking reruns DuckDB: minutes
@given(history=histories(), seed=st.integers(0, 2**32 - 1))
def test_restating_keeps_totals_and_weights_and_goes_back_where_it_can(
    history: History, seed: int, workspace: Path
) -> None:
    example = Path(tempfile.mkdtemp(dir=workspace))  # hypothesis runs many examples per fixture
    root = example / "forward"
    data = write_project(root, history, seed)
    with run(root) as connection:
        restated = connection.execute(
            "SELECT area_code, period, value FROM prop.restated__spend"
        ).fetchall()
        assert [row for row in restated if row[2] is None] == []
        for year in range(FIRST_YEAR, FIRST_YEAR + history.years + 1):
            published = sum(v for (code, y), v in data["spend"].items() if y == year)
            total = sum(v for _, p, v in restated if p == label(year))
            assert total == pytest.approx(published, rel=1e-9, abs=1e-9)
        apportioned = bool(
            connection.execute(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'geography__path_weights'"
            ).fetchone()[0]
        )
        weight = (
            "p.weight * CASE WHEN p.dynamic THEN w.weight ELSE 1 END" if apportioned else "p.weight"
        )
        joined = (
            "LEFT JOIN prop.geography__path_weights w ON w.path_id = p.path_id "
            "AND w.period = CASE WHEN p.frozen THEN '*' ELSE m.period END "
            if apportioned
            else ""
        )
        leaving = connection.execute(
            f"SELECT m.area_code, m.period, SUM({weight}) FROM prop.measure__spend m "
            "JOIN prop.geography__paths p ON p.from_code = m.area_code "
            f"AND m.geography_period BETWEEN p.geo_from AND p.geo_to {joined}"
            "GROUP BY m.area_code, m.period"
        ).fetchall()
        assert len(leaving) == len(data["spend"])
        assert [row for row in leaving if row[2] != pytest.approx(1.0, rel=1e-12)] == []
        for _code, period, value in connection.execute(
            "SELECT area_code, period, value FROM prop.restated__score"
        ).fetchall():
            year = int(period[:4])
            published = [v for (c, y), v in data["score"].items() if y == year]
            assert min(published) - 1e-9 <= value <= max(published) + 1e-9
        forward = connection.execute(
            "SELECT area_code, period, value FROM prop.restated__spend WHERE period = ?",
            [label(FIRST_YEAR)],
        ).fetchall()
    back = example / "back"
    final = datetime.date(FIRST_YEAR + history.years, 4, 1)
    rows = [(code, period, repr(value), "50") for code, period, value in forward]
    # Going back, a mean would need each successor's weight in years before it existed: sums only.
    write_project(
        back, history, seed, spend_rows=rows, spend_codes=final.isoformat(), with_mean=False
    )
    with run(back, date=datetime.date(FIRST_YEAR, 4, 1)) as connection:
        returned = dict(
            connection.execute(
                "SELECT area_code, value FROM prop.restated__spend WHERE period = ?",
                [label(FIRST_YEAR)],
            ).fetchall()
        )
    original = {code: v for (code, y), v in data["spend"].items() if y == FIRST_YEAR}
    assert sum(returned.values()) == pytest.approx(sum(original.values()), rel=1e-9, abs=1e-9)
    if history.undoable:
        assert returned == pytest.approx(original, rel=1e-9, abs=1e-9)
