"""A plain-Python reference implementation of docs/methodology.md.

It exists so the SQL that indexc generates for an index can be checked against an independent
reading of the methodology: it reads the spec YAML itself (not indexc's models) and never looks at
the SQL generator. `methodology.compute_index` is the entry point.
"""
