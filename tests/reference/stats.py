"""The small statistics the methodology is built from, written out exactly as the doc states them.

Kept apart so each formula can be checked by eye against docs/methodology.md: quantiles (§2, used
again by imputation, savings and stability), sample skewness and kurtosis (§2), competition ranks
on scores rounded to 9 decimals (§5) and the Weyl sequence of rank stability (§9).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

RANK_DECIMALS = 9


def quantile(values: Iterable[float], p: float) -> float | None:
    """Q(p): the linearly interpolated quantile, h = (n-1)p, 0-based on the sorted values."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    h = (n - 1) * p
    i = math.floor(h)
    f = h - i
    if i + 1 >= n:
        return xs[n - 1]
    return xs[i] + f * (xs[i + 1] - xs[i])


def mean(values: Iterable[float]) -> float | None:
    xs = list(values)
    return sum(xs) / len(xs) if xs else None


def sample_sd(values: Iterable[float]) -> float | None:
    """The sample standard deviation (n - 1); None below two values."""
    xs = list(values)
    n = len(xs)
    if n < 2:
        return None
    m = sum(xs) / n
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))


def skew_kurtosis(values: Iterable[float]) -> tuple[float | None, float | None]:
    """G1 and G2 as written in §2 (Excel's SKEW/KURT); None where the formula is undefined
    (G1 below 3 values, G2 below 4, either when every value is equal)."""
    xs = list(values)
    n = len(xs)
    if n < 3:
        return None, None
    m = sum(xs) / n
    m2 = sum((x - m) ** 2 for x in xs) / n
    if m2 == 0:
        return None, None
    m3 = sum((x - m) ** 3 for x in xs) / n
    m4 = sum((x - m) ** 4 for x in xs) / n
    g1 = math.sqrt(n * (n - 1)) / (n - 2) * m3 / m2**1.5
    if n < 4:
        return g1, None
    g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * m4 / m2**2 - 3 * (n - 1))
    return g1, g2


def competition_ranks(scores: Mapping[str, float], descending: bool = True) -> dict[str, int]:
    """The "1224" rank of §5: scores equal to 9 decimals tie and share the best rank.

    Sort-based rather than pairwise so rank stability over a thousand draws of 150 areas stays fast.
    """
    sign = -1 if descending else 1
    keyed = sorted((sign * round(score, RANK_DECIMALS), key) for key, score in scores.items())
    ranks: dict[str, int] = {}
    previous = None
    current = 0
    for position, (value, key) in enumerate(keyed, start=1):
        if value != previous:
            current, previous = position, value
        ranks[key] = current
    return ranks


def primes(count: int) -> list[int]:
    found: list[int] = []
    candidate = 2
    while len(found) < count:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def frac(x: float) -> float:
    return x - math.floor(x)


def weyl_multipliers(draw: int, seed: int, noise: float, count: int) -> list[float]:
    """u_{d,i} = 1 - η + 2η·frac((d + seed)·α_i), α_i = frac(√p_i), for the first `count` lenses."""
    alphas = [frac(math.sqrt(p)) for p in primes(count)]
    return [1 - noise + 2 * noise * frac((draw + seed) * alpha) for alpha in alphas]


def weighted_mean(method: Mapping, weights: list[float], scores: list[float]) -> float:
    """The four means of §4 over the children that have a score."""
    name = method["method"]
    total = sum(weights)
    if name == "arithmetic":
        return sum(w * c for w, c in zip(weights, scores, strict=True)) / total
    if name == "geometric":
        if any(c <= 0 for c in scores):
            raise ValueError(f"geometric mean of a non-positive score: {scores}")
        return math.exp(sum(w * math.log(c) for w, c in zip(weights, scores, strict=True)) / total)
    if name == "harmonic":
        if any(c <= 0 for c in scores):
            raise ValueError(f"harmonic mean of a non-positive score: {scores}")
        return total / sum(w / c for w, c in zip(weights, scores, strict=True))
    if name == "generalised":
        p = float(method["p"])
        if any(c < 0 for c in scores):
            raise ValueError(f"generalised mean of a negative score: {scores}")
        return (sum(w * c**p for w, c in zip(weights, scores, strict=True)) / total) ** (1 / p)
    raise ValueError(f"unknown aggregation {name!r}")
