"""Rules IX201/IX202/IX203: a formula parses and stays within the allow-list, and every id
a formula may name can be named (an id that is an SQL keyword, such as 'case', cannot)."""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.formula import usable_in_formulas
from indexc.validate.catalog import Catalog


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for kind in ("measures", "metrics"):
        for object_id in catalog.of_kind(kind):
            if not usable_in_formulas(object_id):
                yield Diagnostic(
                    Code.ID_IS_SQL_KEYWORD,
                    f"id '{object_id}' is an SQL keyword and cannot be named in a formula",
                    catalog.where(kind, object_id, "id"),
                    f"rename it, e.g. '{object_id}_value'",
                )
    for metric_id, metric in catalog.metrics.items():
        origin = catalog.origin("metrics", metric_id)
        for problem in catalog.formula(metric_id).problems:
            code = (
                Code.FORMULA_DOES_NOT_PARSE
                if problem.message.startswith("formula does not parse")
                else Code.FORMULA_NOT_ALLOWED
            )
            yield Diagnostic(
                code,
                f"metric '{metric_id}': {problem.message}",
                origin.location_in_text(("formula",), max(problem.offset, 0), metric.formula),
                problem.hint,
            )
