"""Monte Carlo of subset-sum success against an exact probability (fixed seeds)."""

import numpy as np
import pytest
from scipy import integrate

from slth_theory import calibration as cal


def _p_one_uniform(eps):
    """P(|t| <= eps or |X - t| <= eps), X, t ~ U[-1, 1] independent (n = 1)."""
    def cover(t):
        if abs(t) <= eps:
            return 1.0
        lo, hi = max(-1.0, t - eps), min(1.0, t + eps)
        return (hi - lo) / 2
    val, _ = integrate.quad(cover, -1, 1, points=[-eps, eps, 1 - eps, -1 + eps], limit=200)
    return val / 2


@pytest.mark.parametrize("eps", [0.05, 0.2])
def test_success_probability_n1_matches_exact(eps):
    r = cal.run_one({"distribution": "uniform", "eps": eps, "n_list": [0, 1],
                     "trials": 20000}, 12345)
    p_exact = [eps, _p_one_uniform(eps)]
    for k in range(2):
        se = np.sqrt(p_exact[k] * (1 - p_exact[k]) / r["trials"])
        z = (r["p"][k] - p_exact[k]) / se
        assert abs(z) < 5, (eps, k, r["p"][k], p_exact[k], se, z)


def test_success_monotone_in_n_and_fit():
    res = cal.run_grid(cal.grid(quick=True), root_seed=3)
    for r in res:
        assert all(a <= b for a, b in zip(r["successes"], r["successes"][1:], strict=False))
    fits = cal.fit_C(res)
    assert set(fits) == {"uniform", "product"}
    for f in fits.values():
        for c in f["cells"]:
            if c["n_min"] is not None:
                assert c["C_cell"] * np.log(1 / min(c["eps"], c["delta"])) == \
                    pytest.approx(c["n_min"])


def test_shipped_constants_load():
    data = cal.load()
    assert data["C"]["product"] > data["C"]["uniform"] > 0
    assert "results" in data and data["fits"]["product"]["C"] == data["C"]["product"]
