"""The NumPy/Numba edge-popup against an independent PyTorch reference (skipped without torch).

The reference (``benchmarks/torch_edge_popup.py``) imports no arithmetic from
``slth_theory.pruning.edge_popup``: its kept count, cosine schedule and lambda fits are its own.
Both cross-entropy lambda fits are the root of ``dCE/dlambda`` found by bisection to
machine precision, with their own arithmetic (softmax in PyTorch vs NumPy), so the roots
agree to ~1e-12 in ``log lambda`` (the derivative is flat near its root); every
trajectory agrees to ``rtol = 1e-9``. The ``official`` preset's features (nested
schedule, warm-up, restarts, ``lr / Lambda``, the authors' SGD lambda, joint ranking over
scored zero biases, wide bias scores) are checked the same way.
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from benchmarks.torch_edge_popup import (  # noqa: E402
    _authors_lr,
    _kept,
    fit_lambda_ce,
    fit_lambda_mse,
    fit_lambda_sgd,
    schedule,
)
from benchmarks.torch_edge_popup import run as torch_run  # noqa: E402
from slth_theory.model.schemes import initialize  # noqa: E402
from slth_theory.pruning.datasets import make_dataset  # noqa: E402
from slth_theory.pruning.edge_popup import (  # noqa: E402
    Settings,
    edge_popup,
    fit_output_scale,
    fit_output_scale_sgd,
    loss_value,
    make_plan,
    n_keep,
    scheduled_lr,
)

# both CE fits bisect log(lambda) to machine precision; their slopes differ by rounding
LOG_LAMBDA_TOL = 1e-9


@pytest.mark.parametrize("task, method, ranking, bias, scheme", [
    ("shifted-relu", "edge-popup-scaled", "separate", "nonzero", "he-normal"),
    ("shifted-relu", "edge-popup", "separate", "zero", "looks-linear"),
    ("onion", "edge-popup-scaled", "joint", "nonzero", "looks-linear"),
    ("onion", "edge-popup", "separate", "nonzero", "he-normal"),
])
def test_same_loss_trajectory_as_pytorch(task, method, ranking, bias, scheme):
    torch.set_num_threads(1)  # tiny matrices: threads only add contention
    d = make_dataset(task, n=400, rng=1)
    net = initialize([d.n_inputs, 20, 20, 20, d.n_outputs], scheme, bias=bias,
                     output_activation="identity", rng=2)
    s = Settings(0.05, method=method, epochs=2, anneal_epochs=2, bias_ranking=ranking)
    plan = make_plan(net, d.x_train.shape[0], s, 3)
    ours = edge_popup(net, d, s, plan=plan)
    ref = torch_run(net.weights, net.biases, net.output_activation, d.x_train, d.y_train,
                    d.loss, s, plan)
    assert len(ref["batch_losses"]) == ours.batch_losses.size
    lams = np.array([r["lambda"] for r in ours.history])
    np.testing.assert_allclose(ours.batch_losses, ref["batch_losses"], rtol=1e-9)
    np.testing.assert_allclose(lams, ref["lambdas"], rtol=1e-9)
    assert ours.ticket.output_scale == pytest.approx(ref["output_scale"], rel=1e-9)


@pytest.mark.parametrize("task, bias", [("shifted-relu", "nonzero"), ("onion", "zero"),
                                        ("onion", "nonzero")])
def test_official_preset_same_trajectory_as_pytorch(task, bias):
    torch.set_num_threads(1)
    d = make_dataset(task, n=400, rng=1)
    net = initialize([d.n_inputs, 20, 20, d.n_outputs], "he-normal", bias=bias,
                     bias_factor=0.05, output_activation="identity", rng=2)
    s = Settings.from_preset("official", 0.1, method="edge-popup-scaled", epochs=3,
                             anneal_epochs=2, warmup=1)
    plan = make_plan(net, d.x_train.shape[0], s, 3)
    ours = edge_popup(net, d, s, plan=plan)
    ref = torch_run(net.weights, net.biases, net.output_activation, d.x_train, d.y_train,
                    d.loss, s, plan)
    np.testing.assert_allclose(ours.batch_losses, ref["batch_losses"], rtol=1e-9)
    np.testing.assert_allclose([r["lambda"] for r in ours.history], ref["lambdas"],
                               rtol=1e-9)
    assert ours.ticket.output_scale == pytest.approx(ref["output_scale"], rel=1e-9)
    assert ours.ticket.output_scale != 1.0


def test_reference_schedules_agree():
    for kw in ({"anneal_mode": "extra"}, {"anneal_mode": "within", "epochs": 7},
               {"anneal_mode": "nested", "lr_restarts": True, "warmup": 5,
                "lr_epoch_base": 1, "anneal_epochs": 20},
               {"anneal_mode": "nested", "warmup": 2}):
        s = Settings(0.05, **{"epochs": 10, "anneal_epochs": 5, **kw})
        dens, lrs = zip(*schedule(s), strict=True)
        assert list(dens) == s.epoch_densities()
        np.testing.assert_allclose(lrs, s.epoch_lrs(), rtol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_reference_sgd_lambda_agrees(seed):
    rng = np.random.default_rng(seed)
    out = rng.normal(size=(32, 4))
    y = np.argmax(out + rng.normal(size=out.shape), axis=1)
    assert fit_output_scale_sgd(out, y, "ce") == pytest.approx(
        fit_lambda_sgd(torch.tensor(out), torch.tensor(y), "ce"), rel=1e-12)
    o1, y1 = out[:, :1], 2 * out[:, :1] + 0.1
    assert fit_output_scale_sgd(o1, y1, "mse") == pytest.approx(
        fit_lambda_sgd(torch.tensor(o1), torch.tensor(y1), "mse"), rel=1e-12)


def test_reference_kept_count_and_schedule_agree():
    for n in (0, 1, 2, 7, 99, 100, 401, 10_000):
        for d in (0.001, 0.002, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.999, 1.0):
            assert n_keep(n, d) == _kept(n, d), (n, d)
    for total in (1, 2, 7, 40):
        for e in range(total):
            for warmup in {0, min(5, total - 1)}:
                assert scheduled_lr(0.1, e, total, warmup) == pytest.approx(
                    _authors_lr(0.1, e, total, warmup), rel=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_reference_mse_lambda_agrees(seed):
    rng = np.random.default_rng(seed)
    out, y = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    y = y + 3.0 * out
    ref = fit_lambda_mse(torch.tensor(out), torch.tensor(y))
    assert fit_output_scale(out, y, "mse") == pytest.approx(ref, rel=1e-12)
    assert fit_lambda_mse(torch.zeros(3, 1), torch.ones(3, 1)) is None
    assert fit_lambda_mse(torch.tensor(out), torch.tensor(-out)) is None


@pytest.mark.parametrize("seed", range(5))
def test_reference_ce_lambda_agrees_to_machine_precision(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(80, 3))
    y = np.argmax(z + 0.7 * rng.normal(size=z.shape), axis=1)  # noisy labels: finite optimum
    out = z * 10.0 ** rng.uniform(-3, 1)
    ref = fit_lambda_ce(torch.tensor(out), torch.tensor(y))
    ours = fit_output_scale(out, y, "ce")
    assert -19 < math.log(ref) < 19  # interior optimum
    assert abs(math.log(ours) - math.log(ref)) <= LOG_LAMBDA_TOL
    # the reference is the minimiser: no worse than ours (to rounding), nor nearby scales
    best = loss_value(ref * out, y, "ce")
    assert best <= loss_value(ours * out, y, "ce") + 1e-14
    for f in (1 - 1e-4, 1 + 1e-4):
        assert best <= loss_value(f * ref * out, y, "ce")
    assert fit_lambda_ce(torch.ones(4, 3), torch.tensor([0, 1, 2, 0])) is None
