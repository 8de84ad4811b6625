"""The NumPy/Numba edge-popup against a PyTorch reference (skipped without torch)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from benchmarks.torch_edge_popup import run as torch_run  # noqa: E402
from slth_theory.datasets import make_dataset  # noqa: E402
from slth_theory.edge_popup import Settings, edge_popup, make_plan  # noqa: E402
from slth_theory.init import initialize  # noqa: E402


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
    np.testing.assert_allclose(ours.batch_losses, ref["batch_losses"], rtol=1e-9)
    np.testing.assert_allclose([r["lambda"] for r in ours.history], ref["lambdas"], rtol=1e-9)
    assert ours.ticket.output_scale == pytest.approx(ref["output_scale"], rel=1e-9)
