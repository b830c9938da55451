"""SQL for the geography layers: the register, paths, shares, path weights, indicators and the edges
that carry district data up a level.

One module per table the plan's geography nodes build; this package is the
door `indexc.generate` builds them through (`geography.areas` etc.).
"""

from indexc.generate.geography.cold_starts import cold_starts
from indexc.generate.geography.indicators import indicators
from indexc.generate.geography.path_weights import path_weights
from indexc.generate.geography.shares import basis_check, shares
from indexc.generate.geography.tables import aggregation_edges, areas, paths

__all__ = [
    "aggregation_edges",
    "areas",
    "basis_check",
    "cold_starts",
    "indicators",
    "path_weights",
    "paths",
    "shares",
]
