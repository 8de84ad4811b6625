"""Every registered init scheme draws weights and biases with the variance its
specification states (slth_theory.model.schemes): fixed seeds, 5-SE tolerances, estimate / SE / z
in the failure message."""

import numpy as np
import pytest

from slth_theory.model import schemes as init
from slth_theory.numerics.stats import assert_close_se

N_SE = 5.0
WIDTHS = [12, 80, 60, 40]
IID = [n for n in init.names() if init.get(n).family != "orthogonal"]


def _square_mean(values):
    v = np.asarray(values, dtype=float).ravel() ** 2
    return v.mean(), v.std(ddof=1) / np.sqrt(v.size)


def _modes(name):
    return init.get(name).modes


@pytest.mark.parametrize("name", IID)
def test_weight_and_bias_variances(name):
    sch = init.get(name)
    for mode in _modes(name):
        kw = {"weight_scale": [0.9, 0.3, 1.7]} if sch.rule == "theorem5" else {}
        nets = [init.initialize(WIDTHS, name, bias="nonzero", bias_factor=1.5, mode=mode,
                                rng=[11, s], **kw) for s in range(30)]
        stds = init.weight_stds(WIDTHS, name, mode, kw.get("weight_scale"))
        b_scale = init.bias_scales(init.weight_scales(WIDTHS, name, mode,
                                                      kw.get("weight_scale")), 1.5)
        b_std = b_scale / np.sqrt(3.0) if sch.family == "uniform" else b_scale
        for layer in range(len(WIDTHS) - 1):
            m, se = _square_mean([n.weights[layer] for n in nets])
            assert_close_se(m, se, stds[layer] ** 2, N_SE, f"{name} {mode} W{layer + 1} var")
            mean = np.mean([n.weights[layer] for n in nets])
            assert_close_se(mean, np.sqrt(m / (30 * nets[0].weights[layer].size)), 0.0, N_SE,
                            f"{name} W{layer + 1} mean")
            m, se = _square_mean([n.biases[layer] for n in nets])
            assert_close_se(m, se, b_std[layer] ** 2, N_SE, f"{name} {mode} b{layer + 1} var")


@pytest.mark.parametrize("name", IID)
def test_uniform_support_and_zero_bias(name):
    sch = init.get(name)
    kw = {"weight_scale": 0.5} if sch.rule == "theorem5" else {}
    net = init.initialize(WIDTHS, name, bias="nonzero", rng=3, **kw)
    s = init.weight_scales(WIDTHS, name, None, kw.get("weight_scale"))
    if sch.family == "uniform":
        for w, sl in zip(net.weights, s, strict=True):
            assert np.max(np.abs(w)) <= sl
    if "zero" in sch.bias_modes:
        z = init.initialize(WIDTHS, name, bias="zero", rng=3, **kw)
        assert all(np.all(b == 0) for b in z.biases)
        assert all(np.array_equal(a, b) for a, b in zip(z.weights, net.weights, strict=True))


@pytest.mark.parametrize("widths", [[6, 40, 40, 40], [4, 16, 32, 64], [8, 64, 32, 16]])
@pytest.mark.parametrize("act", ["relu", "identity"])
def test_looks_linear_marginal_variance(widths, act):
    """Entries of W0 have marginal variance 1/max(p, q) (2/n_l for non-shrinking hidden
    layers); for a semi-orthogonal block the mean square is exactly that, per matrix."""
    shapes = init.looks_linear_block_shapes(widths, act)
    s = init.weight_scales(widths, "looks-linear", None, None, act)
    b_std = init.bias_scales(s, 1.0)
    nets = [init.initialize(widths, "looks-linear", bias="nonzero", output_activation=act,
                            rng=[5, k]) for k in range(40)]
    for layer, (p, q) in enumerate(shapes):
        for net in nets[:3]:
            w = net.weights[layer]
            assert np.mean(w ** 2) == pytest.approx(1.0 / max(p, q), rel=1e-12)
        # one entry across networks: mean 0, variance 1/max(p, q)
        vals = np.array([n.weights[layer][0, 0] for n in nets])
        vals = np.concatenate([vals, [n.weights[layer][-1, -1] for n in nets]])
        m, se = _square_mean(vals)
        assert_close_se(m, se, 1.0 / max(p, q), N_SE, f"looks-linear W{layer + 1} entry var")
        bs = np.concatenate([n.biases[layer][:p] for n in nets])
        m, se = _square_mean(bs)
        assert_close_se(m, se, b_std[layer] ** 2, N_SE, f"looks-linear b0^{layer + 1} var")
        if layer < len(shapes) - 1 or act == "relu":   # [b0, -b0]
            for n in nets[:3]:
                np.testing.assert_array_equal(n.biases[layer][p:], -n.biases[layer][:p])
