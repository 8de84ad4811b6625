"""Lemma 2 transform: exact structure and deep networks whose scale products under/overflow."""

import numpy as np
import pytest

from slth_theory import initialize
from slth_theory.theory.lemma2 import (
    distribute_output_scale,
    homogeneity_transform,
    log_output_factor,
)


def test_transform_structure():
    net = initialize([3, 4, 5, 2], "he-normal", bias="nonzero", rng=1)
    sig = [2.0, 0.5, 3.0]
    t = homogeneity_transform(net, sig)
    for i, s in enumerate(sig):
        np.testing.assert_allclose(t.weights[i], s * net.weights[i], rtol=1e-15)
        np.testing.assert_allclose(t.biases[i], np.prod(sig[: i + 1]) * net.biases[i], rtol=1e-14)


def test_deep_product_underflow_handled_in_logs():
    # 400 layers with sigma = 0.1: prod sigma = 1e-400 underflows float64, but biases
    # that are large enough remain representable and must be exact.
    L = 400
    w = [np.array([[1.0]])] * L
    b = [np.array([10.0 ** (l + 1)]) if l < 300 else np.array([0.0]) for l in range(L)]
    from slth_theory import Network

    net = Network(w, b, "identity")
    t = homogeneity_transform(net, 0.1)
    for l in range(300):
        assert t.biases[l][0] == pytest.approx(1.0, rel=1e-12)
    assert log_output_factor(0.1, L) == pytest.approx(L * np.log(0.1))
    assert np.prod(np.full(L, 0.1)) == 0.0  # the naive product underflows


def test_distribute_log_lambda_beyond_float64():
    net = initialize([1, 2, 2, 1], "he-normal", bias="zero", rng=0, output_activation="identity")
    # lambda = 1e600 is not a float64, but lambda^(1/3) = 1e200 per layer is
    deep = distribute_output_scale(net, 1.0, log_lam=600 * np.log(10.0))
    for w, w0 in zip(deep.weights, net.weights, strict=True):
        np.testing.assert_allclose(w, w0 * 1e200, rtol=1e-12)


def test_distribute_overflowing_bias_is_reported():
    net = initialize([1, 2, 2, 1], "he-normal", bias="nonzero", rng=0)
    with pytest.raises(ValueError, match="bias_1 overflows"):
        distribute_output_scale(net, 1.0, log_lam=600 * np.log(10.0))


def test_plain_product_rounding_when_representable():
    net = initialize([3, 4, 4, 2], "he-normal", bias="nonzero", rng=3)
    sig = np.array([0.3, 7.0, 1.9])
    t = homogeneity_transform(net, sig)
    # identical to a plain running product where nothing under/overflows
    assert np.array_equal(t.weights[1], net.weights[1] * sig[1])
    assert np.array_equal(t.biases[2], net.biases[2] * (sig[0] * sig[1] * sig[2]))


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_invalid_sigma(bad):
    net = initialize([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match="sigmas"):
        homogeneity_transform(net, [1.0, bad])


def test_wrong_number_of_sigmas():
    net = initialize([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match="one per layer"):
        homogeneity_transform(net, [1.0, 2.0, 3.0])


def test_overflow_is_reported():
    net = initialize([2, 3, 1], "he-normal", bias="nonzero", rng=0)
    with pytest.raises(ValueError, match="overflows"):
        homogeneity_transform(net, [1e200, 1e200])
