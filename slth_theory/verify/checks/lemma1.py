"""Lemma 1 (Section 2): bias-free ReLU networks cannot approximate ``g(x) = 0.5``.

Every verdict here is decided exactly (closed forms, rational arithmetic, explicit
networks); gradient-descent fits are shown beside them and can only *contradict* the
exact decision (a trained net below the bound says ``wrong``; trained nets that never
come near the bound say ``not reproduced``).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.engine.codec import register_type
from slth_theory.theory import lemma1 as L1
from slth_theory.verify.report import CheckOutput, ClaimInfo, ClaimRow, register_check

#: The paper's numbers and statements, injectable (mutation tests replace entries).
PAPER: dict[str, Any] = {
    "c": Fraction(1, 2),
    "value": Fraction(1, 16),      # "int_{-1}^{1} (g - f)^2 dx = 1/16"
    "w": Fraction(3, 4),           # "for w+ = 3/4 and w- = 3/4"
    "bound": Fraction(1, 16),      # "for any eps < 1/16, f fails to approximate g"
    # "0.5 = phi(0.5)": one neuron v phi(w x + b) + b_out with these parameters
    "bias_net": {"w": 0.0, "b": 0.5, "v": 1.0, "b_out": 0.0},
    # generalisation to [-1, 1]^n: the best MSE of a bias-free net is c^2 / (n + 1)^2
    "nd_mse": lambda n, c: c * c / (n + 1) ** 2,
}

# midpoint-rule (20000 points) error of a trained piecewise-linear fit's MSE: < 1e-8
QUAD_TOL = 1e-8
# trained nets "approach" the bound when the best one is within this relative distance
ATTAIN_RTOL = 1e-3
DIMENSIONS = (1, 2, 3, 4, 8)


def _eq(a: Fraction | float, b: Fraction | float) -> bool:
    return Fraction(a) == Fraction(b)


def _frac(v: Fraction | float) -> str:
    f = Fraction(v).limit_denominator(10**6)
    return f"{f.numerator}/{f.denominator}" if f.denominator != 1 else f"{f.numerator}"


def value_verdict(paper_value: Fraction, c: Fraction) -> tuple[str, str, str]:
    """Verdict, detail and repaired statement for "min int_{-1}^{1} (g - f)^2 dx = value".

    The exact minimum of the integral is ``c^2 / 2`` (``1/8``), the mean squared error
    (integral / 2) is ``c^2 / 4`` (``1/16``): ``typo`` when the paper's number is the MSE.
    """
    integral = c * c / 2
    if _eq(paper_value, integral):
        return "holds", f"the integral is {_frac(integral)}", ""
    repaired = (f"the minimum mean squared error (1/2) int_{{-1}}^{{1}} (g - f)^2 dx is "
                f"{_frac(integral / 2)} (the integral itself is {_frac(integral)})")
    if _eq(paper_value, integral / 2):
        return ("typo", f"{_frac(paper_value)} is the mean squared error; change: "
                "int -> (1/2) int (or 1/16 -> 1/8)", repaired)
    return ("wrong", f"{_frac(paper_value)} is neither the integral {_frac(integral)} nor "
            f"the MSE {_frac(integral / 2)} (at w+ = w- = 3c/2)", repaired)


def optimum_verdict(paper_w: Fraction, c: Fraction) -> tuple[str, str, str]:
    """"The minimum is attained at w+ = w- = paper_w": exact minimiser ``3c/2``."""
    w = 3 * c / 2
    if _eq(paper_w, w):
        return "holds", "d/dw (c^2 - c w + w^2/3) = 0 at w = 3c/2", ""
    gap = L1.two_param_mse(float(paper_w), float(paper_w), float(c)) - float(c * c / 4)
    return ("wrong", f"at w = {_frac(paper_w)} the MSE is {gap:.3g} above the minimum "
            f"attained at w = 3c/2 = {_frac(w)}", f"the minimiser is w+ = w- = {_frac(w)}")


def bias_free_bound_verdict(paper_bound: Fraction, c: Fraction, net_mses: list[float],
                            quad_tol: float = QUAD_TOL,
                            attain_rtol: float = ATTAIN_RTOL) -> tuple[str, str, str]:
    """"No bias-free ReLU net has MSE below ``paper_bound``, and this is the minimum".

    Decided exactly: every bias-free net equals ``f(1) phi(x) + f(-1) phi(-x)``, so its
    MSE is at least ``c^2 / 4``, attained by ``w+ = w- = 3c/2``. ``net_mses`` (grid MSEs
    of networks trained without biases) can contradict it: a net below ``paper_bound``
    makes the verdict ``wrong``; if none comes within ``attain_rtol`` of the exact
    minimum, the minimum is ``not reproduced`` by training.
    """
    exact = c * c / 4
    low = [m for m in net_mses if m < float(paper_bound) - quad_tol]
    if low:
        return ("wrong", f"a trained bias-free net reaches MSE {min(low):.6g} < "
                f"{_frac(paper_bound)}", f"the minimum MSE is {_frac(exact)}")
    if not _eq(paper_bound, exact):
        return ("wrong", f"the exact minimum over all bias-free nets is {_frac(exact)} "
                f"(w+ = w- = 3c/2), not {_frac(paper_bound)}",
                f"no bias-free ReLU net has MSE below {_frac(exact)}; it is attained")
    best = min(net_mses) if net_mses else float("inf")
    if best - float(exact) > attain_rtol * float(exact):
        return ("not reproduced", f"no trained net came within {attain_rtol:g} (relative) "
                f"of the minimum: best {best:.6g}", "")
    return ("holds", "f = f(1) phi(x) + f(-1) phi(-x) for every bias-free net (positive "
            f"homogeneity), so MSE >= c^2/4; best trained net {best - float(exact):.1e} above",
            "")


def with_bias_verdict(params: dict[str, float], c: Fraction) -> tuple[str, str, Any]:
    """"A network with biases represents g = c exactly": evaluate the explicit network.

    ``f(x) = v phi(w x + b) + b_out``; with ``w = 0`` it is constant, so equality at one
    point is equality everywhere; otherwise it is compared on a 2001-point grid.
    """
    net = L1.bias_neuron_network(**params)
    xs = np.linspace(-1.0, 1.0, 2001)[:, None]
    err = float(np.max(np.abs(net.forward(xs)[:, 0] - float(c))))
    if err == 0.0:
        return "holds", "max |f - c| = 0 exactly on [-1, 1]", net
    return "wrong", f"max |f - c| = {err:.3g} on a 2001-point grid of [-1, 1]", net


def nd_verdict(claimed, c: Fraction, dims=DIMENSIONS,
               mc_mse: dict[int, tuple[float, float]] | None = None,
               n_se: float = 5.0, trained: dict[int, tuple[float, float]] | None = None
               ) -> tuple[str, str, str]:
    """"The best MSE of a bias-free net for g = c on [-1, 1]^n is ``claimed(n, c)``".

    Exact value from :func:`slth_theory.theory.lemma1.constant_target_optimum_nd`; the
    explicit network ``a ||x||_inf`` attaining it is checked by Monte Carlo
    (``mc_mse[n] = (mean, stderr)``), so a wrong exact value would also be caught.
    """
    bad = []
    for n in dims:
        ex = L1.constant_target_optimum_nd(n, c)["mse"]
        if not _eq(claimed(n, c), ex):
            bad.append((n, claimed(n, c), ex))
        if mc_mse is not None:
            m, se = mc_mse[n]
            if abs(m - float(ex)) > n_se * se:
                return ("wrong", f"n = {n}: the explicit optimum net has MSE {m:.6g} +/- "
                        f"{se:.1g}, not {_frac(ex)}", "")
    for n, (m, se) in (trained or {}).items():
        ex = L1.constant_target_optimum_nd(n, c)["mse"]
        if m + n_se * se < float(claimed(n, c)):
            return ("wrong", f"n = {n}: a trained bias-free net has MSE {m:.5g} +/- {se:.1g} "
                    f"< {_frac(claimed(n, c))}", "")
    if bad:
        n, cl, ex = bad[0]
        return ("wrong", f"n = {n}: the best MSE is {_frac(ex)} (attained by a ||x||_inf), "
                f"not {_frac(cl)}",
                "the best MSE is c^2/(n+1)^2, attained by c (n+2)/(n+1) ||x||_inf")
    return "holds", "lower bound by homogeneity (t = ||x||_inf has density n t^(n-1)), " \
                    "attained by an explicit bias-free net", ""


TRAIN_DIMS = (2, 3)


def train_nd(c: Fraction, seed: int, level: str) -> dict[int, tuple[float, float]]:
    """Bias-free ``[n, 16, 16, 1]`` nets trained by Adam on uniform points of the cube;
    their MSE on fresh points, ``{n: (mean, stderr)}`` (an illustration: they may only
    contradict the exact value, never decide it)."""
    from slth_theory.model.schemes import initialize

    quick = level == "quick"
    out = {}
    for k, n in enumerate(TRAIN_DIMS):
        rng = np.random.default_rng([seed, 12, k])
        net = initialize([n, 16, 16, 1], "he-normal", bias="zero", rng=rng)
        pts = rng.uniform(-1, 1, (512 if quick else 4096, n))
        trained, _ = L1.train(net, float(c), steps=400 if quick else 1500, lr=0.01,
                              points=pts)
        x = rng.uniform(-1, 1, (20_000, n))
        r = (trained.forward(x)[:, 0] - float(c)) ** 2
        out[n] = (float(r.mean()), float(r.std(ddof=1) / np.sqrt(r.size)))
    return out


def _mc_nd(c: Fraction, seed: int, n_samples: int) -> dict[int, tuple[float, float]]:
    out = {}
    for k, n in enumerate(DIMENSIONS):
        opt = L1.constant_target_optimum_nd(n, c)
        net = L1.linf_network(n, float(opt["scale"]))
        x = np.random.default_rng([seed, 11, k]).uniform(-1.0, 1.0, (n_samples, n))
        r = (net.forward(x)[:, 0] - float(c)) ** 2
        out[n] = (float(r.mean()), float(r.std(ddof=1) / np.sqrt(n_samples)))
    return out


def train(level: str, seed: int, c: Fraction = PAPER["c"], *, steps: int | None = None,
          train_bias: bool = False) -> dict:
    """The gradient-descent fits of the level (:func:`slth_theory.theory.lemma1.confirm`).

    ``steps`` and ``train_bias`` exist for the mutation tests (training switched off, or
    biases trained in the "bias-free" nets)."""
    quick = level == "quick"
    return L1.confirm(float(c), depths=(1, 2, 3) if quick else (1, 2, 3, 4),
                      widths=(2, 16) if quick else (2, 8, 32),
                      steps=(500 if quick else 3000) if steps is None else steps,
                      rng=[seed, 1], train_bias=train_bias)


def measure(level: str, seed: int, c: Fraction = PAPER["c"]) -> dict[str, Any]:
    """Everything random of the Lemma 1 rows: the univariate fits (:func:`train`), the Monte
    Carlo of the explicit n-dimensional optima and the trained n-dimensional nets."""
    return {"fits": train(level, seed, c),
            "mc_nd": _mc_nd(c, seed, 20_000 if level == "quick" else 400_000),
            "trained_nd": train_nd(c, seed, level)}


def evaluate(level: str, seed: int, paper: dict[str, Any] | None = None, *,
             meas: dict[str, Any] | None = None, fits: dict | None = None,
             train_bias: bool = False) -> CheckOutput:
    """The Lemma 1 rows for ``paper`` (default :data:`PAPER`); ``meas`` reuses
    :func:`measure`'s result, ``fits`` replaces its univariate fits (``train_bias`` says
    whether they trained biases)."""
    p = dict(PAPER, **(paper or {}))
    c = Fraction(p["c"])
    meas = measure(level, seed, c) if meas is None else meas
    res = meas["fits"] if fits is None else fits
    fits = res["bias_free"]
    best = min(fits, key=lambda f: f.mse_grid)
    rows: list[ClaimRow] = []
    cex: dict[str, dict[str, Any]] = {}

    v, d, rep = optimum_verdict(Fraction(p["w"]), c)
    rows.append(ClaimRow(
        "lemma1.optimum", "g = 0.5: the best f = w+ phi(x) + w- phi(-x) has w+ = w- = 3/4",
        f"exact minimiser w+ = w- = 3c/2 = {_frac(3 * c / 2)}; best GD fit (illustration) "
        f"w+ = {best.w_plus:.6f}, w- = {best.w_minus:.6f}", v, d, repaired=rep,
        estimate=float(3 * c / 2)))

    v, d, rep = value_verdict(Fraction(p["value"]), c)
    rows.append(ClaimRow(
        "lemma1.value", "minimum MSE = int_{-1}^{1} (g - f)^2 dx = 1/16",
        f"int_{{-1}}^{{1}} (g - f)^2 dx = c^2/2 = {_frac(c * c / 2)}; mean squared error = "
        f"integral / 2 = c^2/4 = {_frac(c * c / 4)}", v, d, repaired=rep,
        estimate=float(c * c / 4)))

    mses = [f.mse_grid for f in fits]
    v, d, rep = bias_free_bound_verdict(Fraction(p["bound"]), c, mses)
    rows.append(ClaimRow(
        "lemma1.bias_free_bound",
        "no univariate bias-free ReLU net gets below the error 1/16 (for eps < 1/16 it fails)",
        f"exact: min over all bias-free nets = c^2/4 = {_frac(c * c / 4)}; {len(fits)} nets "
        f"(depth 2-{max(len(f.widths) for f in fits) - 1}, widths 2-"
        f"{max(max(f.widths) for f in fits)}) trained by Adam{' with biases' if train_bias else ''}"
        f": best grid MSE {best.mse_grid:.10f}; min sup|g - f| = {res['min_sup_error']:g}",
        v, d, repaired=rep, estimate=best.mse_grid))
    if v == "wrong" and train_bias:
        cex["lemma1.bias_free_bound"] = {"net": best.net}

    v, d, net = with_bias_verdict(p["bias_net"], c)
    bp = p["bias_net"]
    rows.append(ClaimRow(
        "lemma1.with_bias", "one neuron with a bias represents g = 0.5 exactly: 0.5 = phi(0.5)",
        f"explicit net f(x) = v phi(w x + b) + b_out with w = {bp['w']:g}, b = {bp['b']:g}, "
        f"v = {bp['v']:g}, b_out = {bp['b_out']:g}", v, d,
        repaired="" if v == "holds" else "0.5 = phi(0 x + 0.5)"))
    cex["lemma1.with_bias"] = {"net": net}

    mc, tr = meas["mc_nd"], meas["trained_nd"]
    v, d, rep = nd_verdict(p["nd_mse"], c, mc_mse=mc, trained=tr)
    vals = ", ".join(f"n={n}: {_frac(L1.constant_target_optimum_nd(n, c)['mse'])}"
                     for n in DIMENSIONS)
    worst = max(abs(mc[n][0] - float(L1.constant_target_optimum_nd(n, c)["mse"])) / mc[n][1]
                for n in DIMENSIONS)
    rows.append(ClaimRow(
        "lemma1.n_dimensions",
        "(generalisation) bias-free nets cannot approximate g = c on [-1, 1]^n either: best "
        "MSE c^2/(n+1)^2 > 0",
        f"exact best MSE {vals}; the bias-free net c(n+2)/(n+1) ||x||_inf attains it (Monte "
        f"Carlo max |z| = {worst:.2f}); Adam-trained bias-free [n, 16, 16, 1] nets: "
        + ", ".join(f"n={n}: {m:.4f} +/- {se:.1g}" for n, (m, se) in tr.items()), v, d,
        repaired=rep or "the n = 1 value 1/16 becomes c^2/(n+1)^2: it shrinks like 1/n^2 but "
        "stays positive", estimate=float(L1.constant_target_optimum_nd(2, c)["mse"])))
    nd_net = L1.linf_network(2, float(L1.constant_target_optimum_nd(2, c)["scale"]))
    cex["lemma1.n_dimensions"] = {"net": nd_net}
    return CheckOutput(rows, {"result": res}, counterexamples=cex)


def run(level: str, seed: int) -> CheckOutput:
    return evaluate(level, seed)


def plot(data: dict[str, Any], outdir: Path) -> list[Path]:
    return [L1.save_figure(data["result"], outdir)]


CLAIMS = [
    ClaimInfo("lemma1.optimum",
              "the minimiser w+ = w- = 3/4 of the two-parameter family",
              "exact: int_0^1 (c - w x)^2 dx = c^2 - c w + w^2/3 is minimal at w = 3c/2",
              "python -c \"from slth_theory.theory.lemma1 import optimum; print(optimum(0.5))\""),
    ClaimInfo("lemma1.value", "the minimum value 1/16, written as int_{-1}^{1} (g - f)^2 dx",
              "exact rational arithmetic: integral c^2/2, mean squared error c^2/4",
              "python -c \"from slth_theory.theory.lemma1 import optimum; print(optimum(0.5))\""),
    ClaimInfo("lemma1.bias_free_bound",
              "no bias-free ReLU net of any depth/width gets below the MSE 1/16",
              "exact (positive homogeneity reduces every bias-free net to w+ phi(x) + "
              "w- phi(-x)); nets of several depths and widths trained by Adam may contradict "
              "it (a net below the bound: wrong; none near it: not reproduced)",
              "slth verify --only lemma1 --save-counterexamples DIR"),
    ClaimInfo("lemma1.with_bias", "0.5 = phi(0.5): one neuron with a bias represents g exactly",
              "the explicit network (w = 0, b = 0.5, v = 1, output bias 0) evaluated in float64",
              "slth verify --only lemma1 --save-counterexamples DIR  (DIR/lemma1.with_bias"
              ".net.npz)"),
    ClaimInfo("lemma1.n_dimensions",
              "Lemma 1 for inputs in [-1, 1]^n: the best MSE c^2/(n+1)^2",
              "exact lower bound by homogeneity (E t = n/(n+1), E t^2 = n/(n+2) for "
              "t = ||x||_inf), attained by an explicit bias-free network computing "
              "c(n+2)/(n+1) ||x||_inf, whose MSE is checked by Monte Carlo (5 SE)",
              "slth verify --only lemma1 --save-counterexamples DIR  (the n = 2 optimum net)"),
]

register_type(L1.FitResult)  # stored as figure data
register_check("lemma1", run, plot=plot, order=10, cost=1.0, claims=CLAIMS)
