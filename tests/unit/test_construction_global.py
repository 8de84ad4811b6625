"""Global-eps construction at small size, honest sizing, --domain, rng=, and one
regression test per defect of the issue on Theorem 5 at scale."""

import warnings

import numpy as np
import pytest

from slth_theory.construction.build import construct, random_target
from slth_theory.construction.certificate import certify
from slth_theory.model.network import Network
from slth_theory.model.schemes import regenerate
from slth_theory.theory.lemma4 import corrected_bound, split_tolerances, tolerances
from slth_theory.theory.theorem5 import construction_plan, instance_counts, width_bound


def _dense_error(con, lo, hi, n=20000, seed=0):
    rng = np.random.default_rng(seed)
    x = lo + (hi - lo) * rng.uniform(0, 1, (n, con.target.widths[0]))
    return float(np.max(np.linalg.norm(con.ticket.forward(x) - con.target.forward(x), axis=1)))


def test_small_global_eps_ticket_is_certified_and_bound_holds():
    target = random_target([2, 6, 6, 1], 31)
    con = construct(target, eps=0.01, rng=0)
    assert not con.failures
    cert = certify(con, 0, n_random=512)
    assert cert.certified and cert.rigorous_bound <= 0.01
    assert cert.sampled_lower <= cert.rigorous_bound
    assert _dense_error(con, -1.0, 1.0) <= cert.rigorous_bound
    # rounding terms are reported and tiny
    assert 0 < cert.float_evaluation < 1e-8 and 0 < cert.lambda_rounding < 1e-8


def test_width_construction_row_equals_what_construct_builds():
    """Defect: width's construction row disagreed with construct ([2,6,6,1] seed 31)."""
    target = random_target([2, 6, 6, 1], 31)
    rep = width_bound(None, 0.01, 0.05, None, target=target, formula="construction")
    con = construct(target, eps=0.01, rng=0)
    assert rep.mother_widths == con.mother_widths


def test_pools_follow_delta_without_cap():
    """Defect: pools were capped at 44 silently; now they follow delta and C."""
    target = random_target([1, 2, 1], 0)
    plan = construction_plan(target, param_eps=1e-3, delta=1e-9)
    assert plan.pools[0] > 88  # the old cap
    con = construct(target, param_eps=1e-3, delta=1e-9, rng=0)
    assert con.pool_sizes == plan.pools
    assert not con.failures


def test_smaller_pools_than_theorem5_warn():
    target = random_target([1, 2, 1], 0)
    with pytest.warns(UserWarning, match="below Theorem 5"):
        construct(target, param_eps=0.05, pool=30, rng=0)


def test_missed_parameters_warn_and_are_listed():
    target = random_target([2, 3, 1], 1)
    with pytest.warns(UserWarning, match="missed their tolerance"):
        con = construct(target, param_eps=1e-6, pool=4, rng=0)
    assert con.failures and all(f["error"] > f["tolerance"] for f in con.failures)


def test_solver_uses_members_beyond_the_old_windows():
    """Defect: --grow enlarged pools the solver could not use (two windows of 44 out of at
    most 88); the search now slides over the whole pool."""
    from slth_theory.construction.subset_sum import find
    rng = np.random.default_rng(0)
    vals = np.concatenate([rng.uniform(-1, 1, 200) * 1e-9,  # useless for t = 0.7
                           rng.uniform(-1, 1, 60) * rng.uniform(-1, 1, 60)])
    res = find(vals, 0.7, 1e-7)
    assert res.status == "ok" and abs(vals[res.mask].sum() - 0.7) <= 1e-7
    assert np.nonzero(res.mask)[0].max() >= 200


def test_split_tolerances_bound_is_eps_and_beats_equal_shares_in_work():
    target = random_target([6, 20, 3], 0)
    counts = instance_counts(target)
    tau = split_tolerances(target, 0.01, counts)
    assert corrected_bound(target, tau) <= 0.01 * (1 + 1e-9)
    assert corrected_bound(target, tau) >= 0.01 * (1 - 1e-6)
    eq = tolerances(target, 0.01, "corrected")
    work = lambda t: float(np.sum(counts * t ** (-1 / 3)))  # noqa: E731
    assert work(tau) <= work(eq)


