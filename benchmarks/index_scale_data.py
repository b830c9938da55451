"""The synthetic national panel of benchmarks/index_scale.py: its specs, target and data.

Generation is deterministic (fixed seed) and needs no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SEED = 20260101
TYPES = (
    ("county", "E10", 21),
    ("metropolitan", "E08", 36),
    ("london", "E09", 33),
    ("unitary", "E06", 63),
)
LAST_YEAR, PERIODS = 2024, 15  # the national panel: 2010-11 to 2024-25
SUBS = (("outcomes", 3.0), ("services", 2.0), ("resources", 2.0), ("governance", 1.0))
PILLARS_PER_SUB, MISSING, LOWER_IS_BETTER = 5, 0.05, 0.4
MIN_COVERAGE, TOP, SEED_MC, NOISE = 0.5, 10, 1, 0.25
SCHEMA, INDEX, BENCH = "index_bench", "national", "timing"
SIZES = (
    "153x15",
    "306x15",
    "306x30",
)  # areas x periods measured by default: the national panel first
OFF = '"synthetic values drawn at random, council sizes included"'  # no smell tests


@dataclass(frozen=True)
class Shape:
    """Areas x periods of a panel: the national 153 councils x 15 years, or each type's councils `scale`
    times over (306 = 2 x 153 councils, synthetic codes continuing each type's), and more or fewer years
    ending in 2024-25."""

    scale: int = 1
    periods: int = PERIODS

    @classmethod
    def parse(cls, text: str) -> Shape:
        """'306x15': areas (a multiple of 153) x periods."""
        areas, periods = (int(part) for part in text.lower().split("x"))
        national = sum(n for _, _, n in TYPES)
        if areas % national or areas <= 0 or periods < 2:
            raise ValueError(f"{text}: areas a multiple of {national}, at least 2 periods")
        return cls(areas // national, periods)

    @property
    def types(self) -> tuple[tuple[str, str, int], ...]:
        return tuple((kind, prefix, n * self.scale) for kind, prefix, n in TYPES)

    @property
    def areas(self) -> int:
        return sum(n for _, _, n in self.types)

    @property
    def first_year(self) -> int:
        return LAST_YEAR - self.periods + 1

    def __str__(self) -> str:
        return f"{self.areas}x{self.periods}"


# --- generation --------------------------------------------------------------------------
def label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def lens_tree(
    n_measures: int,
) -> list[tuple[str, float, list[tuple[str, float, list[tuple[str, float]]]]]]:
    """[(sub-index, weight, [(pillar, weight, [(metric, weight)])])]: metrics split evenly over 20 pillars."""
    per, tree = n_measures // (len(SUBS) * PILLARS_PER_SUB), []
    for s, (sub, weight) in enumerate(SUBS):
        pillars = []
        for p in range(s * PILLARS_PER_SUB, (s + 1) * PILLARS_PER_SUB):
            metrics = [
                (f"k_{i:04d}", 0.5 if i % 10 == 9 else 1.0) for i in range(p * per, (p + 1) * per)
            ]
            pillars.append((f"pillar_{p + 1:02d}", 1.0 + p % 2, metrics))
        tree.append((sub, weight, pillars))
    return tree


def write_data(
    root: Path, codes: list[str], polarity: np.ndarray, rng: np.random.Generator, shape: Shape
) -> None:
    """The long panel (ordered by item, as published) and a wide finance file, as Parquet."""
    n_areas, n_measures = len(codes), len(polarity)
    # a latent quality per council that each measure loads on (in its direction), a trend and noise; a third
    # of the measures lognormal (skewed, so that winsorising bites); rounded as published
    quality, mu = rng.normal(size=n_areas), rng.uniform(10, 1000, n_measures)
    load, skewed = rng.uniform(0.2, 1.0, n_measures) * polarity, rng.random(n_measures) < 1 / 3
    m, p, a = (
        x.ravel()
        for x in np.meshgrid(
            np.arange(n_measures), np.arange(shape.periods), np.arange(n_areas), indexing="ij"
        )
    )
    z = load[m] * quality[a] + 0.03 * p + rng.normal(size=m.size) * 0.6
    value = np.round(np.where(skewed[m], mu[m] * np.exp(0.4 * z), mu[m] * (1 + 0.1 * z)), 3)
    r = rng.random(m.size)
    value[(r >= MISSING / 2) & (r < MISSING)] = np.nan  # blank cells; r < MISSING / 2: absent rows
    keep = r >= MISSING / 2
    cells = pd.DataFrame(
        {
            "m": m[keep].astype(np.int32),
            "p": p[keep].astype(np.int32),
            "a": a[keep].astype(np.int32),
            "v": value[keep],
        }
    )
    area_df = pd.DataFrame({"a": range(n_areas), "code": codes})
    period_df = pd.DataFrame(
        {
            "p": range(shape.periods),
            "label": [label(shape.first_year + y) for y in range(shape.periods)],
        }
    )
    people, per_head = rng.uniform(80_000, 1_500_000, n_areas), rng.uniform(300, 900, n_areas)
    finance = pd.DataFrame(
        [
            (
                codes[i],
                label(shape.first_year + y),
                round(people[i] * 1.007**y),
                round(
                    per_head[i]
                    * (1 + 0.02 * y + rng.normal() * 0.05)
                    * people[i]
                    * 1.007**y
                    / 1000,
                    1,
                ),
            )
            for i in range(n_areas)
            for y in range(shape.periods)
        ],
        columns=["area", "year", "residents", "spend"],
    )
    con = duckdb.connect()
    for name, frame in (
        ("cells", cells),
        ("area_df", area_df),
        ("period_df", period_df),
        ("finance", finance),
    ):
        con.register(name, frame)
    con.execute(
        f"COPY (SELECT x.code, y.label AS period, 'M' || lpad(c.m::VARCHAR, 4, '0') AS item, c.v AS value "
        f"FROM cells AS c JOIN area_df AS x USING (a) JOIN period_df AS y USING (p) ORDER BY c.m, c.p, c.a) "
        f"TO '{root / 'data' / 'panel.parquet'}' (FORMAT parquet)"
    )
    con.execute(f"COPY finance TO '{root / 'data' / 'finance.parquet'}' (FORMAT parquet)")
    con.close()


def write_project(
    root: Path, n_measures: int, draws: int, shape: Shape = Shape()
) -> dict[str, int]:
    """Specs, target and data of the panel; returns each metric's polarity (+1: higher is better)."""
    rng = np.random.default_rng(SEED)
    codes = [f"{prefix}{i + 1:06d}" for _, prefix, n in shape.types for i in range(n)]
    kinds = [kind for kind, _, n in shape.types for _ in range(n)]
    polarity = np.where(rng.random(n_measures) < LOWER_IS_BETTER, -1, 1)
    for sub in ("data", "specs", "targets"):
        (root / sub).mkdir(parents=True)
    (root / "data" / "councils.csv").write_text(
        "code,name,kind,in_force_from,in_force_to\n"
        + "".join(
            f"{c},Council {i + 1},{k},,\n"
            for i, (c, k) in enumerate(zip(codes, kinds, strict=True))
        )
    )
    write_data(root, codes, polarity, rng, shape)

    items = "".join(f"      M{i:04d}: Synthetic indicator {i}\n" for i in range(n_measures))
    measures = "".join(
        f"  - {{id: m_{i:04d}, unit: score, additivity: mean, weighted_by: population, "
        f"bindings: [{{source: panel, item: M{i:04d}}}], smell: {{off: {OFF}}}}}\n"
        for i in range(n_measures)
    )
    metrics = "".join(
        f"  - {{id: k_{i:04d}, version: 1, formula: m_{i:04d}, direction: "
        f"{'higher_is_better' if polarity[i] > 0 else 'lower_is_better'}, unit: score}}\n"
        for i in range(n_measures)
    )
    (root / "specs" / "inputs.yaml").write_text(f"""indexc: 2
sources:
  - {{id: councils, layout: register,
     columns: {{area: code, name: name, type: kind, valid_from: in_force_from, valid_to: in_force_to}}}}
  - {{id: finance, layout: wide, columns: {{area: area, period: year}},
     period: {{grain: financial_year, format: "YYYY-YY"}}, items: {{spend: Spend (GBP 000), residents: Residents}}}}
  - id: panel
    layout: long
    columns: {{area: code, period: period, item: item, value: value}}
    period: {{grain: financial_year, format: "YYYY-YY"}}
    items:
{items}measures:
  - {{id: spend, unit: gbp_thousands, additivity: sum, bindings: [{{source: finance, item: spend}}],
     smell: {{off: {OFF}}}}}
  - {{id: population, unit: people, additivity: sum, bindings: [{{source: finance, item: residents}}],
     smell: {{off: {OFF}}}}}
{measures}metrics:
  - {{id: spend_per_head, version: 1, formula: spend * 1000 / population, direction: lower_is_better,
     unit: gbp_per_head}}
{metrics}universes:
  - {{id: upper_tier, register: councils, types: [{", ".join(k for k, _, _ in TYPES)}]}}
""")
    lenses = "".join(
        f"      - id: {sub}\n        weight: {w:g}\n        lenses:\n"
        + "".join(
            f"          - id: {pillar}\n            weight: {pw:g}\n            metrics:\n"
            + "".join(
                f"              - {k}\n"
                if mw == 1
                else f"              - {{metric: {k}, weight: {mw:g}}}\n"
                for k, mw in ms
            )
            for pillar, pw, ms in pillars
        )
        for sub, w, pillars in lens_tree(n_measures)
    )
    (root / "specs" / "index.yaml").write_text(f"""indexc: 2
indexes:
  - id: {INDEX}
    version: "1"
    universe: upper_tier
    method:
      missing: reweight
      min_coverage: {MIN_COVERAGE}
      treat: {{method: winsorise, lower: 0.05, upper: 0.95}}
      normalise: {{method: minmax, low: 1, high: 100}}
      scope: period
      aggregate: arithmetic
    lenses:
{lenses}    productivity: [{{lens: outcomes, spend: spend_per_head, method: ratio}}]
    peers: {{groups: [type]}}
    savings:
      - {{id: spend_vs_type, lens: resources, unit_cost: spend_per_head, volume: population, peers: type,
         quantile: 0.25, improvement: 1.0, scale: 1}}
    stability: {{draws: {draws}, seed: {SEED_MC}, weight_noise: {NOISE}}}
    publish: {{top: {TOP}, period: latest}}
""")
    (root / "targets" / "duckdb.yaml").write_text(
        f"indexc: 2\ntarget: duckdb\ndatabase: build/bench.duckdb\nbuild_schema: {SCHEMA}\nrelations:\n"
        "  councils: {path: data/councils.csv}\n  finance: {path: data/finance.parquet}\n"
        "  panel: {path: data/panel.parquet}\n"
    )
    return {f"k_{i:04d}": int(polarity[i]) for i in range(n_measures)}
