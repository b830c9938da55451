"""indexc: a declarative index compiler for benchmarking indexes of areas."""

__version__ = "0.1.0"
