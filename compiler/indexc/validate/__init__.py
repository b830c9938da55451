"""Validation: schema models first, then semantic rules, all problems collected together.

Rules are an explicit ordered tuple, one rule per module, each a function from
the catalog to diagnostics. Semantic rules only run on entries whose schema is
valid, so every rule may trust the models it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from indexc.errors import Diagnostic
from indexc.load import SpecFile
from indexc.validate import (
    additivity,
    aggregation,
    alignment,
    apportionment,
    audiences,
    audits,
    bindings,
    comparisons,
    consent,
    formulas,
    geography,
    headline_policy,
    index_duplicates,
    index_inputs,
    index_levels,
    index_references,
    items,
    lifecycle,
    methodology,
    precedence,
    references,
    screening,
    smell,
    universes,
    value_columns,
    weights,
)
from indexc.validate.catalog import Catalog
from indexc.validate.models import build_catalog

Rule = Callable[[Catalog], Iterable[Diagnostic]]

RULES: tuple[Rule, ...] = (
    references.check,
    index_references.check,
    index_inputs.check,
    index_duplicates.check,
    formulas.check,
    weights.check,
    lifecycle.check,
    additivity.check,
    bindings.check,
    precedence.check,
    consent.check,
    alignment.check,
    items.check,
    value_columns.check,
    geography.check,
    aggregation.check,
    apportionment.check,
    index_levels.check,
    universes.check,
    methodology.check,
    screening.check,
    comparisons.check,
    headline_policy.check,
    audits.check,
    smell.check,
    audiences.check,
)


def validate(files: list[SpecFile]) -> tuple[Catalog, list[Diagnostic]]:
    catalog, diagnostics = build_catalog(files)
    for rule in RULES:
        diagnostics.extend(rule(catalog))
    return catalog, diagnostics


__all__ = ["Catalog", "RULES", "validate"]
