"""Planted tickets: the planted ticket computes the target exactly; recovery metrics."""

import math

import numpy as np
import pytest

from slth_theory.model.schemes import initialize
from slth_theory.pruning.planting import (
    default_config,
    grid,
    make_planted_data,
    plant,
    random_target,
    recovery,
    run_one,
    summarize,
)


@pytest.mark.parametrize("bias", ["nonzero", "zero"])
@pytest.mark.parametrize("widths, mother", [([2, 4, 4, 1], [2, 30, 30, 1]),
                                            ([3, 5, 2], [3, 40, 2])])
def test_planted_ticket_computes_the_target(bias, widths, mother):
    t = random_target(widths, bias, rng=1)
    m = initialize(mother, "he-normal", bias=bias, output_activation="identity", rng=2)
    p = plant(t, m)
    x = np.random.default_rng(3).uniform(-1, 1, size=(200, widths[0]))
    np.testing.assert_allclose(p.ticket.forward(x), t.forward(x), rtol=1e-12, atol=1e-12)
    n_target = sum(int(np.sum(w != 0)) for w in t.weights)
    assert p.ticket.n_kept_weights == n_target
    assert p.ticket.n_kept_biases == (0 if bias == "zero" else sum(b.size for b in t.biases))
    # only the planted entries changed
    changed = sum(int(np.sum(a != b)) for a, b in zip(m.weights, p.mother.weights,
                                                        strict=True))
    assert changed <= n_target
    # the mother itself is not modified
    assert not np.shares_memory(m.weights[0], p.mother.weights[0])


def test_plant_rejects_mismatched_shapes():
    t = random_target([2, 4, 1], rng=0)
    with pytest.raises(ValueError, match="depth"):
        plant(t, initialize([2, 10, 10, 1], "he-normal", output_activation="identity", rng=0))
    with pytest.raises(ValueError, match="exceed"):
        plant(t, initialize([2, 3, 1], "he-normal", output_activation="identity", rng=0))
    with pytest.raises(ValueError, match="bias"):
        random_target([2, 3, 1], "some")


def test_recovery_of_the_planted_ticket_itself_is_complete():
    t = random_target([2, 3, 3, 1], rng=4)
    p = plant(t, initialize([2, 20, 20, 1], "he-normal", bias="nonzero",
                            output_activation="identity", rng=5))
    r = recovery(p.ticket, p.ticket)
    assert r["recall"] == r["recall_weights"] == r["precision_weights"] == 1.0


def test_planted_data_noise_and_split():
    t = random_target([2, 3, 1], rng=0)
    d = make_planted_data(t, n=1000, noise=0.0, rng=1)
    assert d.x_train.shape == (800, 2)
    np.testing.assert_allclose(d.y_test, t.forward(d.x_test))
    with pytest.raises(ValueError):
        make_planted_data(t, n=1000, noise=-1)


def test_run_one_small_and_grid():
    r = run_one(default_config(3, "nonzero", width=24, n_samples=400, epochs=2,
                               anneal_epochs=1), 5)
    assert 0 <= r["recall_weights"] <= 1 and 0 <= r["recall_biases"] <= 1
    assert r["planted_weights"] == 2 * 3 + 3 * 3 + 3
    assert r["test_mse_planted"] == pytest.approx(r["best_possible_mse"], rel=0.5)
    assert r["found_density"] == pytest.approx(r["planted_density"], rel=1e-12)
    z = run_one(default_config(3, "zero", width=24, n_samples=400, epochs=2,
                               anneal_epochs=1), 5)
    assert math.isnan(z["recall_biases"]) and z["planted_biases"] == 0
    g = grid(2, ks=(2, 3))
    assert len(g) == 8 and g[0][1] == g[3][1] != g[4][1]
    s = summarize([r, z])
    assert {x["bias"] for x in s} == {"nonzero", "zero"}


def test_chance_recall_is_the_expected_overlap_of_a_random_ticket():
    from slth_theory.pruning.planting import chance_recall
    cfg = default_config(2, "nonzero", width=10, depth=3, inputs=2)
    c = chance_recall(cfg)
    # layers [2,10,10,1]: planted 4/20, 4/100, 2/10 weights, kept the same counts
    assert c["chance_recall_weights"] == pytest.approx((4 * 4 / 20 + 4 * 4 / 100 + 2 * 2 / 10)
                                                       / 10)
    # biases: 2 of 10 (keep n_keep(10, 0.2) = 2), 2 of 10 (keep 1), output 1 of 1 (kept)
    assert c["chance_recall_biases"] == pytest.approx((2 * 2 / 10 + 2 * 1 / 10 + 1) / 5)
    rng = np.random.default_rng(0)  # Monte Carlo of random tickets with those counts
    kept = [4, 4, 2]
    sizes, planted = [20, 100, 10], [4, 4, 2]
    hits = np.mean([sum(np.sum(rng.permutation(n)[:m] < p) for n, m, p in
                        zip(sizes, kept, planted, strict=True)) for _ in range(4000)])
    assert hits / 10 == pytest.approx(c["chance_recall_weights"], abs=0.01)
