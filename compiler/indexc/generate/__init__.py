"""Generate: plan nodes to sqlglot trees to SQL text for one target.

Builders are looked up by node class, one per layer, so adding a layer is one
entry here and one function in the module that owns that layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from indexc.generate import (
    area_maps,
    audits,
    geography,
    guards,
    inputs,
    literal_tables,
    refusals,
    restate,
    scores,
    smell,
    snapshots,
)
from indexc.generate.targets import SqlTarget, sql_target
from indexc.plan import Plan
from indexc.plan.geography import (
    AreaMapCheckNode,
    AreaMapEdgesNode,
    AreasNode,
    BasisCheckNode,
    CodesCheckNode,
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
    IndexScoresNode,
    LensScoresNode,
    LiteralTableNode,
    Materialisation,
    MeasureNode,
    MetricNode,
    MetricScoresNode,
    MetricScoresView,
    Node,
    PeersNode,
    PeriodCheckNode,
    PublishNode,
    RegisterCheckNode,
    RegisterNode,
    ScenarioNode,
    SchemaNode,
    StabilityNode,
    UniverseNode,
)
from indexc.plan.refusals import PublishedPeriodCheckNode, UniverseCheckNode
from indexc.plan.smell import SmellCheckNode, SmellNode
from indexc.plan.snapshots import ConsumptionNode, SnapshotSchemaNode, SnapshotTableNode

Builder = Callable[[Node, SqlTarget], exp.Expression]

BUILDERS: dict[type[Node], Builder] = {
    DataSourceNode: inputs.data_source,
    RegisterNode: inputs.register,
    MeasureNode: inputs.measure,
    MetricNode: inputs.metric,
    UniverseNode: scores.universe,
    LiteralTableNode: literal_tables.literal_table,
    **{
        cls: scores.template_node
        for cls in (
            MetricScoresNode,
            MetricScoresView,
            LensScoresNode,
            IndexScoresNode,
            PeersNode,
            StabilityNode,
            ScenarioNode,
            PublishNode,
        )
    },
    AuditNode: audits.audit,
    AuditCheckNode: audits.audit_check,
    SmellNode: smell.smell,
    SmellCheckNode: smell.smell_check,
    PeriodCheckNode: inputs.period_check,
    RegisterCheckNode: inputs.register_check,
    DuplicateCheckNode: inputs.duplicate_check,
    UniverseCheckNode: refusals.universe_check,
    PublishedPeriodCheckNode: refusals.published_period_check,
    BindingGapCheckNode: guards.binding_gap_check,
    RangeCheckNode: guards.range_check,
    FiniteCheckNode: guards.finite_check,
    AreasNode: geography.areas,
    PathsNode: geography.paths,
    SharesNode: geography.shares,
    PathWeightsNode: geography.path_weights,
    BasisCheckNode: geography.basis_check,
    IndicatorsNode: geography.indicators,
    RestatedMeasureNode: restate.restated_measure,
    CodesCheckNode: restate.codes_check,
    RestatementCheckNode: restate.restatement_check,
    AreaMapSourceNode: area_maps.area_map_source,
    AreaMapEdgesNode: area_maps.area_map_edges,
    MappedMeasureNode: area_maps.mapped_measure,
    AreaMapCheckNode: area_maps.area_map_check,
    SnapshotTableNode: snapshots.snapshot_table,
    ConsumptionNode: snapshots.consumption,
}


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
    query = BUILDERS[type(node)](node, target)
    if node.materialisation is Materialisation.CHECK:
        return query
    if node.materialisation is Materialisation.ENSURE:
        return snapshots.ensure(target, node.table, query)
    kind = "TABLE" if node.materialisation is Materialisation.TABLE else "VIEW"
    return target.create(node.name, kind, query)


def generate(plan: Plan, target: SqlTarget) -> list[CompiledObject]:
    levels = plan.levels()
    digits = max(2, len(str(max(levels.values(), default=0))))
    return [
        CompiledObject(node, levels[node.name], target.render(statement_for(node, target)), digits)
        for node in plan.nodes
    ]


__all__ = ["CompiledObject", "SqlTarget", "generate", "sql_target"]
