"""Numba kernels of the Lemma 3 Monte Carlo against their plain references; thread and
chunk invariance; input validation."""

import numba
import numpy as np
import pytest

from slth_theory.numerics._rng_kernels import (
    ZIG_FI,
    ZIG_KI,
    ZIG_R,
    ZIG_WI,
    _fill_draws,
    key_from_seed,
    ref_draws,
)
from slth_theory.theory import lemma3 as M
from slth_theory.theory import lemma3_mc as MC

ARCHS = [[3, 5, 4, 2], [1, 1], [4, 7, 1], [2, 6, 6, 6, 3]]


@pytest.mark.parametrize("family", [0, 1, 2])
@pytest.mark.parametrize("replicate", [0, 1, 12345])
def test_generator_matches_reference(family, replicate):
    key = key_from_seed(7)
    out = np.empty(3000)
    _fill_draws(np.uint64(key), replicate, family, out)
    np.testing.assert_array_equal(out, ref_draws(key, replicate, family, 3000))


def test_normal_reference_covers_slow_branches():
    # with 20000 draws the tail strip (|x| > r) and wedge rejections both occur
    key = key_from_seed(1)
    out = np.empty(20000)
    _fill_draws(np.uint64(key), 3, 1, out)
    np.testing.assert_array_equal(out, ref_draws(key, 3, 1, 20000))
    assert np.any(np.abs(out) > ZIG_R)


def test_streams_differ_between_replicates_and_seeds():
    a = ref_draws(key_from_seed(0), 0, 2, 8)
    b = ref_draws(key_from_seed(0), 1, 2, 8)
    c = ref_draws(key_from_seed(1), 0, 2, 8)
    assert not np.array_equal(a, b) and not np.array_equal(a, c)
    # SeedSequence(5).generate_state(1, uint64): a fixed literal, so a change of the
    # seeding (hence of every published Monte Carlo number) is caught
    assert key_from_seed(5) == 12631478326263854183
    assert key_from_seed([5, 1]) == 17996766564426832300


_M64 = (1 << 64) - 1


def _spec_xoshiro256ss(s, n):
    """xoshiro256** written from Blackman & Vigna's published C code, 64-bit masked."""
    s = list(s)
    out = []
    for _ in range(n):
        def rotl(x, k):
            return ((x << k) | (x >> (64 - k))) & _M64
        out.append((rotl((s[1] * 5) & _M64, 7) * 9) & _M64)
        t = (s[1] << 17) & _M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def test_xoshiro256ss_known_answer():
    from slth_theory.numerics._rng_kernels import _next_u64
    expected = _spec_xoshiro256ss((1, 2, 3, 4), 5)
    # the well-known first outputs for s = (1, 2, 3, 4): rotl(2 * 5, 7) * 9 = 11520, then 0
    assert expected[:3] == [11520, 0, 1509978240]
    st = np.array([1, 2, 3, 4], dtype=np.uint64)
    assert [int(_next_u64(st)) for _ in range(5)] == expected
    # a state with high bits set exercises the 64-bit wrap-around
    big = (0x9E3779B97F4A7C15, 0xFFFFFFFFFFFFFFFF, 0x8000000000000001, 0x0123456789ABCDEF)
    st = np.array(big, dtype=np.uint64)
    assert [int(_next_u64(st)) for _ in range(20)] == _spec_xoshiro256ss(big, 20)


def test_symmetric_uniform_grid_is_symmetric():
    # u = (2k + 1 - 2^53) / 2^53 maps k and 2^53 - 1 - k to -u and u
    from slth_theory.numerics._rng_kernels import RefXoshiro
    g = RefXoshiro(0, 0)
    for _ in range(100):
        u = g.sym_uniform()
        assert -1.0 < u < 1.0
        k = (u * 2.0 ** 53 - 1 + 2.0 ** 53) / 2
        assert k == int(k)


def test_ziggurat_tables():
    assert ZIG_KI.dtype == np.uint64 and ZIG_KI[1] == 0
    assert np.all(np.diff(ZIG_WI[1:]) > 0)          # layer edges increase towards the tail
    assert np.all(np.diff(ZIG_FI) < 0)              # density decreases
    assert np.isclose(ZIG_WI[255] * 2.0 ** 52, ZIG_R)
    assert np.isclose(ZIG_FI[255], np.exp(-0.5 * ZIG_R ** 2))


@pytest.mark.parametrize("widths", ARCHS)
@pytest.mark.parametrize("scheme", ["he-normal", "glorot-uniform"])
@pytest.mark.parametrize("bias", ["zero", "nonzero"])
@pytest.mark.parametrize("skip", [True, False])
def test_norms_kernel_matches_reference(widths, scheme, bias, skip):
    law = M.layer_law(widths, scheme, bias=bias)
    x0 = np.linspace(-1, 1, widths[0]) + 0.1
    a = MC.simulate_norms(widths, law, x0, 12, rng=4, skip_inactive=skip, start=5)
    b = MC.reference_norms(widths, law, x0, 12, rng=4, skip_inactive=skip, start=5)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


def test_identity_output_matches_reference():
    law = M.layer_law([3, 6, 4], "he-uniform", bias="nonzero")
    a = MC.simulate_norms([3, 6, 4], law, None, 10, rng=2, output_activation="identity")
    b = MC.reference_norms([3, 6, 4], law, None, 10, rng=2, output_activation="identity")
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
    assert np.all(a[:, -1] > 0)


