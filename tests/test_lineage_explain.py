"""`indexc lineage` on the real specs: territories of several districts in brackets, proposed events
marked in text and dashed in mermaid, and a header that counts the events in force on the date."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import REPO

from indexc.cli import main

SURREY = (
    "--proposed",
    "surrey_2027_split",
    "--proposed",
    "east_surrey_2027_merge",
    "--proposed",
    "west_surrey_2027_merge",
)
EAST = "E07000207 + E07000208 + E07000210 + E07000211 + E07000215"
WEST = "E07000209 + E07000212 + E07000213 + E07000214 + E07000216 + E07000217"


def lineage(*args: str) -> str:
    result = CliRunner().invoke(main, ["--project", str(REPO), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_a_territory_of_several_districts_is_bracketed_in_text_and_mermaid() -> None:
    share = f"apportioned each period by population: ({EAST}) / (({EAST}) + ({WEST}))"
    assert f"E10000030 Surrey -> PROPOSED_EAST_SURREY: {share}" in lineage(
        *SURREY, "lineage", "E10000030"
    )
    assert f'2027-04-01 split: {share}"| n_PROPOSED_EAST_SURREY' in lineage(
        *SURREY, "lineage", "E10000030", "--format", "mermaid"
    )


@pytest.mark.slow
def test_a_modelled_proposed_event_is_marked_proposed_and_dashed() -> None:
    text = lineage(*SURREY, "lineage", "E10000030")
    assert (
        "2027-04-01 split 'surrey_2027_split' [proposed]  (specs/geography/lineage/2027_surrey_proposed.yaml:9)"
        in text
    )
    assert text.startswith(
        "E10000030 Surrey (E10), in force before records to 2027-03-31\n"
    )  # it said "to today"
    mermaid = lineage(*SURREY, "lineage", "E10000030", "--format", "mermaid")
    assert "n_E10000030 -.->|" in mermaid and "n_E10000030 -->|" not in mermaid
    unmodelled = lineage("lineage", "E10000030")
    assert "'surrey_2027_split' [proposed, not modelled]" in unmodelled
    assert "n_E10000030 -.->|" in lineage("lineage", "E10000030", "--format", "mermaid")


@pytest.mark.slow
def test_the_header_counts_the_events_in_force_on_the_geography_date() -> None:
    assert "restated onto the geography of 2025-04-01 (36 events in force)" in lineage(
        "lineage", "E06000061"
    )
    assert "restated onto the geography of 2016-04-01 (18 events in force)" in lineage(
        "--geography-date", "2016-04-01", "lineage", "E06000061"
    )
    assert (
        "restated onto the geography of 2027-04-01 (36 events in force; proposed events modelled: "
        "east_surrey_2027_merge, surrey_2027_split, west_surrey_2027_merge)"
    ) in lineage(*SURREY, "lineage", "E06000061")
