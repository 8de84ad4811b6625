"""The ``paper`` and ``official`` presets of edge-popup, each choice checked against a
transcription of the authors' code (RelationalML/NonZeroBiases, ``Edge Pop Up/``), the
tie rule of the accuracy, and the deterministic lambda fits."""

import math

import numpy as np
import pytest

from slth_theory.model.schemes import initialize
from slth_theory.pruning.datasets import make_dataset
from slth_theory.pruning.edge_popup import (
    PRESETS,
    Settings,
    edge_popup,
    evaluate,
    fit_output_scale,
    fit_output_scale_sgd,
    init_scores,
    layer_masks,
    loss_value,
    make_plan,
    n_keep,
    scheduled_lr,
    weight_layers,
)
from slth_theory.pruning.figure1 import architecture, default_config


def _authors_lrs(lr0, epochs, anneal_epochs, warmup):
    """``tabular_main.py``: for each annealing level, ``for epoch in range(1, epochs + 1)``
    with ``cosine_lr`` (lines 46-59): warm-up ``lr0 (epoch + 1) / warmup`` below
    ``warmup``, then ``0.5 (1 + cos(pi (epoch - warmup) / (epochs - warmup))) lr0``."""
    out = []
    for _level in range(1, anneal_epochs + 1):
        for epoch in range(1, epochs + 1):
            if epoch < warmup:
                out.append(lr0 * (epoch + 1) / warmup)
            else:
                e, es = epoch - warmup, epochs - warmup
                out.append(0.5 * (1 + np.cos(np.pi * e / es)) * lr0)
    return out


def test_official_schedule_is_the_authors_loops():
    s = Settings.from_preset("official", 0.01, epochs=10, anneal_epochs=20)
    assert s.total_epochs == 200 and s.anneal_mode == "nested"
    np.testing.assert_allclose(s.epoch_lrs(), _authors_lrs(0.1, 10, 20, 5), rtol=1e-15)
    dens = s.epoch_densities()
    for level in range(1, 21):  # sparsity = args.sparsity ** (anneal_epoch / anneal_epochs)
        assert set(dens[(level - 1) * 10: level * 10]) == {0.01 ** (level / 20)}
    assert s.epoch_lrs()[9] == 0.0  # epochs counted from 1: the last epoch of a level


def test_paper_preset_is_the_literal_reading():
    s = Settings.from_preset("paper", 0.05, epochs=10, anneal_epochs=5)
    assert s == Settings(0.05, epochs=10, anneal_epochs=5)
    assert s.total_epochs == 15
    assert s.epoch_lrs()[0] == 0.1  # "cosine annealing ... starting from 0.1"
    assert s.epoch_densities()[4:] == [0.05] * 11


def test_preset_keys_and_overrides():
    assert set(PRESETS["paper"]) == set(PRESETS["official"])
    s = Settings.from_preset("official", 0.1, warmup=0, lr_restarts=None)
    assert s.warmup == 0 and s.lr_restarts  # None keeps the preset's value
    with pytest.raises(ValueError, match="lr_restarts needs"):
        Settings.from_preset("official", 0.1, anneal_mode="extra")
    with pytest.raises(ValueError, match="preset"):
        Settings.from_preset("authors", 0.1)
    with pytest.raises(ValueError, match="warmup"):
        Settings(0.1, epochs=3, warmup=3)


