"""Section 6 data sets: shapes, split, determinism, noise level, label flips."""

import numpy as np
import pytest

from slth_theory.pruning.datasets import ONION_CUTS, make_dataset, onion, onion_value, shifted_relu


def test_split_sizes_and_shapes():
    d = make_dataset("shifted-relu", rng=0)
    assert d.x_train.shape == (8000, 1) and d.y_train.shape == (8000, 1)
    assert d.x_test.shape == (2000, 1) and d.y_test.shape == (2000, 1)
    assert d.kind == "regression" and d.loss == "mse" and d.n_outputs == 1
    o = make_dataset("onion", rng=0)
    assert o.x_train.shape == (8000, 2) and o.y_train.shape == (8000,)
    assert o.x_test.shape == (2000, 2) and o.y_test.dtype == np.int64
    assert o.kind == "classification" and o.loss == "ce" and o.n_outputs == 4
    assert set(np.unique(o.y_train)) <= {0, 1, 2, 3}


def test_same_seed_same_data_and_disjoint_split():
    a = make_dataset("onion", rng=5)
    b = make_dataset("onion", rng=5)
    c = make_dataset("onion", rng=6)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    rows = {tuple(r) for r in a.x_train} & {tuple(r) for r in a.x_test}
    assert not rows


def test_inputs_in_unit_box():
    x, _ = shifted_relu(5000, 1)
    assert x.min() >= -1 and x.max() <= 1
    x, _ = onion(5000, 1)
    assert x.min() >= -1 and x.max() <= 1


def test_shifted_relu_noise_std():
    # residual y - relu(x + 0.5) is N(0, 0.01^2): sample std within 5 SE of 0.01
    n = 10_000
    x, y = shifted_relu(n, 3)
    r = (y - np.maximum(x + 0.5, 0.0)).ravel()
    se = 0.01 / np.sqrt(2 * (n - 1))
    z = (r.std(ddof=1) - 0.01) / se
    assert abs(z) < 5, f"residual std {r.std(ddof=1):.6f}, se {se:.2e}, z {z:.2f}"
    assert abs(r.mean()) < 5 * 0.01 / np.sqrt(n)


def test_onion_labels_and_flips():
    n = 20_000
    x, y = onion(n, 4)
    clean = np.searchsorted(np.asarray(ONION_CUTS), onion_value(x), side="right")
    diff = y - clean
    assert set(np.unique(diff)) <= {-1, 0, 1}  # only neighbouring classes
    assert np.all(y >= 0) and np.all(y <= 3)
    p = np.mean(diff != 0)
    se = np.sqrt(0.01 * 0.99 / n)
    assert abs(p - 0.01) < 5 * se, f"flip rate {p:.4f}, se {se:.4f}"
    # no flip at all -> exactly the cut classes
    x0, y0 = onion(1000, 4, flip=0.0)
    np.testing.assert_array_equal(
        y0, np.searchsorted(np.asarray(ONION_CUTS), onion_value(x0), side="right"))


def test_onion_value_formula():
    x = np.array([[0.3, -0.5], [1.0, 0.0]])
    np.testing.assert_allclose(onion_value(x), [0.0, 0.5 * 0.49 + 1.2 * 0.25])


@pytest.mark.parametrize("kwargs, msg", [
    ({"task": "moons"}, "task"),
    ({"task": "onion", "test_fraction": 1.0}, "test_fraction"),
    ({"task": "onion", "n": 0}, "n must"),
    ({"task": "onion", "n": 2.5}, "n must"),
])
def test_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        make_dataset(**kwargs)
