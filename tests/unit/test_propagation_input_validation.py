"""Input validation of `propagation.perturb` and `supnorm.sup_diff_upper`
(reviewer findings 5 and 7)."""

import numpy as np
import pytest

from slth_theory.model.network import Network
from slth_theory.numerics.supnorm import sup_diff_upper
from slth_theory.theory.lemma4_attack import perturb


def _net():
    return Network([np.array([[1.0, -0.5], [0.25, 2.0]]), np.array([[1.0, -1.0]])],
                   [np.array([0.5, -0.25]), np.array([0.1])], "identity")


@pytest.mark.parametrize("tols", [[-0.1, 0.1], [0.1, np.nan], [np.inf, 0.0]])
def test_perturb_rejects_negative_or_nonfinite_tols(tols):
    with pytest.raises(ValueError, match="tols must be finite and >= 0"):
        perturb(_net(), tols, rng=0)


@pytest.mark.parametrize("bad", [2.0, -1.5, np.nan])
def test_perturb_rejects_signs_outside_unit_interval(bad):
    net = _net()
    signs = [(np.ones_like(w), np.ones_like(b)) for w, b in zip(net.weights, net.biases,
                                                                  strict=True)]
    signs[1] = (np.array([[1.0, bad]]), np.ones(1))
    with pytest.raises(ValueError, match=r"signs\[1\] entries must be finite with \|s\| <= 1"):
        perturb(net, [0.1, 0.1], signs=signs)


def test_perturb_rejects_wrong_sign_shapes_and_count():
    net = _net()
    with pytest.raises(ValueError, match="signs must have 2"):
        perturb(net, [0.1, 0.1], signs=[(np.ones((2, 2)), np.ones(2))])
    signs = [(np.ones((2, 2)), np.ones(3)), (np.ones((1, 2)), np.ones(1))]
    with pytest.raises(ValueError, match=r"signs\[0\] must have shapes"):
        perturb(net, [0.1, 0.1], signs=signs)


def test_perturb_valid_signs_exact_values():
    """Hand-checked: every nonzero parameter moves by tol * sign; zeros stay zero."""
    net = Network([np.array([[1.0, 0.0]])], [np.array([0.5])], "identity")
    out = perturb(net, [0.25], signs=[(np.array([[-1, 1]]), np.array([0]))])
    assert np.array_equal(out.weights[0], np.array([[0.75, 0.0]]))
    assert np.array_equal(out.biases[0], np.array([0.5]))
    same = perturb(net, [0.0], rng=1)
    assert np.array_equal(same.weights[0], net.weights[0])


@pytest.mark.parametrize("kw, name", [({"rtol": -0.1}, "rtol"), ({"atol": -1e-3}, "atol"),
                                      ({"rtol": np.nan}, "rtol"), ({"atol": np.inf}, "atol")])
def test_sup_diff_upper_rejects_bad_tolerances(kw, name):
    net = Network([np.array([[1.0]])], [np.array([0.0])], "identity")
    with pytest.raises(ValueError, match=f"{name} must be finite and >= 0"):
        sup_diff_upper(net, net, **kw)


def test_sup_diff_upper_zero_tolerances_allowed():
    """rtol = atol = 0 is legal: f - g = 0.5 x on [-1, 1] has sup exactly 0.5."""
    f = Network([np.array([[1.0]])], [np.array([0.0])], "identity")
    g = Network([np.array([[0.5]])], [np.array([0.0])], "identity")
    r = sup_diff_upper(f, g, rtol=0.0, atol=0.0)
    assert r.upper == pytest.approx(0.5, abs=1e-12)
