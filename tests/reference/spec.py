"""Reads index specs straight from the YAML files, into plain dicts with the doc's defaults filled in.

Deliberately does not use indexc's pydantic models: the reference must be an independent reading of
docs/methodology.md ("The spec"), so a misread option in the compiler cannot hide in both.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML


def load_specs(specs_dir: Path) -> dict[str, list]:
    """Every kind of every spec file under `specs_dir`, concatenated per kind."""
    yaml = YAML(typ="safe", pure=True)
    kinds: dict[str, list] = {}
    files = sorted(p for p in Path(specs_dir).rglob("*") if p.suffix in (".yaml", ".yml"))
    for path in files:
        document = yaml.load(path.read_text(encoding="utf-8")) or {}
        for kind, entries in document.items():
            if kind != "indexc":
                kinds.setdefault(kind, []).extend(entries or [])
    return kinds


def as_method(value, default: str | None = None) -> dict | None:
    """`zscore` and `{method: zscore, ...}` are the same option; None stays None unless defaulted."""
    if value is None:
        return {"method": default} if default else None
    if isinstance(value, str):
        return {"method": value}
    return dict(value)


@dataclass
class Node:
    """A lens (children: lenses and metrics) or a metric leaf of the lens tree."""

    kind: str  # "lens" or "metric"
    id: str
    weight: float
    aggregate: dict | None = None
    children: list[Node] = field(default_factory=list)
    status: str | None = None  # a lens's `contextual` (an `awaiting_data` lens is dropped)
    reads: dict | None = None  # a lens reading another index: {"id": index, "lens": lens or None}
    via: str | None = None  # a metric read through this area map

    @property
    def weighted(self) -> bool:
        """A lens with a status carries weight 0 in its parent: it is left out, not multiplied."""
        return self.status is None


def parse_lens(entry: dict) -> Node | None:
    """The lens as a node; None for a lens awaiting data, which has nothing to compute (§4)."""
    status = entry.get("status")
    if status == "awaiting_data":
        return None
    weight = 0.0 if status else float(entry.get("weight", 0))  # none yet: a deferred index
    node = Node("lens", entry["id"], weight, as_method(entry.get("aggregate")), status=status)
    if entry.get("index"):
        node.reads = {"id": entry["index"]["id"], "lens": entry["index"].get("lens")}
    for child in entry.get("lenses") or []:
        lens = parse_lens(child)
        if lens is not None:
            node.children.append(lens)
    for child in entry.get("metrics") or []:
        if isinstance(child, str):
            node.children.append(Node("metric", child, 1.0))
        else:
            weight = float(child["weight"])
            node.children.append(Node("metric", child["metric"], weight, via=child.get("via")))
    return node


@dataclass
class IndexSpec:
    id: str
    universe: str
    method: dict
    lenses: list[Node]
    productivity: list[dict]
    peers: dict
    savings: list[dict]
    stability: dict | None
    publish: dict
    rank_groups: list[str]  # `ranks.groups`, else `peers.groups`
    status: str = "active"
    screen: dict | None = None  # {"min_share": s or None, "lenses": {lens: s}}

    @property
    def built(self) -> bool:
        """A contingent or deferred index is validated but not built (spec-language, Lifecycle)."""
        return self.status not in ("contingent", "deferred")

    @property
    def weighted_lenses(self) -> list[Node]:
        """The top lenses that carry weight: the index's score, coverage and stability read these."""
        return [lens for lens in self.lenses if lens.weighted]

    def reads(self) -> set[str]:
        """The indexes that lenses of this one read, which must be computed first."""
        found: set[str] = set()

        def walk(node: Node) -> None:
            if node.reads:
                found.add(node.reads["id"])
            for child in node.children:
                walk(child)

        for lens in self.lenses:
            walk(lens)
        return found

    def vias(self) -> dict[str, str]:
        """Metric -> the area map a lens entry says it is read through."""
        found: dict[str, str] = {}

        def walk(node: Node) -> None:
            if node.kind == "metric" and node.via:
                found[node.id] = node.via
            for child in node.children:
                walk(child)

        for lens in self.lenses:
            walk(lens)
        return found

    def metric_ids(self) -> list[str]:
        """Every metric of the lens tree once, in the order first met."""
        seen: list[str] = []

        def walk(node: Node) -> None:
            if node.kind == "metric":
                if node.id not in seen:
                    seen.append(node.id)
            for child in node.children:
                walk(child)

        for lens in self.lenses:
            walk(lens)
        return seen

    def treat_of(self, metric: str) -> dict:
        override = self.method["overrides"].get(metric, {})
        return as_method(override.get("treat")) or self.method["treat"]

    def normalise_of(self, metric: str) -> dict:
        override = self.method["overrides"].get(metric, {})
        return as_method(override.get("normalise")) or self.method["normalise"]