def test_norms_rows_match_the_foundation_forward_pass_law():
    # skip=False, zero bias: the norms are those of networks built from the same draws
    widths = [2, 3, 2]
    law = M.layer_law(widths, "he-normal", bias="zero")
    from slth_theory.model.network import Network
    from slth_theory.numerics._rng_kernels import RefXoshiro
    x0 = np.array([0.3, -0.8])
    out = MC.simulate_norms(widths, law, x0, 3, rng=9, skip_inactive=False)
    for r in range(3):
        g = RefXoshiro(key_from_seed(9), r)
        ws = []
        for layer in range(2):
            ws.append(np.array([[g.normal() * law.w_scale[layer] for _ in range(widths[layer])]
                                for _ in range(widths[layer + 1])]))
        net = Network(ws, [np.zeros(3), np.zeros(2)])
        _, acts = net.forward(x0, return_activations=True)
        np.testing.assert_allclose(out[r], [a @ a for a in acts[1:]], rtol=1e-12)


def test_thread_count_does_not_change_results():
    widths = [5, 40, 30, 20]
    law = M.layer_law(widths, "he-normal", bias="nonzero")
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = MC.monte_carlo_second_moments(widths, law, None, 3001, rng=11, chunk=16)
        na = MC.simulate_norms(widths, law, None, 101, rng=11)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = MC.monte_carlo_second_moments(widths, law, None, 3001, rng=11, chunk=16)
        nb = MC.simulate_norms(widths, law, None, 101, rng=11)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.stderr, b.stderr)
    np.testing.assert_array_equal(na, nb)


def test_sums_kernel_agrees_with_per_network_norms():
    widths = [4, 20, 10]
    law = M.layer_law(widths, "he-uniform", bias="nonzero")
    est = MC.monte_carlo_second_moments(widths, law, None, 777, rng=3, chunk=50)
    norms = MC.simulate_norms(widths, law, None, 777, rng=3)
    np.testing.assert_allclose(est.mean[1:], norms.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(est.stderr[1:], norms.std(axis=0, ddof=1) / np.sqrt(777),
                               rtol=1e-8)
    other = MC.monte_carlo_second_moments(widths, law, None, 777, rng=3, chunk=7)
    np.testing.assert_allclose(other.mean, est.mean, rtol=1e-12)


def test_progress_reports_every_network():
    widths = [3, 10, 2]
    seen = []
    MC.monte_carlo_second_moments(widths, M.layer_law(widths, "he-normal"), None, 500,
                                 progress=seen.append)
    assert sum(seen) == 500


@pytest.mark.parametrize("kwargs, match", [
    ({"n_networks": 1}, "n_networks"),
    ({"x0": np.zeros(5)}, "x0"),
    ({"chunk": 0}, "chunk"),
    ({"output_activation": "tanh"}, "output_activation"),
])
def test_validation(kwargs, match):
    widths = [3, 4, 2]
    law = M.layer_law(widths, "he-normal")
    with pytest.raises(ValueError, match=match):
        MC.monte_carlo_second_moments(widths, law, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"batch": 0}, "batch must be an integer >= 1"),
    ({"batch": -3}, "batch"),
    ({"batch": 2.5}, "batch"),
    ({"bit_generator": "default_rng"}, "bit_generator must be one of"),
    ({"bit_generator": "Generator"}, "bit_generator"),
])
def test_numpy_estimator_validation(kwargs, match):
    widths = [3, 4, 2]
    law = M.layer_law(widths, "he-normal")
    with pytest.raises(ValueError, match=match):
        MC.numpy_second_moments(widths, law, n_networks=10, **kwargs)


@pytest.mark.parametrize("bit_generator", MC.BIT_GENERATORS)
def test_numpy_estimator_accepts_every_listed_bit_generator(bit_generator):
    widths = [3, 4, 2]
    est = MC.numpy_second_moments(widths, M.layer_law(widths, "he-normal"), n_networks=5,
                                 batch=2, bit_generator=bit_generator)
    assert est.n_networks == 5 and np.all(np.isfinite(est.mean))


def test_law_for_other_widths_is_refused():
    law = M.layer_law([2, 3, 1], "he-normal", bias="nonzero")
    assert law.widths == (2, 3, 1)
    for f in (MC.monte_carlo_second_moments, MC.numpy_second_moments, MC.simulate_norms,
              MC.reference_norms):
        with pytest.raises(ValueError, match=r"law was built for widths \[2, 3, 1\]"):
            f([2, 300, 1], law, n_networks=4)
    # a hand-built law without widths: only the number of layers is checked
    free = M.LayerLaw("normal", law.w_scale, law.b_scale)
    assert MC.simulate_norms([2, 300, 1], free, None, 2).shape == (2, 2)
    with pytest.raises(ValueError, match="widths must have 3 entries"):
        M.LayerLaw("normal", law.w_scale, law.b_scale, (2, 3))


@pytest.mark.parametrize("start", [-1, 1.5, True])
def test_negative_start_is_refused(start):
    widths = [3, 4, 2]
    law = M.layer_law(widths, "he-normal")
    for f in (MC.simulate_norms, MC.reference_norms):
        with pytest.raises(ValueError, match="start must be an integer >= 0"):
            f(widths, law, None, 3, start=start)


def test_layer_law_validation():
    with pytest.raises(ValueError, match="orthogonal"):
        M.layer_law([4, 8, 8], "looks-linear")
    with pytest.raises(ValueError, match="bias"):
        M.layer_law([4, 8, 8], "theorem5-normal", bias="zero")
    with pytest.raises(ValueError, match="layers"):
        MC.monte_carlo_second_moments([3, 4, 2], M.layer_law([3, 4], "he-normal"))
    with pytest.raises(ValueError, match="family"):
        M.LayerLaw("cauchy", np.ones(2), np.zeros(2))
