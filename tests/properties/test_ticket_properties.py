"""Property: a ticket's cached compact form computes lambda * f(x | theta * mask)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from slth_theory.model.network import forward_reference
from slth_theory.testing import inputs_for, networks, tickets


@given(data=st.data())
def test_compact_forward_equals_reference(data):
    t = data.draw(st.one_of(tickets(), tickets(networks(elements=True)),
                            tickets(density=st.floats(0.01, 1.0))))
    x = data.draw(inputs_for(t))
    want = t.output_scale * forward_reference(t.pruned_network(), x)
    got = t.forward(x)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * (np.abs(want).max() + 1))
