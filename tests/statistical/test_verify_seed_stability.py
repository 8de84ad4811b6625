"""The claims report's verdicts do not flip with the seed.

``--quick`` at 50 seeds and ``--full`` at 5 must give every row the verdict it has at
seed 0. The statistical rows compare at 5 standard errors and a run makes at most
``lemma3.MAX_COMPARISONS`` comparisons, so the false-alarm probability per run is below
``MAX_COMPARISONS * 2 Phi(-5) < 1e-4`` (normal approximation); over these 55 runs a flip
would be expected with probability < 0.6 %. Slow: about 50 quick reports and 5 full ones.
"""

import math

import pytest

from slth_theory.verify.checks import lemma3
from slth_theory.verify.report import run_checks


def _verdicts(level: str, seed: int) -> dict[str, str]:
    return {r.id: r.verdict for r in run_checks(level, seed)}


def test_false_alarm_budget(monkeypatch):
    """The budget's arithmetic, and its premise: a report makes at most MAX_COMPARISONS
    two-sided 5-SE comparisons (counted: Lemma 3's Monte Carlo comparisons, plus Lemma 1's
    Monte Carlo and trained-net comparisons, one per measured dimension)."""
    from slth_theory.numerics import stats
    from slth_theory.theory import lemma3_mc
    from slth_theory.verify.checks import lemma1

    per_comparison = math.erfc(5 / math.sqrt(2))        # 2 Phi(-5)
    assert lemma3.MAX_COMPARISONS * per_comparison < 1e-4
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return stats.compare(*args, **kwargs)

    monkeypatch.setattr(lemma3, "compare", counting)
    monkeypatch.setattr(lemma3_mc, "compare", counting)
    lemma3.rows_from(lemma3.measure("quick", 0), 0)
    m1 = lemma1.measure("quick", 0)
    n = len(calls) + len(m1["mc_nd"]) + len(m1["trained_nd"])
    assert len(calls) > 0 and n <= lemma3.MAX_COMPARISONS, n


@pytest.mark.slow
@pytest.mark.parametrize("level, n_seeds", [("quick", 50), ("full", 5)])
def test_verdicts_identical_across_seeds(level, n_seeds):
    base = _verdicts(level, 0)
    flips = {}
    for seed in range(1, n_seeds):
        got = _verdicts(level, seed)
        assert set(got) == set(base)
        diff = {k: (base[k], v) for k, v in got.items() if v != base[k]}
        if diff:
            flips[seed] = diff
    assert not flips, flips
