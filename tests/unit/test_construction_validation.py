"""Input validation of the public construction helpers (reviewer findings 1 and 6)."""

import numpy as np
import pytest

from slth_theory.construction.build import assign_pools, assign_pools_reference, random_target


def test_assign_pools_rejects_bias_length_mismatch():
    # a 3x2 W1u with a length-2 b1u used to read b1[2] out of bounds inside the kernel
    W = np.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.6]])
    with pytest.raises(ValueError, match=r"b1u must have shape \(3,\)"):
        assign_pools(W, np.array([0.1, 0.2]), True)


@pytest.mark.parametrize("W, b, match", [
    (np.ones(3), np.ones(3), "W1u must be a 2-D"),
    (np.ones((2, 2, 1)), np.ones(2), "W1u must be a 2-D"),
    (np.ones((3, 2)), np.ones((3, 1)), "b1u must have shape"),
    (np.array([[np.nan, 1.0]]), np.ones(1), "W1u must contain only finite"),
    (np.array([[np.inf, 1.0]]), np.ones(1), "W1u must contain only finite"),
    (np.ones((1, 2)), np.array([np.nan]), "b1u must contain only finite"),
])
def test_assign_pools_rejects_bad_arrays(W, b, match):
    with pytest.raises(ValueError, match=match):
        assign_pools(W, b, True)


@pytest.mark.parametrize("cap", [0, -3, 2.5, True])
def test_assign_pools_rejects_bad_cap(cap):
    with pytest.raises(ValueError, match="cap must be an integer >= 1"):
        assign_pools(np.ones((3, 2)), np.ones(3), False, cap=cap)


def test_assign_pools_valid_input_still_matches_reference():
    rng = np.random.default_rng(0)
    W = rng.uniform(-1, 1, (40, 3))
    b = rng.uniform(-1, 1, 40)
    for first in (True, False):
        pool, members = assign_pools(W, b, first, cap=np.int64(5))
        assert np.array_equal(pool, assign_pools_reference(W, b, first, cap=5))
        # lists (not arrays) are accepted too
        assert np.array_equal(assign_pools(W.tolist(), b.tolist(), first, cap=5)[0], pool)


@pytest.mark.parametrize("widths, match", [
    ([2, 0, 1], "width"), ([0, 3, 1], "width"), ([2], "width"), ("2,x,1", "arch"),
])
def test_random_target_rejects_bad_widths(widths, match):
    with pytest.raises(ValueError, match=match):
        random_target(widths, 0)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_random_target_rejects_bad_scale(scale):
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        random_target([2, 3, 1], 0, scale=scale)


def test_random_target_accepts_string_widths():
    a = random_target("2,3,1", 4, scale=0.5)
    b = random_target([2, 3, 1], 4, scale=0.5)
    assert a.widths == [2, 3, 1]
    for wa, wb in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        assert np.array_equal(wa, wb) and np.all(np.abs(wa) <= 0.5)
