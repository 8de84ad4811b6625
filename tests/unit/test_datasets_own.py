"""Your own data (``load_npz``) and scikit-learn's digits as edge-popup tasks."""

import numpy as np
import pytest

from slth_theory.pruning.datasets import dataset_from_arrays, load_npz, make_dataset


def _save(path, **arrays):
    np.savez(path, **arrays)
    return path


def _arrays(n=40, d=3, cls=True, rng=0):
    g = np.random.default_rng(rng)
    x = g.normal(size=(n, d))
    y = (x[:, 0] > 0).astype(np.int64) if cls else x[:, :1] ** 2
    return {"x_train": x[:30], "y_train": y[:30], "x_test": x[30:], "y_test": y[30:]}


def test_classification_from_integer_labels(tmp_path):
    d = load_npz(_save(tmp_path / "c.npz", **_arrays()))
    assert d.kind == "classification" and d.loss == "ce" and d.n_outputs == 2
    assert d.task == "file:c" and d.y_train.dtype == np.int64 and d.x_train.dtype == np.float64


def test_regression_from_float_targets_and_loss_override(tmp_path):
    a = _arrays(cls=False)
    a["y_train"], a["y_test"] = a["y_train"][:, 0], a["y_test"][:, 0]  # 1-D is fine
    d = load_npz(_save(tmp_path / "r.npz", **a))
    assert d.kind == "regression" and d.y_train.shape == (30, 1) and d.n_outputs == 1
    c = _arrays()
    d = load_npz(_save(tmp_path / "r2.npz", **c), loss="mse")  # integer y as regression
    assert d.kind == "regression"
    c["y_train"] = c["y_train"].astype(float)
    c["y_test"] = c["y_test"].astype(float)
    assert load_npz(_save(tmp_path / "c2.npz", **c), loss="ce").n_outputs == 2


@pytest.mark.parametrize("change, msg", [
    (lambda a: a.pop("x_test"), "lacks array"),
    (lambda a: a.update(x_train=a["x_train"][:, :2]), "features"),
    (lambda a: a.update(y_train=a["y_train"][:5]), "must have shape"),
    (lambda a: a.update(x_train=a["x_train"][:, 0]), "2-D"),
    (lambda a: a["x_train"].__setitem__((0, 0), np.nan), "NaN"),
    (lambda a: a.update(y_test=a["y_test"] - 5), "negative labels"),
    (lambda a: a.update(y_train=np.zeros(30, int), y_test=np.zeros(10, int)), "2 classes"),
    (lambda a: a.update(y_train=np.array(["a"] * 30)), "numeric"),
    (lambda a: a.update(x_test=np.zeros((0, 3))), "empty"),
])
def test_bad_data_one_line_errors(tmp_path, change, msg):
    a = _arrays()
    change(a)
    with pytest.raises(ValueError, match=msg) as exc:
        load_npz(_save(tmp_path / "bad.npz", **a))
    assert "\n" not in str(exc.value)


def test_non_integer_labels_for_ce_and_unreadable_files(tmp_path):
    a = _arrays(cls=False)
    a["y_train"], a["y_test"] = a["y_train"][:, 0], a["y_test"][:, 0]
    with pytest.raises(ValueError, match="non-integer labels"):
        load_npz(_save(tmp_path / "f.npz", **a), loss="ce")
    with pytest.raises(ValueError, match="does not exist"):
        load_npz(tmp_path / "missing.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="not a readable"):
        load_npz(tmp_path / "text.npz")
    obj = _arrays()
    obj["y_test"] = np.array([{"a": 1}] * 10, dtype=object)
    with pytest.raises(ValueError, match="unpickling"):  # never unpickled
        load_npz(_save(tmp_path / "obj.npz", **obj))
    with pytest.raises(ValueError, match="limit"):
        load_npz(_save(tmp_path / "big.npz", **_arrays()), max_bytes=100)


def test_dataset_from_arrays_names_the_source():
    with pytest.raises(ValueError, match="^mydata: x_train"):
        dataset_from_arrays(np.zeros(3), np.zeros(3), np.zeros((2, 1)), np.zeros(2),
                            where="mydata")


def test_digits_task():
    pytest.importorskip("sklearn")
    d = make_dataset("digits", rng=0)
    assert d.kind == "classification" and d.n_inputs == 64 and d.n_outputs == 10
    assert d.x_train.shape[0] + d.x_test.shape[0] == 1797
    assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    small = make_dataset("digits", n=200, rng=0)
    assert small.x_train.shape[0] == 160
