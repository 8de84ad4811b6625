"""Batched forward pass against a plain NumPy per-sample loop."""

import numpy as np

from slth_theory import initialize

from ..harness import Case


def _setup():
    net = initialize([10, 100, 100, 100, 1], "he-normal", bias="nonzero", rng=0)
    x = np.random.default_rng(1).uniform(-1, 1, (1024, 10))
    return net, x


def _loop(ctx):
    net, x = ctx
    out = np.empty((x.shape[0], net.widths[-1]))
    for s in range(x.shape[0]):
        h = x[s]
        for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            h = w @ h + b
            if i < net.depth - 1 or net.output_activation == "relu":
                h = np.maximum(h, 0.0)
        out[s] = h
    return out


def _batched(ctx):
    net, x = ctx
    return net.forward(x)


CASES = [
    Case("forward[10,100,100,100,1]x1024", _setup, {"numpy-per-sample-loop": _loop,
         "Network.forward (batched)": _batched}, baseline="numpy-per-sample-loop",
         units=1024, unit_name="samples", notes="batched forward vs per-sample loop"),
]
