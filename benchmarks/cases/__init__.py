"""Benchmark cases: each module defines CASES, a list of :class:`benchmarks.harness.Case`."""
