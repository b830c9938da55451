"""What a successful run found worth saying without failing: warnings read back from the database.

Each reads one kind of object the run built, on whichever engine built it (`query` runs SQL there).
"""

from __future__ import annotations

from typing import Any

from indexc import guard_reports, report
from indexc.codes import Code
from indexc.compilation import Compilation, Query
from indexc.errors import Diagnostic, Severity
from indexc.generate import CompiledObject
from indexc.generate.audits import audit_rows
from indexc.generate.inputs import invalid_values
from indexc.generate.reconcile import SIDES, reconciliation
from indexc.generate.targets import SqlTarget
from indexc.plan.geography import AggregatedMeasureNode, RestatedMeasureNode
from indexc.plan.nodes import AuditNode, MeasureNode, defined_by
from indexc.plan.precedence import RestatedChoiceNode, is_feed
from indexc.plan.reconcile import ReconcileNode


def after_run(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    return (
        guard_reports.after_run(query, objects, compilation.catalog, target_sql)
        + incomplete_restatements(query, objects, compilation, target_sql)
        + cold_starts(query, objects, compilation, target_sql)
        + incomplete_aggregations(query, objects, compilation, target_sql)
        + invalid_values_found(query, objects, compilation, target_sql)
        + audit_findings(query, objects, compilation, target_sql)
        + reconciliation_findings(query, objects, compilation, target_sql)
    )


def incomplete_restatements(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    """IX705 (warning): restated values left unknown because some contributing area has no data.

    Not an error: the data is simply missing for part of the area. But nothing is dropped silently,
    so a run says how many values it left unknown and where.
    """
    warnings = []
    for obj in objects:
        # feeds on different codes: said of the value chosen among them (plan/precedence.py)
        if not isinstance(obj.node, RestatedMeasureNode | RestatedChoiceNode) or is_feed(obj.node):
            continue
        if compilation.geography is None:  # restated measures exist only with a geography
            raise ValueError(f"{obj.name} is restated without a geography")
        rows = query(report.incomplete_sql(target_sql, obj.name))
        if rows:
            first = rows[0]
            warnings.append(
                Diagnostic(
                    Code.RESTATED_VALUES_UNKNOWN,
                    f"{obj.node.measure_id}: {len(rows)} value(s) left unknown on the geography of "
                    f"{compilation.geography.date}: some contributing area has no data (first: "
                    f"{first['area_code']} {first['period']}, {first['found']} of {first['expected']})",
                    compilation.catalog.where(*defined_by(obj.node)),
                    f"see {obj.name} (contributors_found, contributors_expected) and geography__indicators",
                    severity=Severity.WARNING,
                )
            )
    return warnings


def cold_starts(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    """IX750 (note): areas without history because the measure's apportioning is forbidden.

    Declared, so not a warning; but a ranking without a new council's past must say why."""
    notes = []
    for obj in objects:
        node = obj.node
        if not isinstance(node, RestatedMeasureNode) or not node.forbidden:
            continue
        rows = query(report.cold_starts_sql(target_sql, obj.name))
        if not rows:
            continue
        spans: dict[str, list[str]] = {}
        for row in rows:
            backward = row["first_period"] >= row["cold_start_from"]
            span = f"no {'value from' if backward else 'history before'} {row['cold_start_from']}"
            area = compilation.catalog.areas.get(row["area_code"])
            named = f"{row['area_code']} ({area.name})" if area else str(row["area_code"])
            spans.setdefault(span, []).append(named)
        said = "; ".join(
            f"{span} for {', '.join(areas[:5])}"
            + (f" and {len(areas) - 5} more" if len(areas) > 5 else "")
            for span, areas in sorted(spans.items())
        )
        measure = compilation.catalog.measures[node.measure_id]
        at = ("apportion",) if measure.apportion is not None else ()
        notes.append(
            Diagnostic(
                Code.COLD_START,
                f"{node.measure_id}: {said}: its apportioning is forbidden, so a reorganisation "
                f"that divided an area gives its successors no value ({sum(r['area_periods'] for r in rows)} "
                "area-periods)",
                compilation.catalog.where(*defined_by(node), *at),
                f"see geography__cold_starts and {obj.name} (method, cold_start_from)",
                severity=Severity.NOTE,
            )
        )
    return notes


def incomplete_aggregations(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    """IX742 and IX743 (warnings): values of a measure carried up a level left unknown.

    As in a group, an area of the upper level gets a value only when every member in force has one
    (IX742: a county with a district missing would otherwise look like a smaller county) and, for a
    weighted mean, when every member's weight is known (IX743). Neither is an error, but nothing is
    dropped silently.
    """
    warnings = []
    for obj in objects:
        node = obj.node
        if not isinstance(node, AggregatedMeasureNode):
            continue
        rows = query(report.unknown_aggregates_sql(target_sql, obj.name))
        short = [r for r in rows if r["found"] < r["expected"]]
        unweighted = [r for r in rows if r["found"] >= r["expected"]]
        where = compilation.catalog.where(*defined_by(node), "aggregate")
        if short:
            shown = ", ".join(
                f"{r['area_code']} ({r['name']}) {r['period']}: {r['found']} of {r['expected']} with a value"
                for r in short[:3]
            )
            more = f" and {len(short) - 3} more" if len(short) > 3 else ""
            warnings.append(
                Diagnostic(
                    Code.AGGREGATED_MEMBERS_MISSING,
                    f"{node.measure_id}: {len(short)} value(s) on {node.upper} left unknown: some "
                    f"{node.lower} area in it has no value ({shown}{more})",
                    where,
                    f"see {obj.name} (members_found, members_expected) and {node.restated_object}",
                    severity=Severity.WARNING,
                )
            )
        if unweighted:
            weight = compilation.catalog.measures[node.measure_id].weighted_by
            shown = ", ".join(
                f"{r['area_code']} ({r['name']}) {r['period']}" for r in unweighted[:3]
            )
            more = f" and {len(unweighted) - 3} more" if len(unweighted) > 3 else ""
            warnings.append(
                Diagnostic(
                    Code.AGGREGATED_WEIGHT_MISSING,
                    f"{node.measure_id}: {len(unweighted)} value(s) on {node.upper} left unknown: "
                    f"every {node.lower} area in it has a value but the weight '{weight}' of some "
                    f"is missing or they weigh 0 in all ({shown}{more})",
                    where,
                    f"see restated__{weight}: every member needs its weight in the period",
                    severity=Severity.WARNING,
                )
            )
    return warnings


def invalid_values_found(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    """IX706 (warning): published values outside a measure's valid range, left out as missing."""
    warnings = []
    for obj in objects:
        if not isinstance(obj.node, MeasureNode) or not obj.node.valid or is_feed(obj.node):
            continue  # a feed's rows are the measure's: said once
        rows = query(target_sql.render(invalid_values(obj.node, target_sql)))
        if rows:
            shown = ", ".join(f"{r['area_code']} {r['period']} {r['value']:g}" for r in rows[:3])
            more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
            warnings.append(
                Diagnostic(
                    Code.OUTSIDE_VALID_RANGE,
                    f"{obj.node.measure_id}: {len(rows)} published value(s) outside its valid range "
                    f"left out as missing: {shown}{more}",
                    compilation.catalog.where(*defined_by(obj.node), "valid"),
                    "they are not data (a blank written as 0, say); if they are, widen 'valid:'",
                    severity=Severity.WARNING,
                )
            )
    return warnings


def audit_findings(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    """IX707 (warning): the rows each `warn` audit found, which the build keeps in its audit table."""
    warnings = []
    for obj in objects:
        node = obj.node
        if not isinstance(node, AuditNode) or node.params.severity != "warn":
            continue
        rows = query(target_sql.render(audit_rows(node, target_sql)))
        if rows:
            shown = ", ".join(f"{r['area_code']} {r['period']}" for r in rows[:3])
            more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
            warnings.append(
                Diagnostic(
                    Code.AUDIT_FOUND_ROWS,
                    f"audit {defined_by(node)[1]} found {len(rows)}: {shown}{more}",
                    compilation.catalog.where(*defined_by(node)),
                    f"{node.finds}; every row is in {obj.name}",
                    severity=Severity.WARNING,
                )
            )
    return warnings


def _shown(rows: list[dict[str, Any]], side: str) -> str:
    """The first three rows of one feed's findings, and how many more."""
    shown = ", ".join(
        f"{r['area_code']} {r['period']} {r[f'{side}_value']:g} ({r[f'{side}_source']})"
        for r in rows[:3]
    )
    return shown + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")


def reconciliation_findings(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> list[Diagnostic]:
    """IX746, IX747 (warnings): where a measure's overlapping feeds disagree (plan/reconcile.py).

    The preferred feed's values are published wherever it has one: a difference beyond the declared
    tolerance does not fail the run, since the spec chose which feed wins, but every run says how
    many values it replaced and where, and the audit table lists them all.
    """
    warnings = []
    for obj in objects:
        node = obj.node
        if not isinstance(node, ReconcileNode):
            continue
        rows = query(target_sql.render(reconciliation(node, target_sql)))
        where = compilation.catalog.where(*defined_by(node), "bindings")
        differs = [r for r in rows if r["finding"] == "differs"]
        if differs:
            shown = ", ".join(
                f"{r['area_code']} {r['period']} {r['other_source']} {r['other_value']:g} against "
                f"{r['preferred_source']} {r['preferred_value']:g}"
                for r in differs[:3]
            )
            more = f" and {len(differs) - 3} more" if len(differs) > 3 else ""
            warnings.append(
                Diagnostic(
                    Code.FEEDS_DISAGREE,
                    f"{node.measure_id}: {len(differs)} value(s) of overlapping feeds differ beyond "
                    f"their tolerance ({differs[0]['tolerance']}): {shown}{more}; the preferred "
                    "feed's values are published",
                    where,
                    f"every difference is in {obj.name}; if the other feed is right, make it the "
                    "preferred one (precedence 1); if the difference is expected, widen the "
                    "other binding's 'reconcile:'",
                    severity=Severity.WARNING,
                )
            )
        only = {side: [r for r in rows if r["finding"] == f"only_{side}"] for side in SIDES}
        if only["preferred"] or only["other"]:
            parts = [
                f"{len(only[side])} area-period(s) only in the {side} feed: {_shown(only[side], side)}"
                for side in SIDES
                if only[side]
            ]
            warnings.append(
                Diagnostic(
                    Code.FEEDS_COVER_DIFFERENT_AREAS,
                    f"{node.measure_id}: in the periods both feeds publish, "
                    + "; ".join(parts)
                    + " (a value only in the other feed fills the preferred feed's gap)",
                    where,
                    f"every such area and period is in {obj.name}",
                    severity=Severity.WARNING,
                )
            )
    return warnings
