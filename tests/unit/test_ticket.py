"""Tickets: masks over unmodified parameters, densities as fractions kept."""

import numpy as np
import pytest

from slth_theory import Ticket, initialize


def test_ticket_function_and_density():
    net = initialize([2, 4, 3, 1], "he-normal", bias="nonzero", rng=0)
    rng = np.random.default_rng(1)
    wm = [rng.random(w.shape) < 0.5 for w in net.weights]
    bm = [rng.random(b.shape) < 0.5 for b in net.biases]
    t = Ticket(net, wm, bm, 2.5)
    x = rng.uniform(-1, 1, (9, 2))
    pruned = [w * m for w, m in zip(net.weights, wm, strict=True)]
    h = x
    for w, b, m in zip(pruned, net.biases, bm, strict=True):
        h = np.maximum(h @ w.T + b * m, 0)
    np.testing.assert_allclose(t.forward(x), 2.5 * h, rtol=1e-14)
    kept_w = sum(int(m.sum()) for m in wm)
    kept_b = sum(int(m.sum()) for m in bm)
    assert t.density == kept_w / net.n_weights
    assert t.density_with_biases == (kept_w + kept_b) / net.n_params
    # the mother is not modified
    assert np.count_nonzero(net.weights[0]) == net.weights[0].size


def test_full_ticket_is_mother():
    net = initialize([3, 5, 2], "glorot-uniform", bias="nonzero", rng=4)
    t = Ticket.full(net)
    x = np.random.default_rng(0).uniform(-1, 1, (5, 3))
    assert np.array_equal(t.forward(x), net.forward(x))
    assert t.density == 1.0 and t.density_with_biases == 1.0


@pytest.mark.parametrize("scale", [0.0, -1.0, np.inf, np.nan])
def test_bad_output_scale(scale):
    net = initialize([1, 2, 1], rng=0)
    with pytest.raises(ValueError, match="output_scale"):
        Ticket.full(net, scale)


def test_mask_shape_checked():
    net = initialize([1, 2, 1], rng=0)
    with pytest.raises(ValueError, match="weight_mask_1"):
        Ticket(net, [np.ones((2, 1), bool), np.ones((2, 1), bool)],
               [np.ones(2, bool), np.ones(1, bool)])


def test_non_boolean_masks_rejected():
    net = initialize([1, 2, 1], rng=0)
    ok = Ticket(net, [np.ones((2, 1), int), np.ones((1, 2), float)], [np.ones(2), np.zeros(1)])
    assert ok.weight_masks[0].dtype == bool
    with pytest.raises(ValueError, match="weight_mask_0"):
        Ticket(net, [np.full((2, 1), 0.5), np.ones((1, 2), bool)], [np.ones(2, bool)] * 2)
