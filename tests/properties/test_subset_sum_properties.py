"""Property: the subset-sum kernels equal brute force on generated instances."""

import numpy as np
from hypothesis import given, settings

from slth_theory.construction.subset_sum import brute_force, closest, solve_batch, sparsest
from slth_theory.testing import subset_sum_instances


@settings(derandomize=True, max_examples=50, deadline=None)
@given(subset_sum_instances())
def test_solvers_equal_brute_force(inst):
    v, t, eps = inst.values, inst.target, inst.tol
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
