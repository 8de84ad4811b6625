"""Edge-popup: masks, schedules, straight-through gradients vs finite differences,
output-scale fits, rescaled tickets, and the Numba kernel against the NumPy reference."""

import math

import numpy as np
import pytest

from slth_theory.model import io
from slth_theory.model.network import Network
from slth_theory.model.schemes import initialize
from slth_theory.pruning._edge_popup_kernels import _topk_abs
from slth_theory.pruning.datasets import make_dataset
from slth_theory.pruning.edge_popup import (
    Settings,
    anneal_density,
    edge_popup,
    evaluate,
    fit_output_scale,
    init_scores,
    layer_masks,
    loss_value,
    make_plan,
    n_keep,
    scheduled_lr,
    score_gradients,
    topk_mask,
)
from slth_theory.theory.lemma2 import distribute_output_scale


def _net(widths, bias="nonzero", scheme="he-normal", seed=0, act="identity"):
    return initialize(widths, scheme, bias=bias, output_activation=act, rng=seed)


# ------------------------------------------------------------------- masks
def test_n_keep_matches_getsubnet():
    for n in (1, 7, 100, 10_000):
        for d in (0.002, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0):
            j = int((1 - d) * n)  # GetSubnet drops the j smallest
            assert n_keep(n, d) == n - j
            assert 1 <= n_keep(n, d) <= n


@pytest.mark.parametrize("n, density, msg", [
    (10, 0.0, "density"), (10, 2.0, "density"), (10, -0.1, "density"),
    (10, float("nan"), "density"), (10, "dense", "density"), (10, None, "density"),
    (-5, 0.5, "n must"), (2.5, 0.5, "n must"), (True, 0.5, "n must"), ("7", 0.5, "n must"),
])
def test_n_keep_rejects_bad_input(n, density, msg):
    with pytest.raises(ValueError, match=msg):
        n_keep(n, density)


def test_n_keep_accepts_numpy_ints_and_zero():
    assert n_keep(np.int64(100), 0.05) == 5
    assert n_keep(0, 0.3) == 0
    assert n_keep(10, 1.0) == 10


@pytest.mark.parametrize("k", [-1, 11, 2.0, None])
def test_topk_mask_rejects_bad_k(k):
    with pytest.raises(ValueError, match=r"k must be an integer in \[0, 10\]"):
        topk_mask(np.arange(10.0), k)


@pytest.mark.parametrize("density", [0.0, 2.0, -1.0, float("nan")])
def test_layer_masks_rejects_bad_density(density):
    sw = [np.ones((3, 2))]
    for sb in (None, [np.ones(3)]):
        for ranking in ("separate", "joint"):
            with pytest.raises(ValueError, match="density"):
                layer_masks(sw, sb, density, ranking)


def test_topk_mask_exact_and_largest():
    rng = np.random.default_rng(0)
    a = rng.random((30, 17))
    for k in (0, 1, 5, 510):
        m = topk_mask(a, k)
        assert m.sum() == k
        if 0 < k < a.size:
            assert a[m].min() > a[~m].max()


@pytest.mark.parametrize("ranking", ["separate", "joint"])
@pytest.mark.parametrize("density", [0.002, 0.05, 0.5, 1.0])
def test_layer_masks_counts(ranking, density):
    net = _net([3, 40, 30, 4])
    sw, sb = init_scores(net, 1)
    wm, bm = layer_masks(sw, sb, density, ranking)
    for l in range(net.depth):
        if ranking == "separate":
            assert wm[l].sum() == n_keep(sw[l].size, density)
            assert bm[l].sum() == n_keep(sb[l].size, density)
        else:
            assert wm[l].sum() + bm[l].sum() == n_keep(sw[l].size + sb[l].size, density)
            kept = np.concatenate([np.abs(sw[l])[wm[l]], np.abs(sb[l])[bm[l]]])
            dropped = np.concatenate([np.abs(sw[l])[~wm[l]], np.abs(sb[l])[~bm[l]]])
            if dropped.size and kept.size:
                assert kept.min() > dropped.max()


