"""Lemma 2 (homogeneity transform) and the Section 5 output-scale distribution: exact checks."""

from __future__ import annotations

import numpy as np

from ...init import initialize
from ...scaling import distribute_output_scale, homogeneity_transform, log_output_factor
from ..claims import Check, CheckOutput, ClaimRow


def _max_rel_error(level: str, seed: int) -> tuple[float, float, int]:
    """Largest relative deviation of f(x|h(theta,sigma)) from prod(sigma) f(x|theta)."""
    ss = np.random.SeedSequence([seed, 2])
    n_nets = 20 if level == "quick" else 200
    worst_h = worst_d = 0.0
    for child in ss.spawn(n_nets):
        rng = np.random.default_rng(child)
        depth = int(rng.integers(1, 7))
        widths = [int(v) for v in rng.integers(1, 12, size=depth + 1)]
        act = "relu" if rng.random() < 0.5 else "identity"
        net = initialize(widths, "he-normal", bias="nonzero", output_activation=act, rng=rng)
        x = rng.uniform(-1, 1, size=(64, widths[0]))
        sig = np.exp(rng.uniform(-2, 2, size=depth))
        f = net.forward(x)
        g = homogeneity_transform(net, sig).forward(x)
        expect = np.exp(log_output_factor(sig, depth)) * f
        scale = max(np.max(np.abs(expect)), 1e-300)
        worst_h = max(worst_h, float(np.max(np.abs(g - expect)) / scale))
        lam = float(np.exp(rng.uniform(-3, 3)))
        d = distribute_output_scale(net, lam).forward(x)
        scale = max(np.max(np.abs(lam * f)), 1e-300)
        worst_d = max(worst_d, float(np.max(np.abs(d - lam * f)) / scale))
    return worst_h, worst_d, n_nets


def run(level: str, seed: int) -> CheckOutput:
    worst_h, worst_d, n = _max_rel_error(level, seed)
    tol = 1e-12
    rows = [
        ClaimRow(
            "lemma2.homogeneity",
            "f(x | h(theta, sigma)) = prod_l sigma_l f(x | theta), weights x sigma_l, "
            "biases x prod_{m<=l} sigma_m",
            f"max relative deviation {worst_h:.2e} over {n} random nets x 64 inputs",
            "holds" if worst_h <= tol else "fails",
            f"tolerance {tol:g} (float64 rounding)",
            estimate=worst_h,
        ),
        ClaimRow(
            "section5.rescaling",
            "w * lambda^(1/L), b * lambda^(l/L) scales the output by lambda",
            f"max relative deviation {worst_d:.2e} over {n} random nets x 64 inputs",
            "holds" if worst_d <= tol else "fails",
            f"tolerance {tol:g} (float64 rounding)",
            estimate=worst_d,
        ),
    ]
    return CheckOutput(rows)


CHECKS = [Check("lemma2", run, order=20)]
