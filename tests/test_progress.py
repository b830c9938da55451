"""What `indexc run` shows while it builds, on a terminal and in a log (compiler/indexc/progress.py)."""

from __future__ import annotations

import io

from rich.console import Console

from indexc.engines import BuiltObject
from indexc.progress import RunProgress, describe


class Named:
    """Enough of a compiled object for the progress display: its name."""

    def __init__(self, name: str) -> None:
        self.name = name


def run(console: Console, **flags) -> RunProgress:
    objects = [
        BuiltObject("source__a", 0.2, "table", 1200),
        BuiltObject("metric__b", 0.0, "view"),
        BuiltObject("check__a__periods", 0.01, "check"),
        BuiltObject("index__i__lens_scores", 2.5, "table", 3),
    ]
    with RunProgress(console, **flags) as progress:
        for position, built in enumerate(objects, start=1):
            progress.starting(Named(built.name), position, len(objects))
            progress.built(built)
    return progress


def test_lines_say_rows_for_tables_and_what_the_rest_are() -> None:
    assert (
        describe(BuiltObject("source__a", 0.2, "table", 1200))
        == "built source__a: 1,200 rows in 0.20s"
    )
    assert describe(BuiltObject("metric__b", 0.0, "view")) == "built metric__b (view) in 0.00s"
    assert (
        describe(BuiltObject("check__a__periods", 0.01, "check"))
        == "checked check__a__periods in 0.01s"
    )


def test_a_log_gets_the_slow_objects_verbose_every_object_quiet_nothing() -> None:
    for flags, expected in (
        ({}, ["built index__i__lens_scores: 3 rows in 2.50s"]),
        (
            {"verbose": True},
            [
                "built source__a: 1,200 rows in 0.20s",
                "built metric__b (view) in 0.00s",
                "checked check__a__periods in 0.01s",
                "built index__i__lens_scores: 3 rows in 2.50s",
            ],
        ),
        ({"quiet": True}, []),
    ):
        out = io.StringIO()
        progress = run(Console(file=out, force_terminal=False, width=200), **flags)
        assert out.getvalue().splitlines() == expected, flags
        assert (
            progress.summary("duckdb") == "built 4 objects on duckdb in 2.71s, 1,203 rows written"
        )


def test_a_terminal_gets_a_bar_naming_the_object_being_built() -> None:
    out = io.StringIO()
    run(Console(file=out, force_terminal=True, width=120))
    shown = out.getvalue()
    assert "building index__i__lens_scores" in shown or "building check__a__periods" in shown
    assert "built source__a" not in shown  # no log lines under the bar
