"""Hypothesis: the moments kernel equals its plain reference on arbitrary small
architectures; the exact Lemma 3 recursion has the invariants the proof gives it."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slth_theory.theory import lemma3 as M
from slth_theory.theory import lemma3_mc as MC

widths_st = st.lists(st.integers(1, 7), min_size=2, max_size=5)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(widths=widths_st, scheme=st.sampled_from(["he-normal", "he-uniform", "glorot-normal",
                                                 "glorot-uniform"]),
       bias=st.sampled_from(["zero", "nonzero"]), skip=st.booleans(),
       act=st.sampled_from(["relu", "identity"]), seed=st.integers(0, 2 ** 32 - 1),
       start=st.integers(0, 10 ** 9))
def test_kernel_equals_reference(widths, scheme, bias, skip, act, seed, start):
    law = M.layer_law(widths, scheme, bias=bias)
    x0 = np.cos(np.arange(widths[0]) + 1.0)
    a = MC.simulate_norms(widths, law, x0, 3, seed, output_activation=act, skip_inactive=skip,
                         start=start)
    b = MC.reference_norms(widths, law, x0, 3, seed, output_activation=act,
                          skip_inactive=skip, start=start)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(widths=widths_st, scale=st.floats(0.01, 10.0), x2=st.floats(0.0, 100.0),
       data=st.data())
def test_recursion_invariants(widths, scale, x2, data):
    L = len(widths) - 1
    wv = np.array(data.draw(st.lists(st.floats(0.0, 2.0), min_size=L, max_size=L)))
    bv = np.array(data.draw(st.lists(st.floats(0.0, 2.0), min_size=L, max_size=L)))
    m = M.lemma3_second_moments(widths, wv, bv, x2)
    assert m[0] == x2 and np.all(m >= 0)
    assert np.isclose(m[-1], M.lemma3_closed_form(widths, wv, bv, x2), rtol=1e-12, atol=1e-300)
    # Lemma 2 in expectation: weights x scale and biases x scale^l scale E||f||^2 by scale^(2L)
    scaled = M.lemma3_second_moments(widths, wv * scale ** 2,
                                     bv * scale ** (2 * np.arange(1, L + 1)), x2)
    assert np.isclose(scaled[-1], m[-1] * scale ** (2 * L), rtol=1e-10, atol=1e-300)
