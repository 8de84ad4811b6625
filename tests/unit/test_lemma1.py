"""Lemma 1: the exact optimum, the homogeneity bound for all bias-free nets, training."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import integrate, optimize  # noqa: E402

from slth_theory.model.schemes import initialize
from slth_theory.theory import lemma1 as L1


def test_paper_numbers():
    opt = L1.optimum(0.5)
    assert opt["w_plus"] == opt["w_minus"] == 0.75
    assert opt["integral"] == pytest.approx(1 / 8)
    assert opt["mse"] == pytest.approx(1 / 16)
    assert opt["sup_lower_bound"] == 0.5


@pytest.mark.parametrize("c", [0.5, -1.3, 2.0])
def test_closed_form_against_quadrature_and_numerical_minimum(c):
    for wp, wm in [(0.3, -0.2), (1.5 * c, 1.5 * c), (2.0, 0.0)]:
        def sq(x, wp=wp, wm=wm):
            return (c - wp * max(x, 0) - wm * max(-x, 0)) ** 2

        val, _ = integrate.quad(sq, -1, 1, points=[0.0])
        assert L1.two_param_integral(wp, wm, c) == pytest.approx(val, rel=1e-10)
    res = optimize.minimize(lambda w: L1.two_param_mse(w[0], w[1], c), [0.0, 0.0],
                            tol=1e-14)
    opt = L1.optimum(c)
    assert res.fun == pytest.approx(opt["mse"], rel=1e-8)
    np.testing.assert_allclose(res.x, [opt["w_plus"], opt["w_minus"]], rtol=1e-6)


def test_relu_output_negative_constant():
    opt = L1.optimum(-0.5, "relu")
    assert opt["w_plus"] == 0 and opt["mse"] == pytest.approx(0.25)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("act", ["identity", "relu"])
def test_every_bias_free_net_is_two_parameter_and_above_bound(seed, act):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    widths = [1] + [int(v) for v in rng.integers(1, 20, size=depth - 1)] + [1]
    net = initialize(widths, "he-normal", bias="zero", output_activation=act, rng=rng)
    wp, wm = L1.homogeneous_coefficients(net)
    xs = np.linspace(-1, 1, 1001)
    f = net.forward(xs[:, None])[:, 0]
    np.testing.assert_allclose(f, wp * np.maximum(xs, 0) + wm * np.maximum(-xs, 0),
                               atol=1e-12)
    for c in (0.5, -0.7):
        mse, _ = integrate.quad(lambda x, c=c: (c - net.forward(np.array([[x]]))[0, 0]) ** 2,
                                -1, 1, points=[0.0], limit=200)
        assert mse / 2 >= L1.optimum(c, act)["mse"] * (1 - 1e-9)
        assert np.max(np.abs(c - f)) >= abs(c)      # f(0) = 0


def test_training_reaches_the_bound_and_bias_reaches_zero():
    res = L1.confirm(0.5, depths=(1, 2), widths=(4,), steps=300, rng=1)
    assert res["max_homogeneity_residual"] < 1e-12
    assert res["min_gap"] >= -1e-15
    assert min(f.mse_exact for f in res["bias_free"]) < 0.0625 + 1e-4   # GD gets close
    assert res["with_bias"].mse_grid < 1e-10
    fig = L1.plot_fits(res)
    assert fig.axes


def test_train_validation():
    net = initialize([2, 3, 1], "he-normal", rng=0)
    with pytest.raises(ValueError, match="univariate"):
        L1.train(net, 0.5)
