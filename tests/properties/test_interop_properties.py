"""Export to PyTorch and import back: same parameters, same function (skipped without torch).

The reference for a ticket is ``Ticket.forward`` (masks applied to the mother, then the
output scale); the exported module is evaluated by PyTorch.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from slth_theory.model.interop import from_torch, live_subnetwork, to_torch  # noqa: E402
from slth_theory.testing import inputs_for, networks, tickets  # noqa: E402


@given(data=st.data())
def test_network_roundtrip_is_exact(data):
    net = data.draw(networks())
    back = from_torch(to_torch(net))
    assert back.widths == net.widths and back.output_activation == net.output_activation
    for a, b in zip(back.weights + back.biases, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(a, b)


@given(data=st.data())
def test_exported_ticket_computes_the_ticket(data):
    ticket = data.draw(tickets())
    x = data.draw(inputs_for(ticket.mother))
    want = ticket.forward(x)
    tol = 1e-12 * (1 + np.abs(want).max())
    for compact in (True, False):
        with torch.no_grad():
            got = to_torch(ticket, compact=compact)(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=tol)
    live = live_subnetwork(ticket)
    np.testing.assert_allclose(ticket.output_scale * live.forward(x), want, rtol=1e-12,
                               atol=tol)
