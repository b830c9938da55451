"""Rule IX102 for audits: the universe and every metric an audit names exist.

An audit that names a metric nobody defines would otherwise find nothing, and
a smell test that cannot smell is worse than none.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog
from indexc.validate.references import UnknownReporter


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    report = UnknownReporter(catalog)
    for audit_id, audit in catalog.audits.items():
        context = f"audit '{audit_id}'"
        if audit.universe not in catalog.universes:
            yield from report.unknown(("universes",), "universe", audit.universe, catalog.universes,
                                      catalog.where("audits", audit_id, "universe"), context)
        for metric_id, path in audit.metrics():
            if metric_id not in catalog.metrics:
                yield from report.unknown(("metrics",), "metric", metric_id, catalog.metrics,
                                          catalog.where("audits", audit_id, *path), context)