def test_zero_bias_network_has_no_bias_scores():
    net = _net([1, 20, 20, 1], bias="zero")
    s = Settings(0.1, epochs=1)
    plan = make_plan(net, 64, s, 0)
    assert plan.b_scores is None
    wm, bm = layer_masks(plan.w_scores, None, 0.1)
    assert all(not m.any() for m in bm)
    assert [m.sum() for m in wm] == [n_keep(w.size, 0.1) for w in net.weights]


def test_numba_topk_matches_numpy_with_warm_state():
    # the band search reuses the last threshold; masks must equal the exact top-k
    rng = np.random.default_rng(2)
    a = np.abs(rng.normal(size=5000))
    state = np.array([0.0, 0.02])
    scratch = np.empty(a.size)
    out = np.empty(a.size)
    for step in range(60):
        k = n_keep(a.size, [0.01, 0.05, 0.5][step % 3] if step > 40 else 0.05)
        _topk_abs(a, k, state, scratch, out)
        np.testing.assert_array_equal(out.astype(bool), topk_mask(a, k))
        a = np.abs(a + rng.normal(scale=1e-3 * (1 + step % 7), size=a.size))


def test_numba_topk_exact_count_with_ties():
    a = np.repeat(np.arange(10, dtype=float), 7)
    state = np.array([0.0, 0.02])
    out = np.empty(a.size)
    for k in (1, 3, 7, 8, 69, 70):
        _topk_abs(a, k, state, np.empty(a.size), out)
        assert out.sum() == k
        kept, dropped = a[out == 1], a[out == 0]
        if dropped.size:
            assert kept.min() >= dropped.max()


# --------------------------------------------------------------- schedules
def test_anneal_schedule_extra_and_within():
    s = Settings(0.01, epochs=10, anneal_epochs=20, anneal_mode="extra")
    d = s.epoch_densities()
    assert s.total_epochs == 30 and len(d) == 30
    np.testing.assert_allclose(d[:20], [0.01 ** (i / 20) for i in range(1, 21)])
    assert d[19:] == [0.01] * 11
    w = Settings(0.05, epochs=10, anneal_epochs=5, anneal_mode="within")
    assert w.total_epochs == 10
    np.testing.assert_allclose(w.epoch_densities(),
                               [0.05 ** (min(i, 5) / 5) for i in range(1, 11)])
    assert Settings(0.2, epochs=3).epoch_densities() == [0.2] * 3
    assert anneal_density(0.1, 1, 1) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="1-based"):
        anneal_density(0.1, 0, 5)


def test_cosine_lr_without_warmup():
    """The paper preset's schedule: ``scheduled_lr`` with no warm-up is edge-popup's cosine."""
    assert scheduled_lr(0.1, 0, 10) == pytest.approx(0.1)
    assert scheduled_lr(0.1, 5, 10) == pytest.approx(0.05)
    assert scheduled_lr(0.1, 9, 10) == pytest.approx(0.05 * (1 + math.cos(math.pi * 0.9)))
    assert scheduled_lr(0.1, 0, 1) == pytest.approx(0.1)


@pytest.mark.parametrize("lr0, epoch, total, msg", [
    (0.1, 0, 0, "cycle"), (0.1, 0, -3, "cycle"), (0.1, 0, 2.0, "cycle"),
    (0.1, -1, 10, "epoch must"), (0.1, 11, 10, "epoch must"), (0.1, 0.5, 10, "epoch must"),
    (0.0, 0, 10, "lr0"), (-0.1, 0, 10, "lr0"), (float("nan"), 0, 10, "lr0"),
    (float("inf"), 0, 10, "lr0"),
])
def test_scheduled_lr_rejects_bad_input(lr0, epoch, total, msg):
    with pytest.raises(ValueError, match=msg):
        scheduled_lr(lr0, epoch, total)


