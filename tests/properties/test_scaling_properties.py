"""Lemma 2 and the Section 5 rescaling as hypothesis properties."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from slth_theory.testing import inputs_for, layer_scales, networks
from slth_theory.theory.lemma2 import (
    distribute_output_scale,
    homogeneity_transform,
    log_output_factor,
)


@given(data=st.data())
def test_lemma2_homogeneity(data):
    net = data.draw(networks())
    x = data.draw(inputs_for(net))
    sig = data.draw(layer_scales(net.depth))
    got = homogeneity_transform(net, sig).forward(x)
    want = np.prod(sig) * net.forward(x)
    scale = np.max(np.abs(want)) + 1e-300
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * scale)
    assert np.isclose(np.exp(log_output_factor(sig, net.depth)), np.prod(sig), rtol=1e-13)


@given(data=st.data())
def test_distribute_output_scale(data):
    net = data.draw(networks())
    x = data.draw(inputs_for(net))
    lam = data.draw(st.floats(1e-3, 1e3))
    got = distribute_output_scale(net, lam).forward(x)
    want = lam * net.forward(x)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * (np.abs(want).max() + 1e-300))
