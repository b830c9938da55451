"""`indexc impact`: what a proposed new structure of a source would break, before anything is run.

A publisher restructures a data set (LG Inform's API after a reorganisation, a survey that renames
its items): the analyst writes down the new structure in the shape of a source entry and asks
which bindings stop finding their item, which measures, metrics, lenses, indexes and audits then
lose data, and for which periods, unless another binding of the same measure covers them. Changes
to the declaration itself (columns, layout, period format, geography) are listed as edits to make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from indexc.codes import Code
from indexc.errors import Diagnostic, Location, UserError
from indexc.geography import Geography
from indexc.load import load_file
from indexc.migrate import CURRENT_VERSION
from indexc.reorganisation import structure as structure_geography
from indexc.resolve import Graph
from indexc.spec.sources import LongSource, PivotedSource, WideSource
from indexc.spec_changes import field_changes
from indexc.validate.catalog import Catalog, Origin
from indexc.validate.models import primary_errors, schema_diagnostic

DECLARATION_FIELDS = ("layout", "columns", "period", "geography")

PROPOSED_LAYOUTS: dict[str, type[LongSource] | type[WideSource] | type[PivotedSource]] = {
    "long": LongSource,
    "wide": WideSource,
    "pivoted": PivotedSource,  # its one item: the LG Inform metric type the file publishes
}


@dataclass(frozen=True)
class BrokenBinding:
    measure: str
    item: str
    periods: str
    covered_by: tuple[
        str, ...
    ]  # other bindings of the measure (source/item) for those periods, if any


@dataclass
class Impact:
    source: str
    broken: list[BrokenBinding] = field(default_factory=list)
    declaration: list[str] = field(default_factory=list)  # edits the source's spec needs
    affected: dict[str, list[str]] = field(default_factory=dict)  # kind -> ids that lose data
    items_added: list[str] = field(default_factory=list)
    items_dropped: list[str] = field(default_factory=list)  # no longer published, bound or not
    # which areas the measures can have from data on the structure's geography (reorganisation/)
    geography: structure_geography.StructureGeography | None = None


def _periods(start: str | None, end: str | None) -> str:
    if start is None and end is None:
        return "every period"
    if start is None:
        return f"every period to {end}"
    return f"{start} onward" if end is None else f"{start} to {end}"


def _overlaps(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """Financial-year labels sort as text; an open bound is the first or last year."""
    return (a[0] or "") <= (b[1] or "9999") and (b[0] or "") <= (a[1] or "9999")


def _dependents(graph: Graph, start: set[tuple[str, str]]) -> set[tuple[str, str]]:
    users: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for ref, deps in graph.edges.items():
        for dep in deps:
            users.setdefault(dep, set()).add(ref)
    found, stack = set(start), list(start)
    while stack:
        for user in users.get(stack.pop(), ()):
            if user not in found:
                found.add(user)
                stack.append(user)
    return found


def analyse(
    catalog: Catalog,
    graph: Graph,
    source_id: str,
    proposed: dict,
    geography: Geography | None = None,
) -> Impact:
    """`proposed`: the new structure, as `read_structure` gives it. With the project's `geography`,
    when the structure is on another geography or proposed events are modelled, also which areas
    its measures can have from data on the structure's level and codes."""
    current = catalog.sources[source_id]
    impact = Impact(source_id)
    now = current.model_dump(mode="json", by_alias=True)
    moved = proposed.get("geography") != now.get("geography")  # or the areas change under it
    if geography is not None and (moved or geography.options.proposed):
        impact.geography = structure_geography.analyse(
            catalog, geography, source_id, proposed.get("geography")
        )
    declared = {name: now.get(name) for name in DECLARATION_FIELDS}
    impact.declaration = [
        str(change)
        for change in field_changes(
            declared, {name: proposed.get(name) for name in DECLARATION_FIELDS}
        )
    ]
    old_items, new_items = set(now.get("items") or {}), set(proposed.get("items") or {})
    impact.items_added = sorted(new_items - old_items)
    impact.items_dropped = sorted(old_items - new_items)
    lost: set[tuple[str, str]] = set()
    for measure_id, measure in sorted(catalog.measures.items()):
        for binding in measure.bindings:
            if binding.source != source_id or binding.item in new_items:
                continue
            span = (binding.periods.from_, binding.periods.to)
            others = tuple(
                f"{b.source}/{b.item}"
                for b in measure.bindings
                if b.source != source_id and _overlaps(span, (b.periods.from_, b.periods.to))
            )
            impact.broken.append(BrokenBinding(measure_id, binding.item, _periods(*span), others))
            if not others:
                lost.add(("measures", measure_id))
    for kind, object_id in sorted(_dependents(graph, lost)):
        impact.affected.setdefault(kind, []).append(object_id)
    indexes = set(impact.affected.get("indexes", []))
    for index_id in impact.affected.get("indexes", []):
        index = catalog.indexes[index_id]
        metrics = set(impact.affected.get("metrics", []))
        lenses = sorted(
            {
                f"{index_id}/{lens.id}"
                for _, lens, _ in index.walk()
                if any(entry.metric in metrics for entry in lens.metrics)
                or (lens.index is not None and lens.index.id in indexes)  # reads one affected
            }
        )
        impact.affected.setdefault("lenses", []).extend(lenses)
    return impact


