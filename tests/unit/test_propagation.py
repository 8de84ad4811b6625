"""Lemma 4: tolerance formulas, rigorous bounds, counterexample replay, sup estimators."""


import numpy as np
import pytest

from slth_theory.data import read_json
from slth_theory.model.network import Network
from slth_theory.numerics.interval import activation_bounds
from slth_theory.numerics.supnorm import sup_diff, sup_diff_upper
from slth_theory.theory.lemma4 import (
    VERSIONS,
    corrected_bound,
    error_bound,
    layer_stats,
    tolerances,
)
from slth_theory.theory.lemma4_attack import perturb
from slth_theory.verify.checks import lemma4


def _net(rng, widths, act="identity", scale=1.0):
    L = len(widths) - 1
    return Network([rng.uniform(-scale, scale, (widths[i + 1], widths[i])) for i in range(L)],
                   [rng.uniform(-scale, scale, widths[i + 1]) for i in range(L)], act)


def test_activation_bounds_dominate_samples():
    rng = np.random.default_rng(0)
    net = _net(rng, [3, 8, 6, 2], "identity")
    u = activation_bounds(net)
    x = rng.uniform(-1, 1, (5000, 3))
    x[:8] = np.where((np.arange(8)[:, None] >> np.arange(3)) & 1, 1.0, -1.0)
    _, acts = net.forward(x, return_activations=True)
    for ul, a in zip(u, acts, strict=True):
        assert np.all(np.abs(a) <= ul + 1e-12)


def test_paper_formulas_by_hand_one_layer():
    # one layer, 2 inputs, 3 outputs, dense: k = 3, m = 9, L = 1, empty product
    w = np.array([[0.5, -0.25], [0.1, 0.2], [-0.3, 0.4]])
    b = np.array([0.1, -0.2, 0.05])
    net = Network([w], [b], "identity")
    eps = 0.01
    sup0 = 2.0
    # sup ||x^(1)||_1 bound by interval arithmetic: |W| 1 + |b|
    sup1 = float(np.sum(np.abs(w).sum(1) + np.abs(b)))
    assert tolerances(net, eps, "appendix")[0] == pytest.approx(eps / (3 * (1 + sup0)))
    assert tolerances(net, eps, "main")[0] == pytest.approx(eps / (3 * (1 + sup1)))
    # corrected: a = ||S u + s||_2 = ||(3, 3, 3)||_2
    assert tolerances(net, eps, "corrected")[0] == pytest.approx(eps / np.sqrt(27))


def test_product_index_variants_differ_as_written():
    rng = np.random.default_rng(1)
    w1 = rng.uniform(-0.1, 0.1, (4, 2))
    w2 = np.full((3, 4), 0.9)
    net = Network([w1, w2], [np.zeros(4) + 0.1, np.zeros(3) + 0.1], "identity")
    st = layer_stats(net)
    t_as = tolerances(net, 0.01, "appendix", stats=st)
    t_k = tolerances(net, 0.01, "appendix-k", stats=st)
    # as written the product over k uses ||W^(1)||_max = 0.1, index-fixed uses 0.9
    assert t_as[0] / t_k[0] == pytest.approx((0.9 + 0.005) / (st.w_max[0] + 0.005))
    assert t_as[1] == t_k[1]


def test_corrected_is_attained_on_one_layer_small_weights():
    # all signs aligned at the corner x = 1: the corrected bound is exact for L = 1
    rng = np.random.default_rng(2)
    net = _net(rng, [30, 5], "identity", scale=1e-3)
    tol = tolerances(net, 0.01, "corrected")
    signs = [(np.ones_like(net.weights[0]), np.ones_like(net.biases[0]))]
    approx = perturb(net, tol, signs=signs)
    err = np.linalg.norm(net.forward(np.ones(30)) - approx.forward(np.ones(30)))
    assert err == pytest.approx(0.01, rel=1e-9)
    assert err <= 0.01 * (1 + 1e-9)


def test_main_version_fails_on_small_weights():
    rng = np.random.default_rng(3)
    net = _net(rng, [50, 4], "identity", scale=1e-3)
    tol = tolerances(net, 0.01, "main")
    signs = [(np.ones_like(net.weights[0]), np.ones_like(net.biases[0]))]
    approx = perturb(net, tol, signs=signs)
    err = np.linalg.norm(net.forward(np.ones(50)) - approx.forward(np.ones(50)))
    assert err > 5 * 0.01  # about sqrt(n0 + 1) = 7.1 times eps


def test_saved_counterexamples_replay():
    data = read_json(lemma4.DATA_FILE, shipped=True)
    assert set(data) == {"main", "main-k", "appendix", "appendix-k"}
    for version, rec in data.items():
        rp = lemma4.replay(rec)
        assert rp["within_tolerances"], version
        assert rp["ratio"] > 1.5, version
        assert rp["ratio"] == pytest.approx(rec["ratio"], rel=1e-9)