@pytest.mark.parametrize("kw, msg", [
    ({"density": 0.0}, "density"), ({"density": 1.5}, "density"),
    ({"density": 0.1, "method": "sgd"}, "method"),
    ({"density": 0.1, "anneal_mode": "after"}, "anneal_mode"),
    ({"density": 0.1, "bias_ranking": "both"}, "bias_ranking"),
    ({"density": 0.1, "epochs": 0}, "epochs"),
    ({"density": 0.1, "lr": 0.0}, "lr"),
])
def test_settings_validation(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Settings(**kw)


# ----------------------------------------------------- gradients vs FD
def _loss_soft(weights, biases, mw, mb, x, y, loss, act, scale=1.0):
    """Loss with real-valued masks: the straight-through surrogate."""
    net = Network([w * m for w, m in zip(weights, mw, strict=True)],
                  [b * m for b, m in zip(biases, mb, strict=True)], act)
    return loss_value(scale * net.forward(x), y, loss)


def _fd_check(net, loss, bias_scores, act="identity", scale=1.0, work=None, seed=0):
    """Central differences of the surrogate loss along m + t sign(s) e_ij."""
    rng = np.random.default_rng(seed)
    n0, nL = net.widths[0], net.widths[-1]
    x = rng.uniform(-1, 1, (9, n0))
    y = rng.normal(size=(9, nL)) if loss == "mse" else rng.integers(0, nL, 9)
    sw, sb = init_scores(net, seed + 1, bias_scores=bias_scores)
    wm, bm = layer_masks(sw, sb, 0.8)
    bm = bm if bias_scores else [np.ones(b.shape, bool) for b in net.biases]
    W, B = (net.weights, net.biases) if work is None else (work.weights, work.biases)
    # finite differences are only meaningful away from ReLU kinks: a neuron whose inputs
    # are all pruned sits exactly at h = 0, where relu'(0) := 0 (as in PyTorch)
    pruned = Network([w * m for w, m in zip(W, wm, strict=True)],
                     [b * m for b, m in zip(B, bm, strict=True)], act)
    _, acts = pruned.forward(x, return_activations=True)
    pre = [a @ w.T + b for a, w, b in zip(acts[:-1], pruned.weights, pruned.biases,
                                           strict=True)]
    assert min(np.min(np.abs(p)) for p in pre) > 1e-4
    val, gw, gb = score_gradients(W, B, sw, sb, wm, bm, x, y, loss, act)
    mwf = [m.astype(float) for m in wm]
    mbf = [m.astype(float) for m in bm]
    assert val == pytest.approx(_loss_soft(W, B, mwf, mbf, x, y, loss, act), rel=1e-12)
    h = 1e-6
    checked = 0
    for l in range(net.depth):
        idxs = [tuple(rng.integers(0, s) for s in net.weights[l].shape) for _ in range(6)]
        for ij in idxs:
            for sgn in (+1, -1):
                mw = [m.copy() for m in mwf]
                mw[l][ij] += sgn * h * np.sign(sw[l][ij])
                if sgn > 0:
                    up = _loss_soft(net.weights, net.biases, mw, mbf, x, y, loss, act, scale)
                else:
                    dn = _loss_soft(net.weights, net.biases, mw, mbf, x, y, loss, act, scale)
            fd = (up - dn) / (2 * h)
            assert gw[l][ij] == pytest.approx(fd, rel=1e-5, abs=1e-9), (l, ij)
            checked += 1
        if bias_scores:
            for i in rng.integers(0, net.biases[l].size, 4):
                mb_up = [m.copy() for m in mbf]
                mb_dn = [m.copy() for m in mbf]
                mb_up[l][i] += h * np.sign(sb[l][i])
                mb_dn[l][i] -= h * np.sign(sb[l][i])
                fd = (_loss_soft(net.weights, net.biases, mwf, mb_up, x, y, loss, act, scale)
                      - _loss_soft(net.weights, net.biases, mwf, mb_dn, x, y, loss, act,
                                   scale)) / (2 * h)
                assert gb[l][i] == pytest.approx(fd, rel=1e-5, abs=1e-9), (l, i)
                checked += 1
        else:
            assert gb is None
    assert checked > 0


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("bias", ["zero", "nonzero"])
@pytest.mark.parametrize("act", ["identity", "relu"])
def test_score_gradient_matches_finite_differences(loss, bias, act):
    nL = 1 if loss == "mse" else 3
    net = _net([2, 8, 6, nL], bias=bias, act=act, seed=3)
    _fd_check(net, loss, bias_scores=(bias == "nonzero"), act=act)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_rescaled_score_gradient_is_gradient_of_scaled_ticket(loss):
    # Lemma 2: gradients computed on the distributed parameters equal finite
    # differences of L(Lambda * f(x | theta0 * m)) -- the reason lr needs no adjustment.
    nL = 1 if loss == "mse" else 3
    net = _net([2, 8, 6, nL], seed=4)
    lam = 37.5
    work = distribute_output_scale(net, lam)
    _fd_check(net, loss, bias_scores=True, scale=lam, work=work, seed=5)


# ---------------------------------------------------------- output scale
def test_lambda_mse_closed_form():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(200, 2))
    y = 3.7 * f + rng.normal(scale=0.1, size=f.shape)
    lam = fit_output_scale(f, y, "mse")
    assert lam == pytest.approx(np.sum(y * f) / np.sum(f * f))
    # it is the least-squares solution of y ~ lam f
    assert lam == pytest.approx(np.linalg.lstsq(f.reshape(-1, 1), y.ravel(), rcond=None)[0][0])
    base = loss_value(lam * f, y, "mse")
    for eps in (1e-3, -1e-3):
        assert loss_value(lam * (1 + eps) * f, y, "mse") > base
    assert fit_output_scale(np.zeros((3, 1)), np.ones((3, 1)), "mse") is None
    assert fit_output_scale(-f, y, "mse") is None  # best scale would be negative


