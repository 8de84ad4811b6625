"""SPEC 7: random functions take ``rng=`` as an int, a SeedSequence or a Generator."""

import inspect

import numpy as np
import pytest

from slth_theory.numerics._rng_kernels import key_from_seed
from slth_theory.numerics.seeds import as_seed_sequence
from slth_theory.theory import lemma1 as L1
from slth_theory.theory import lemma3 as M
from slth_theory.theory import lemma3_mc as MC


def test_as_seed_sequence_forms():
    assert as_seed_sequence(5).entropy == 5
    assert as_seed_sequence([5, 1]).entropy == [5, 1]
    ss = np.random.SeedSequence(3)
    assert as_seed_sequence(ss) is ss
    # a Generator is advanced: each call spawns the next child of its seed sequence
    gen = np.random.default_rng(7)
    a, b = as_seed_sequence(gen), as_seed_sequence(gen)
    assert a.spawn_key == (0,) and b.spawn_key == (1,) and a.entropy == b.entropy == 7
    # the same Generator state gives the same child
    assert as_seed_sequence(np.random.default_rng(7)).spawn_key == (0,)


@pytest.mark.parametrize("bad", [None, True, -1, "3", 1.5])
def test_as_seed_sequence_refuses(bad):
    with pytest.raises(ValueError, match="rng must be"):
        as_seed_sequence(bad)


def test_key_from_seed_unchanged_for_ints_and_accepts_generators():
    assert key_from_seed(5) == 12631478326263854183  # published numbers keep their seeds
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    assert key_from_seed(g1) == key_from_seed(g2) != key_from_seed(g1)


RANDOM_FUNCTIONS = [MC.simulate_norms, MC.reference_norms, MC.monte_carlo_second_moments,
                    MC.numpy_second_moments, MC.looks_linear_monte_carlo, L1.confirm]


@pytest.mark.parametrize("fn", RANDOM_FUNCTIONS, ids=lambda f: f.__name__)
def test_random_functions_take_rng(fn):
    params = inspect.signature(fn).parameters
    assert "rng" in params and "seed" not in params


def test_monte_carlo_with_each_rng_form():
    widths = [3, 5, 2]
    law = M.layer_law(widths, "he-normal", bias="nonzero")
    by_int = MC.simulate_norms(widths, law, None, 4, rng=3)
    by_seq = MC.simulate_norms(widths, law, None, 4, rng=np.random.SeedSequence(3))
    np.testing.assert_array_equal(by_int, by_seq)
    gen = np.random.default_rng(3)
    first = MC.simulate_norms(widths, law, None, 4, rng=gen)
    second = MC.simulate_norms(widths, law, None, 4, rng=gen)
    again = MC.simulate_norms(widths, law, None, 4, rng=np.random.default_rng(3))
    assert not np.array_equal(first, second)  # the Generator was advanced
    np.testing.assert_array_equal(first, again)
    ll = MC.looks_linear_monte_carlo([2, 4, 4], None, 3, rng=np.random.default_rng(1))
    assert ll.mean.shape == (3,)
