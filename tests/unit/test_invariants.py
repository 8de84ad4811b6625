"""Every invariant passes on what the paper proves and fails -- with its message -- when what
it compares is perturbed."""

import numpy as np
import pytest

from slth_theory.construction.build import construct
from slth_theory.counterexamples import shrunk_counterexample
from slth_theory.invariants import (
    InvariantViolation,
    assert_homogeneous,
    assert_kept_fraction,
    assert_lemma4,
    assert_output_scaled,
    assert_second_moment,
    assert_ticket_within,
    assert_uniformly_homogeneous,
    lemma4_tolerances,
)
from slth_theory.model.network import Network
from slth_theory.model.schemes import initialize
from slth_theory.model.ticket import Ticket
from slth_theory.theory.lemma2 import homogeneity_transform
from slth_theory.theory.lemma4 import tolerances
from slth_theory.theory.lemma4_attack import perturb

X = np.random.default_rng(0).uniform(-1, 1, (32, 3))


def _net(bias="nonzero", act="relu"):
    return initialize([3, 5, 4, 2], "he-normal", bias=bias, output_activation=act, rng=1)


@pytest.mark.parametrize("act", ["relu", "identity"])
def test_homogeneous_holds_and_fails_when_the_factor_is_off(act):
    net = _net(act=act)
    sig = [0.5, 3.0, 1.7]
    assert assert_homogeneous(net, sig, X) <= 1e-12
    with pytest.raises(InvariantViolation, match=r"Lemma 2: .*relative deviation"):
        assert_output_scaled(net, homogeneity_transform(net, sig), 2.55 * (1 + 1e-9), X,
                             statement="Lemma 2")


def test_output_scaled_reports_the_witness():
    net = _net()
    other = net.copy()
    other.biases[-1] = other.biases[-1] + 1.0
    with pytest.raises(InvariantViolation) as err:
        assert_output_scaled(net, other, 1.0, X)
    assert err.value.details["x"].shape == (3,)
    assert "at x = [" in str(err.value)


def test_uniform_scaling_holds_without_biases_and_fails_with_them():
    assert assert_uniformly_homogeneous(_net(bias="zero"), 2.5, X) <= 1e-12
    with pytest.raises(InvariantViolation, match="Section 3.1"):
        assert_uniformly_homogeneous(_net(), 2.5, X)
    with pytest.raises(ValueError, match="s must be"):
        assert_uniformly_homogeneous(_net(), 0.0, X)


def test_second_moment_holds_and_fails_when_the_exact_value_is_off(monkeypatch):
    check = assert_second_moment([3, 8, 8, 2], "he-uniform", bias="nonzero",
                                 n_networks=3000, rng=3)
    assert check.n_se == pytest.approx(5.10, abs=0.01)  # Phi^-1(1 - 1e-6 / 6)
    assert np.all(np.abs(check.z) <= check.n_se)
    import slth_theory.theory.lemma3 as lemma3

    real = lemma3.lemma3_second_moments
    monkeypatch.setattr(lemma3, "lemma3_second_moments",
                        lambda *a, **k: np.asarray(real(*a, **k)) * 1.2)
    with pytest.raises(InvariantViolation, match=r"Lemma 3 .*false-alarm rate 1e-06"):
        assert_second_moment([3, 8, 8, 2], "he-uniform", bias="nonzero", n_networks=3000,
                             rng=3)


def test_lemma4_corrected_holds_the_printed_version_fails():
    net = Network([np.full((1, 1), 0.25)], [np.array([0.125])], "identity")
    eps = 1.0
    approx = perturb(net, tolerances(net, eps, "corrected"), signs=[(np.ones((1, 1)),
                                                                      np.ones(1))])
    got = assert_lemma4(net, approx, eps, np.ones(1))
    assert got.observed == pytest.approx(eps) and got.bound >= got.observed
    main = perturb(net, lemma4_tolerances(net, eps, "main"), signs=[(np.ones((1, 1)),
                                                                     np.ones(1))])
    with pytest.raises(InvariantViolation, match=r"Lemma 4 \(main\).*> eps = 1"):
        assert_lemma4(net, main, eps, np.ones(1), version="main")
    # the premise is checked: an approximation outside the tolerances is a test bug
    with pytest.raises(ValueError, match="not within the Lemma 4 tolerance"):
        assert_lemma4(net, main, eps, np.ones(1), version="corrected")


