"""Theorem 5 construction: tickets reproduce targets, certificates are consistent."""

import numpy as np
import pytest

from slth_theory.construction.build import construct
from slth_theory.theory.theorem5 import unit_box_scaling as scale_into_unit_box
from slth_theory.construction.certificate import certify, effective_forward
from slth_theory.model.network import Network
from slth_theory.model.schemes import regenerate
from slth_theory.model.ticket import Ticket


def _target(seed, widths, act="identity", scale=1.0):
    rng = np.random.default_rng(seed)
    L = len(widths) - 1
    return Network([rng.uniform(-scale, scale, (widths[i + 1], widths[i])) for i in range(L)],
                   [rng.uniform(-scale, scale, widths[i + 1]) for i in range(L)], act)


@pytest.mark.parametrize("act", ["identity", "relu"])
def test_ticket_reproduces_target_on_grid_with_regenerated_mother(act):
    target = _target(0, [2, 4, 3], act)
    con = construct(target, eps=0.05, pool=60, rng=3)
    assert not con.failures
    mother = regenerate(con.ticket.mother.meta, con.mother_widths, act)
    for w0, w1 in zip(mother.weights, con.ticket.mother.weights, strict=True):
        assert np.array_equal(w0, w1)
    for b0, b1 in zip(mother.biases, con.ticket.mother.biases, strict=True):
        assert np.array_equal(b0, b1)
    ticket = Ticket(mother, con.ticket.weight_masks, con.ticket.bias_masks,
                    con.ticket.output_scale)
    g = np.linspace(-1, 1, 151)
    x = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    err = np.max(np.linalg.norm(ticket.forward(x) - target.forward(x), axis=1))
    cert = certify(con, 0, n_random=256, grid_seconds=120)
    assert err <= cert.rigorous_bound <= 0.05
    assert cert.certified
    assert cert.sampled_lower <= cert.rigorous_bound


def test_masks_keep_in_degree_one_pool_neurons_and_prune_target_biases():
    target = _target(1, [3, 5, 2])
    con = construct(target, param_eps=0.01, pool=30, rng=0)
    wm, bm = con.ticket.weight_masks, con.ticket.bias_masks
    for layer in (0, 2):
        deg = wm[layer].sum(axis=1)
        assert deg.max() <= 1
        assert not np.any((deg == 1) & bm[layer])  # a pool neuron is weight- or bias-type
    assert not bm[1].any() and not bm[3].any()  # target neurons' own biases pruned
    # later layers only use w1 > 0 (inputs are post-ReLU)
    w1 = con.ticket.mother.weights[2][wm[2]]
    assert np.all(w1 > 0)


def test_effective_network_equals_ticket():
    target = _target(2, [2, 6, 6, 1], "relu")
    con = construct(target, eps=0.05, pool=40, rng=1)
    x = np.random.default_rng(0).uniform(-1, 1, (500, 2))
    assert np.allclose(con.ticket.forward(x), effective_forward(con, x), atol=1e-12)


def test_per_parameter_errors_within_tolerance():
    target = _target(3, [4, 6, 2])
    con = construct(target, param_eps=0.01, pool=50, rng=2)
    assert not con.failures
    for pe in con.param_errors():
        assert pe["max_weight_error"] <= 0.01 + 1e-15
        assert pe["max_bias_error"] <= 0.01 + 1e-15


def test_failures_reported_when_pool_too_small_and_grow_fixes():
    target = _target(4, [2, 5, 1])
    small = construct(target, param_eps=1e-4, pool=6, rng=0)
    assert small.failures
    f = small.failures[0]
    assert {"layer", "kind", "index", "target", "error", "tolerance"} <= set(f)
    assert f["error"] > f["tolerance"]
    grown = construct(target, param_eps=2e-2, pool=12, rng=0, grow=True, max_attempts=10)
    assert not grown.failures and grown.attempts > 1


