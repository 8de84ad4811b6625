"""scikit-learn import against the estimators' own predict (skipped without scikit-learn)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from slth_theory.model.interop import from_sklearn  # noqa: E402


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _data(n_out=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (120, 4))
    y = np.stack([np.sin(3 * X[:, 0]) + X[:, k % 4] ** 2 for k in range(n_out)], axis=1)
    return X, y


@pytest.mark.parametrize("n_out", [1, 2])
def test_regressor_matches_predict(n_out):
    X, y = _data(n_out)
    reg = _fit(MLPRegressor(hidden_layer_sizes=(8, 6), max_iter=50, random_state=0), X,
               y[:, 0] if n_out == 1 else y)
    net = from_sklearn(reg)
    assert net.widths == [4, 8, 6, n_out] and net.output_activation == "identity"
    out = net.forward(X)
    np.testing.assert_allclose(out[:, 0] if n_out == 1 else out, reg.predict(X), rtol=1e-12,
                               atol=1e-12)
    assert net.meta["sklearn"]["estimator"] == "MLPRegressor"


def test_multiclass_logits_match_predict_proba():
    X, y = _data()
    labels = np.array(["a", "b", "c"])[np.digitize(y[:, 0], [0.2, 0.9])]
    clf = _fit(MLPClassifier(hidden_layer_sizes=(10,), max_iter=50, random_state=0), X, labels)
    net = from_sklearn(clf)
    logits = net.forward(X)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, clf.predict_proba(X), rtol=1e-10, atol=1e-12)
    classes = np.array(net.meta["sklearn"]["classes"])
    np.testing.assert_array_equal(classes[logits.argmax(axis=1)], clf.predict(X))
    assert net.meta["sklearn"]["out_activation"] == "softmax"


def test_binary_logit_matches_predict_proba():
    X, y = _data()
    clf = _fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=50, random_state=1), X,
               (y[:, 0] > 0.5).astype(int))
    net = from_sklearn(clf)
    logit = net.forward(X)[:, 0]
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), clf.predict_proba(X)[:, 1],
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal((logit > 0).astype(int), clf.predict(X))
    assert net.meta["sklearn"]["out_activation"] == "logistic"


@pytest.mark.parametrize("activation", ["tanh", "logistic", "identity"])
def test_other_activations_are_refused(activation):
    X, y = _data()
    reg = _fit(MLPRegressor(hidden_layer_sizes=(4,), activation=activation, max_iter=5,
                            random_state=0), X, y[:, 0])
    with pytest.raises(ValueError, match=f"activation={activation!r}"):
        from_sklearn(reg)


def test_unfitted_and_wrong_estimators():
    with pytest.raises(ValueError, match="not fitted"):
        from_sklearn(MLPRegressor())
    from sklearn.linear_model import LinearRegression
    with pytest.raises(TypeError, match="MLPRegressor or MLPClassifier"):
        from_sklearn(LinearRegression())