def test_lemma4_default_input_is_searched():
    c = shrunk_counterexample("lemma4.main")
    from slth_theory.counterexamples import lemma4_approximation

    with pytest.raises(InvariantViolation, match="Lemma 4"):
        assert_lemma4(c.network, lemma4_approximation(c.example), c.example["eps"],
                      version="main")


def test_lemma4_tolerances_of_a_parameter_free_layer_are_zero():
    net = Network([np.zeros((1, 1)), np.ones((1, 1))], [np.zeros(1), np.zeros(1)])
    tols = lemma4_tolerances(net, 0.1, "main")
    assert tols[0] == 0 and np.all(np.isfinite(tols))


@pytest.fixture(scope="module")
def small_construction():
    target = Network([np.array([[0.5]]), np.array([[1.0]])],
                     [np.array([0.25]), np.array([0.0])], "identity")
    return target, construct(target, eps=0.05, rng=0)


def test_ticket_within_backed_by_certificate(small_construction):
    target, con = small_construction
    got = assert_ticket_within(con, target, 0.05)
    assert got.upper <= 0.05 and got.lower <= got.upper
    plain = assert_ticket_within(con.ticket, target, 0.05)  # n0 = 1: the adaptive grid
    assert plain.upper <= 0.05
    assert got.lower < got.upper
    with pytest.raises(InvariantViolation, match="not certified"):
        assert_ticket_within(con, target, (got.lower + got.upper) / 2)


def test_ticket_within_fails_with_a_witness_when_the_scale_is_off(small_construction):
    target, con = small_construction
    t = con.ticket
    off = Ticket(t.mother, t.weight_masks, t.bias_masks, t.output_scale * 1.5)
    with pytest.raises(InvariantViolation, match="violated: .* at x = "):
        assert_ticket_within(off, target, 0.05)


def test_ticket_within_needs_a_bound_in_high_dimension():
    net = initialize([3, 4, 1], "he-normal", bias="nonzero", rng=0)
    with pytest.raises(ValueError, match="no rigorous bound"):
        assert_ticket_within(Ticket.full(net), net, 0.1)
    assert assert_ticket_within(Ticket.full(net), net, 0.1, require_bound=False).lower == 0


def test_kept_fraction_exact_and_off_by_one():
    net = initialize([4, 10, 3], "he-normal", bias="nonzero", rng=0)
    wm = [np.zeros(w.shape, bool) for w in net.weights]
    bm = [np.zeros(b.shape, bool) for b in net.biases]
    wm[0].flat[:20] = True  # n_keep(40, 0.5) = 20
    wm[1].flat[:15] = True  # n_keep(30, 0.5) = 15
    bm[0][:5] = True
    bm[1][:2] = True        # n_keep(3, 0.5) = 3 - int(1.5) = 2
    t = Ticket(net, wm, bm)
    assert assert_kept_fraction(t, 0.5) == [(25, 25), (17, 17)]
    assert assert_kept_fraction(wm, 0.5, bias_masks=bm, ranking="joint")[1] == (17, 17)
    bm[1][2] = True
    with pytest.raises(InvariantViolation, match="layer 2 keeps 3 biases; .* exactly 2"):
        assert_kept_fraction(Ticket(net, wm, bm), 0.5)


def test_lemma4_grid_certificate_must_cover_the_sampled_points(monkeypatch):
    """With ``grid=True`` a certified upper bound below a sampled error is a violation."""
    import dataclasses

    from slth_theory.numerics import supnorm

    net = Network([np.full((1, 1), 0.25)], [np.array([0.125])], "identity")
    approx = perturb(net, tolerances(net, 1.0, "corrected"), signs=[(np.ones((1, 1)),
                                                                      np.ones(1))])
    assert_lemma4(net, approx, 1.0, np.ones(1), grid=True)   # the real certificate covers
    real = supnorm.sup_diff_upper

    def too_small(*args, **kwargs):
        res = real(*args, **kwargs)
        return dataclasses.replace(res, lower=0.0, upper=0.5 * res.upper, converged=False)

    monkeypatch.setattr(supnorm, "sup_diff_upper", too_small)
    with pytest.raises(InvariantViolation, match=r"sup_diff_upper \(soundness\)"):
        assert_lemma4(net, approx, 1.0, np.ones(1), grid=True)
