"""Tickets: masks over unmodified parameters, densities as fractions kept."""

import dataclasses
import pickle

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


def _sparse_ticket(seed=0, density=0.002):
    net = initialize([300, 400, 200, 3], "he-normal", bias="nonzero", rng=seed)
    rng = np.random.default_rng(seed + 1)
    wm = [rng.random(w.shape) < density for w in net.weights]
    bm = [rng.random(b.shape) < 0.5 for b in net.biases]
    return Ticket(net, wm, bm, 3.0)


def test_compact_form_equals_the_dense_masked_network():
    t = _sparse_ticket()
    form = t.compact()
    import scipy.sparse as sp

    assert sp.issparse(form.weights[0])  # 120,000 entries, 0.2 % kept: CSR
    assert len(form.kept[1]) < 400       # dead neurons removed
    x = np.random.default_rng(2).uniform(-1, 1, (50, 300))
    want = 3.0 * t.pruned_network().forward(x)  # dense NumPy, no compact form
    np.testing.assert_allclose(t.forward(x), want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    np.testing.assert_allclose(t.forward(x[0]), want[0], rtol=1e-12, atol=1e-12)
    assert t.compact() is form  # cached


def test_ticket_is_immutable_and_owns_its_masks():
    net = initialize([2, 3, 1], "he-normal", bias="nonzero", rng=0)
    wm = [np.ones(w.shape, bool) for w in net.weights]
    t = Ticket(net, wm, [np.ones(b.shape, bool) for b in net.biases])
    wm[0][0, 0] = False  # the caller's array: the ticket kept a copy
    assert t.weight_masks[0][0, 0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.output_scale = 2.0
    with pytest.raises(ValueError, match="read-only"):
        t.weight_masks[0][0, 0] = False
    with pytest.raises(ValueError, match="read-only"):
        net.weights[0][0, 0] = 1.0  # the mother of a ticket is frozen
    doubled = dataclasses.replace(t, output_scale=2.0)
    x = np.ones((1, 2))
    np.testing.assert_allclose(doubled.forward(x), 2 * t.forward(x), rtol=1e-15)


def test_cache_follows_a_replaced_mother_array():
    net = initialize([2, 3, 1], "he-normal", bias="nonzero", output_activation="identity",
                     rng=0)
    t = Ticket.full(net)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 2))
    before = t.forward(x)
    net.biases[1] = net.biases[1] + 1.0  # a new array: the form is rebuilt
    np.testing.assert_allclose(t.forward(x), before + 1.0, rtol=1e-12)


def test_pickle_does_not_ship_the_cache():
    t = _sparse_ticket()
    x = np.random.default_rng(3).uniform(-1, 1, (5, 300))
    y = t.forward(x)
    back = pickle.loads(pickle.dumps(t))
    assert back.__dict__["_cache"] is None
    np.testing.assert_array_equal(back.forward(x), y)
    assert "widths=[300, 400, 200, 3]" in repr(back)
