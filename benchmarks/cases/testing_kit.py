"""Property-test throughput and ticket forward passes: the cached compact form against the
dense masked copy per call (the implementation before the testing kit), in the same run.

Cases
-----
``property-tickets``
    A hypothesis property over small tickets (mother depth 1-3, widths 1-8): draw a ticket
    and a batch of inputs, evaluate the ticket three times (as an invariant check does).
    Examples per second of the whole ``@given`` test (hypothesis' own drawing included).
    ``before``: the old ``tickets()`` strategy (masks from a drawn seed) and the old
    forward (a dense masked copy of the mother per call), vendored below as the baseline.
``ticket-forward-mnist``
    One forward pass of 64 inputs through the Theorem 5 ticket of a random ``[784, 500,
    10]`` target (``construct(..., param_eps=0.01)``, default pools 180/68: a mother of
    about 199 million parameters). Setup builds the construction.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slth_theory.model import schemes as _schemes
from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket
from slth_theory.testing import inputs_for, networks, tickets

from ..harness import Case

N_EXAMPLES = 200
_SETTINGS = settings(max_examples=N_EXAMPLES, derandomize=True, database=None, deadline=None,
                     suppress_health_check=list(HealthCheck))


# ------------------------------------------------------ the implementation before


def forward_before(ticket: Ticket, x: np.ndarray) -> np.ndarray:
    """The old ``Ticket.forward``: a dense masked copy of the mother on every call."""
    pruned = Network(
        [w * m for w, m in zip(ticket.mother.weights, ticket.weight_masks, strict=True)],
        [b * m for b, m in zip(ticket.mother.biases, ticket.bias_masks, strict=True)],
        ticket.mother.output_activation, dict(ticket.mother.meta))
    return ticket.output_scale * pruned.forward(x)


@st.composite
def tickets_before(draw, max_depth: int = 3, max_width: int = 8) -> Ticket:
    """The old ``tickets()`` strategy: a scheme-drawn mother, masks from a drawn seed."""
    name = draw(st.sampled_from(_schemes.names()))
    sch = _schemes.get(name)
    kw = {"scheme": name, "bias": draw(st.sampled_from(sch.bias_modes)),
          "mode": draw(st.sampled_from(sch.modes)), "bias_factor": draw(st.floats(0.25, 4.0))}
    act = draw(st.sampled_from(("relu", "identity")))
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth + 1)]
    if name == "looks-linear":
        widths = [widths[0]] + [max(2, w + (w % 2)) for w in widths[1:]]
    net = _schemes.initialize(widths, output_activation=act,
                              rng=draw(st.integers(0, 2**32 - 1)), **kw)
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.floats(0.0, 1.0))
    rng = np.random.default_rng(seed)
    wm = [rng.random(w.shape) < density for w in net.weights]
    bm = [rng.random(b.shape) < density for b in net.biases]
    return Ticket(net, wm, bm, draw(st.floats(0.1, 10.0)), {"source": "hypothesis"})


# ------------------------------------------------------ property throughput


def _property(ticket_strategy, forward):
    @_SETTINGS
    @given(data=st.data())
    def prop(data):
        t = data.draw(ticket_strategy)
        x = data.draw(inputs_for(t, max_batch=16))
        for _ in range(3):
            assert np.all(np.isfinite(forward(t, x)))
    return prop


def _ticket_forward(t, x):
    return t.forward(x)


_SMALL = networks(max_depth=3, max_width=8)
PROPERTY_IMPLS = {
    "before: seeded masks, dense copy per call": _property(tickets_before(), forward_before),
    "seeded masks, cached compact form": _property(tickets(_SMALL, masks="seeded"),
                                                    _ticket_forward),
    "drawn masks (shrinkable), cached compact form": _property(tickets(_SMALL),
                                                                _ticket_forward),
}


# ------------------------------------------------------ MNIST-sized ticket


def _mnist_setup():
    from slth_theory.construction.build import construct, random_target

    target = random_target([784, 500, 10], rng=0)
    con = construct(target, param_eps=0.01, rng=0)
    x = np.random.default_rng(1).uniform(-1, 1, (64, 784))
    t = con.ticket
    t.forward(x)  # build the cached compact form once
    return t, x


def _fresh(ctx):
    t, x = ctx
    return Ticket(t.mother, t.weight_masks, t.bias_masks, t.output_scale).forward(x)


CASES = [
    Case(f"property-tickets ({N_EXAMPLES} examples)", lambda: None,
         {k: (lambda ctx, f=f: f()) for k, f in PROPERTY_IMPLS.items()},
         baseline="before: seeded masks, dense copy per call", units=N_EXAMPLES,
         unit_name="examples", repeat=5,
         notes="hypothesis property over small tickets: old vs new strategies and forward"),
    Case("ticket-forward-mnist ([784,500,10] construction, 64 inputs)", _mnist_setup,
         {"before: dense masked copy per call": lambda ctx: forward_before(*ctx),
          "Ticket.forward (cached compact form)": lambda ctx: ctx[0].forward(ctx[1]),
          "new Ticket + first forward (builds the form)": _fresh},
         baseline="before: dense masked copy per call", units=64, unit_name="samples",
         repeat=5, notes="forward pass of the MNIST-sized Theorem 5 ticket"),
]
