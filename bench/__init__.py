"""Benchmarks: ``python -m bench build`` and ``python -m bench report`` (ratios, no asserts)."""
