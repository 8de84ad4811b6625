"""Property: the corrected Lemma 4 tolerances are never exceeded (no input filtering).

`sup_diff` samples the cube, so it only estimates the supremum from below; for input
dimension n0 <= 2 the check is repeated with `sup_diff_upper`, whose ``lower`` is the
largest value attained on an adaptive grid refined until every cell is certified (so a
violation between the samples of `sup_diff` would show up) and whose ``upper`` is a
rigorous bound of the true supremum.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slth_theory.invariants import assert_lemma4
from slth_theory.testing import targets
from slth_theory.theory.lemma4 import error_bound, tolerances
from slth_theory.theory.lemma4_attack import perturb


@settings(derandomize=True, max_examples=50, deadline=None)
@given(targets(max_magnitude=2.0, max_depth=3, max_width=5), st.floats(1e-4, 1.0),
       st.integers(0, 2**31 - 1), st.sampled_from(["full", "uniform"]))
def test_corrected_bound_never_exceeded(net, eps, seed, magnitude):
    approx = perturb(net, tolerances(net, eps, "corrected"), rng=seed, magnitude=magnitude)
    assert_lemma4(net, approx, eps, version="corrected", rng=seed, grid=True)


@settings(derandomize=True, max_examples=30, deadline=None)
@given(targets(max_magnitude=2.0, max_depth=3, max_width=5), st.floats(1e-4, 0.2),
       st.integers(0, 2**31 - 1))
def test_split_first_layer_error_bound_never_below_sample(net, tol, seed):
    """The certificate's bound (ii) with separate weights on phi(x) and phi(-x)."""
    rng = np.random.default_rng(seed)
    approx = perturb(net, [tol] * net.depth, rng=rng, magnitude="uniform")
    w = net.weights[0]
    neg = w + tol * rng.uniform(-1, 1, w.shape) * (w != 0)
    x = np.vstack([rng.uniform(-1, 1, (400, w.shape[1])),
                   rng.choice([-1.0, 1.0], (64, w.shape[1]))])
    h = np.maximum(x, 0) @ approx.weights[0].T - np.maximum(-x, 0) @ neg.T + approx.biases[0]
    for i in range(1, net.depth + 1):
        if i < net.depth or net.output_activation == "relu":
            h = np.maximum(h, 0)
        if i < net.depth:
            h = h @ approx.weights[i].T + approx.biases[i]
    observed = float(np.max(np.linalg.norm(h - net.forward(x), axis=1)))
    assert observed <= error_bound(net, approx, first_layer_neg=neg) * (1 + 1e-9) + 1e-12
