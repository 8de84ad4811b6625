"""Every row of the claims report can change its verdict: one mutation per row.

Each check keeps the paper's numbers and formulas in a ``PAPER`` dict that its ``evaluate``
(or ``rows_from``) takes as a parameter. For every row id we perturb one entry (a value,
a formula, an index) and assert that the row's verdict differs from the one on the
paper's own text. The expensive measurements (training, Monte Carlo, searches) are done
once per module and reused, so only the verdict logic reruns.
"""

from fractions import Fraction

import numpy as np
import pytest

from slth_theory.theory import lemma3 as M3
from slth_theory.theory import lemma3_laws as LAWS
from slth_theory.theory.lemma4 import tolerances
from slth_theory.verify import report
from slth_theory.verify.checks import figure1 as F1
from slth_theory.verify.checks import lemma1 as C1
from slth_theory.verify.checks import lemma2 as C2
from slth_theory.verify.checks import lemma3 as C3
from slth_theory.verify.checks import lemma4 as C4
from slth_theory.verify.checks import theorem5 as T5

SEED = 0


@pytest.fixture(scope="module")
def fits():
    return C1.measure("quick", SEED)


@pytest.fixture(scope="module")
def meas():
    return C3.measure("quick", SEED)


def _v(rows, rid):
    (row,) = [r for r in rows if r.id == rid]
    return row.verdict


def lemma1(meas, paper=None, **kw):
    return C1.evaluate("quick", SEED, paper, meas=meas, **kw).rows


def lemma3(meas, paper=None):
    return C3.rows_from(meas, SEED, paper)


def lemma4(paper=None):
    return C4.evaluate("quick", SEED, paper, cells=[]).rows


A = C3.ARCHS["A"]
_corr = C4.PAPER["tolerances"]["corrected"]

