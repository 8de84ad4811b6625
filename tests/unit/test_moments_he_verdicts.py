"""Verdicts of the He-scaling remark after Lemma 3 ("E||f||^2 ~ ||x0||^2 + 1") depend on
the paper's number: every branch of the pure verdict functions of the lemma3 check."""

import pytest

from slth_theory.verify.checks.lemma3 import HE_REL_TOL, he_fan_in_verdict, he_verdict


def test_holds_only_when_the_exact_value_is_the_papers_and_mc_agrees():
    assert he_verdict(True, True, 1.0, 1.0) == "holds"
    assert he_verdict(True, False, 1.0, 1.0) == "holds"
    # exact = paper but the Monte Carlo disagrees with it: no longer holds
    assert he_verdict(False, False, 1.0, 1.0) == "fails"


def test_holds_approximately_within_the_stated_tolerance():
    assert HE_REL_TOL == 0.10
    # the real numbers: fan_out normal bias term 1.0204, uniform 1.0638 (architecture A)
    assert he_verdict(True, True, 1.0, 1.0204) == "holds approximately"
    assert he_verdict(False, True, 1.0, 1.0638) == "holds approximately"
    assert he_verdict(False, True, 1.0, 0.95) == "holds approximately"
    # an MC that cannot resolve the difference does not make the claim exact
    assert he_verdict(True, True, 1.0, 1.05) == "holds approximately"


@pytest.mark.parametrize("mc_paper, mc_exact, gain, bias", [
    (False, False, 1.0, 1.02),   # MC agrees with neither
    (False, True, 1.0, 1.2),     # bias term 20% off
    (False, True, 10.0, 1.02),   # input gain n_L/n_0 = 10 (fan_in, architecture A)
    (True, True, 1.0, 1.2),      # MC agrees with the paper but the exact value is far
])
def test_fails(mc_paper, mc_exact, gain, bias):
    assert he_verdict(mc_paper, mc_exact, gain, bias) == "fails"


def test_tolerance_is_a_parameter():
    assert he_verdict(False, True, 1.0, 1.0638, rel_tol=0.05) == "fails"


def test_fan_in_branches():
    # differs measurably from ||x0||^2 + 1, matches the exact fan_in value, fan_out ok
    assert he_fan_in_verdict(False, True, "holds approximately") == "typo in text"
    assert he_fan_in_verdict(False, True, "holds") == "typo in text"
    # fan_out reading fails too: not a typo, the claim fails
    assert he_fan_in_verdict(False, True, "fails") == "fails"
    # MC disagrees with our exact fan_in value
    assert he_fan_in_verdict(False, False, "holds approximately") == "fails"
    # the fan_in value agrees with the paper (e.g. n_L = n_0): holds
    assert he_fan_in_verdict(True, True, "holds approximately") == "holds"
