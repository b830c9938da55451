"""What a reorganisation does to the history of each measure, before it happens.

When councils are merged or split, each new council's past is produced from its predecessors'
data: carried, summed, divided by declared shares or apportioned by a basis, or aggregated from
districts. These modules say which, from the closure of the lineage onto the geography date and
the measures' declarations, so that nothing has to be run: `indexc readiness` for proposed events
(readiness.py), and `indexc impact` for a source whose proposed structure is on another geography
(structure.py). history.py holds the one vocabulary both use.
"""
