"""`indexc readiness` and `indexc impact` on a structure on another geography.

On a copy of the district fixture (Kent, its 12 districts, Medway and Thurrock) with two made-up
proposed reorganisations written here: Medway and Thurrock merged, and Kent split in two along
district lines with its districts merged to match. Neither has been proposed by anyone: the events,
the provisional codes and the upper-tier source below are synthetic, for these tests only. No data
is read (readiness and impact are static), and every expected answer is worked out here from the
event specs and the register.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, copy_project
from ruamel.yaml import YAML

from indexc.cli import main
from indexc.errors import UserError
from indexc.project import GeographyOptions, Project
from indexc.reorganisation import history

THAMES = "thames_2027_merge"
KENT = ("kent_2027_split", "east_kent_2027_merge", "west_kent_2027_merge")
EAST_KENT_DISTRICTS = ["E07000105", "E07000106", "E07000108", "E07000112", "E07000113", "E07000114"]

PROPOSED = f"""indexc: 2
# SYNTHETIC, for tests only: reorganisations nobody has proposed, with placeholder codes, and a
# council finance source with no data file (readiness and impact read no data).
sources:
  - id: council_finance
    layout: long
    columns: {{area: area_code, period: period, item: item, value: value}}
    period: {{grain: financial_year, format: "YYYY-YY"}}
    geography: {{level: upper_tier, codes: as_published}}
    items: {{spend: Spend (£000), satisfaction: Satisfied residents (%), residents: Residents}}
measures:
  - {{id: spend, unit: gbp_thousands, additivity: sum, bindings: [{{source: council_finance, item: spend}}]}}
  - {{id: residents, unit: people, additivity: sum, bindings: [{{source: council_finance, item: residents}}]}}
  - id: satisfaction
    unit: percent
    additivity: mean
    weighted_by: residents
    bindings: [{{source: council_finance, item: satisfaction}}]
metrics:
  - id: spend_per_head
    version: 1
    formula: spend * 1000 / residents
    direction: lower_is_better
    unit: gbp_per_head
  - {{id: satisfied, version: 1, formula: satisfaction, direction: higher_is_better, unit: percent}}
indexes:
  - id: money
    version: "1"
    universe: councils
    method: {{normalise: zscore}}
    lenses:
      - {{id: spending, weight: 1, metrics: [spend_per_head]}}
      - {{id: views, weight: 1, metrics: [satisfied]}}
    publish: {{top: 3, period: 2021-22}}
areas:
  - {{code: PROPOSED_THAMES, name: Thames Estuary, type: E06, valid_from: 2027-04-01, provisional: true}}
  - {{code: PROPOSED_EAST_KENT, name: East Kent, type: E06, valid_from: 2027-04-01, provisional: true}}
  - {{code: PROPOSED_WEST_KENT, name: West Kent, type: E06, valid_from: 2027-04-01, provisional: true}}
