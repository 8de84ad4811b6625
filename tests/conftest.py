"""Test configuration: Agg backend for figures, deterministic hypothesis profile."""

import os

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