def test_version_verdicts_reproducible_from_seed():
    cfg = {"family": "equal", "eps": 0.01, "rounds": 1}
    a = lemma4.run_one(cfg, 123)
    b = lemma4.run_one(cfg, 123)
    assert a["ratio"] == b["ratio"]
    assert a["ratio"]["appendix"] > 1 and a["ratio"]["corrected"] <= 1 + 1e-9


def test_error_bound_between_sample_and_corrected_bound():
    rng = np.random.default_rng(4)
    for act in ("relu", "identity"):
        net = _net(rng, [2, 10, 10, 3], act)
        tol = tolerances(net, 0.05, "corrected")
        approx = perturb(net, tol, rng=rng, magnitude="uniform")
        est = sup_diff(net, approx, rng, grid_per_dim=101)
        eb = error_bound(net, approx)
        assert est.value <= eb
        assert eb <= corrected_bound(net, tol) * (1 + 1e-9)
        assert corrected_bound(net, tol) == pytest.approx(0.05, rel=1e-9)


def test_error_bound_with_split_first_layer():
    rng = np.random.default_rng(5)
    net = _net(rng, [2, 6, 1], "identity")
    approx = perturb(net, [0.01, 0.01], rng=rng)
    neg = net.weights[0] + rng.uniform(-0.01, 0.01, net.weights[0].shape)
    x = rng.uniform(-1, 1, (4000, 2))
    h = (np.maximum(x, 0) @ approx.weights[0].T - np.maximum(-x, 0) @ neg.T
         + approx.biases[0])
    out = np.maximum(h, 0) @ approx.weights[1].T + approx.biases[1]
    observed = np.max(np.linalg.norm(out - net.forward(x), axis=1))
    assert observed <= error_bound(net, approx, first_layer_neg=neg)


def test_sup_estimators_bracket_known_sup():
    # f(x) = relu(x1) + relu(-x2) + 0.5 x1 x-independent pieces; g = 0: sup = 2 at (1, -1)
    f = Network([np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([[1.0, 1.0]])],
                [np.zeros(2), np.zeros(1)], "identity")
    g = Network([np.zeros((2, 2)), np.zeros((1, 2))], [np.zeros(2), np.zeros(1)], "identity")
    est = sup_diff(f, g, 0, n_random=64)
    up = sup_diff_upper(f, g, rtol=0.01)
    assert est.value == pytest.approx(2.0)
    assert 2.0 <= up.upper <= 2.0 * 1.011 + 1e-9 and up.converged


def test_sup_upper_is_never_below_lower_1d():
    rng = np.random.default_rng(6)
    f, g = _net(rng, [1, 12, 1], "relu"), _net(rng, [1, 7, 1], "relu")
    est = sup_diff(f, g, rng)
    up = sup_diff_upper(f, g, rtol=0.001)
    assert est.value <= up.upper
    assert up.lower <= up.upper


def test_bad_inputs():
    net = Network([np.ones((1, 1))], [np.zeros(1)], "identity")
    with pytest.raises(ValueError, match="eps"):
        tolerances(net, 0.0)
    with pytest.raises(ValueError, match="version"):
        tolerances(net, 0.1, "other")
    with pytest.raises(ValueError, match="dimension"):
        sup_diff_upper(Network([np.ones((1, 3))], [np.zeros(1)]),
                       Network([np.ones((1, 3))], [np.zeros(1)]))
    assert set(VERSIONS) >= {"main", "appendix", "corrected"}


def test_sup_upper_exact_on_affine_cells_and_rigorous():
    # f - g is affine on most cells; the max of ||f - g|| sits at x = (1, -1) off any centre
    rng = np.random.default_rng(7)
    f = _net(rng, [2, 6, 2], "relu")
    g = _net(rng, [2, 5, 2], "identity")
    up = sup_diff_upper(f, g, rtol=1e-3, initial_per_dim=16)
    g1 = np.linspace(-1, 1, 801)
    x = np.stack(np.meshgrid(g1, g1), -1).reshape(-1, 2)
    dense = np.max(np.linalg.norm(f.forward(x) - g.forward(x), axis=1))
    assert dense <= up.upper * (1 + 1e-12)
    assert up.converged and up.upper <= dense * 1.001 + 1e-12


@pytest.mark.parametrize("version", ["main", "main-k", "appendix", "appendix-k", "corrected"])
def test_layer_without_parameters_is_unconstrained_without_warning(version):
    """A layer with no non-zero parameter gets eps_l = inf (nothing to perturb), no
    division-by-zero warning (RuntimeWarnings from the package are errors in the suite)."""
    net = Network([np.zeros((2, 2)), np.array([[1.0, -0.5]])], [np.zeros(2), np.zeros(1)],
                  "identity")
    tol = tolerances(net, 0.1, version)
    # printed versions: unconstrained; corrected: eps (finite, so rho_l stays finite)
    assert tol[0] == (0.1 if version == "corrected" else np.inf)
    assert np.isfinite(tol[1]) and tol[1] > 0
