"""The NumPy/Numba edge-popup against an independent PyTorch reference (skipped without torch).

The reference (``benchmarks/torch_edge_popup.py``) imports no arithmetic from
``slth_theory.pruning.edge_popup``: its kept count, cosine schedule and lambda fits are its own.
Its cross-entropy lambda is the exact root of ``dCE/dlambda`` (bisection to machine
precision), whereas ``fit_output_scale`` uses bounded Brent with ``xatol = 1e-6`` in
``log lambda``; the cross-entropy rescaled trajectory therefore agrees to that stated
tolerance, every other trajectory to ``rtol = 1e-9``.
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from benchmarks.torch_edge_popup import (  # noqa: E402
    _cosine_lr,
    _kept,
    fit_lambda_ce,
    fit_lambda_mse,
)
from benchmarks.torch_edge_popup import run as torch_run  # noqa: E402
from slth_theory.model.schemes import initialize  # noqa: E402
from slth_theory.pruning.datasets import make_dataset  # noqa: E402
from slth_theory.pruning.edge_popup import (  # noqa: E402
    Settings,
    cosine_lr,
    edge_popup,
    fit_output_scale,
    loss_value,
    make_plan,
    n_keep,
)

# Brent's stopping rule in scipy's fminbound: |x - x*| <= 2 (sqrt(eps) |x| + xatol / 3)
# with xatol = 1e-6 and |x| <= 20 (log lambda): at most ~1.3e-6; allow 2e-6.
LOG_LAMBDA_TOL = 2e-6


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
    if d.loss == "ce" and method == "edge-popup-scaled":
        per_epoch = -(-d.x_train.shape[0] // s.batch_size)
        # epoch 1 precedes any fit: exact; later epochs inherit Brent's tolerance
        np.testing.assert_allclose(ours.batch_losses[:per_epoch],
                                   ref["batch_losses"][:per_epoch], rtol=1e-9)
        np.testing.assert_allclose(ours.batch_losses, ref["batch_losses"],
                                   rtol=10 * LOG_LAMBDA_TOL)
        # accumulated over epochs, so compare each epoch's fit and the product
        np.testing.assert_allclose(np.log(lams), np.log(ref["lambdas"]), rtol=0,
                                   atol=LOG_LAMBDA_TOL)
        assert math.log(ours.ticket.output_scale) == pytest.approx(
            math.log(ref["output_scale"]), abs=s.total_epochs * LOG_LAMBDA_TOL)
    else:
        np.testing.assert_allclose(ours.batch_losses, ref["batch_losses"], rtol=1e-9)
        np.testing.assert_allclose(lams, ref["lambdas"], rtol=1e-9)
        assert ours.ticket.output_scale == pytest.approx(ref["output_scale"], rel=1e-9)


def test_reference_kept_count_and_schedule_agree():
    for n in (0, 1, 2, 7, 99, 100, 401, 10_000):
        for d in (0.001, 0.002, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.999, 1.0):
            assert n_keep(n, d) == _kept(n, d), (n, d)
    for total in (1, 2, 7, 40):
        for e in range(total):
            assert cosine_lr(0.1, e, total) == pytest.approx(_cosine_lr(0.1, e, total),
                                                             rel=1e-15)


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
def test_reference_ce_lambda_is_exact_and_brent_within_tolerance(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(80, 3))
    y = np.argmax(z + 0.7 * rng.normal(size=z.shape), axis=1)  # noisy labels: finite optimum
    out = z * 10.0 ** rng.uniform(-3, 1)
    ref = fit_lambda_ce(torch.tensor(out), torch.tensor(y))
    ours = fit_output_scale(out, y, "ce")
    assert -19 < math.log(ref) < 19  # interior optimum (Brent's tolerance holds there)
    assert abs(math.log(ours) - math.log(ref)) <= LOG_LAMBDA_TOL
    # the reference is the minimiser: no worse than Brent, nor than nearby scales
    best = loss_value(ref * out, y, "ce")
    assert best <= loss_value(ours * out, y, "ce") + 1e-14
    for f in (1 - 1e-4, 1 + 1e-4):
        assert best <= loss_value(f * ref * out, y, "ce")
    assert fit_lambda_ce(torch.ones(4, 3), torch.tensor([0, 1, 2, 0])) is None
