"""`indexc lineage CODE`: an area's history in words, or as a mermaid diagram.

Reviewers and consultants ask "where do this council's numbers before it
existed come from?"; the answer is the chain of events around the code and
the weights (or the basis they are apportioned by) that the compiler uses.
"""

from __future__ import annotations

from collections import deque

from indexc.geography import Geography
from indexc.geography.events import Edge, date_edges, edges
from indexc.spec.geography import LineageEvent
from indexc.validate.catalog import Catalog


def _territory(terms: tuple[tuple[str, float], ...]) -> str:
    plus = " + ".join(code for code, scale in terms if scale > 0)
    minus = "".join(f" - {code}" for code, scale in terms if scale < 0)
    return f"{plus}{minus}"


def _bracketed(terms: tuple[tuple[str, float], ...]) -> str:
    """A territory of several codes in brackets, so that `(A + B) / (...)` reads as it computes."""
    return f"({_territory(terms)})" if len(terms) > 1 else _territory(terms)


def _weight(edge: Edge, event: LineageEvent) -> str:
    if edge.share is not None and edge.share != 1.0:
        return f"share {edge.share:g}" + (
            f" ({event.shares_source})" if event.shares_source else ""
        )
    if edge.share == 1.0:
        return "whole"
    mine = _bracketed(edge.part.terms) if edge.part else "?"
    siblings = [
        e.part for e in edges(event) if e.from_code == edge.from_code and e.part and e.share is None
    ]
    whole = " + ".join(_bracketed(part.terms) for part in siblings)
    return f"apportioned each period by {event.apportion.by if event.apportion else '?'}: {mine} / ({whole})"


def _scaled(terms: tuple[tuple[str, float], ...], bracketed: bool = True) -> str:
    """A part with its scales: `0.1 x A` for a literal share of A's basis, `K - K3` for what a giver keeps."""
    text = ""
    for code, scale in terms:
        sign = " - " if scale < 0 else (" + " if text else "")
        text += sign + (code if abs(scale) == 1.0 else f"{abs(scale):g} x {code}")
    several = len(terms) > 1 or (bracketed and " x " in text)
    return f"({text})" if several else text


def _backward(event: LineageEvent, geography: Geography) -> list[str]:
    """How an area that received territory and continues is divided when restating backward.

    Only a transfer's or boundary change's receiver is formed from several areas by one event
    (with the other events of its date); its division is what a reviewer cannot read from the
    forward shares.
    """
    if event.type not in ("transfer", "boundary_change") or event.apportion is None:
        return []
    same_day = [e for e in geography.events if e.effective == event.effective and e.id != event.id]
    lines: list[str] = []
    for level, declared in sorted(geography.register.levels.items()):
        if not declared.tiles:
            continue
        found = date_edges([event, *same_day], level, geography.register)
        for successor in event.to:
            arriving = [e for e in found if e.to_code == successor.code and e.part]
            if len(arriving) < 2:
                continue
            whole = " + ".join(_scaled(e.part.terms, bracketed=False) for e in arriving if e.part)
            goes = " and ".join(
                f"to {e.from_code} by {_scaled(e.part.terms)} / ({whole})"
                for e in arriving
                if e.part
            )
            line = (
                f"      backward, {successor.code}'s value goes {goes}: {event.apportion.by} in "
                "the last period before the event"
            )
            if line not in lines:
                lines.append(line)
    return lines


def related_events(catalog: Catalog, code: str) -> list[LineageEvent]:
    """Events reachable from the code through predecessors and successors, in date order."""
    by_code: dict[str, list[LineageEvent]] = {}
    for event in catalog.lineage.values():
        named = {c for s in event.to for c in (*s.districts, *s.basis)}  # a district moved, say
        for c in {*event.from_, *(s.code for s in event.to)} | named:
            by_code.setdefault(c, []).append(event)
    seen_codes, seen_events, queue = {code}, {}, deque([code])
    while queue:
        current = queue.popleft()
        for event in by_code.get(current, []):
            if event.id in seen_events:
                continue
            seen_events[event.id] = event
            for c in {*event.from_, *(s.code for s in event.to)} - seen_codes:
                seen_codes.add(c)
                queue.append(c)
    return sorted(seen_events.values(), key=lambda e: (e.effective, e.id))


def _area_line(catalog: Catalog, geography: Geography, code: str) -> str:
    """The register entry as the modelled events leave it: a proposed event ends its predecessors too."""
    area = geography.register.areas.get(code) or catalog.areas.get(code)
    if area is None:
        return f"{code} (not in the area register)"
    span = f"in force {area.valid_from or 'before records'} to {area.valid_to or 'today'}"
    return f"{code} {area.name} ({area.type}{', provisional' if area.provisional else ''}), {span}"