def read_structure(structure: Path, source_id: str) -> dict:
    """The proposed structure: a source entry under `source:` in a YAML file starting `indexc: 2`,
    validated as a source of its layout, with line and column in every diagnostic."""
    path = (structure if structure.is_absolute() else Path.cwd() / structure).resolve()
    if not path.is_file():
        raise UserError(
            [
                Diagnostic(
                    Code.NO_SPECS,
                    f"no structure file {structure}",
                    Location(str(structure)),
                    f"write the proposed structure as 'indexc: {CURRENT_VERSION}' and a 'source:' entry",
                )
            ]
        )
    spec_file, diagnostics = load_file(path, path.parent, "structure")
    if spec_file is None:
        raise UserError(diagnostics)
    raw = spec_file.data.get("source")
    origin = Origin(spec_file, ("source",))
    if not isinstance(raw, dict):
        raise UserError(
            [
                Diagnostic(
                    Code.SCHEMA_VIOLATION,
                    "the structure file needs a 'source:' mapping",
                    spec_file.location(()),
                    "write the new structure as a source entry under 'source:' (layout, columns, "
                    "period, items, geography)",
                )
            ]
        )
    if "id" in raw and raw["id"] != source_id:
        raise UserError(
            [
                Diagnostic(
                    Code.STRUCTURE_OF_ANOTHER_SOURCE,
                    f"the structure file is of source '{raw['id']}', not of --source {source_id}",
                    origin.location("id"),
                    f"leave 'id:' out, or run indexc impact --source {raw['id']}",
                )
            ]
        )
    raw = {"id": source_id, **raw}
    layout = raw.get("layout")  # a register or an area map has no items to weigh
    model = PROPOSED_LAYOUTS.get(layout) if isinstance(layout, str) else None
    if model is None:
        raise UserError(
            [
                Diagnostic(
                    Code.SCHEMA_VIOLATION,
                    f"the proposed source needs a layout: {', '.join(PROPOSED_LAYOUTS)}",
                    origin.location(),
                    "add 'layout: long', 'layout: wide' or 'layout: pivoted'",
                )
            ]
        )
    try:
        proposed = model.model_validate(raw)
    except ValidationError as err:
        raise UserError(
            [
                schema_diagnostic(e, model, origin, f"proposed source '{source_id}'")
                for e in primary_errors(err)
            ]
        ) from None
    parts = [
        (item, problem)
        for item in proposed.items
        if isinstance(proposed, LongSource) and (problem := proposed.item_parts_problem(item))
    ]
    if parts:
        raise UserError(
            [
                Diagnostic(
                    Code.SCHEMA_VIOLATION,
                    problem,
                    origin.location("items", item, key=True),
                    "write each item as the values of its item columns, in their order",
                )
                for item, problem in parts
            ]
        )
    return proposed.model_dump(mode="json", by_alias=True)


def render_text(impact: Impact) -> str:
    return (
        "\n".join(_binding_lines(impact) + structure_geography.render_lines(impact.geography))
        + "\n"
    )


def _binding_lines(impact: Impact) -> list[str]:
    lines = [f"impact of the proposed structure of source {impact.source}"]
    if impact.declaration:
        lines.append("the source's declaration changes (edit its spec):")
        lines.extend(f"  {change}" for change in impact.declaration)
    if impact.items_added:
        lines.append(f"new items, bound by no measure yet: {', '.join(impact.items_added)}")
    if impact.items_dropped:
        lines.append(f"items no longer published: {', '.join(impact.items_dropped)}")
    if not impact.broken:
        lines.append("no binding breaks: every item bound is still published")
        return lines
    lines.append(f"{len(impact.broken)} binding(s) break:")
    for broken in impact.broken:
        cover = (
            f"; covered by {', '.join(broken.covered_by)}" if broken.covered_by else "; data lost"
        )
        lines.append(f"  measure {broken.measure}: item {broken.item}, {broken.periods}{cover}")
    for kind in ("measures", "metrics", "lenses", "indexes", "scenarios", "audits"):
        if impact.affected.get(kind):
            lines.append(f"{kind} that lose data: {', '.join(impact.affected[kind])}")
    return lines
