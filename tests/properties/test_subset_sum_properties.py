"""Property: the subset-sum kernels equal brute force on generated instances."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slth_theory.construction.subset_sum import brute_force, closest, solve_batch, sparsest

values = st.lists(st.floats(-1, 1, allow_nan=False), min_size=0, max_size=10)


@settings(derandomize=True, max_examples=50, deadline=None)
@given(values, st.floats(-3, 3, allow_nan=False), st.floats(0, 0.5, allow_nan=False))
def test_solvers_equal_brute_force(vals, t, eps):
    v = np.array(vals, dtype=float)
    b = brute_force(v, t)
    c = closest(v, t)
    assert abs(c.error - b.error) <= 1e-12
    assert abs(abs(float(np.sum(v[c.mask])) - t) - c.error) <= 1e-12
    bs = brute_force(v, t, eps)
    s = sparsest(v, t, eps)
    if bs.status == "ok":
        assert s.status == "ok" and s.size == bs.size and abs(s.error - bs.error) <= 1e-12
    else:
        assert s.status == "fail" and s.error > eps
    batch = solve_batch(v[None, :] if v.size else np.zeros((1, 0)), [t], eps)
    assert batch.errors[0] == s.error and batch.sizes[0] == s.size
