"""What an index's objects are planned from, and how they are named and made into nodes.

An index plans a dozen objects, a scenario of it some of them again under its own names; each object
needs the index, the names of the objects it reads and the spec it comes from. They are held once here,
by the planner the methodology's modules share, rather than passed to every function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from indexc.plan.nodes import Layer, TemplateNode
from indexc.plan.template_params import Grouping, TemplateParams
from indexc.spec.indexes import TYPE_GROUPING, Index
from indexc.validate.catalog import Catalog

ValueObject = Callable[[str], str]  # metric or measure id -> the object holding its values


def index_object(index_id: str, part: str) -> str:
    return f"index__{index_id}__{part}"


def grouping(grouping_id: str) -> Grouping:
    return {
        "id": grouping_id,
        "edges": None if grouping_id == TYPE_GROUPING else f"area_map__{grouping_id}",
    }


def edges_read(groupings: Iterable[Grouping | None]) -> list[str]:
    """The area-map objects some groupings read (`type` reads none)."""
    return [g["edges"] for g in groupings if g and g["edges"]]


def weight(value: float | None) -> float:
    """A lens's or metric's weight, which validation has made sure is given (validate/weights.py)."""
    if value is None:
        raise ValueError("a weight is missing: validation should have refused the index")
    return float(value)


@dataclass(frozen=True)
class IndexPlanner:
    """One index, or one scenario of it (`prefix` `scenario__<id>__`, its objects' names' part)."""

    index: Index  # as the scenario has it, when there is one
    index_id: str
    spec: tuple[str, str]  # ("indexes", id) or ("scenarios", id): where the objects come from
    catalog: Catalog
    universe: str  # the universe's object
    metric_object: ValueObject
    value_object: ValueObject  # of a metric or a measure (restated, when the data is)
    prefix: str = ""
    variant: str = ""
    """`contributed__`: the whole index again, computed with contributed data (plan/contributed.py)."""
    provenance: bool = False
    """The index reads contributed data: its lens scores and Top N say which values are contributed,
    from its `provenance` object."""

    @property
    def provenance_object(self) -> str | None:
        return self.name("provenance") if self.provenance and not self.prefix else None

    def name(self, part: str) -> str:
        """An object of the index itself (the baseline's, in a scenario)."""
        return index_object(self.index_id, self.variant + part)

    def own(self, part: str) -> str:
        """An object planned here: the scenario's own in a scenario."""
        return self.name(self.prefix + part)

    def layer(self, layer: Layer) -> Layer:
        """A scenario's objects are all in its layer."""
        return Layer.SCENARIO if self.prefix else layer

    def words(self) -> str:
        """The scenario, in a description."""
        return f" in scenario {self.prefix.split('__')[1]}" if self.prefix else ""

    @property
    def periods(self) -> str:
        """An object whose `period` column lists the index's periods: the small normalisation table when
        it is per period, else the metric values (which may be a view over every value)."""
        scope = self.index.method.scope
        return self.name("normalisation") if scope == "period" else self.name("metric_values")

    def node(
        self,
        layer: Layer,
        name: str,
        reads: Iterable[str],
        description: str,
        params: TemplateParams,
        *,
        view: bool = False,
    ) -> TemplateNode:
        """The object `name` (from `name` or `own`), reading `reads`."""
        return TemplateNode(
            name=name,
            spec=self.spec,
            depends_on=tuple(sorted(set(reads))),
            description=description,
            index_id=self.index_id,
            in_layer=layer,
            params=params,
            view=view,
        )
