"""Theorem 5 width formulas, checked by hand."""

import math

import numpy as np
import pytest

from slth_theory.model.network import Network
from slth_theory.theory.theorem5 import width_bound


def test_arch_only_formulas_by_hand():
    eps, delta, C = 0.01, 0.05, 2.0
    r = width_bound([2, 20, 1], eps, delta, C, formula="appendix")
    L = 2
    eps1 = eps / (L * 21 * 3 * math.e)
    d1 = delta / (L * 1 * 20)  # k_{0,max} := 1 for the input layer
    assert r.layers[0].eps_l == pytest.approx(eps1)
    assert r.layers[0].n_odd == math.ceil(C * 2 * math.log(1 / min(eps1, d1)))
    eps2 = eps / (L * 2 * 21 * math.e)
    d2 = delta / (L * 3 * 1)  # k_{1,max} = n_0 + 1 = 3
    assert r.layers[1].n_odd == math.ceil(C * 20 * math.log(1 / min(eps2, d2)))
    m = width_bound([2, 20, 1], eps, delta, C, formula="main")
    assert m.layers[1].n_odd == math.ceil(C * 20 * math.log(3 * 1 / min(eps2, delta / L)))
    w = r.mother_widths
    assert w[0] == 2 and w[2] == 20 and w[4] == 1
    assert r.mother_params == sum(w[i] * w[i + 1] + w[i + 1] for i in range(4))


def test_target_formulas_use_target_degrees():
    w = np.array([[0.5, 0.0], [0.2, -0.1]])
    t = Network([w, np.array([[1.0, 0.0]])], [np.array([0.0, 0.3]), np.zeros(1)], "identity")
    r = width_bound(None, 0.01, 0.05, 1.0, target=t, formula="corrected")
    assert [ly.k_max for ly in r.layers] == [3, 1]
    c = width_bound(None, 0.01, 0.05, 1.0, target=t, formula="construction")
    assert c.mother_widths[1] == 3 * 2 * math.ceil(math.log(1 / min(c.layers[0].eps_l,
                                                                     c.layers[0].delta_l)))


def test_bad_input():
    with pytest.raises(ValueError, match="delta"):
        width_bound([2, 3, 1], 0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="eps"):
        width_bound([2, 3, 1], 0.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="needs a target"):
        width_bound([2, 3, 1], 0.1, 0.5, 1.0, formula="corrected")
