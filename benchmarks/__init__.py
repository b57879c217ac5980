"""Benchmarks of django-tyntec2fa against the floor (plain Django) and its peers.

Run them all with ``make bench``; one with ``python -m benchmarks.bench_gate`` (and so on)
from the repository root. Method and results: ``docs/benchmarks.md``.
"""