lineage:
  - id: {THAMES}
    effective: 2027-04-01
    type: merge
    status: proposed
    from: [E06000034, E06000035]
    to: [PROPOSED_THAMES]
    apportion: {{by: population}}
  - id: {KENT[0]}
    effective: 2027-04-01
    type: split
    status: proposed
    from: [E10000016]
    to:
      - {{code: PROPOSED_EAST_KENT, districts: [{", ".join(EAST_KENT_DISTRICTS)}]}}
      - {{code: PROPOSED_WEST_KENT, districts: [E07000107, E07000109, E07000110, E07000111, E07000115, E07000116]}}
    apportion: {{by: population}}
  - id: {KENT[1]}
    effective: 2027-04-01
    type: merge
    status: proposed
    from: [{", ".join(EAST_KENT_DISTRICTS)}]
    to: [PROPOSED_EAST_KENT]
    apportion: {{by: population}}
  - id: {KENT[2]}
    effective: 2027-04-01
    type: merge
    status: proposed
    from: [E07000107, E07000109, E07000110, E07000111, E07000115, E07000116]
    to: [PROPOSED_WEST_KENT]
    apportion: {{by: population}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_project(FIXTURES / "districts", tmp_path / "districts")
    (root / "specs" / "proposed.yaml").write_text(PROPOSED, encoding="utf-8")
    return root


def specs(root: Path) -> dict[str, Any]:
    """Every entry of the project's spec files, by kind and id, as written."""
    found: dict[str, Any] = {}
    for path in sorted((root / "specs").glob("*.yaml")):
        document = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for kind, entries in document.items():
            if isinstance(entries, list):
                for entry in entries:
                    found.setdefault(kind, {})[entry.get("id") or entry.get("code")] = entry
    return found


def readiness(root: Path, *events: str, date: str | None = None):
    import datetime

    day = datetime.date.fromisoformat(date) if date else None
    return Project(root, GeographyOptions(day)).readiness(events)


def answers(found, council: str) -> dict[str, history.How]:
    return {a.measure: a.how for a in found.answers if a.council == council}


def test_a_merger_sums_and_averages_its_predecessors(project: Path) -> None:
    spec = specs(project)
    event = spec["lineage"][THAMES]
    (successor,) = event["to"]
    found = readiness(project, THAMES)
    assert [(c.code, c.change, c.events) for c in found.councils] == [
        (successor, "created", (THAMES,))
    ]
    got = answers(found, successor)
    predecessors = tuple(sorted(event["from"]))
    by_additivity = {m: e["additivity"] for m, e in spec["measures"].items()}
    for measure in ("spend", "residents", "satisfaction"):
        label = "averaged" if by_additivity[measure] == "mean" else "summed"
        assert got[measure].describe() == f"{label} from predecessors", measure
        assert got[measure].sources == predecessors
    # the fixture's district measures are aggregated to the upper tier: a unitary's members are itself,
    # whose lower-tier history sums the two unitaries merged
    for measure in ("population", "smoking_prevalence"):
        assert got[measure].describe() == "aggregated from districts"
        assert got[measure].sources == predecessors
    assert not any(found.affected.values()), found.affected


def test_a_split_apportions_sums_copies_means_and_aggregates_districts(project: Path) -> None:
    spec = specs(project)
    split, east_merge = spec["lineage"][KENT[0]], spec["lineage"][KENT[1]]
    east = split["to"][0]["code"]
    found = readiness(project, *KENT)
    assert {c.code for c in found.councils} == {s["code"] for s in split["to"]}
    got = answers(found, east)
    basis = split["apportion"]["by"]
    upper_sums = sorted(
        m
        for m, e in spec["measures"].items()
        if e["additivity"] == "sum"
        and spec["sources"][e["bindings"][0]["source"]]["geography"]["level"] == "upper_tier"
    )
    for measure in upper_sums:
        assert got[measure].describe() == f"apportioned by {basis}"
        assert got[measure].sources == tuple(split["from"])
    # a mean is copied onto part of its area, labelled by how the area was divided
    assert got["satisfaction"].describe() == f"apportioned by {basis}"
    assert got["satisfaction"].larger_area
    for measure in ("population", "smoking_prevalence"):  # lower tier, aggregate: {to: upper_tier}
        assert got[measure].describe() == "aggregated from districts"
        assert got[measure].sources == tuple(sorted(east_merge["from"]))
    # what reads the apportioned measures: metrics whose formula names one, their lenses and indexes
    metrics = sorted(
        m
        for m, e in spec["metrics"].items()
        if set(re.findall(r"[a-z_]+", e["formula"])) & set(upper_sums)
    )
    relying = found.affected["rely on apportionment"]
    assert relying["measures"] == upper_sums
    assert relying["metrics"] == metrics
    lenses = sorted(
        f"{index_id}/{lens['id']}"
        for index_id, index in spec["indexes"].items()
        for lens in index["lenses"]
        if set(lens["metrics"]) & set(metrics)
    )
    assert relying["lenses"] == lenses
    assert relying["indexes"] == sorted({lens.split("/")[0] for lens in lenses})
    assert found.affected["carry a larger area's mean"]["measures"] == ["satisfaction"]
    assert [(s.source, s.level) for s in found.district_sources] == [
        (s, e["geography"]["level"])
        for s, e in sorted(spec["sources"].items())
        if e["geography"]["level"] == "lower_tier"
    ]


def test_apportionment_forbidden_loses_the_history(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        history, "apportion_policy", lambda catalog, m: "forbidden" if m == "spend" else "allowed"
    )
    found = readiness(project, *KENT)
    got = answers(found, "PROPOSED_EAST_KENT")
    assert got["spend"].describe() == "not at all: apportionment forbidden"
    assert got["residents"].describe() == "apportioned by population"
    lost = found.affected["lose history"]
    assert lost["measures"] == ["spend"] and lost["metrics"] == ["spend_per_head"]
    assert lost["lenses"] == ["money/spending"] and lost["indexes"] == ["money"]


def test_a_measure_that_cannot_be_added_or_averaged_loses_the_history(project: Path) -> None:
    """IX606 would refuse a run with the events modelled; readiness answers it instead."""
    (project / "specs" / "ranks.yaml").write_text(
        "indexc: 2\n# SYNTHETIC: a published rank, which no merger can add up\n"
        "measures:\n  - {id: published_rank, unit: rank, additivity: none, "
        "bindings: [{source: council_finance, item: spend}]}\n",
        encoding="utf-8",
    )
    found = readiness(project, THAMES)
    assert answers(found, "PROPOSED_THAMES")["published_rank"].describe() == (
        "not at all: additivity none"
    )
    assert found.affected["lose history"] == {"measures": ["published_rank"]}


def test_a_measure_first_published_after_the_change_has_no_history(project: Path) -> None:
    (project / "specs" / "late.yaml").write_text(
        "indexc: 2\n# SYNTHETIC: a measure whose data starts with the new councils\n"
        "measures:\n  - {id: late_spend, unit: gbp_thousands, additivity: sum, "
        "bindings: [{source: council_finance, item: spend, periods: {from: 2027-28}}]}\n",
        encoding="utf-8",
    )
    found = readiness(project, THAMES)
    got = answers(found, "PROPOSED_THAMES")
    assert got["late_spend"].describe() == "not at all: no data before it"
    assert got["spend"].describe() == "summed from predecessors"


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


def test_readiness_prints_text_and_markdown(project: Path) -> None:
    text = cli(project, "readiness", "--proposed", THAMES)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0] == f"readiness for {THAMES} (restated onto the geography of 2027-04-01)"
    assert lines[1] == (
        f"PROPOSED_THAMES Thames Estuary: created by {THAMES} (levels: lower_tier, upper_tier)"
    )
    at = lines.index(
        "  summed from predecessors (upper_tier; from E06000034 Thurrock, E06000035 Medway):"
    )
    assert lines[at + 1] == "    residents, spend"
    markdown = cli(project, "readiness", "--proposed", THAMES, "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output
    assert markdown.output.startswith(f"## Readiness for `{THAMES}`\n")
    assert (
        "| averaged from predecessors | upper_tier | E06000034 Thurrock, E06000035 Medway | "
        "`satisfaction` |" in markdown.output
    )


def test_unknown_or_incomplete_events_are_diagnostics(project: Path) -> None:
    misspelt = cli(project, "readiness", "--proposed", "thames_2027_merg")
    assert misspelt.exit_code == 1
    assert "IX608 'thames_2027_merg' is not a proposed lineage event" in misspelt.output
    assert f"did you mean '{THAMES}'?" in misspelt.output
    alone = cli(project, "readiness", "--proposed", KENT[0])
    assert alone.exit_code == 1 and "IX612" in alone.output
    assert f"--proposed {KENT[1]}" in alone.output and f"--proposed {KENT[2]}" in alone.output
    none = cli(project, "readiness")
    assert none.exit_code == 1 and "IX608 indexc readiness needs the proposed events" in none.output
    assert "Traceback" not in misspelt.output + alone.output + none.output


STRUCTURE = """indexc: 2
source:
  layout: long
  columns: {area: area_code, period: period, item: item, value: value}
  period: {grain: financial_year, format: "YYYY-YY"}
  geography: {level: LEVEL, codes: CODES}
  items: {spend: Spend (£000), satisfaction: Satisfied residents (%), residents: Residents}
"""


def unwrapped(output: str) -> list[str]:
    """The lines of impact's output, each reason's wrapped list of areas joined back onto it."""
    lines: list[str] = []
    for line in output.splitlines():
        if line.startswith(" " * 8) and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return lines


def impact(root: Path, level: str, codes: str, *options: str):
    path = root / "structure.yaml"
    path.write_text(STRUCTURE.replace("LEVEL", level).replace("CODES", codes), encoding="utf-8")
    return CliRunner().invoke(
        main,
        [
            "--project",
            str(root),
            *options,
            "impact",
            "--source",
            "council_finance",
            "--structure",
            str(path),
        ],
    )


def test_a_structure_on_the_new_councils_cannot_serve_the_councils_they_merge(
    project: Path,
) -> None:
    """Today's councils (the geography of 2021), from figures published for the merged council only."""
    spec = specs(project)
    event = spec["lineage"][THAMES]
    (successor,) = event["to"]
    result = impact(
        project, "upper_tier", event["effective"].isoformat(), "--geography-date", "2021-04-01",
        "--proposed", THAMES,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = unwrapped(result.output)
    upper_today = sorted(
        c for c, a in spec["areas"].items() if a["type"] in ("E06", "E10") and "valid_from" not in a
    )
    cannot = sorted(event["from"])
    served = len(upper_today) - len(cannot)
    for measure in ("residents", "spend"):
        assert (
            f"  measure {measure} on upper_tier: {served} area(s) served ({served} as published); "
            f"{len(cannot)} cannot be" in lines
        )
    named = ", ".join(f"{code} {spec['areas'][code]['name']}" for code in cannot)
    new_council = f"{successor} {spec['areas'][successor]['name']}"
    divided = (
        f"    would need {new_council}'s figures divided (apportioned by "
        f"{event['apportion']['by']}): {named}"
    )
    assert lines.count(divided) == 2  # residents and spend
    assert f"    only the mean of a larger area ({new_council}) would be copied: {named}" in lines


def test_a_structure_on_districts_serves_counties_by_aggregation(project: Path) -> None:
    spec = specs(project)
    result = impact(project, "lower_tier", "2024-04-01", "--proposed", THAMES)
    assert result.exit_code == 0, result.output
    counties = [c for c, a in spec["areas"].items() if a["type"] == "E10"]
    bound = {
        m: e["additivity"]
        for m, e in spec["measures"].items()
        if e["bindings"][0]["source"] == "council_finance"
    }
    for measure, additivity in bound.items():
        merged = "averaged" if additivity == "mean" else "summed"
        assert (  # each county from its districts, and the merged council from the two it merges
            f"  measure {measure} on upper_tier: {len(counties) + 1} "
            f"area(s) served ({len(counties)} aggregated from districts, 1 {merged} from "
            "predecessors); 0 cannot be" in result.output.splitlines()
        )


def test_a_structure_on_an_unknown_level_is_refused_at_the_level(project: Path) -> None:
    path = project / "structure.yaml"
    path.write_text(STRUCTURE.replace("LEVEL", "lower_teir").replace("CODES", "as_published"))
    with pytest.raises(UserError) as raised:
        Project(project).impact("council_finance", path)
    [diagnostic] = raised.value.diagnostics
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "lower_teir" in text)
    column = lines[line - 1].index("lower_teir") + 1
    assert (diagnostic.code.value, diagnostic.location.line, diagnostic.location.col) == (
        "IX102",
        line,
        column,
    )
    assert diagnostic.hint == "did you mean 'lower_tier'?"


SURREY = ("surrey_2027_split", "east_surrey_2027_merge", "west_surrey_2027_merge")


@pytest.mark.slow
def test_readiness_of_the_example_for_the_proposed_surrey_split() -> None:
    """The real example and its proposed Surrey events (specs/geography/lineage/2027_surrey_proposed.yaml)."""
    project = Project(REPO)
    catalog = project.compile().catalog
    found = project.readiness(SURREY)
    split = catalog.lineage[SURREY[0]]
    assert {c.code for c in found.councils} == {s.code for s in split.to}
    levels = {
        m: catalog.sources[measure.bindings[0].source].geography.level  # type: ignore[union-attr]
        for m, measure in catalog.measures.items()
    }
    apportioned = sorted(
        m
        for m, measure in catalog.measures.items()
        if measure.additivity == "sum" and levels[m] == "upper_tier" and not measure.aggregate
    )
    assert {"asc_gross_expenditure", "net_spend_adult_social_care"} <= set(apportioned)
    aggregated = sorted(m for m, measure in catalog.measures.items() if measure.aggregate)
    assert "households_in_temporary_accommodation" in aggregated
    for successor, merge in zip(
        split.to, (catalog.lineage[SURREY[1]], catalog.lineage[SURREY[2]]), strict=True
    ):
        got = answers(found, successor.code)
        for measure in apportioned:
            assert got[measure].describe() == f"apportioned by {split.apportion.by}", measure
            assert got[measure].sources == split.from_
        for measure in aggregated:
            assert got[measure].describe() == "aggregated from districts", measure
            assert (
                got[measure].sources
                == tuple(sorted(merge.from_))
                == tuple(sorted(successor.districts))
            )
    metrics = sorted(
        m for m in catalog.metrics if set(catalog.formula(m).inputs) & set(apportioned)
    )
    relying = found.affected["rely on apportionment"]
    assert set(metrics) <= set(relying["metrics"])
    reading = sorted(
        i for i, index in catalog.indexes.items() if set(index.metric_ids()) & set(metrics)
    )
    assert set(reading) <= set(relying["indexes"])
    assert "lose history" not in {k for k, v in found.affected.items() if v}

    text = CliRunner().invoke(
        main, ["--project", str(REPO), "readiness", *[f"--proposed={e}" for e in SURREY]]
    )
    assert text.exit_code == 0, text.output
    east = split.to[0]
    assert f"{east.code} {east.name}: created by {', '.join(sorted(SURREY[:2]))}" in text.output
    lines = text.output.splitlines()
    at = lines.index("  indexes that would rely on apportionment:")
    listed = []
    for line in lines[at + 1 :]:
        if not line.startswith("    "):
            break
        listed.append(line.strip())
    assert " ".join(listed).split(", ") == relying["indexes"]
    markdown = CliRunner().invoke(
        main,
        [
            "--project",
            str(REPO),
            "readiness",
            *[f"--proposed={e}" for e in SURREY],
            "--format",
            "markdown",
        ],
    )
    assert markdown.exit_code == 0, markdown.output
    assert (
        f"| apportioned by {split.apportion.by} | upper_tier | E10000030 Surrey |"
        in markdown.output
    )


def console_block(document: str, command: str) -> list[str]:
    """The lines printed under `$ COMMAND` in a ```console block of a document under docs/."""
    text = (REPO / "docs" / document).read_text(encoding="utf-8")
    block = text.split(f"$ {command}", 1)[1].split("```", 1)[0]
    lines = block.splitlines()[1:]
    while lines and lines[0].startswith("    --"):  # the command's continuation lines
        lines = lines[1:]
    return lines


@pytest.mark.slow
def test_the_geography_docs_print_what_readiness_and_impact_print(tmp_path: Path) -> None:
    shown = console_block("geography.md", "indexc readiness --proposed surrey_2027_split")
    result = CliRunner().invoke(
        main, ["--project", str(REPO), "readiness", *[f"--proposed={e}" for e in SURREY]]
    )
    assert result.exit_code == 0, result.output
    printed = iter(result.output.splitlines())
    for line in shown:  # in order; "..." stands for lines left out
        if line.strip() != "...":
            assert line in printed, line
    structure = tmp_path / "districts.yaml"
    source = Project(REPO).compile().catalog.sources["mhclg_revenue_outturn"]
    entry = source.model_dump(mode="json", by_alias=True, exclude_none=True)
    entry.pop("id"), entry.pop("description", None)
    entry["geography"] = {"level": "lower_tier", "codes": "2024-04-01"}
    with structure.open("w", encoding="utf-8") as out:
        YAML().dump({"indexc": 2, "source": entry}, out)
    proposed = [f"--proposed={e}" for e in SURREY]
    args = ["impact", "--source", "mhclg_revenue_outturn", "--structure", str(structure)]
    result = CliRunner().invoke(main, ["--project", str(REPO), *proposed, *args])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == console_block("geography.md", "indexc --proposed")