def test_lambda_ce_minimises():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(300, 4))
    y = np.argmax(z + rng.normal(scale=0.5, size=z.shape), axis=1)
    lam = fit_output_scale(z, y, "ce")
    best = loss_value(lam * z, y, "ce")
    grid = np.exp(np.linspace(-5, 5, 2001))
    assert best <= min(loss_value(g * z, y, "ce") for g in grid) + 1e-9
    assert fit_output_scale(np.ones((5, 4)), np.zeros(5, int), "ce") is None


# -------------------------------------------------------- training runs
def _small(task, n=640):
    return make_dataset(task, n=n, rng=11)


@pytest.mark.parametrize("task, ranking, bias, mode", [
    ("shifted-relu", "separate", "nonzero", "extra"),
    ("onion", "joint", "nonzero", "within"),
    ("shifted-relu", "separate", "zero", "within"),
])
def test_numba_engine_matches_numpy_reference(task, ranking, bias, mode):
    d = _small(task)
    net = _net([d.n_inputs, 24, 24, d.n_outputs], bias=bias, seed=2)
    s = Settings(0.1, method="edge-popup-scaled", epochs=2, anneal_epochs=2,
                 anneal_mode=mode, bias_ranking=ranking)
    plan = make_plan(net, d.x_train.shape[0], s, 3)
    a = edge_popup(net, d, s, plan=plan, engine="numpy")
    b = edge_popup(net, d, s, plan=plan, engine="numba")
    np.testing.assert_allclose(b.batch_losses, a.batch_losses, rtol=1e-10)
    assert b.ticket.output_scale == pytest.approx(a.ticket.output_scale, rel=1e-10)
    for ma, mb in zip(a.ticket.weight_masks + a.ticket.bias_masks,
                      b.ticket.weight_masks + b.ticket.bias_masks, strict=True):
        np.testing.assert_array_equal(ma, mb)


