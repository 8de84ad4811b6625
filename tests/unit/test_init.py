"""Initialization schemes: registry, reproducibility, exact looks-linear structure."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slth_theory import initialize
from slth_theory.model import schemes as init_mod


def test_registry_lists_valid_names_on_error():
    with pytest.raises(ValueError, match="he-uniform") as exc:
        init_mod.get("kaiming")
    assert "looks-linear" in str(exc.value)
    assert {"he-uniform", "he-normal", "glorot-uniform", "glorot-normal", "theorem5-uniform",
            "theorem5-normal", "looks-linear"} <= set(init_mod.names())


@pytest.mark.parametrize("scheme", init_mod.names())
def test_same_seed_same_numbers(scheme):
    kw = {"bias": "nonzero"}
    a = initialize([3, 6, 4, 2], scheme, rng=11, **kw)
    b = initialize([3, 6, 4, 2], scheme, rng=11, **kw)
    c = initialize([3, 6, 4, 2], scheme, rng=12, **kw)
    for x, y in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        assert np.array_equal(x, y)
    assert not np.array_equal(a.weights[0], c.weights[0])
    assert a.meta["seed"] == 11 and a.meta["scheme"] == scheme


@pytest.mark.parametrize("scheme", ["he-uniform", "he-normal", "glorot-normal", "looks-linear"])
def test_zero_and_nonzero_bias_share_weights(scheme):
    z = initialize([4, 8, 6, 2], scheme, bias="zero", rng=5)
    n = initialize([4, 8, 6, 2], scheme, bias="nonzero", rng=5)
    for a, b in zip(z.weights, n.weights, strict=True):
        assert np.array_equal(a, b)
    assert all(np.all(b == 0) for b in z.biases)
    assert all(np.all(b != 0) for b in n.biases)


def test_scale_rules():
    w = [10, 40, 20, 5]
    n_in, n_out = np.array(w[:-1], float), np.array(w[1:], float)
    np.testing.assert_allclose(init_mod.weight_scales(w, "he-normal"), np.sqrt(2 / n_in))
    np.testing.assert_allclose(init_mod.weight_scales(w, "he-normal", "fan_out"),
                               np.sqrt(2 / n_out))
    np.testing.assert_allclose(init_mod.weight_scales(w, "he-uniform"), np.sqrt(6 / n_in))
    np.testing.assert_allclose(init_mod.weight_stds(w, "he-uniform"), np.sqrt(2 / n_in))
    np.testing.assert_allclose(init_mod.weight_scales(w, "glorot-uniform"),
                               np.sqrt(6 / (n_in + n_out)))
    np.testing.assert_allclose(init_mod.weight_scales(w, "theorem5-uniform", weight_scale=0.5),
                               [0.5] * 3)
    s = init_mod.weight_scales(w, "he-uniform")
    np.testing.assert_allclose(init_mod.bias_scales(s, 2.0), 2.0 * np.cumprod(s), rtol=1e-14)


def test_bias_scales_deep_underflow_is_zero_not_nan():
    s = init_mod.bias_scales(np.full(2000, 0.1))
    assert np.all(np.isfinite(s)) and s[-1] == 0.0


def test_uniform_supports():
    net = initialize([5, 50, 50, 3], "theorem5-uniform", weight_scale=[0.5, 0.2, 0.3], rng=0)
    for w, b, sw, sb in zip(net.weights, net.biases, [0.5, 0.2, 0.3],
                            [0.5, 0.1, 0.03], strict=True):
        assert np.abs(w).max() <= sw and np.abs(w).max() > 0.9 * sw
        assert np.abs(b).max() <= sb + 1e-15


@pytest.mark.parametrize("kwargs,match", [
    ({"scheme": "he-uniform", "weight_scale": 0.3}, "theorem5"),
    ({"scheme": "he-uniform", "mode": "fan_avg"}, "mode"),
    ({"scheme": "glorot-normal", "mode": "fan_in"}, "mode"),
    ({"scheme": "theorem5-normal", "bias": "zero"}, "bias"),
    ({"scheme": "he-normal", "bias": "maybe"}, "bias"),
    ({"scheme": "he-normal", "bias_factor": 0.0}, "bias_factor"),
    ({"scheme": "theorem5-uniform", "weight_scale": [1.0, 2.0, 3.0]}, "weight_scale"),
    ({"scheme": "theorem5-uniform", "weight_scale": -1.0}, "weight_scale"),
    ({"scheme": "looks-linear", "output_activation": "tanh"}, "output_activation"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initialize([2, 4, 2], rng=0, **kwargs)


# ------------------------------------------------------------------ looks-linear
def test_looks_linear_block_structure():
    net = initialize([3, 8, 12, 6], "looks-linear", bias="nonzero", rng=7)
    W1, W2, W3 = net.weights
    W0 = W1[:4]
    assert np.array_equal(W1[4:], -W0)
    np.testing.assert_allclose(W0.T @ W0, np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(net.biases[0][4:], -net.biases[0][:4])
    for W, b in ((W2, net.biases[1]), (W3, net.biases[2])):
        p, q = W.shape[0] // 2, W.shape[1] // 2
        A = W[:p, :q]
        assert np.array_equal(W[:p, q:], -A) and np.array_equal(W[p:, :q], -A)
        assert np.array_equal(W[p:, q:], A)
        np.testing.assert_array_equal(b[p:], -b[:p])
        gram = A.T @ A if p >= q else A @ A.T
        np.testing.assert_allclose(gram, np.eye(min(p, q)), atol=1e-12)


def test_looks_linear_identity_readout():
    net = initialize([2, 10, 10, 1], "looks-linear", bias="nonzero", output_activation="identity",
                     rng=1)
    W = net.weights[-1]
    assert W.shape == (1, 10) and np.array_equal(W[:, 5:], -W[:, :5])
    np.testing.assert_allclose(np.sum(W[:, :5] ** 2), 1.0, atol=1e-12)
    assert net.biases[-1].shape == (1,)


def test_looks_linear_odd_width_error():
    with pytest.raises(ValueError, match="even width n_2"):
        initialize([3, 8, 5, 4], "looks-linear", rng=0)
    initialize([3, 8, 4, 5], "looks-linear", output_activation="identity", rng=0)  # readout: ok


@st.composite
def _non_shrinking(draw):
    n0 = draw(st.integers(1, 5))
    depth = draw(st.integers(1, 5))
    half = [draw(st.integers(n0, n0 + 4))]
    for _ in range(depth - 1):
        half.append(draw(st.integers(half[-1], half[-1] + 4)))
    return [n0] + [2 * h for h in half]


@given(widths=_non_shrinking(), seed=st.integers(0, 2**31), data=st.data())
def test_looks_linear_zero_bias_preserves_norm(widths, seed, data):
    net = initialize(widths, "looks-linear", bias="zero", rng=seed)
    x = data.draw(st.lists(st.floats(-1, 1), min_size=widths[0], max_size=widths[0]))
    x = np.asarray(x)
    y = net.forward(x)
    np.testing.assert_allclose(np.linalg.norm(y), np.linalg.norm(x), rtol=1e-12, atol=1e-13)


def test_looks_linear_shrinking_does_not_preserve_norm():
    net = initialize([4, 8, 2], "looks-linear", bias="zero", rng=0)
    x = np.random.default_rng(0).uniform(-1, 1, (200, 4))
    ratio = np.linalg.norm(net.forward(x), axis=1) / np.linalg.norm(x, axis=1)
    assert np.all(ratio <= 1 + 1e-12) and ratio.min() < 0.9


def test_regenerate_from_meta():
    net = initialize([2, 6, 1], "theorem5-normal", weight_scale=0.7, output_activation="identity",
                     rng=42)
    again = init_mod.regenerate(net.meta, net.widths, net.output_activation)
    for a, b in zip(net.weights + net.biases, again.weights + again.biases, strict=True):
        assert np.array_equal(a, b)


def test_seedsequence_child_is_recorded_and_regenerable():
    child = np.random.SeedSequence(5).spawn(3)[1]
    net = initialize([2, 8, 1], "looks-linear", bias="nonzero", output_activation="identity",
                     rng=child)
    assert net.meta["seed"] == 5 and net.meta["spawn_key"] == [1]
    same = initialize([2, 8, 1], "looks-linear", bias="nonzero", output_activation="identity",
                      rng=np.random.default_rng(np.random.SeedSequence(5).spawn(3)[1]))
    again = init_mod.regenerate(net.meta, net.widths, net.output_activation)
    for a, b, c in zip(net.weights + net.biases, same.weights + same.biases,
                       again.weights + again.biases, strict=True):
        assert np.array_equal(a, b) and np.array_equal(a, c)
    assert init_mod.initialize([2, 3], rng=np.random.default_rng(0)).meta["seed"] is None