# row id -> (runner, mutation, verdict on the paper, verdict after the mutation)
MUTATIONS = {
    "lemma1.optimum": ("l1", {"w": Fraction(1)}, "holds", "wrong"),
    "lemma1.value": ("l1", {"value": Fraction(1, 8)}, "typo", "holds"),
    "lemma1.bias_free_bound": ("l1", {"bound": Fraction(1, 8)}, "holds", "wrong"),
    "lemma1.with_bias": ("l1", {"bias_net": {"w": 0.0, "b": 0.4, "v": 1.0, "b_out": 0.0}},
                         "holds", "wrong"),
    "lemma1.n_dimensions": ("l1", {"nd_mse": lambda n, c: c * c / 4}, "holds", "wrong"),
    "lemma2.homogeneity": ("l2", {"bias_factor": lambda l, s: float(s[l - 1])}, "holds",
                           "wrong"),
    "lemma2.sigma_sign": ("l2", {"sigma_classes": ("positive", "zero")},
                          "holds under a condition the text omits", "holds"),
    "section3.homogeneity": ("l2", {"uniform_exponent": lambda L: L + 1}, "holds", "wrong"),
    "section5.rescaling": ("l2", {"rescale_exponents": lambda l, L: (1.0 / L, 1.0 / L)},
                           "holds", "wrong"),
    "section5.lambda": ("l2", {"section5_lambda": lambda s: float(np.prod(s)) ** 2},
                        "typo", "wrong"),
    "theorem5.lambda": ("l2", {"theorem5_lambda": lambda s: float(np.prod(s))}, "holds",
                        "typo"),
    "lemma3.formula.normal": ("l3", {"formula": lambda *a: 1.2 * M3.lemma3_closed_form(*a)},
                              "holds", "wrong"),
    "lemma3.formula.uniform": ("l3", {"formula": lambda *a: 1.2 * M3.lemma3_closed_form(*a)},
                               "holds", "wrong"),
    "lemma3.closed_form": ("l3", {"formula": lambda *a: (1 + 1e-6) * M3.lemma3_closed_form(*a)},
                           "holds", "wrong"),
    "lemma3.hypotheses": ("l3", {"hypothesis": lambda w, b, tied: LAWS.mean(w) == 0
                                 and LAWS.mean(b) == 0}, "holds", "wrong"),
    "lemma3.he_claim": ("l3", {"he_value": lambda x2: x2 + 2.0}, "holds approximately",
                        "wrong"),
    "lemma3.he_claim.fan_in": ("l3", {"he_value": lambda x2: M3.he_claim(A, x2, "fan_in")[
        "total"]}, "holds under a condition the text omits", "holds"),
    "lemma3.he_claim.uniform": ("l3", {"he_value": lambda x2: M3.he_claim(
        A, x2, "fan_out", "uniform", "scale")["total"]}, "holds approximately", "holds"),
    "lemma3.he_claim.depth.normal": ("l3", {"deep_bias_term": lambda w, f: C3.deep_bias_term(
        w[1], len(w) - 1, f)}, "holds under a condition the text omits", "holds"),
    "lemma3.he_claim.depth.uniform": ("l3", {"deep_bias_term": lambda w, f: C3.deep_bias_term(
        w[1], len(w) - 1, f)}, "holds under a condition the text omits", "holds"),
    "looks_linear.growing": ("l3", {"looks_linear": lambda w, x2: x2 + 3 * (
        C3._paper_looks_linear(w, x2) - x2)}, "holds", "wrong"),
    "looks_linear.constant": ("l3", {"looks_linear": lambda w, x2: x2 + 3 * (
        C3._paper_looks_linear(w, x2) - x2)}, "holds", "wrong"),
    "looks_linear.shrinking": ("l3", {"looks_linear": lambda w, x2: x2 + 3 * (
        C3._paper_looks_linear(w, x2) - x2)}, "holds under a condition the text omits",
        "wrong"),
    "looks_linear.marginal": ("l3", {"marginal_var": lambda n: 1.0 / n},
                              "holds approximately", "wrong"),
    "lemma4.main": ("l4", {"tolerances": dict(C4.PAPER["tolerances"], main=_corr)}, "wrong",
                    "holds"),
    "lemma4.main-k": ("l4", {"tolerances": dict(C4.PAPER["tolerances"], **{"main-k": _corr})},
                      "wrong", "holds"),
    "lemma4.appendix": ("l4", {"tolerances": dict(C4.PAPER["tolerances"], appendix=_corr)},
                        "wrong", "holds"),
    "lemma4.appendix-k": ("l4", {"tolerances": dict(C4.PAPER["tolerances"],
                                                    **{"appendix-k": _corr})}, "wrong",
                          "holds"),
    "lemma4.corrected": ("l4", {"tolerances": dict(C4.PAPER["tolerances"], corrected=(
        lambda net, eps, st=None: 2 * tolerances(net, eps, "corrected", stats=st)))},
        "holds", "wrong"),
    "lemma4.corrected_dense": ("l4", {"tolerances": dict(C4.PAPER["tolerances"], **{
        "corrected-dense": lambda net, eps, st=None: 2 * tolerances(net, eps, stats=st, version=
                                                                    "corrected-dense")})},
        "holds", "wrong"),
    "lemma4.m_l_definition": ("l4", {"m_l": lambda params, tol: int(np.sum(params != 0))},
                              "wrong", "holds"),
    "lemma4.order": ("l4", {"order": lambda eps, L, n, m: 1e6 * C4.PAPER["order"](eps, L, n,
                                                                                  m)},
                     "holds under a condition the text omits", "wrong"),
    "theorem5.lueker": ("t5", {"lueker_C": 1.0}, "holds", "wrong"),
    "theorem5.delta_l": ("t5", {"delta_l": lambda d, L, n, kp, kl: d / (2 * L * n * kl)},
                         "typo", "holds"),
    "theorem5.width": ("t5", {"width_factor": lambda n, layer: 1}, "holds", "wrong"),
    "figure1.bias": ("f1", {"bias_factor": 0.5}, "not reproduced", "holds"),
    "figure1.scaled": ("f1", {"extreme": (0.2,)}, "holds", "not reproduced"),
    "figure1.onion": ("f1", {"onion_margin": -0.05}, "not reproduced", "holds"),
}


