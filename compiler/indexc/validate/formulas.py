"""Rules IX201/IX202: a formula parses and stays within the allow-list."""

from __future__ import annotations

from typing import Iterator

from indexc.errors import Diagnostic
from indexc.validate.catalog import Catalog


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for metric_id, metric in catalog.metrics.items():
        origin = catalog.origin("metrics", metric_id)
        for problem in catalog.formula(metric_id).problems:
            code = "IX201" if problem.message.startswith("formula does not parse") else "IX202"
            yield Diagnostic(code, f"metric '{metric_id}': {problem.message}",
                             origin.location_in_text(("formula",), max(problem.offset, 0), metric.formula),
                             problem.hint)
