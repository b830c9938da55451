"""Generate: plan nodes to sqlglot trees to SQL text for one target.

Builders are looked up by node class, one per kind of node, so adding a kind is one
`_register` here and one function in the module that owns that layer. The index's
objects are one kind (TemplateNode): adding one is a template and its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlglot import exp

from indexc.generate import (
    area_maps,
    audits,
    contributed,
    coverage,
    geography,
    guards,
    halves,
    inputs,
    periods,
    pivoted,
    precedence,
    reconcile,
    refusals,
    registers,
    restate,
    scores,
    smell,
    snapshots,
    values,
)
from indexc.generate.targets import SqlTarget, sql_target
from indexc.plan import Plan
from indexc.plan.contributed import ClubNode, ContributedMeasureNode, ContributionCheckNode
from indexc.plan.coverage import CoverageCheckNode
from indexc.plan.geography import (
    AggregatedMeasureNode,
    AggregationEdgesNode,
    AreaMapCheckNode,
    AreaMapEdgesNode,
    AreasNode,
    BasisCheckNode,
    CodesCheckNode,
    ColdStartsNode,
    IndicatorsNode,
    MappedMeasureNode,
    PathsNode,
    PathWeightsNode,
    RestatedMeasureNode,
    RestatementCheckNode,
    SharesNode,
)
from indexc.plan.guards import BindingGapCheckNode, FiniteCheckNode, RangeCheckNode
from indexc.plan.nodes import (
    AreaMapSourceNode,
    AuditCheckNode,
    AuditNode,
    DataSourceNode,
    DuplicateCheckNode,
    LimitCheckNode,
    Materialisation,
    MeasureNode,
    MetricNode,
    Node,
    PeriodCheckNode,
    PivotedHeaderCheckNode,
    RegisterCheckNode,
    RegisterNode,
    SchemaNode,
    TemplateNode,
    UniverseNode,
    ValueCheckNode,
)
from indexc.plan.precedence import RestatedChoiceNode
from indexc.plan.reconcile import ReconcileNode
from indexc.plan.refusals import PublishedPeriodCheckNode, UniverseCheckNode
from indexc.plan.smell import SmellCheckNode, SmellNode
from indexc.plan.snapshots import ConsumptionNode, SnapshotSchemaNode, SnapshotTableNode

N = TypeVar("N", bound=Node)

_BUILDERS: dict[type[Node], Callable[[Any, SqlTarget], exp.Expression]] = {}


def _register(kind: type[N], builder: Callable[[N, SqlTarget], exp.Expression]) -> None:
    """Type-checked here (the builder takes that kind of node); `build` looks builders up by the node's
    exact class, so each is only ever called with its own kind."""
    _BUILDERS[kind] = builder


def build(node: Node, target: SqlTarget) -> exp.Expression:
    """The query of a node (for a table or view, what it is created as)."""
    return _BUILDERS[type(node)](node, target)


_register(DataSourceNode, inputs.data_source)
_register(RegisterNode, registers.register)
_register(MeasureNode, inputs.measure)
_register(MetricNode, inputs.metric)
_register(UniverseNode, scores.universe)
_register(TemplateNode, scores.template_node)
_register(AuditNode, audits.audit)
_register(AuditCheckNode, audits.audit_check)
_register(SmellNode, smell.smell)
_register(SmellCheckNode, smell.smell_check)
_register(PeriodCheckNode, periods.period_check)
_register(PivotedHeaderCheckNode, pivoted.header_check_node)
_register(RegisterCheckNode, registers.register_check)
_register(DuplicateCheckNode, inputs.duplicate_check)
_register(ValueCheckNode, values.value_check)
_register(LimitCheckNode, values.limit_check)
_register(UniverseCheckNode, refusals.universe_check)
_register(PublishedPeriodCheckNode, refusals.published_period_check)
_register(BindingGapCheckNode, guards.binding_gap_check)
_register(RangeCheckNode, guards.range_check)
_register(FiniteCheckNode, guards.finite_check)
_register(AreasNode, geography.areas)
_register(PathsNode, geography.paths)
_register(SharesNode, geography.shares)
_register(PathWeightsNode, geography.path_weights)
_register(BasisCheckNode, geography.basis_check)
_register(IndicatorsNode, geography.indicators)
_register(ColdStartsNode, geography.cold_starts)
_register(RestatedMeasureNode, restate.restated_measure)
_register(CodesCheckNode, restate.codes_check)
_register(RestatementCheckNode, restate.restatement_check)
_register(AreaMapSourceNode, area_maps.area_map_source)
_register(AreaMapEdgesNode, area_maps.area_map_edges)
_register(MappedMeasureNode, area_maps.mapped_measure)
_register(AggregatedMeasureNode, area_maps.mapped_measure)
_register(AggregationEdgesNode, geography.aggregation_edges)
_register(AreaMapCheckNode, area_maps.area_map_check)
_register(CoverageCheckNode, coverage.coverage_check)
_register(ContributedMeasureNode, contributed.contributed_measure)
_register(ClubNode, contributed.club_view)
_register(ReconcileNode, reconcile.reconciliation)
_register(RestatedChoiceNode, precedence.restated_choice)
_register(ContributionCheckNode, contributed.contribution_check)
_register(SnapshotTableNode, snapshots.snapshot_table)
_register(ConsumptionNode, snapshots.consumption)


@dataclass(frozen=True)
class CompiledObject:
    node: Node
    level: int
    statement: str
    level_digits: int = 2  # enough digits for the deepest level, so names sort in execution order

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_check(self) -> bool:
        return self.node.materialisation is Materialisation.CHECK

    @property
    def file_name(self) -> str:
        """Level first, so listing the build directory shows a valid execution order."""
        return f"{self.level:0{self.level_digits}d}_{self.node.name}.sql"


def statement_for(node: Node, target: SqlTarget) -> exp.Expression:
    if isinstance(node, SchemaNode):
        return target.create_schema()
    if isinstance(node, SnapshotSchemaNode):
        return exp.Create(this=target.schema(target.spec.snapshots), kind="SCHEMA", exists=True)
    query = build(node, target)
    if node.materialisation is Materialisation.CHECK:
        return query
    if isinstance(node, SnapshotTableNode):  # the one kind of node created when missing (ENSURE)
        return snapshots.ensure(target, node.table, query)
    kind = "TABLE" if node.materialisation is Materialisation.TABLE else "VIEW"
    return target.create(node.name, kind, query)


def _sql(target: SqlTarget, node: Node) -> tuple[str, list[str] | None]:
    """A node's SQL and, where the target asks for it (`SqlTarget.precheck`), its static check's
    verdict, reached where the SQL was generated (halves.py). An error of the check is left for
    the check itself to meet, in its own place: the verdict is then None."""
    statement = target.render(statement_for(node, target))
    if not target.precheck:
        return statement, None
    try:
        return statement, target.static_problems(statement)
    except Exception:
        return statement, None


def generate(plan: Plan, target: SqlTarget) -> list[CompiledObject]:
    """Every node's object, in the plan's order; at scale in two processes (halves.py)."""
    levels = plan.levels()
    digits = max(2, len(str(max(levels.values(), default=0))))
    results = halves.in_two(partial(_sql, target), plan.nodes)
    for statement, problems in results:
        if problems is not None:
            target.remember_problems(statement, problems)
    return [
        CompiledObject(node, levels[node.name], statement, digits)
        for node, (statement, _) in zip(plan.nodes, results, strict=True)
    ]


__all__ = ["CompiledObject", "SqlTarget", "build", "generate", "sql_target"]
