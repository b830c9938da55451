"""The readiness of the specs for proposed events, as text for a terminal or markdown for a review.

Per council, the measures are grouped by how their history is produced and what from, so that
fifty measures read as a handful of lines; then what loses history or relies on apportionment,
and which sources publish districts.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict

from indexc.reorganisation.history import AGGREGATED
from indexc.reorganisation.readiness import CONCERNS, Answer, Readiness

WIDTH = 100  # of the text output's lists of measures and objects


def _wrapped(text: str, indent: str, then: str | None = None) -> list[str]:
    """`text` in lines of at most WIDTH characters, never broken inside a word or an id."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if then is None else then,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _codes(readiness: Readiness, codes: tuple[str, ...], limit: int = 6) -> str:
    shown = ", ".join(f"{c} {readiness.names.get(c, '')}".strip() for c in codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def _detail(readiness: Readiness, answer: Answer) -> str:
    how = answer.how
    if not how.sources or how.label == "as published":
        return ""
    parts = [
        f"from {len(how.sources)} district(s): " if how.label == AGGREGATED else "from ",
        _codes(readiness, how.sources),
    ]
    if how.larger_area:
        parts.append("; a mean: the larger area's value, copied onto its part")
    if how.label == AGGREGATED and how.apportioned:
        parts.append("; some of them apportioned")
    return "".join(parts)


def _groups(readiness: Readiness, code: str) -> list[tuple[str, str, str, list[str]]]:
    """(how, level, detail, measures) for one council, in the order of the labels' first measure."""
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for answer in readiness.answers:
        if answer.council == code:
            key = (answer.how.describe(), answer.level, _detail(readiness, answer))
            grouped[key].append(answer.measure)
    return [(how, level, detail, measures) for (how, level, detail), measures in grouped.items()]


def _title(readiness: Readiness) -> str:
    return (
        f"readiness for {', '.join(readiness.events)} "
        f"(restated onto the geography of {readiness.date})"
    )


def _concern_lines(readiness: Readiness, bullet: str) -> list[str]:
    lines = []
    for concern in CONCERNS:
        found = readiness.affected.get(concern, {})
        if not found:
            lines.append(f"{bullet}nothing would {concern}")
            continue
        for kind, ids in found.items():
            if bullet == "- ":  # markdown: one bullet, wrapped by the reader
                lines.append(f"{bullet}{kind} that would {concern}: {', '.join(ids)}")
            else:
                lines.append(f"{bullet}{kind} that would {concern}:")
                lines.extend(_wrapped(", ".join(ids), bullet + "  "))
    return lines


def _source_lines(readiness: Readiness, bullet: str) -> list[str]:
    if not readiness.district_sources:
        return [f"{bullet}none: no source publishes an area whose parent is on another level"]
    lines = []
    for found in readiness.district_sources:
        measures = ", ".join(
            f"{m} (aggregated to {to})" if to else f"{m} (not aggregated)"
            for m, to in found.measures
        )
        line = f"{found.source} ({found.level}): {measures or 'no measure bound'}"
        lines.extend([bullet + line] if bullet == "- " else _wrapped(line, bullet, bullet + "    "))
    return lines


def render_text(readiness: Readiness) -> str:
    lines = _wrapped(_title(readiness), "", "    ")
    if not readiness.councils:
        lines.append("the events create or change no council")
    for council in readiness.councils:
        lines += _wrapped(
            f"{council.code} {council.name}: {council.change} by {', '.join(council.events)} "
            f"(levels: {', '.join(council.levels) or 'none'})",
            "",
            "    ",
        )
        groups = _groups(readiness, council.code)
        if not groups:
            lines.append("  no measure has values on its levels")
        for how, level, detail, measures in groups:
            where = f" ({level}{'; ' + detail if detail else ''})"
            lines.extend(_wrapped(f"{how}{where}:", "  ", "      "))
            lines.extend(_wrapped(", ".join(measures), "    "))
    lines.append("what reads them:")
    lines.extend(_concern_lines(readiness, "  "))
    lines.append("sources with district data, from which a measure can be aggregated:")
    lines.extend(_source_lines(readiness, "  "))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(readiness: Readiness) -> str:
    lines = [f"## Readiness for {', '.join(f'`{e}`' for e in readiness.events)}", ""]
    lines.append(f"Restated onto the geography of {readiness.date}.")
    for council in readiness.councils:
        lines += [
            "",
            f"### {council.code} {council.name}",
            "",
            f"{council.change.capitalize()} by {', '.join(f'`{e}`' for e in council.events)}; "
            f"levels: {', '.join(council.levels) or 'none'}.",
            "",
            "| history | level | from | measures |",
            "|---|---|---|---|",
        ]
        for how, level, detail, measures in _groups(readiness, council.code):
            lines.append(
                f"| {_cell(how)} | {level} | {_cell(detail.removeprefix('from '))} | "
                f"{', '.join(f'`{m}`' for m in measures)} |"
            )
    lines += ["", "### What reads them", ""]
    lines += _concern_lines(readiness, "- ")
    lines += ["", "### Sources with district data", ""]
    lines += _source_lines(readiness, "- ")
    return "\n".join(lines) + "\n"