@pytest.mark.parametrize("task", ["shifted-relu", "onion"])
def test_scaled_ticket_is_lambda_times_pruned_initial_net(task):
    d = _small(task)
    net = _net([d.n_inputs, 24, 24, d.n_outputs], seed=6)
    s = Settings(0.05, method="edge-popup-scaled", epochs=3, anneal_epochs=1)
    res = edge_popup(net, d, s, rng=7)
    t = res.ticket
    # unmodified initial parameters
    for w0, w in zip(net.weights, t.mother.weights, strict=True):
        np.testing.assert_array_equal(w0, w)
    lam = t.output_scale
    assert lam != 1.0
    lam_hist = np.prod([r["lambda"] for r in res.history])
    assert lam == pytest.approx(lam_hist, rel=1e-12)
    # the ticket computes lam * f(x | theta0 * m) = f(x | Lemma-2-scaled theta * m)
    work = distribute_output_scale(net, lam)
    scaled = Network([w * m for w, m in zip(work.weights, t.weight_masks, strict=True)],
                     [b * m for b, m in zip(work.biases, t.bias_masks, strict=True)],
                     "identity")
    np.testing.assert_allclose(t.forward(d.x_test), scaled.forward(d.x_test), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(t.forward(d.x_test), lam * t.pruned_network().forward(d.x_test),
                               rtol=1e-12, atol=1e-14)
    assert t.density == pytest.approx(
        sum(n_keep(w.size, 0.05) for w in net.weights) / net.n_weights)


def test_plain_edge_popup_has_unit_scale_and_learns():
    d = _small("shifted-relu", 2000)
    net = _net([1, 40, 40, 1], seed=8)
    s = Settings(0.2, epochs=4)
    res = edge_popup(net, d, s, rng=9)
    assert res.ticket.output_scale == 1.0
    assert all(r["lambda"] == 1.0 for r in res.history)
    assert res.history[-1]["train_loss"] < res.history[0]["train_loss"]
    ev = evaluate(res.ticket, d.x_test, d.y_test, "mse")
    assert math.isfinite(ev["loss"])


def test_same_seed_same_ticket_and_roundtrip(tmp_path):
    d = _small("onion")
    net = _net([2, 16, 16, 4], seed=1)
    s = Settings(0.1, method="edge-popup-scaled", epochs=2)
    a = edge_popup(net, d, s, rng=3).ticket
    b = edge_popup(net, d, s, rng=3).ticket
    assert a.output_scale == b.output_scale
    for x, y in zip(a.weight_masks, b.weight_masks, strict=True):
        np.testing.assert_array_equal(x, y)
    p = io.save(a, tmp_path / "t.npz")
    c = io.load(p)
    np.testing.assert_array_equal(c.forward(d.x_test), a.forward(d.x_test))


def test_network_task_mismatch():
    d = _small("onion")
    with pytest.raises(ValueError, match="do not fit"):
        edge_popup(_net([1, 8, 1]), d, Settings(0.1, epochs=1), rng=0)


def test_bad_plan():
    d = _small("shifted-relu")
    net = _net([1, 8, 1], seed=0)
    s = Settings(0.5, epochs=2)
    plan = make_plan(net, d.x_train.shape[0], s, 0)
    short = Settings(0.5, epochs=3)
    with pytest.raises(ValueError, match="permutations"):
        edge_popup(net, d, short, plan=plan)
    plan.b_scores = None
    with pytest.raises(ValueError, match="b_scores"):
        edge_popup(net, d, s, plan=plan)


def test_within_annealing_refits_lambda_for_final_cut():
    # e_a > e with 'within': training ends above rho; the ticket is cut at rho and its
    # lambda refit, so it is the closed-form optimum for the final mask (refit gives 1)
    d = _small("shifted-relu")
    net = _net([1, 24, 24, 1], seed=3)
    s = Settings(0.05, method="edge-popup-scaled", epochs=2, anneal_epochs=4,
                 anneal_mode="within")
    assert s.epoch_densities()[-1] > 0.05
    res = edge_popup(net, d, s, rng=4)
    t = res.ticket
    assert t.density == pytest.approx(
        sum(n_keep(w.size, 0.05) for w in net.weights) / net.n_weights)
    assert fit_output_scale(t.forward(d.x_train), d.y_train, "mse") == pytest.approx(1.0,
                                                                                    rel=1e-9)
