"""Monte Carlo of subset-sum success against an exact probability (fixed seeds)."""

import numpy as np
import pytest
from scipy import integrate

from slth_theory.construction import calibration as cal


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


def _synthetic(dist, eps, n_list, p, se):
    return {"distribution": dist, "eps": eps, "n_list": n_list, "p": p, "se": se,
            "trials": 1000, "successes": [round(v * 1000) for v in p]}


def test_fit_C_hand_worked_example():
    """fit_C on a tiny synthetic grid; expected numbers worked out by hand (z = 2).

    uniform, eps = 0.1, n = [0, 4, 9], p - 2 se = [0.08, 0.91, 0.998]:
      delta 0.10 (needs >= 0.90): n_min 4, C = 4 / ln 10  = 4 / 2.302585093 = 1.737177928
      delta 0.05 (needs >= 0.95): n_min 9, C = 9 / ln 20  = 9 / 2.995732274 = 3.004273806
      delta 0.01 (needs >= 0.99): n_min 9, C = 9 / ln 100 = 9 / 4.605170186 = 1.954325169
      C = 3.004273806; C_small (min(eps, delta) <= 0.01: delta 0.01 only) = 1.954325169
    product, eps = 0.01, n = [0, 10], p - 2 se = [0.40, 0.96]:
      delta 0.10, 0.05: n_min 10, C = 10 / ln 100 = 2.171472410; delta 0.01: unreached
    """
    res = [_synthetic("uniform", 0.1, [0, 4, 9], [0.1, 0.93, 0.999], [0.01, 0.01, 0.0005]),
           _synthetic("product", 0.01, [0, 10], [0.5, 0.97], [0.05, 0.005])]
    fits = cal.fit_C(res)
    u, pr = fits["uniform"], fits["product"]
    assert [c["n_min"] for c in u["cells"]] == [4, 9, 9]
    assert [c["C_cell"] for c in u["cells"]] == pytest.approx(
        [1.737177928, 3.004273806, 1.954325169], rel=1e-8)
    assert u["C"] == pytest.approx(3.004273806, rel=1e-8)
    assert u["C_small"] == pytest.approx(1.954325169, rel=1e-8)
    assert u["unreached"] == []
    assert [c["n_min"] for c in pr["cells"]] == [10, 10, None]
    assert pr["C"] == pytest.approx(2.171472410, rel=1e-8)
    assert pr["C_small"] == pytest.approx(2.171472410, rel=1e-8)
    assert pr["unreached"] == [(0.01, 0.01)]
    # z = 4: 0.93 - 4 * 0.01 = 0.89 < 0.90, so the uniform delta-0.10 cell needs n = 9
    assert cal.fit_C(res, z=4.0)["uniform"]["cells"][0]["n_min"] == 9


@pytest.mark.parametrize("deltas", [(0.1, 1.0), (0.0,), (1.5,), (-0.1,), (float("nan"),)])
def test_fit_C_rejects_deltas_outside_open_unit_interval(deltas):
    res = [_synthetic("uniform", 0.1, [0, 4], [0.1, 0.99], [0.01, 0.001])]
    with pytest.raises(ValueError, match=r"deltas must each be in \(0, 1\)"):
        cal.fit_C(res, deltas=deltas)


def test_shipped_constants_load():
    data = cal.load()
    assert data["C"]["product"] > data["C"]["uniform"] > 0
    assert data["fits"]["product"]["C"] == data["C"]["product"]


def test_fitting_the_shipped_grid_reproduces_the_shipped_constants():
    data = cal.load()
    fits = cal.fit_C(data["results"])
    assert {d: f["C"] for d, f in fits.items()} == data["C"]
    assert {d: f["C_small"] for d, f in fits.items()} == data["C_small"]
