"""The report's charts, drawn by matplotlib as SVG and embedded in the page (no network at view time).

The SVG must be the same bytes for the same figures, so that the report is: a fixed hash salt for the
ids matplotlib generates, no date in the metadata, text kept as text in one named font family (not
glyph paths that depend on the fonts installed), and a figure of its own per chart (no pyplot state).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from indexc.report.headline import Contribution
from indexc.report.savings import CouncilSaving

STYLE: Any = {  # matplotlib types rc keys as literals; these are checked when it reads them
    "svg.hashsalt": "indexc-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Okabe-Ito: told apart by readers with colour-blindness, and in greyscale print by order
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH_INCHES = 7.0


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or doctype


def contributions_chart(contributions: Sequence[Contribution], lenses: Sequence[str]) -> str:
    """A bar per headline council (first at the top), a segment per lens: its contribution."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 0.45 * len(contributions) + 1.4))
        axes = figure.add_subplot()
        labels = [c.name for c in contributions]
        positions = list(range(len(contributions)))[::-1]
        right = [0.0] * len(contributions)
        left = [0.0] * len(contributions)
        for i, lens in enumerate(lenses):
            values = [part.contribution if (part := c.of(lens)) else 0.0 for c in contributions]
            starts = [right[j] if v >= 0 else left[j] for j, v in enumerate(values)]
            axes.barh(
                positions,
                values,
                left=starts,
                color=PALETTE[i % len(PALETTE)],
                label=lens,
                height=0.7,
            )
            for j, v in enumerate(values):
                if v >= 0:
                    right[j] += v
                else:
                    left[j] += v
        axes.set_yticks(positions, labels)
        axes.axvline(0, color="#444444", linewidth=0.6)
        axes.set_xlabel("contribution to the index score")
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(lenses), 3), frameon=False
        )
        return _svg(figure)


def savings_chart(councils: Sequence[CouncilSaving], shown: int = 15) -> str:
    """The councils with the largest projected savings, in £m, largest at the top."""
    chosen = list(councils[:shown])
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 0.3 * len(chosen) + 1.0))
        axes = figure.add_subplot()
        positions = list(range(len(chosen)))[::-1]
        axes.barh(positions, [c.amount / 1e6 for c in chosen], color=PALETTE[0], height=0.7)
        axes.set_yticks(positions, [c.name for c in chosen])
        axes.set_xlabel("projected saving, £m a year")
        return _svg(figure)