def _rows(kind, fits, meas, paper):
    if kind == "l1":
        return lemma1(fits, paper)
    if kind == "l2":
        return C2.evaluate("quick", SEED, paper).rows
    if kind == "l3":
        return lemma3(meas, paper)
    if kind == "l4":
        return lemma4(paper)
    if kind == "t5":
        return T5.evaluate("quick", SEED, paper).rows
    return F1.evaluate("quick", SEED, paper).rows


@pytest.mark.parametrize("rid", sorted(MUTATIONS))
def test_mutation_changes_the_verdict(rid, fits, meas):
    kind, mutation, before, after = MUTATIONS[rid]
    assert _v(_rows(kind, fits, meas, None), rid) == before
    assert _v(_rows(kind, fits, meas, mutation), rid) == after


def test_every_registered_row_has_a_mutation():
    ids = {i.id for c in report._discover().values() for i in c.claims}
    assert ids == set(MUTATIONS)


def test_lemma1_training_can_contradict_the_bound(fits):
    """Biases trained in the 'bias-free' nets beat 1/16: wrong; training switched off:
    the minimum is not reproduced."""
    broken = C1.train("quick", SEED, steps=60, train_bias=True)
    assert _v(lemma1(fits, fits=broken, train_bias=True), "lemma1.bias_free_bound") == "wrong"
    off = C1.train("quick", SEED, steps=1)
    assert _v(lemma1(fits, fits=off), "lemma1.bias_free_bound") == "not reproduced"


def test_lemma1_exact_optimum_in_n_dimensions():
    for n in (1, 2, 3, 7):
        opt = C1.L1.constant_target_optimum_nd(n, Fraction(1, 2))
        assert opt["mse"] == Fraction(1, 4 * (n + 1) ** 2)
        net = C1.L1.linf_network(n, float(opt["scale"]))
        x = np.random.default_rng(n).uniform(-1, 1, (500, n))
        assert np.allclose(net.forward(x)[:, 0], float(opt["scale"]) * np.abs(x).max(1),
                           rtol=0, atol=1e-14)
        assert all(np.all(b == 0) for b in net.biases)


@pytest.mark.parametrize("args, kwargs, verdict", [
    ((True, True, 1.0, 1.0), {}, "holds"),                       # exact and MC agree
    ((False, True, 1.0, 1.0638), {}, "holds approximately"),     # within HE_REL_TOL
    ((True, True, 1.0, 1.05), {}, "holds approximately"),        # not exact: not "holds"
    ((False, True, 1.0, 1.2), {}, "wrong"),                      # beyond HE_REL_TOL
    ((False, False, 1.0, 1.02), {}, "wrong"),                    # MC disagrees with exact
    ((False, True, 1.0, 1.0638), {"rel_tol": 0.05}, "wrong"),    # the tolerance decides
])
def test_he_verdict_branches(args, kwargs, verdict):
    """Each branch of the He-remark verdict, at and across its tolerance."""
    from slth_theory.verify.checks.lemma3 import he_verdict
    assert he_verdict(*args, **kwargs) == verdict


@pytest.mark.parametrize("args, verdict", [
    ((True, False, False, "wrong"), "holds"),
    ((False, True, True, "holds approximately"), "holds under a condition the text omits"),
    ((False, True, False, "holds"), "wrong"),        # not exactly n_L/n_0 times fan_out
    ((False, True, True, "wrong"), "wrong"),         # the fan_out reading fails
    ((False, False, True, "holds"), "wrong"),        # MC disagrees with the exact value
])
def test_he_fan_in_verdict_branches(args, verdict):
    from slth_theory.verify.checks.lemma3 import he_fan_in_verdict
    assert he_fan_in_verdict(*args) == verdict