def test_large_parameters_scaled_by_lemma2_and_folded_into_lambda():
    target = _target(5, [2, 4, 1], scale=3.0)
    scaled, sig, kappa = scale_into_unit_box(target)
    assert kappa > 1
    assert max(np.abs(w).max() for w in scaled.weights) <= 1
    assert max(np.abs(b).max() for b in scaled.biases) <= 1
    x = np.random.default_rng(0).uniform(-1, 1, (100, 2))
    assert np.allclose(kappa * scaled.forward(x), target.forward(x))
    con = construct(target, eps=0.1, pool=60, rng=0)
    cert = certify(con, 0, n_random=256, grid_seconds=120)
    assert cert.sampled_lower <= cert.rigorous_bound
    err = np.max(np.abs(con.ticket.forward(x) - target.forward(x)))
    assert err <= cert.rigorous_bound


def test_grid_bound_1d_brackets_sampled():
    target = _target(6, [1, 3, 1])
    con = construct(target, eps=0.05, pool=40, rng=0)
    cert = certify(con, 0, n_random=256, grid_seconds=120)
    assert cert.grid_upper is not None
    assert cert.sampled_lower <= cert.grid_upper
    assert cert.sampled_lower <= cert.rigorous_bound


def test_normal_scheme_and_bad_input():
    target = _target(7, [2, 3, 1])
    con = construct(target, param_eps=0.02, pool=40, rng=0, scheme="theorem5-normal")
    assert con.ticket.mother.meta["scheme"] == "theorem5-normal"
    with pytest.raises(ValueError, match="exactly one"):
        construct(target, eps=0.1, param_eps=0.1, pool=10)
    with pytest.raises(ValueError, match="delta"):
        construct(target, eps=0.1, delta=1.5, pool=10)
    with pytest.raises(ValueError, match="eps"):
        construct(target, eps=-1.0, pool=10)
    with pytest.raises(ValueError, match="scheme"):
        construct(target, eps=0.1, pool=10, scheme="he-uniform")


def test_compacted_ticket_equals_ticket_forward():
    from slth_theory.numerics.supnorm import as_piecewise_linear
    target = _target(8, [3, 7, 4, 2], "relu")
    con = construct(target, param_eps=0.02, pool=30, rng=4)
    x = np.random.default_rng(1).uniform(-1, 1, (300, 3))
    pl = as_piecewise_linear(con.ticket)
    assert np.allclose(pl.forward(x), con.ticket.forward(x), rtol=1e-12, atol=1e-12)
    assert sum(w.shape[0] for w in pl.weights[:-1]) < sum(con.mother_widths[1:-1])


def test_pool_assignment_kernel_matches_reference_and_is_balanced():
    from slth_theory.construction.build import assign_pools, assign_pools_reference
    rng = np.random.default_rng(9)
    for first in (True, False):
        W1 = rng.uniform(-1, 1, (300, 7))
        W1[rng.random(W1.shape) < 0.05] = 0.0
        b1 = rng.uniform(-1, 1, 300)
        pool, members = assign_pools(W1, b1, first, cap=30)
        assert np.array_equal(pool, assign_pools_reference(W1, b1, first, cap=30))
        counts = np.bincount(pool[pool >= 0], minlength=members.shape[0])
        assert counts.max() - counts.min() <= 1 or counts.max() == 30
        for q in range(members.shape[0]):
            assert set(members[q][members[q] >= 0]) == set(np.nonzero(pool == q)[0])


def test_grid_bound_2d_rigorous_against_dense_grid():
    target = _target(10, [2, 3, 1])
    con = construct(target, param_eps=0.01, pool=16, rng=0)
    cert = certify(con, 0, n_random=256, grid_evals=300_000, grid_seconds=120)
    g = np.linspace(-1, 1, 601)
    x = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    dense = np.max(np.linalg.norm(con.ticket.forward(x) - target.forward(x), axis=1))
    assert dense <= cert.grid_upper
    assert cert.sampled_lower <= cert.grid_upper
    assert cert.grid_converged and cert.grid_upper <= 1.1 * max(dense, cert.sampled_lower)
