"""Plan the table of cold starts: where a measure whose apportioning is forbidden has no history.

A split apportioned by population gives a successor an estimate of its past; a measure that forbids
that (`apportion: forbidden`, validate/apportionment.py) leaves the successor without a value before
the event instead. `geography__cold_starts` lists those areas and periods, published like the
indicators, so the index's notes and `indexc run` can say "no history before 2027-28" rather than
count the gap as missing data. Planned only when some restated measure forbids apportioning.
"""

from __future__ import annotations

from indexc.plan.geography import ColdStartsNode, RestatedMeasureNode
from indexc.plan.nodes import Node

COLD_STARTS = "geography__cold_starts"


def cold_starts_nodes(nodes: list[Node], areas_object: str) -> list[Node]:
    forbidden = sorted(
        (n.measure_id, n.name) for n in nodes if isinstance(n, RestatedMeasureNode) and n.forbidden
    )
    if not forbidden:
        return []
    return [
        ColdStartsNode(
            name=COLD_STARTS,
            depends_on=tuple(sorted({areas_object, *(name for _, name in forbidden)})),
            spec=None,
            description="Areas and periods without a value of a measure whose apportioning is "
            "forbidden: a reorganisation divided an area to give it (a cold start)",
            restated=tuple(forbidden),
            areas_object=areas_object,
        )
    ]
