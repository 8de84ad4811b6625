"""Monte Carlo E||x^(l)||^2 against Lemma 3, every layer, fixed seeds, 5-SE tolerance."""

import numpy as np
import pytest

from slth_theory.numerics._rng_kernels import ZIG_R, _fill_draws, key_from_seed
from slth_theory.numerics.stats import assert_close_se
from slth_theory.theory import lemma3 as M
from slth_theory.theory import lemma3_mc as MC

N_SE = 5.0

CASES = [
    # widths, scheme, mode, bias, n networks
    ([10, 60, 60, 60], "he-normal", "fan_in", "nonzero", 4000),
    ([10, 60, 60, 60], "he-uniform", "fan_out", "zero", 4000),
    ([3, 40, 15, 30, 1], "glorot-normal", None, "zero", 20000),
    ([3, 40, 15, 30, 1], "glorot-uniform", None, "nonzero", 20000),
    ([5] + [16] * 7, "he-normal", "fan_out", "nonzero", 10000),
    ([5] + [16] * 7, "he-uniform", "fan_in", "nonzero", 10000),
    ([20, 6, 40, 3], "theorem5-normal", None, "nonzero", 20000),
    ([20, 6, 40, 3], "theorem5-uniform", None, "nonzero", 20000),
]


def _check(est, exact, label):
    for c in est.compare(exact, N_SE):
        assert_close_se(c.estimate, c.stderr, c.expected, N_SE, f"{label} {c.label}")
    # the check has power: standard errors are a few percent of the value at most
    assert np.all(est.stderr[1:] <= 0.05 * exact[1:])


@pytest.mark.parametrize("widths, scheme, mode, bias, n", CASES)
def test_kernel_matches_lemma3(widths, scheme, mode, bias, n):
    kw = {"weight_scale": 0.7} if scheme.startswith("theorem5") else {}
    law = M.layer_law(widths, scheme, bias=bias, mode=mode, **kw)
    x0 = np.random.default_rng(1).uniform(-1, 1, widths[0])
    est = MC.monte_carlo_second_moments(widths, law, x0, n, rng=[2024, len(widths)])
    _check(est, M.lemma3_second_moments(widths, law.w_var, law.b_var, x0 @ x0),
           f"{scheme} {widths}")


@pytest.mark.parametrize("family", ["normal", "uniform"])
def test_all_weights_drawn_and_identity_output(family):
    widths = [4, 30, 20, 5]
    law = M.layer_law(widths, f"he-{family}", bias="nonzero")
    est = MC.monte_carlo_second_moments(widths, law, None, 8000, rng=5, skip_inactive=False,
                                       output_activation="identity")
    exact = M.lemma3_second_moments(widths, law.w_var, law.b_var, est.mean[0], "identity")
    _check(est, exact, f"identity {family}")


@pytest.mark.parametrize("family", ["normal", "uniform"])
def test_vectorised_numpy_matches_lemma3(family):
    widths = [6, 40, 40, 2]
    law = M.layer_law(widths, f"he-{family}", bias="nonzero")
    est = MC.numpy_second_moments(widths, law, None, 8000, rng=8)
    _check(est, M.lemma3_second_moments(widths, law.w_var, law.b_var, est.mean[0]),
           f"numpy {family}")


def test_ziggurat_normal_moments():
    out = np.empty(2_000_000)
    _fill_draws(np.uint64(key_from_seed(99)), 0, 1, out)
    n = out.size
    assert_close_se(out.mean(), 1 / np.sqrt(n), 0.0, N_SE, "mean")
    assert_close_se(np.mean(out ** 2), np.sqrt(2 / n), 1.0, N_SE, "variance")
    assert_close_se(np.mean(out ** 4), np.sqrt(96 / n), 3.0, N_SE, "4th moment")
    from scipy.stats import norm

    p = 2 * norm.sf(ZIG_R)                  # mass of the tail strip's far part
    assert_close_se(np.mean(np.abs(out) > ZIG_R), np.sqrt(p * (1 - p) / n), p, N_SE, "tail")
    q = 2 * norm.sf(1.5)
    assert_close_se(np.mean(np.abs(out) > 1.5), np.sqrt(q * (1 - q) / n), q, N_SE, "|x|>1.5")


def test_symmetric_uniform_moments():
    out = np.empty(1_000_000)
    _fill_draws(np.uint64(key_from_seed(98)), 0, 0, out)
    n = out.size
    assert out.min() > -1 and out.max() < 1
    assert_close_se(out.mean(), np.sqrt(1 / 3 / n), 0.0, N_SE, "mean")
    assert_close_se(np.mean(out ** 2), np.sqrt((1 / 5 - 1 / 9) / n), 1 / 3, N_SE, "variance")


@pytest.mark.parametrize("widths", [[4, 16, 32, 64], [8, 32, 32, 32], [8, 64, 32, 16, 8]])
def test_looks_linear_matches_exact(widths):
    x0 = np.linspace(-1, 1, widths[0])
    est = MC.looks_linear_monte_carlo(widths, x0, 1500, rng=[7, len(widths)])
    paper, exact = M.looks_linear_second_moments(widths, x0 @ x0)
    for c in est.compare(exact, N_SE):
        assert_close_se(c.estimate, c.stderr, c.expected, N_SE, f"{widths} {c.label}")
    if widths[-1] < widths[-2]:   # shrinking: the paper's formula is far off
        assert abs(est.mean[-1] - paper[-1]) > 20 * est.stderr[-1]
