"""Hypothesis strategies for property tests of ReLU networks, schemes and tickets.

Bounded so that tests stay fast (small depths and widths). Import them in your own
tests to property-test claims about ReLU networks::

    from hypothesis import given
    from slth_theory.testing import networks, inputs_for

    @given(data=st.data())
    def test_my_claim(data):
        net = data.draw(networks())
        x = data.draw(inputs_for(net))
        ...

Requires the ``test`` extra (hypothesis).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from slth_theory.model import schemes as init_mod
from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket

__all__ = [
    "architectures",
    "inputs",
    "inputs_for",
    "layer_scales",
    "networks",
    "output_activations",
    "scheme_names",
    "schemes",
    "tickets",
]

output_activations = st.sampled_from(("relu", "identity"))


def scheme_names() -> st.SearchStrategy[str]:
    """Any registered scheme name."""
    return st.sampled_from(init_mod.names())


@st.composite
def architectures(draw, min_depth: int = 1, max_depth: int = 4, min_width: int = 1,
                  max_width: int = 8, even_hidden: bool = False) -> list[int]:
    """Architectures ``[n0, ..., nL]``; ``even_hidden`` makes ``n1..n_{L-1}`` even and
    ``n_L`` even too (what looks-linear with a relu output needs)."""
    depth = draw(st.integers(min_depth, max_depth))
    widths = [draw(st.integers(min_width, max_width)) for _ in range(depth + 1)]
    if even_hidden:
        widths = [widths[0]] + [max(2, w + (w % 2)) for w in widths[1:]]
    return widths


@st.composite
def schemes(draw) -> dict:
    """Keyword arguments for :func:`slth_theory.model.schemes.initialize` (scheme, bias, mode,
    bias_factor, and for theorem5-* a weight scale)."""
    name = draw(scheme_names())
    sch = init_mod.get(name)
    kw = {
        "scheme": name,
        "bias": draw(st.sampled_from(sch.bias_modes)),
        "mode": draw(st.sampled_from(sch.modes)),
        "bias_factor": draw(st.floats(0.25, 4.0)),
    }
    if sch.rule == "theorem5" and draw(st.booleans()):
        kw["weight_scale"] = draw(st.floats(0.05, 2.0))
    return kw


@st.composite
def networks(draw, max_depth: int = 4, max_width: int = 8, scheme_kwargs=None,
             output_activation=None) -> Network:
    """Networks drawn from a registered scheme with a hypothesis-chosen seed."""
    kw = draw(scheme_kwargs if scheme_kwargs is not None else schemes())
    act = draw(output_activations) if output_activation is None else output_activation
    even = kw["scheme"] == "looks-linear"
    widths = draw(architectures(max_depth=max_depth, max_width=max_width, even_hidden=even))
    seed = draw(st.integers(0, 2**32 - 1))
    return init_mod.initialize(widths, output_activation=act, rng=seed, **kw)


def inputs(n0: int, max_batch: int = 16) -> st.SearchStrategy[np.ndarray]:
    """Batches of inputs in ``[-1, 1]^n0`` (the paper's domain), shape ``(batch, n0)``."""
    return st.integers(1, max_batch).flatmap(
        lambda b: hnp.arrays(np.float64, (b, n0),
                             elements=st.floats(-1.0, 1.0, allow_nan=False, width=64))
    )


def inputs_for(net: Network, max_batch: int = 16) -> st.SearchStrategy[np.ndarray]:
    """Inputs in ``[-1, 1]^n0`` for ``net``."""
    return inputs(net.widths[0], max_batch)


def layer_scales(depth: int, low: float = 0.05, high: float = 20.0) -> st.SearchStrategy:
    """Positive per-layer factors ``sigma_l`` (for Lemma 2), as an array of ``depth``."""
    return hnp.arrays(np.float64, depth, elements=st.floats(low, high))


@st.composite
def tickets(draw, max_depth: int = 3, max_width: int = 8) -> Ticket:
    """Tickets: a drawn mother network, random masks and an output scale in [0.1, 10]."""
    net = draw(networks(max_depth=max_depth, max_width=max_width))
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.floats(0.0, 1.0))
    rng = np.random.default_rng(seed)
    wm = [rng.random(w.shape) < density for w in net.weights]
    bm = [rng.random(b.shape) < density for b in net.biases]
    scale = draw(st.floats(0.1, 10.0))
    return Ticket(net, wm, bm, scale, {"source": "hypothesis"})
