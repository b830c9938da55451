"""Rules IX330-IX334: an index's `method.screen` names its lenses and shares that can be met.

A screening rule leaves an area out of a period before treatment when it has a value of fewer
than a share of the rule's metrics (docs/methodology.md, screening). A share of 0 would screen
nothing and one above 1 everything, so both are refused with their own code rather than a schema
error; so is a rule for a lens the index does not have, since it would silently screen nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from indexc.codes import Code, Severity
from indexc.errors import Diagnostic, Location
from indexc.spec.indexes import Index
from indexc.spec.methods import Screen
from indexc.validate.catalog import Catalog
from indexc.validate.models import did_you_mean


def needed(share: float, metrics: int) -> int:
    """How many of `metrics` an area must have a value of to reach `share` (floating error aside)."""
    return max(1, math.ceil(share * metrics - 1e-9))


def _share(share: float, metrics: list[str], what: str, where: Location) -> Iterator[Diagnostic]:
    if not 0 < share <= 1:
        yield Diagnostic(
            Code.SCREEN_SHARE_OUT_OF_RANGE,
            f"the screening share of {what} is {share:g}; a share is above 0 and at most 1",
            where,
            "write the share of metrics an area must have a value of, such as min_share: 0.66",
        )
    elif share < 1 and len(metrics) > 1 and needed(share, len(metrics)) == len(metrics):
        most = (len(metrics) - 1) / len(metrics)
        yield Diagnostic(
            Code.SCREEN_SHARE_NEEDS_EVERY_METRIC,
            f"the screening share of {what} ({share:g}) needs a value of every one of its "
            f"{len(metrics)} metrics",
            where,
            f"write min_share: 1 if every metric is meant; a share of at most {most:.4g} lets an "
            "area miss one",
            severity=Severity.WARNING,
        )


def _screen(index_id: str, index: Index, screen: Screen, catalog: Catalog) -> Iterator[Diagnostic]:
    where = lambda *rel: catalog.where("indexes", index_id, "method", "screen", *rel)  # noqa: E731
    if screen.min_share is None and not screen.lenses:
        yield Diagnostic(
            Code.SCREEN_WITHOUT_RULE,
            f"index '{index_id}' has a screen with no rule: it would leave no area out",
            where(),
            "give min_share (a share of the index's metrics), lenses (rules for some lenses), "
            "or remove screen",
        )
    if screen.min_share is not None:
        yield from _share(
            screen.min_share, index.metric_ids(), f"index '{index_id}'", where("min_share")
        )
    lenses = {lens.id: lens for _, lens, _ in index.walk()}
    seen: set[str] = set()
    for i, rule in enumerate(screen.lenses):
        lens = lenses.get(rule.lens)
        if lens is None:
            yield Diagnostic(
                Code.SCREEN_UNKNOWN_LENS,
                f"index '{index_id}' screens on lens '{rule.lens}', which it does not have",
                where("lenses", i, "lens"),
                did_you_mean(rule.lens, lenses) or f"its lenses are {', '.join(sorted(lenses))}",
            )
            continue
        if rule.lens in seen:
            yield Diagnostic(
                Code.SCREEN_LENS_TWICE,
                f"index '{index_id}' screens on lens '{rule.lens}' twice",
                where("lenses", i, "lens"),
                "keep one rule per lens, with the share meant",
            )
        seen.add(rule.lens)
        yield from _share(
            rule.min_share,
            lens.metric_ids(),
            f"lens '{rule.lens}'",
            where("lenses", i, "min_share"),
        )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        if index.method.screen is not None:
            yield from _screen(index_id, index, index.method.screen, catalog)
