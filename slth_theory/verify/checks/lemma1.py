"""Lemma 1 (Section 2): bias-free ReLU networks cannot approximate g(x) = 0.5 on [-1, 1]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slth_theory.engine.codec import register_type
from slth_theory.theory import lemma1 as L1
from slth_theory.verify.report import Check, CheckOutput, ClaimRow

_QUAD_TOL = 1e-8


def run(level: str, seed: int) -> CheckOutput:
    c = L1.PAPER_C
    opt = L1.optimum(c)
    quick = level == "quick"
    res = L1.confirm(c, depths=(1, 2, 3) if quick else (1, 2, 3, 4),
                     widths=(2, 16) if quick else (2, 8, 32),
                     steps=500 if quick else 3000, rng=[seed, 1])
    fits = res["bias_free"]
    n = len(fits)
    best = min(fits, key=lambda f: f.mse_exact)
    gap = res["min_gap"]
    grid_gap = min(f.mse_grid for f in fits) - opt["mse"]
    wb = res["with_bias"]
    holds_bound = gap >= -1e-15 and grid_gap >= -_QUAD_TOL and \
        res["max_homogeneity_residual"] < 1e-12
    rows = [
        ClaimRow(
            "lemma1.optimum",
            "g = 0.5: the best f = w+ phi(x) + w- phi(-x) has w+ = w- = 3/4",
            f"exact minimiser w+ = w- = 3c/2 = {opt['w_plus']:g}; GD best fit "
            f"w+ = {best.w_plus:.6f}, w- = {best.w_minus:.6f}",
            L1.optimum_verdict(L1.PAPER_W, opt["w_plus"], best.w_plus)
            if L1.optimum_verdict(L1.PAPER_W, opt["w_minus"], best.w_minus) == "holds"
            else "fails",
            "int_0^1 (c - w x)^2 dx = c^2 - c w + w^2/3 is minimal at w = 3c/2; "
            f"GD fit tolerance |w - 3c/2| <= {L1.W_FIT_TOL:g}",
            estimate=opt["w_plus"],
        ),
        ClaimRow(
            "lemma1.value",
            "minimum MSE = int_{-1}^{1} (g - f)^2 dx = 1/16",
            f"int_{{-1}}^{{1}} (g - f)^2 dx = c^2/2 = {opt['integral']:g}; "
            f"MSE = integral / 2 = c^2/4 = {opt['mse']:g}",
            *L1.value_verdict(L1.PAPER_VALUE, opt["integral"]),
            estimate=opt["mse"],
        ),
        ClaimRow(
            "lemma1.bias_free_bound",
            "a univariate bias-free ReLU network is w+ phi(x) + w- phi(-x); it cannot get "
            "below the error 1/16",
            f"{n} bias-free nets (depth 2-{max(len(f.widths) for f in fits) - 1}, widths "
            f"2-{max(max(f.widths) for f in fits)}) trained by GD: min MSE "
            f"{best.mse_exact:.12f} (bound c^2/4 = {opt['mse']:g}, gap {gap:.1e}); "
            f"max |f - [f(1) phi(x) + f(-1) phi(-x)]| = {res['max_homogeneity_residual']:.1e}; "
            f"min sup|g - f| = {res['min_sup_error']:g} (bound |c| = {abs(c):g})",
            "holds" if holds_bound and res["min_sup_error"] >= abs(c) else "fails",
            "every bias-free net is positively 1-homogeneous, so f = f(1) phi(x) + "
            "f(-1) phi(-x): MSE >= c^2/4 for any depth/width (ReLU output, c < 0: c^2); "
            "sup-norm error >= |c| since f(0) = 0",
            estimate=best.mse_exact,
        ),
        ClaimRow(
            "lemma1.with_bias",
            "one neuron with a bias represents g = 0.5 exactly: 0.5 = phi(0.5)",
            f"GD on v phi(w x + b) reaches MSE {wb.mse_grid:.1e} (w = "
            f"{float(wb.net.weights[0][0, 0]):.2g}, b = {float(wb.net.biases[0][0]):.3g}, "
            f"v = {float(wb.net.weights[1][0, 0]):.3g})",
            "holds" if wb.mse_grid < 1e-10 else "fails",
            "GD tolerance 1e-10",
            estimate=wb.mse_grid,
        ),
    ]
    return CheckOutput(rows, {"result": res})


def plot(data: dict[str, Any], outdir: Path) -> list[Path]:
    return [L1.save_figure(data["result"], outdir)]


register_type(L1.FitResult)  # stored as figure data

CHECKS = [Check("lemma1", run, plot, order=10, cost=1.0)]
