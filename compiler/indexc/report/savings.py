"""Projected savings in pounds for the report: the national total, each saving's part, and each council's.

The national total is the published `savings_totals` row of the whole index (lens `*`); each
council's is the sum of its published `savings` amounts, added here in a fixed order (math.fsum over
rows sorted by saving) so that the same tables always give the same figures, to the last digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from indexc.plan.index_planner import index_object
from indexc.report.headline import in_period
from indexc.report.relations import Tables
from indexc.spec.indexes import Index


@dataclass(frozen=True)
class CouncilSaving:
    name: str
    area_code: str
    amount: float


@dataclass(frozen=True)
class Savings:
    total: float | None  # the published national total; None when the index has no savings
    by_saving: tuple[tuple[str, str, float], ...]  # id, description, amount
    councils: tuple[CouncilSaving, ...]  # every council with a saving above zero, largest first
    read: bool  # the savings tables exist where the report reads


def read_savings(tables: Tables, index: Index, period: str, names: dict[str, str]) -> Savings:
    if not index.savings:
        return Savings(None, (), (), True)
    totals = index_object(index.id, "savings_totals")
    savings = index_object(index.id, "savings")
    if not (tables.columns(totals) and tables.columns(savings)):
        return Savings(None, (), (), False)
    whole = [
        r["amount"]
        for r in tables.read(totals, ["lens", "amount"], in_period(period), order=("lens",))
        if r["lens"] == "*"
    ]
    rows = tables.read(
        savings,
        ["saving", "area_code", "amount"],
        in_period(period),
        order=("saving", "area_code"),
    )
    by_area: dict[str, list[float]] = {}
    by_saving: dict[str, list[float]] = {}
    for r in rows:
        if r["amount"] is not None:
            by_area.setdefault(r["area_code"], []).append(r["amount"])
            by_saving.setdefault(r["saving"], []).append(r["amount"])
    councils = sorted(
        (
            CouncilSaving(names.get(code, code), code, math.fsum(amounts))
            for code, amounts in by_area.items()
        ),
        key=lambda c: (-c.amount, c.area_code),
    )
    parts = tuple((s.id, s.description, math.fsum(by_saving.get(s.id, []))) for s in index.savings)
    return Savings(
        whole[0] if whole else 0.0,
        parts,
        tuple(c for c in councils if c.amount > 0),
        True,
    )


def pounds(amount: float | None) -> str:
    """Whole pounds with thousands separators: a report's reader compares them, so no rounding to £m."""
    if amount is None:
        return "-"
    return f"£{amount:,.0f}"


def pounds_short(amount: float | None) -> str:
    if amount is None:
        return "-"
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= size:
            return f"£{amount / size:,.1f}{suffix}"
    return f"£{amount:,.0f}"
