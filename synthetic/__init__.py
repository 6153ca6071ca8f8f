"""Synthetic file drops for the demo, the tests and the benchmark (`roi generate`).

Not part of the pipeline: no production package imports it (`make lint` checks the layers).
"""

from .generator import generate_drop

__all__ = ["generate_drop"]