def parse_screen(raw: dict | None) -> dict | None:
    if not raw:
        return None
    share = raw.get("min_share")
    return {
        "min_share": None if share is None else float(share),
        "lenses": {r["lens"]: float(r["min_share"]) for r in raw.get("lenses") or []},
    }


def parse_index(entry: dict) -> IndexSpec:
    raw = entry.get("method") or {}
    missing = raw.get("missing", "reweight")
    method = {
        "missing": {"method": "reweight"}
        if missing == "reweight"
        else {
            "method": "impute",
            "impute": missing["impute"],
            "group": missing.get("group", "type"),
        },
        "min_coverage": float(raw.get("min_coverage", 0)),
        "treat": as_method(raw.get("treat"), "none"),
        "normalise": as_method(raw.get("normalise")),
        "scope": raw.get("scope", "period"),
        "aggregate": as_method(raw.get("aggregate"), "arithmetic"),
        "overrides": dict(raw.get("overrides") or {}),
    }
    peers = dict(entry.get("peers") or {})
    neighbours = peers.get("neighbours")
    if neighbours:
        features = [
            {"metric": f, "weight": 1.0}
            if isinstance(f, str)
            else {"metric": f["metric"], "weight": float(f.get("weight", 1))}
            for f in neighbours["features"]
        ]
        peers["neighbours"] = {"features": features, "k": int(neighbours["k"])}
    peers["groups"] = list(peers.get("groups") or [])
    savings = [{"improvement": 1.0, "scale": 1.0, **s} for s in entry.get("savings") or []]
    publish = {"top": 10, "period": "latest", **(entry.get("publish") or {})}
    return IndexSpec(
        entry["id"],
        entry["universe"],
        method,
        [lens for lens in (parse_lens(x) for x in entry["lenses"]) if lens is not None],
        [dict(p) for p in entry.get("productivity") or []],
        peers,
        savings,
        dict(entry["stability"]) if entry.get("stability") else None,
        publish,
        list((entry.get("ranks") or {}).get("groups", peers["groups"])),
        entry.get("status", "active"),
        parse_screen(raw.get("screen")),
    )


def find_lens(nodes: list[Node], lens_id: str) -> Node | None:
    for node in nodes:
        if node.kind != "lens":
            continue
        if node.id == lens_id:
            return node
        found = find_lens(node.children, lens_id)
        if found:
            return found
    return None


def _reweigh(node: Node, parent: str | None, lens_id: str, metric_id: str, weight: float) -> int:
    """Give `weight` to metric `metric_id` under `node` (only in lens `lens_id`, if given); the count."""
    hits = 0
    if node.kind == "metric" and node.id == metric_id and (not lens_id or parent == lens_id):
        node.weight = weight
        hits += 1
    return hits + sum(_reweigh(c, node.id, lens_id, metric_id, weight) for c in node.children)


def apply_scenario(index: IndexSpec, scenario: dict) -> IndexSpec:
    """The index as a scenario changes it (§10).

    A weight key names a lens; failing that `lens/metric` names one metric of one lens; failing that a
    metric id changes the metric's weight in every lens holding it. `savings` replaces the quantile
    and improvement of every saving of the index.
    """
    changed = copy.deepcopy(index)
    for key, weight in (scenario.get("weights") or {}).items():
        lens = find_lens(changed.lenses, key)
        if lens is not None:
            lens.weight = float(weight)
            continue
        lens_id, _, metric_id = key.rpartition("/")
        hits = sum(_reweigh(top, None, lens_id, metric_id, float(weight)) for top in changed.lenses)
        if not hits:
            raise KeyError(f"scenario {scenario['id']!r}: no lens or metric {key!r}")
    override = scenario.get("savings") or {}
    for saving in changed.savings:
        saving.update({k: v for k, v in override.items() if k in ("quantile", "improvement")})
    return changed


def indexes_and_scenarios(
    specs_dir: Path,
) -> tuple[dict[str, IndexSpec], list[dict], dict[str, str]]:
    """The indexes by id, the scenarios and each metric's direction."""
    kinds = load_specs(specs_dir)
    indexes = {e["id"]: parse_index(e) for e in kinds.get("indexes", [])}
    directions = {m["id"]: m["direction"] for m in kinds.get("metrics", [])}
    return indexes, list(kinds.get("scenarios", [])), directions
