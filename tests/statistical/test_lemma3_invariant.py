"""Lemma 3 through its invariant on hypothesis-drawn architectures and schemes.

Each example fails with probability at most 1e-6 when Lemma 3 holds (the invariant's
stated false-alarm rate); 10 derandomized examples, so at most 1e-5 for the test, and the
examples (hence the seeds) are the same on every run.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from slth_theory.invariants import assert_second_moment


@settings(max_examples=10, derandomize=True, database=None, deadline=None)
@given(widths=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       scheme=st.sampled_from(["he-normal", "he-uniform", "glorot-uniform",
                               "theorem5-uniform"]),
       bias=st.sampled_from(["zero", "nonzero"]), seed=st.integers(0, 2**32 - 1))
def test_lemma3_second_moment(widths, scheme, bias, seed):
    if scheme.startswith("theorem5"):
        bias = "nonzero"
    assert_second_moment(widths, scheme, bias=bias, n_networks=4000, rng=seed)
