"""Exact formulas of Lemma 3, the looks-linear formula and the He remark."""

import numpy as np
import pytest

from slth_theory.model import schemes as init
from slth_theory.theory import lemma3 as M


def test_recursion_equals_printed_closed_form():
    rng = np.random.default_rng(0)
    for _ in range(100):
        L = int(rng.integers(1, 8))
        widths = [int(v) for v in rng.integers(1, 50, size=L + 1)]
        wv, bv = rng.uniform(0, 0.3, L), rng.uniform(0, 2, L)
        x2 = float(rng.uniform(0, 5))
        assert M.lemma3_second_moments(widths, wv, bv, x2)[-1] == pytest.approx(
            M.lemma3_closed_form(widths, wv, bv, x2), rel=1e-13)


def test_one_layer_by_hand():
    m = M.lemma3_second_moments([3, 8], [0.5], [0.25], 2.0)
    assert m[1] == pytest.approx(8 / 2 * (0.5 * 2.0 + 0.25))
    mi = M.lemma3_second_moments([3, 8], [0.5], [0.25], 2.0, output_activation="identity")
    assert mi[1] == pytest.approx(8 * (0.5 * 2.0 + 0.25))


def test_he_fan_out_zero_bias_preserves_norm():
    widths = [7, 30, 50, 20]
    law = M.layer_law(widths, "he-normal", mode="fan_out")
    m = M.lemma3_second_moments(widths, law.w_var, law.b_var, 3.0)
    np.testing.assert_allclose(m, 3.0, rtol=1e-14)


def test_law_variances_follow_init_conventions():
    widths = [4, 10, 6]
    u = M.layer_law(widths, "he-uniform", bias="nonzero")
    np.testing.assert_allclose(u.w_var, init.weight_stds(widths, "he-uniform") ** 2)
    np.testing.assert_allclose(u.b_var, init.bias_scales(u.w_scale) ** 2 / 3)
    n = M.layer_law(widths, "he-normal", bias="nonzero")
    np.testing.assert_allclose(n.b_var, np.cumprod(n.w_var))


def test_he_claim_closed_forms():
    A = [10, 100, 100, 100, 100, 100]
    out = M.he_claim(A, 2.0, "fan_out")
    series = sum(0.02 ** k for k in range(5))       # sum_l prod_{m<l} 2/n_m
    assert out["input_gain"] == pytest.approx(1.0)
    assert out["bias_term"] == pytest.approx(series)
    assert out["total"] == pytest.approx(2.0 + series)
    fin = M.he_claim(A, 2.0, "fan_in")
    assert fin["total"] == pytest.approx(100 / 10 * out["total"])   # (n_L/n_0) x fan_out
    uni = M.he_claim(A, 2.0, "fan_out", "uniform", "scale")
    assert uni["bias_term"] == pytest.approx(sum(0.06 ** k for k in range(5)))
    assert M.he_claim(A, 2.0, "fan_out", "uniform", "std")["total"] == pytest.approx(
        out["total"])
    sq = M.he_claim([100] * 6, 1.0, "fan_in")
    assert sq["total"] == pytest.approx(M.he_claim([100] * 6, 1.0, "fan_out")["total"])


@pytest.mark.parametrize("widths", [[4, 16, 32, 64], [8, 32, 32, 32]])
def test_looks_linear_paper_formula_is_exact_without_shrinking(widths):
    paper, exact = M.looks_linear_second_moments(widths, 1.7)
    np.testing.assert_allclose(paper, exact, rtol=1e-14)


def test_looks_linear_shrinking_differs_and_zero_bias_is_isometric():
    paper, exact = M.looks_linear_second_moments([8, 64, 32, 16], 1.0)
    assert exact[-1] < paper[-1]
    _, e0 = M.looks_linear_second_moments([8, 64, 32, 16], 1.0, bias_factor=None)
    np.testing.assert_allclose(e0, [1.0, 1.0, 0.5, 0.25])
    # zero-bias looks-linear nets with non-shrinking widths preserve every norm exactly
    x0 = np.linspace(-1, 1, 4)
    for seed in range(3):
        net = init.initialize([4, 16, 32, 32], "looks-linear", bias="zero", rng=seed)
        _, acts = net.forward(x0, return_activations=True)
        np.testing.assert_allclose([a @ a for a in acts], x0 @ x0, rtol=1e-12)


def test_validation_exact():
    with pytest.raises(ValueError, match="entries"):
        M.lemma3_second_moments([3, 4, 2], [1.0], [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="bias_rule"):
        M.he_claim([3, 4], 1.0, "fan_in", bias_rule="x")
