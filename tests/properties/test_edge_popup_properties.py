"""Hypothesis properties of edge-popup masks, the kernel's top-k and the lambda fits."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from slth_theory.invariants import assert_kept_fraction
from slth_theory.pruning._edge_popup_kernels import _topk_abs
from slth_theory.pruning.edge_popup import (
    fit_output_scale,
    layer_masks,
    loss_value,
    n_keep,
    topk_mask,
)

densities = st.floats(min_value=1e-3, max_value=1.0, allow_nan=False)


@given(shapes=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), min_size=1,
                       max_size=4),
       density=densities, ranking=st.sampled_from(["separate", "joint"]),
       seed=st.integers(0, 2**32 - 1), with_bias=st.booleans())
def test_layer_masks_exact_counts(shapes, density, ranking, seed, with_bias):
    rng = np.random.default_rng(seed)
    sw = [rng.normal(size=s) for s in shapes]
    sb = [rng.normal(size=s[0]) for s in shapes] if with_bias else None
    wm, bm = layer_masks(sw, sb, density, ranking)
    if with_bias:
        assert_kept_fraction(wm, density, bias_masks=bm, ranking=ranking)
    else:
        assert_kept_fraction(wm, density, bias_masks=bm, ranking="weights")


@given(n=st.integers(1, 300), density=densities, seed=st.integers(0, 2**32 - 1),
       ties=st.booleans(), prev=st.floats(0.0, 3.0), band=st.floats(0.001, 1.0))
def test_kernel_topk_equals_exact_topk(n, density, seed, ties, prev, band):
    # any warm state (previous threshold, band) must give exactly the top-k set
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, n).astype(float) if ties else np.abs(rng.normal(size=n))
    k = n_keep(n, density)
    out = np.empty(n)
    _topk_abs(a, k, np.array([prev, band]), np.empty(n), out)
    assert out.sum() == k
    if ties:
        kept, dropped = a[out == 1], a[out == 0]
        assert dropped.size == 0 or kept.min() >= dropped.max()
    else:
        np.testing.assert_array_equal(out.astype(bool), topk_mask(a, k))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 50), scale=st.floats(0.01, 100.0))
def test_lambda_mse_is_optimal(seed, n, scale):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    y = scale * f + rng.normal(scale=0.1, size=(n, 1))
    lam = fit_output_scale(f, y, "mse")
    if lam is None:
        assert np.sum(f * y) <= 0
        return
    base = loss_value(lam * f, y, "mse")
    for eps in (1e-2, -1e-2):
        assert loss_value(lam * (1 + eps) * f, y, "mse") >= base - 1e-12


@given(n=st.integers(0, 10_000), density=densities)
def test_n_keep_is_getsubnet_count_in_range(n, density):
    k = n_keep(n, density)
    assert k == n - int((1 - density) * n)  # GetSubnet drops int((1 - rho) n)
    assert (k == 0) if n == 0 else (1 <= k <= n)


@given(n=st.integers(-100, 100),
       density=st.one_of(st.floats(allow_nan=True), st.floats(-10.0, 10.0)))
def test_n_keep_rejects_out_of_range(n, density):
    valid = n >= 0 and 0.0 < density <= 1.0
    try:
        k = n_keep(n, density)
    except ValueError as err:
        assert not valid
        assert ("n must" in str(err)) == (n < 0)
    else:
        assert valid and 0 <= k <= n