@pytest.mark.parametrize("lo,hi", [(0.0, 1.0), (-3.0, 2.0)])
def test_domain_box_certified(lo, hi):
    target = random_target([2, 5, 1], 4)
    con = construct(target, eps=0.02, rng=1, domain=(lo, hi))
    assert (con.first_layer_neg is None) == (lo >= 0)
    cert = certify(con, 0, n_random=512)
    assert cert.certified
    assert cert.domain == [[lo, lo], [hi, hi]]
    assert _dense_error(con, lo, hi) <= cert.rigorous_bound
    # the width row sees the same box
    rep = width_bound(None, 0.02, 0.05, None, target=target, formula="construction",
                      lo=lo, hi=hi)
    assert rep.mother_widths == con.mother_widths


def test_domain_per_coordinate_and_bad_box():
    target = random_target([2, 3, 1], 5)
    lo, hi = np.array([-1.0, 0.0]), np.array([1.0, 4.0])
    con = construct(target, eps=0.05, rng=0, domain=(lo, hi))
    cert = certify(con, 0, n_random=256)
    assert cert.certified and _dense_error(con, lo, hi) <= cert.rigorous_bound
    with pytest.raises(ValueError, match="domain"):
        construct(target, eps=0.05, domain=(1.0, -1.0))


@pytest.mark.parametrize("kind", ["int", "seedsequence", "generator"])
def test_rng_spec7_and_mother_regenerates(kind):
    target = random_target([1, 2, 1], 2)
    rng = {"int": 7, "seedsequence": np.random.SeedSequence(7).spawn(2)[1],
           "generator": np.random.default_rng(7)}[kind]
    con = construct(target, param_eps=0.05, rng=rng)
    mother = regenerate(con.ticket.mother.meta, con.mother_widths, "identity")
    for a, b in zip(mother.weights, con.ticket.mother.weights, strict=True):
        assert np.array_equal(a, b)
    assert "--seed" in con.ticket.meta["regenerate"]
    with pytest.raises(ValueError, match="rng"):
        construct(target, param_eps=0.05, rng=-1)


def test_grid_certificate_only_within_its_time_budget():
    """Defect: the grid certificate ran by default for 2-D inputs, slow and loose."""
    target = random_target([2, 4, 1], 6)
    con = construct(target, eps=0.05, rng=0)
    assert certify(con, 0, n_random=256).grid_upper is None  # not by default
    cert = certify(con, 0, n_random=256, grid_seconds=1e-9)
    assert cert.grid_converged is False and "stopped" in cert.grid_note
    assert cert.sampled_lower <= cert.grid_upper


def test_default_pools_succeed_over_seeds():
    """Defect: default pools left parameters out of tolerance for most mother seeds."""
    target = random_target([3, 8, 2], 7)
    for seed in range(4):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            con = construct(target, eps=0.01, rng=seed)
        assert not con.failures


def test_mother_size_checked_before_allocation():
    target = Network([np.ones((3, 2)) * 0.5, np.ones((1, 3)) * 0.5],
                     [np.ones(3) * 0.5, np.ones(1) * 0.5], "identity")
    with pytest.raises(ValueError, match="max_mother_params"):
        construct(target, eps=0.01, max_mother_params=100)


@pytest.mark.slow
@pytest.mark.parametrize("arch", [[784, 500, 10], [784, 300, 100, 10]])
def test_mnist_sized_global_eps_certified(arch):
    target = random_target(arch, 0)
    con = construct(target, eps=0.01, rng=0)
    assert not con.failures
    cert = certify(con, 0, n_random=256, n_starts=4, n_steps=10)
    assert cert.certified and cert.sampled_lower <= cert.rigorous_bound <= 0.01
