"""Edge-popup seconds per epoch: fused Numba kernel and plain NumPy vs the PyTorch reference.

Shifted ReLU (N = 10^4, 8000 training samples), depth 5, width 100, batch 32, He-normal
with non-zero biases, every feature on: bias scores (separate ranking), annealing
(``e_a = 2`` extra epochs before ``e = 1``: densities 0.224, 0.05, 0.05) and
edge-popup-scaled rescaling after every epoch. One call = those 3 epochs from the same
initial scores and batch order; the rate column is epochs per second.

Thread count: PyTorch is set to the number of BLAS threads NumPy uses (the
``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` environment variables, default 1 here);
run as ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m benchmarks.run <case>``.
"""

import os

from slth_theory.model.schemes import initialize
from slth_theory.pruning.datasets import make_dataset
from slth_theory.pruning.edge_popup import Settings, edge_popup, make_plan

from ..harness import Case

try:
    import torch
except ImportError:  # optional extra
    torch = None

THREADS = int(os.environ.get("OPENBLAS_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1")))


def _setup():
    if torch is not None:
        torch.set_num_threads(THREADS)
    data = make_dataset("shifted-relu", rng=0)
    net = initialize([1, 100, 100, 100, 100, 1], "he-normal", bias="nonzero",
                     output_activation="identity", rng=1)
    s = Settings(0.05, method="edge-popup-scaled", epochs=1, anneal_epochs=2,
                 anneal_mode="extra", bias_ranking="separate")
    plan = make_plan(net, data.x_train.shape[0], s, 2)
    return net, data, s, plan


def _setup_official():
    """The ``official`` preset's features: 4 weight layers ("depth 5" the authors' way),
    bias factor 0.05, wide bias scores, zero biases scored too, joint ranking, nested
    schedule (2 levels x 2 epochs) with 1 warm-up epoch and restarts, lr / Lambda, and
    lambda by 20 SGD steps on the last mini-batch."""
    if torch is not None:
        torch.set_num_threads(THREADS)
    data = make_dataset("shifted-relu", rng=0)
    net = initialize([1, 100, 100, 100, 1], "he-normal", bias="nonzero", bias_factor=0.05,
                     output_activation="identity", rng=1)
    s = Settings.from_preset("official", 0.05, method="edge-popup-scaled", epochs=2,
                             anneal_epochs=2, warmup=1)
    plan = make_plan(net, data.x_train.shape[0], s, 2)
    return net, data, s, plan


def _numba(ctx):
    net, data, s, plan = ctx
    return edge_popup(net, data, s, plan=plan, engine="numba")


def _numpy(ctx):
    net, data, s, plan = ctx
    return edge_popup(net, data, s, plan=plan, engine="numpy")


def _torch(dtype):
    def f(ctx):
        from ..torch_edge_popup import run

        net, data, s, plan = ctx
        return run(net.weights, net.biases, net.output_activation, data.x_train, data.y_train,
                   data.loss, s, plan, dtype=dtype)
    return f


_impls = {}
if torch is not None:
    _impls["pytorch float64 (reference)"] = _torch(torch.float64)
    _impls["pytorch float32"] = _torch(torch.float32)
_impls["numpy engine (plain)"] = _numpy
_impls["numba engine (fused kernel)"] = _numba

CASES_OFFICIAL = [
    Case("edge-popup-epoch[shifted-relu,official-preset,b32]", _setup_official, _impls,
         baseline="pytorch float64 (reference)" if torch is not None else "numpy engine (plain)",
         units=4, unit_name="epochs", repeat=5,
         notes="4 epochs (nested: 2 levels x 2) of edge-popup-scaled, every official feature",
         targets={"numba engine (fused kernel)": "<= 0.25x pytorch"}),
]

CASES = [
    Case("edge-popup-epoch[shifted-relu,5x100,b32,all-features]", _setup, _impls,
         baseline="pytorch float64 (reference)" if torch is not None else "numpy engine (plain)",
         units=3, unit_name="epochs", repeat=5,
         notes="3 epochs (2 annealing + 1) of edge-popup-scaled with bias scores",
         targets={"numba engine (fused kernel)": "<= 0.25x pytorch"}),
] + CASES_OFFICIAL
