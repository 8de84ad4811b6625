"""Test configuration: Agg backend for figures, deterministic hypothesis profile."""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# "ci" (default): derandomized, bounded, no deadline -> the same examples on every run.
settings.register_profile(
    "ci", derandomize=True, max_examples=40, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# "dev": more random examples for local exploration (HYPOTHESIS_PROFILE=dev).
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The example ``demo`` sweep (tests/demo_sweep.py) and the benchmarks package are test
# helpers, not package API: make them importable here, in subprocesses and in sweep
# workers, and let the ``slth`` command line register the demo sweep (SLTH_PLUGINS).
_TESTS = Path(__file__).resolve().parent
for _p in (str(_TESTS.parent), str(_TESTS)):
    if _p not in sys.path:
        sys.path.insert(0, _p)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(_TESTS.parent), str(_TESTS)] + [p for p in os.environ.get("PYTHONPATH", "").split(
        os.pathsep) if p])
os.environ["SLTH_PLUGINS"] = "demo_sweep"
# A developer's own settings must not change what the tests see (in this process and in
# the commands they start): a Figure 1 table override, tracebacks instead of one-line
# errors, a memory cap.
for _var in ("SLTH_FIGURE1_CSV", "SLTH_DEBUG", "SLTH_MAX_MEMORY"):
    os.environ.pop(_var, None)
