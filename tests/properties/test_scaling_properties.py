"""Lemma 2 and the Section 5 rescaling as hypothesis properties (through the invariants)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from slth_theory.invariants import assert_homogeneous, assert_output_scaled
from slth_theory.testing import inputs_for, layer_scales, networks
from slth_theory.theory.lemma2 import distribute_output_scale, log_output_factor


@given(data=st.data())
def test_lemma2_homogeneity(data):
    net = data.draw(networks())
    x = data.draw(inputs_for(net))
    sig = data.draw(layer_scales(net.depth))
    assert_homogeneous(net, sig, x)
    assert np.isclose(np.exp(log_output_factor(sig, net.depth)), np.prod(sig), rtol=1e-13)


@given(data=st.data())
def test_lemma2_homogeneity_element_by_element(data):
    net = data.draw(networks(elements=True))
    assert_homogeneous(net, data.draw(layer_scales(net.depth)), data.draw(inputs_for(net)))


@given(data=st.data())
def test_distribute_output_scale(data):
    net = data.draw(networks())
    x = data.draw(inputs_for(net))
    lam = data.draw(st.floats(1e-3, 1e3))
    assert_output_scaled(net, distribute_output_scale(net, lam), lam, x,
                         statement="Section 5 rescaling")