@pytest.mark.parametrize("kw, msg", [
    ({"bias_score_init": "huge"}, "bias_score_init"), ({"lambda_fit": "adam"}, "lambda_fit"),
    ({"lr_epoch_base": 2}, "lr_epoch_base"), ({"warmup": -1}, "warmup"),
    ({"anneal_mode": "cyclic"}, "anneal_mode"), ({"layer_densities": (0.5, 0.0)}, "layer"),
])
def test_new_settings_validation(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Settings(0.1, **kw)


def test_scheduled_lr_rejects_bad_input():
    with pytest.raises(ValueError):
        scheduled_lr(0.1, 11, 10, 5)
    with pytest.raises(ValueError):
        scheduled_lr(0.1, 0, 5, 5)
    assert scheduled_lr(0.1, 0, 10, 0) == 0.1


def test_depth_conventions():
    # fc.py make_architecture: arch = ones(depth) * width, first/last = input/output
    assert architecture("shifted-relu", 100, 5, "authors") == [1, 100, 100, 100, 1]
    assert architecture("onion", 100, 5) == [2, 100, 100, 100, 100, 4]
    assert weight_layers(5, "authors") == 4 and weight_layers(5) == 5
    with pytest.raises(ValueError, match="no weight layer"):
        weight_layers(1, "authors")


def test_official_config_and_bias_factor():
    c = default_config("onion", 0.01, "edge-popup-scaled", "he-normal", "nonzero",
                       "official")
    assert c["bias_factor"] == 0.05 and c["anneal_epochs"] == 20 and c["preset"] == "official"
    net = initialize([1, 100, 100, 100, 1], "he-normal", bias="nonzero", bias_factor=0.05,
                     output_activation="identity", rng=0)
    # initializers.py init_with_bias: gainProd = bfac * prod sqrt(2 / fan_in)
    assert net.meta["bias_scales"][1] == pytest.approx(0.05 * math.sqrt(2) * math.sqrt(0.02))


def test_wide_bias_scores_and_zero_bias_scores():
    net = initialize([3, 50, 50, 2], "he-normal", bias="zero", output_activation="identity",
                     rng=0)
    s = Settings.from_preset("official", 0.1)
    plan = make_plan(net, 10, s, 0)
    assert plan.b_scores is not None  # zero biases are scored (SupermaskLinear.scoresBias)
    for w, sb in zip(net.weights, plan.b_scores, strict=True):
        bound = math.sqrt(6.0 / w.shape[1])  # resnet_new.py: bound = sqrt(6.0 / fan)
        assert np.all(np.abs(sb) <= bound) and np.max(np.abs(sb)) > 1.0 / math.sqrt(w.shape[1])
    sw, sb = init_scores(net, 1, bias_scores=True, bias_score_init="narrow")
    assert all(np.all(np.abs(b) <= 1 / math.sqrt(w.shape[1]))
               for w, b in zip(net.weights, sb, strict=True))
    wm, bm = layer_masks(plan.w_scores, plan.b_scores, 0.05, "joint")
    for w, m, b in zip(wm, plan.w_scores, bm, strict=True):  # joint budget over both
        assert w.sum() + b.sum() == n_keep(m.size + b.size, 0.05)


def test_layer_densities_keep_per_layer_counts():
    rng = np.random.default_rng(0)
    sw = [rng.normal(size=(10, 4)), rng.normal(size=(10, 10)), rng.normal(size=(1, 10))]
    wm, _ = layer_masks(sw, None, [0.25, 0.05, 0.5])
    assert [int(m.sum()) for m in wm] == [10, 5, 5]
    with pytest.raises(ValueError, match="one value per layer"):
        layer_masks(sw, None, [0.5, 0.5])


# ------------------------------------------------------------------ tie rule
class _Fixed:
    def __init__(self, out):
        self.out = np.asarray(out, dtype=float)

    def forward(self, x):
        return self.out


def test_ties_count_as_misses():
    y = np.array([0, 1, 2, 0])
    out = [[1.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.5, 0.5, 0.5], [3.0, 0.0, 3.0]]
    r = evaluate(_Fixed(out), None, y, "ce")
    # row 0 tie (0 vs 1), row 1 correct, row 2 three-way tie, row 3 tie: 1 of 4 correct
    assert r["accuracy"] == 0.25 and r["ties"] == 3 and r["constant"] == 0.0


def test_constant_ticket_is_degenerate_and_scores_zero():
    y = np.array([0, 1, 2, 3, 0])
    r = evaluate(_Fixed(np.zeros((5, 4))), None, y, "ce")
    assert r["accuracy"] == 0.0 and r["ties"] == 5 and r["constant"] == 1.0
    # argmax would have called every point class 0 and scored 2 of 5
    assert np.mean(np.argmax(np.zeros((5, 4)), axis=1) == y) == 0.4
    r = evaluate(_Fixed(np.tile([[0.0, 1.0, 0.0, 0.0]], (5, 1))), None, y, "ce")
    assert r["accuracy"] == 0.2 and r["ties"] == 0 and r["constant"] == 1.0
    reg = evaluate(_Fixed(np.ones((4, 1))), None, np.zeros((4, 1)), "mse")
    assert reg["loss"] == 1.0 and reg["constant"] == 1.0 and "accuracy" not in reg


# ------------------------------------------------------------- lambda fits
def test_sgd_lambda_matches_its_closed_form_for_mse():
    rng = np.random.default_rng(3)
    out = rng.normal(size=(32, 1))
    y = 2.5 * out + 0.1 * rng.normal(size=(32, 1))
    s_oo, s_yo, n = float(np.sum(out * out)), float(np.sum(y * out)), out.size
    star = s_yo / s_oo
    # lambda_{t+1} = lambda_t - 0.1 * 2 (lambda_t s_oo - s_yo) / n, from 1
    expect = star + (1 - star) * (1 - 0.2 * s_oo / n) ** 20
    assert fit_output_scale_sgd(out, y, "mse") == pytest.approx(expect, rel=1e-12)
    assert fit_output_scale_sgd(out, -10 * y, "mse") is None  # drives lambda below 0


def test_sgd_lambda_ce_descends():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(32, 4))
    y = np.argmax(z, axis=1)
    lam = fit_output_scale_sgd(z, y, "ce")
    assert lam > 1 and loss_value(lam * z, y, "ce") < loss_value(z, y, "ce")