def _events_in_force(geography: Geography) -> str:
    """How many events shape the geography of its date: later ones only invert onto it."""
    enacted = sum(
        1 for e in geography.events if e.status == "in_force" and e.effective <= geography.date
    )
    proposed = [e.id for e in geography.events if e.status == "proposed"]
    return f"{enacted} events in force" + (
        f"; proposed events modelled: {', '.join(proposed)}" if proposed else ""
    )


def _status(event: LineageEvent, active: set[str]) -> str:
    if event.id not in active:
        return f" [{event.status}, not modelled]"
    return " [proposed]" if event.status == "proposed" else ""


def explain_text(catalog: Catalog, geography: Geography, code: str) -> str:
    lines = [_area_line(catalog, geography, code)]
    area = catalog.areas.get(code)
    if area and area.parent:
        lines.append(f"  parent: {_area_line(catalog, geography, area.parent)}")
    active = {e.id for e in geography.events}
    lines.append(
        f"  restated onto the geography of {geography.date} ({_events_in_force(geography)})"
    )
    events = related_events(catalog, code)
    lines.append("")
    lines.append("Events" if events else "No lineage event involves this code.")
    for event in events:
        status = _status(event, active)
        where = catalog.where("lineage", event.id)
        lines.append(
            f"  {event.effective} {event.type} '{event.id}'{status}  ({where.file}:{where.line})"
        )
        if event.description:
            lines.append(f"      {event.description}")
        districts = {s.code: s.districts for s in event.to}
        for edge in edges(event):
            if edge.continues:  # a receiver keeping its own territory goes without saying
                continue
            name = catalog.areas[edge.from_code].name if edge.from_code in catalog.areas else ""
            lines.append(f"      {edge.from_code} {name} -> {edge.to_code}: {_weight(edge, event)}")
            if event.type in ("split", "transfer") and districts.get(edge.to_code):
                lines.append(
                    f"          territory of districts {', '.join(districts[edge.to_code])}"
                )
        if event.type == "rename":
            lines.append(f"      {event.from_[0]} renamed {event.to[0].name}")
        lines.extend(_backward(event, geography))
        if event.source:
            lines.append(f"      source: {event.source}")
    for title, mine, other in (
        ("Its history comes from", "to_code", "from_code"),
        ("Its data restates onto", "from_code", "to_code"),
    ):
        paths = [
            p
            for p in geography.closure.paths
            if getattr(p, mine) == code and getattr(p, other) != code
        ]
        if not paths:
            continue
        lines.append("")
        lines.append(f"{title} (geography of {geography.date})")
        for p in paths:
            periods = f"{p.geo_from or 'earliest'} to {p.geo_to or 'latest'}"
            weight = f"x {p.weight:g}" if p.weight != 1.0 else ""
            apportioned = " x ".join(
                f"{'share' if f.direction == 'forward' else 'inverse share'} apportioned by "
                f"'{f.event_id}'"
                for f in p.factors
            )
            parts = (
                " ".join(x for x in (weight, apportioned and f"x {apportioned} (per period)") if x)
                or "whole"
            )
            lines.append(
                f"  [{p.level}] {getattr(p, other)} {catalog.areas[getattr(p, other)].name}, periods "
                f"{periods}: {parts}; via {' > '.join(p.route)}"
            )
    return "\n".join(lines)


def _node(code: str) -> str:
    return "n_" + code


def explain_mermaid(catalog: Catalog, geography: Geography, code: str) -> str:
    """A left-to-right flowchart of the events around the code; proposed events dashed."""
    active = {e.id for e in geography.events}
    lines = ["flowchart LR"]
    codes: set[str] = {code}
    edge_lines = []
    for event in related_events(catalog, code):
        arrow = "-.->" if event.status == "proposed" or event.id not in active else "-->"
        for edge in edges(event):
            if edge.from_code == edge.to_code:
                continue
            codes.update((edge.from_code, edge.to_code))
            label = f"{event.effective} {event.type}: {_weight(edge, event)}".replace('"', "'")
            edge_lines.append(f'  {_node(edge.from_code)} {arrow}|"{label}"| {_node(edge.to_code)}')
    for c in sorted(codes):
        name = (catalog.areas[c].name if c in catalog.areas else "?").replace(
            '"', "'"
        )  # a quote ends the label
        lines.append(f'  {_node(c)}["{c}<br/>{name}"]')
    lines.extend(edge_lines)
    lines.append(f"  style {_node(code)} stroke-width:3px")
    return "\n".join(lines)
