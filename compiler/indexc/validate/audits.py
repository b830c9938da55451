"""Rule IX102 for audits and snapshot policies: what they name exists.

An audit that names a metric nobody defines would otherwise find nothing, and
a smell test that cannot smell is worse than none; a policy that names an
unknown lineage event would silently surface nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.errors import Diagnostic
from indexc.spec.snapshots import LineageEvents
from indexc.validate.catalog import Catalog
from indexc.validate.references import UnknownReporter


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    report = UnknownReporter(catalog)
    for audit_id, audit in catalog.audits.items():
        context = f"audit '{audit_id}'"
        if audit.universe not in catalog.universes:
            yield from report.unknown(
                ("universes",),
                "universe",
                audit.universe,
                catalog.universes,
                catalog.where("audits", audit_id, "universe"),
                context,
            )
        for metric_id, path in audit.metrics():
            if metric_id not in catalog.metrics:
                yield from report.unknown(
                    ("metrics",),
                    "metric",
                    metric_id,
                    catalog.metrics,
                    catalog.where("audits", audit_id, *path),
                    context,
                )
    for policy_id, policy in catalog.snapshot_policies.items():
        for position, rule in enumerate(policy.surface):
            if not isinstance(rule, LineageEvents) or rule.lineage_events == "all":
                continue
            for place, event_id in enumerate(rule.lineage_events):
                if event_id not in catalog.lineage:
                    yield from report.unknown(
                        ("lineage",),
                        "lineage event",
                        event_id,
                        catalog.lineage,
                        catalog.where(
                            "snapshot_policies",
                            policy_id,
                            "surface",
                            position,
                            "lineage_events",
                            place,
                        ),
                        f"snapshot policy '{policy_id}'",
                    )