def test_ce_lambda_is_the_exact_root_and_deterministic():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(400, 4))
    y = np.argmax(z + 0.8 * rng.normal(size=z.shape), axis=1)
    lam = fit_output_scale(z, y, "ce")
    assert lam == fit_output_scale(z.copy(), y.copy(), "ce")  # no tolerance-driven path

    def slope(t):
        p = np.exp(t * z - (t * z).max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return np.mean((p * z).sum(axis=1) - z[np.arange(len(y)), y])
    # the derivative changes sign within a few ulps of log(lambda)
    t = math.log(lam)
    assert slope(math.exp(t - 1e-12)) <= 0 <= slope(math.exp(t + 1e-12))


# ---------------------------------------------------------- engines agree
@pytest.mark.parametrize("task, bias", [("shifted-relu", "nonzero"), ("onion", "zero")])
def test_official_preset_numba_matches_numpy(task, bias):
    d = make_dataset(task, n=480, rng=11)
    net = initialize([d.n_inputs, 20, 20, d.n_outputs], "he-normal", bias=bias,
                     bias_factor=0.05, output_activation="identity", rng=2)
    s = Settings.from_preset("official", 0.1, method="edge-popup-scaled", epochs=3,
                             anneal_epochs=2, warmup=1)
    plan = make_plan(net, d.x_train.shape[0], s, 3)
    a = edge_popup(net, d, s, plan=plan, engine="numpy")
    b = edge_popup(net, d, s, plan=plan, engine="numba")
    assert len(a.history) == 6
    np.testing.assert_allclose(b.batch_losses, a.batch_losses, rtol=1e-10)
    assert b.ticket.output_scale == pytest.approx(a.ticket.output_scale, rel=1e-10)
    for ma, mb in zip(a.ticket.weight_masks + a.ticket.bias_masks,
                      b.ticket.weight_masks + b.ticket.bias_masks, strict=True):
        np.testing.assert_array_equal(ma, mb)
    # lr divided by the accumulated scale of the epochs before
    for prev, row, lr in zip(b.history[:-1], b.history[1:], s.epoch_lrs()[1:], strict=True):
        assert row["lr"] == pytest.approx(lr / prev["output_scale"], rel=1e-12)


def test_random_functions_take_int_seedsequence_or_generator():
    """SPEC 7: ``rng`` is an int, a SeedSequence or a Generator; an int and the
    SeedSequence of that int give the same draws."""
    from slth_theory.pruning.planting import make_planted_data, random_target
    net = initialize([2, 6, 3], "he-normal", bias="nonzero", output_activation="identity",
                     rng=0)
    s = Settings(0.5, epochs=1)
    draws = {
        "make_dataset": lambda r: make_dataset("onion", n=20, rng=r).x_train,
        "init_scores": lambda r: init_scores(net, r)[0][0],
        "make_plan": lambda r: make_plan(net, 10, s, r).permutations[0],
        "random_target": lambda r: random_target([2, 3, 1], rng=r).weights[0],
        "make_planted_data": lambda r: make_planted_data(
            random_target([2, 3, 1], rng=0), n=20, rng=r).x_train,
    }
    for name, f in draws.items():
        a, b = f(7), f(np.random.SeedSequence(7))
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert f(np.random.default_rng(7)).shape == a.shape
