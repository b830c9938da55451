"""SQL for a measure's smell test: the values it flags (a template over the measure's values as published,
with their file and line), and the check that fails the run on a gross one nobody accepted."""

from __future__ import annotations

from sqlglot import exp

from indexc.generate.expressions import alias, and_all, cast, col, lit, union_all
from indexc.generate.inputs import has_value
from indexc.generate.precedence import PREFERRED, ROW, preferred_has_value
from indexc.generate.targets import SqlTarget
from indexc.generate.templating import render
from indexc.plan.restatement import AREAS
from indexc.plan.smell import SmellCheckNode, SmellNode


def smell(node: SmellNode, target: SqlTarget) -> exp.Expression:
    return render(
        "smell.sql.j2",
        target,
        trees={"values": _published_values(node, target)},
        measure=node.measure.measure_id,
        unit_range=node.unit_range,
        factor=node.factor,
        warn_z=node.warn_z,
        min_peers=node.min_peers,
        accepted=node.accepted,
    )


def _published_values(node: SmellNode, target: SqlTarget) -> exp.Expression:
    """The rows the measure's view reads, one SELECT per binding, with where each row is written."""
    measure = node.measure
    selects = []
    for binding in measure.bindings:
        conditions = has_value(binding, measure.valid)
        conditions += [  # the rows a binding preferred by precedence replaces are not the measure's
            exp.Not(
                this=preferred_has_value(
                    target.object_table(measure.bindings[p].source_object, PREFERRED),
                    has_value(measure.bindings[p], measure.valid),
                )
            )
            for p in binding.yields_to
        ]
        if node.level_types:  # the rows of the levels the measure reads, not the file's others
            in_level = (
                exp.select(col("area_code"))
                .from_(target.object_table(AREAS))
                .where(col("type").isin(*(lit(t) for t in node.level_types)))
            )
            conditions.append(col("area_code").isin(query=in_level))
        selects.append(
            exp.select(
                col("area_code"),
                col("period"),
                col("value"),
                alias(lit(binding.source_id), "source"),
                alias(lit(target.source_file(binding.source_id)), "file"),
                alias(col("source_line"), "line"),
                copy=False,
            )
            .from_(
                target.object_table(binding.source_object, ROW if binding.yields_to else None),
                copy=False,
            )
            .where(and_all(conditions), copy=False)
        )
    return union_all(selects)


def smell_check(node: SmellCheckNode, target: SqlTarget) -> exp.Expression:
    """Each gross value no spec accepts, as text a person can act on, in order."""

    def shown(expression: exp.Expression) -> exp.Expression:
        return exp.Coalesce(this=cast(expression, "varchar"), expressions=[lit("?")])

    line = exp.Coalesce(
        this=exp.DPipe(this=lit(" line "), expression=cast(col("line"), "varchar")),
        expressions=[lit("")],
    )  # a table has no lines (Snowflake)
    parts = [
        col("area_code"),
        lit(" "),
        col("period"),
        lit(" = "),
        shown(col("value")),
        lit(" ("),
        col("test"),
        lit("; "),
        col("source"),
        lit(", "),
        col("file"),
        line,
        lit(")"),
    ]
    gross = and_all(
        [
            exp.EQ(this=col("severity"), expression=lit("error")),
            exp.Is(this=col("accepted_because"), expression=exp.Null()),
        ]
    )
    return (
        exp.select(alias(exp.Concat(expressions=parts), "found"), copy=False)
        .from_(target.object_table(node.smell_object), copy=False)
        .where(gross, copy=False)
        .order_by(col("period"), col("area_code"), copy=False)
    )


def smell_rows(node: SmellNode, target: SqlTarget) -> exp.Expression:
    """Every value a built smell table holds, for the run's report, in order."""
    columns = [
        "area_code",
        "period",
        "value",
        "test",
        "severity",
        "source",
        "file",
        "line",
        "peer_ratio",
        "robust_z",
        "accepted_because",
    ]
    return (
        exp.select(*(col(c) for c in columns), copy=False)
        .from_(target.object_table(node.name), copy=False)
        .order_by(col("period"), col("area_code"), copy=False)
    )
