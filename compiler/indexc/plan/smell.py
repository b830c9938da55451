"""A measure's smell test: the table of the values it flags, and the check that fails the run on a gross one.

Values are tested as their sources publish them, before any restatement, so each flagged value points
at a file and line a person can open. The query is generate/templates/smell.sql.j2 (docs/spec-language.md,
"Smell tests").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from indexc.plan.nodes import CheckNode, Layer, Materialisation, MeasureNode, Node
from indexc.plan.restatement import AREAS
from indexc.spec.measures import Binding
from indexc.spec.smell import UNIT_RANGES
from indexc.validate.catalog import Catalog


def smell_object(measure_id: str) -> str:
    return f"smell__{measure_id}"


@dataclass(frozen=True, kw_only=True)
class SmellNode(Node):
    """The values of one measure far from their peers or their own neighbouring periods, or outside their
    unit's plausible range, each with its source, file, line and whether a spec accepts it."""

    measure: MeasureNode
    unit_range: tuple[float, float] | None
    factor: float
    warn_z: float
    min_peers: int
    accepted: tuple[tuple[str, str | None, str], ...] = field(
        hash=False
    )  # (area, period or None, reason)
    level_types: tuple[str, ...] = ()
    """The register types of the levels the bindings read, when each says one: a file may hold other
    levels' rows too (districts beside counties), which the measure never reads and is not judged on."""
    layer = Layer.AUDIT
    materialisation = Materialisation.TABLE


@dataclass(frozen=True, kw_only=True)
class SmellCheckNode(CheckNode):
    """Any gross value not accepted fails the run before anything is published."""

    smell_object: str
    measure_id: str


def smell_nodes(measure: MeasureNode, catalog: Catalog) -> list[Node]:
    """Nothing when the measure's spec switches the test off (with its reason)."""
    spec = catalog.measures[measure.measure_id]
    test = spec.smell
    if test.off is not None:
        return []
    name = smell_object(measure.measure_id)
    types = _level_types(spec.bindings, catalog)
    node = SmellNode(
        name=name,
        depends_on=tuple(sorted({*measure.depends_on, AREAS})) if types else measure.depends_on,
        spec=measure.spec,
        description=f"Smell test of measure {measure.measure_id}: values more than {test.factor:g}x from their "
        f"peers' median or their own neighbouring periods (error), or beyond a robust z of "
        f"{test.warn_z:g} (warning)",
        measure=measure,
        unit_range=UNIT_RANGES.get(spec.unit),
        factor=test.factor,
        warn_z=test.warn_z,
        min_peers=test.min_peers,
        accepted=tuple((a.area, a.period, a.reason) for a in test.accept),
        level_types=types,
    )
    check = SmellCheckNode(
        name=f"check__{name}",
        depends_on=(name,),
        spec=measure.spec,
        smell_object=name,
        measure_id=measure.measure_id,
        description=f"Fails the run on a gross outlier of {measure.measure_id}",
        failure="gross outliers, likely a value in the wrong unit",
    )
    return [node, check]


def _level_types(bindings: Iterable[Binding], catalog: Catalog) -> tuple[str, ...]:
    """The types of the levels every binding's source declares; none when one declares none."""
    types: set[str] = set()
    for binding in bindings:
        source = catalog.sources.get(binding.source)
        geography = getattr(source, "geography", None)
        if geography is None or geography.level not in catalog.levels:
            return ()
        types.update(catalog.levels[geography.level].types)
    return tuple(sorted(types))
