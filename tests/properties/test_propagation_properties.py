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

from slth_theory.model.network import Network
from slth_theory.numerics.supnorm import sup_diff, sup_diff_upper
from slth_theory.theory.lemma4 import error_bound, tolerances
from slth_theory.theory.lemma4_attack import perturb


@st.composite
def targets(draw):
    depth = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1))
    vals = st.one_of(st.just(0.0), st.floats(-2, 2, allow_nan=False, width=64))
    ws = [np.array(draw(st.lists(vals, min_size=widths[i + 1] * widths[i],
                                 max_size=widths[i + 1] * widths[i])),
                   dtype=float).reshape(widths[i + 1], widths[i]) for i in range(depth)]
    bs = [np.array(draw(st.lists(vals, min_size=widths[i + 1], max_size=widths[i + 1])),
                   dtype=float) for i in range(depth)]
    act = draw(st.sampled_from(["relu", "identity"]))
    return Network(ws, bs, act)


@settings(derandomize=True, max_examples=50, deadline=None)
@given(targets(), st.floats(1e-4, 1.0), st.integers(0, 2**31 - 1),
       st.sampled_from(["full", "uniform"]))
def test_corrected_bound_never_exceeded(net, eps, seed, magnitude):
    tol = tolerances(net, eps, "corrected")
    approx = perturb(net, tol, rng=seed, magnitude=magnitude)
    est = sup_diff(net, approx, seed, n_random=128, n_starts=4, n_steps=15,
                   grid_per_dim=41)
    assert est.value <= eps * (1 + 1e-9) + 1e-12
    bound = error_bound(net, approx)
    assert est.value <= bound * (1 + 1e-9) + 1e-12
    if net.widths[0] <= 2:
        rtol, atol = 1e-3, 1e-12
        dense = sup_diff_upper(net, approx, rtol=rtol, atol=atol, max_evals=400_000)
        assert dense.lower <= dense.upper * (1 + 1e-12) + 1e-15
        assert est.value <= dense.upper * (1 + 1e-9) + 1e-12
        assert dense.lower <= eps * (1 + 1e-9) + 1e-12
        assert dense.lower <= bound * (1 + 1e-9) + 1e-12
        if dense.converged:
            # upper <= max(lower (1 + rtol), lower + atol) <= eps (1 + rtol) + atol
            assert dense.upper <= eps * (1 + rtol) * (1 + 1e-9) + atol + 1e-12


@settings(derandomize=True, max_examples=30, deadline=None)
@given(targets(), st.floats(1e-4, 0.2), st.integers(0, 2**31 - 1))
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
