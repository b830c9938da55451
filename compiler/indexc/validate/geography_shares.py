"""Rules IX604 and IX613: the literal shares of a lineage event divide its predecessor.

A split's shares are what every restated number of its successors is made of,
so shares that do not sum to 1, that come from nowhere, or that create
territory on one side to destroy it on the other are errors at the line that
gives them; a share of 0 is most often a mistyped share, and is warned of.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic, Severity
from indexc.validate.catalog import Catalog

SHARE_TOLERANCE = 1e-9


def _shares(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX604 a split needs shares summing to 1, with their source, or a basis to apportion by."""
    for event_id, event in catalog.lineage.items():
        if event.type not in ("split", "transfer", "boundary_change"):
            continue
        given = [s.share for s in event.to if s.share is not None]
        where = catalog.where("lineage", event_id, "to")
        if given and len(given) != len(event.to) and event.type != "transfer":
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' gives shares for some successors only",
                where,
                "give every successor a 'share', or none and 'apportion: {by: ...}'",
            )
        elif given and event.type != "transfer" and abs(sum(given) - 1.0) > SHARE_TOLERANCE:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"the shares of lineage event '{event_id}' sum to {sum(given):.12g}, not 1",
                where,
                "shares divide the predecessor: nothing may be created or lost",
            )
        elif given and event.type == "transfer" and not 0 < given[0] < 1:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"the share transferred by '{event_id}' is {given[0]:g}",
                where,
                "a transfer moves a part: a share strictly between 0 and 1",
            )
        elif given and not event.shares_source:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' gives literal shares without saying where they "
                "come from",
                catalog.where("lineage", event_id),
                "add 'shares_source:' naming the data and vintage the shares were computed from",
            )
        elif not given and event.apportion is None:
            yield Diagnostic(
                Code.LINEAGE_SHARES,
                f"lineage event '{event_id}' divides {event.from_[0]} but neither gives shares "
                "nor a basis to apportion by",
                catalog.where("lineage", event_id, "type"),
                "add 'apportion: {by: population}' (territories from districts or basis), or a "
                "'share' per successor with 'shares_source:'",
            )


def _share_bounds(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX604 a literal share below 0 or above 1, even if the shares sum to 1; IX613 (warning) a share of 0.

    Shares of -0.5 and 1.5 sum to 1 but create territory on one side and destroy it on the other;
    a share of 0 is a successor that receives nothing, most often a mistyped share.
    """
    for event_id, event in sorted(catalog.lineage.items()):
        if event.type not in ("split", "boundary_change"):
            continue
        for i, successor in enumerate(event.to):
            where = catalog.where("lineage", event_id, "to", i, "share")
            if successor.share is not None and not 0 <= successor.share <= 1:
                yield Diagnostic(
                    Code.LINEAGE_SHARES,
                    f"lineage event '{event_id}' gives {successor.code} a share of "
                    f"{successor.share:g}",
                    where,
                    "a share is the part of the predecessor a successor "
                    "receives: between 0 and 1, whatever the other shares",
                )
            elif successor.share == 0:
                yield Diagnostic(
                    Code.ZERO_SHARE,
                    f"lineage event '{event_id}' gives {successor.code} a share of 0: it "
                    "receives nothing from " + event.from_[0],
                    where,
                    "give the share it receives, or remove the successor from 'to'",
                    severity=Severity.WARNING,
                )


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    yield from _shares(catalog)
    yield from _share_bounds(catalog)
