"""Edge-popup stops with one clear error when training diverges, in both engines."""

from __future__ import annotations

import numpy as np
import pytest

from slth_theory.model.schemes import initialize
from slth_theory.pruning import _edge_popup_kernels as K
from slth_theory.pruning.datasets import make_dataset
from slth_theory.pruning.edge_popup import Settings, TrainingDiverged, edge_popup


def _run(engine: str, lr: float, task: str = "shifted-relu"):
    data = make_dataset(task, n=200, rng=np.random.default_rng(0))
    widths = [1, 4, 1] if task == "shifted-relu" else [2, 4, 4]
    net = initialize(widths, "he-normal", bias="nonzero", output_activation="identity", rng=1)
    return edge_popup(net, data, Settings(0.5, epochs=2, anneal_epochs=0, lr=lr),
                      rng=np.random.default_rng(2), engine=engine)


@pytest.mark.parametrize("task", ["shifted-relu", "onion"])
def test_both_engines_stop_at_the_same_batch(task):
    msgs = []
    for engine in ("numba", "numpy"):
        with pytest.raises(TrainingDiverged, match="diverged in epoch 1") as info:
            _run(engine, 1e150, task)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    assert issubclass(TrainingDiverged, ValueError)


def test_a_sane_learning_rate_still_trains_identically():
    a, b = _run("numba", 0.1), _run("numpy", 0.1)
    np.testing.assert_allclose(a.batch_losses, b.batch_losses, rtol=1e-9)


def test_topk_with_nan_scores_stays_in_bounds():
    # the fused kernel's tie loop once ran past the array when the threshold was NaN
    a = np.full(5, np.nan)
    out = np.empty(5)
    K._topk_abs(a, 3, np.array([0.0, 0.02]), np.empty(5), out)
    assert out.shape == (5,)
