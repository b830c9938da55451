"""What a run's smell tests found that does not fail it: milder outliers (IX731), accept entries that match
nothing any more (IX732), and the values accepted with a reason, which are listed, never hidden.

Gross outliers nobody accepted have already failed the run (IX730, in the project facade).
"""

from __future__ import annotations

from dataclasses import dataclass

from indexc.codes import Code
from indexc.compilation import Compilation, Query
from indexc.errors import Diagnostic, Severity
from indexc.generate import CompiledObject
from indexc.generate.smell import smell_rows
from indexc.generate.targets import SqlTarget
from indexc.plan.smell import SmellNode
from indexc.validate.catalog import Catalog

SHOWN = 3


@dataclass(frozen=True)
class SmellReport:
    warnings: list[Diagnostic]
    accepted: dict[str, int]  # measure -> values flagged and accepted in its spec


def read(
    query: Query, objects: list[CompiledObject], compilation: Compilation, target_sql: SqlTarget
) -> SmellReport:
    warnings: list[Diagnostic] = []
    accepted: dict[str, int] = {}
    catalog = compilation.catalog
    for obj in objects:
        node = obj.node
        if not isinstance(node, SmellNode):
            continue
        rows = query(target_sql.render(smell_rows(node, target_sql)))
        measure_id = node.measure.measure_id
        mild = [r for r in rows if r["severity"] == "warn" and r["accepted_because"] is None]
        if mild:
            more = f" and {len(mild) - SHOWN} more" if len(mild) > SHOWN else ""
            warnings.append(
                Diagnostic(
                    Code.OUTLIER,
                    f"smell test of measure {measure_id}: {len(mild)} value(s) far from their peers "
                    f"(robust z beyond {node.warn_z:g}): {'; '.join(describe(r) for r in mild[:SHOWN])}{more}",
                    catalog.where("measures", measure_id),
                    f"look at them; every flagged value is in {node.name}; "
                    "accept one under the measure's 'smell: accept:' with a reason once it is checked",
                    severity=Severity.WARNING,
                )
            )
        if any(r["accepted_because"] is not None for r in rows):
            accepted[measure_id] = sum(1 for r in rows if r["accepted_because"] is not None)
        warnings.extend(_unmatched(node, rows, catalog))
    return SmellReport(warnings, accepted)


def describe(row: dict) -> str:
    """`E06000001 2016-17 = 38964 (peers, 0.05x the median; source, file line 2)`."""
    why = {
        "peers": f"{row['peer_ratio']:.3g}x the peers' median"
        if row["peer_ratio"] is not None
        else "peers",
        "spread": f"robust z {row['robust_z']:.1f}" if row["robust_z"] is not None else "spread",
        "over_time": "far from its own neighbouring periods",
        "unit_range": "outside its unit's range",
    }[row["test"]]
    line = f" line {row['line']}" if row["line"] is not None else ""
    return f"{row['area_code']} {row['period']} = {row['value']:g} ({why}; {row['source']}, {row['file']}{line})"


def _unmatched(node: SmellNode, rows: list[dict], catalog: Catalog) -> list[Diagnostic]:
    """IX732: an accept entry no flagged value matches: the data was corrected, or the entry names the wrong
    area or period; either way the spec no longer says what is true."""
    flagged = {(r["area_code"], r["period"]) for r in rows}
    measure_id = node.measure.measure_id
    found = []
    for position, (area, period, _) in enumerate(node.accepted):
        if any(a == area and (period is None or p == period) for a, p in flagged):
            continue
        found.append(
            Diagnostic(
                Code.ACCEPTED_VALUE_NOT_FLAGGED,
                f"smell test of measure {measure_id}: accepted {area}{' ' + period if period else ''} "
                "matches no flagged value",
                catalog.where("measures", measure_id, "smell", "accept", position),
                "the data may have been corrected, or the area or period is mistyped; remove or correct the entry",
                severity=Severity.WARNING,
            )
        )
    return found
