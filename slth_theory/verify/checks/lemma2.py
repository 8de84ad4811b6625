"""Lemma 2 (homogeneity transform), Section 3.1's scaling remark and Section 5's output
scale: exact checks (float64 rounding is the only tolerance).

The paper's transforms are injectable (:data:`PAPER`): the identity is tested with the
formula as printed, evaluated by :func:`slth_theory.theory.lemma2.transform_parameters`
(which, unlike the library's :func:`~slth_theory.theory.lemma2.homogeneity_transform`,
accepts zero and negative factors).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from slth_theory.model.network import Network
from slth_theory.model.schemes import initialize
from slth_theory.theory.lemma2 import transform_parameters
from slth_theory.verify.report import CheckOutput, ClaimInfo, ClaimRow, register_check

TOL = 1e-12  # relative; float64 rounding of products of <= 7 factors

PAPER: dict[str, Any] = {
    # bias factor of layer l (1-based) for factors s_1..s_L: prod_{m<=l} s_m
    "bias_factor": lambda l, s: float(np.prod(s[:l])),
    # output factor prod_l s_l
    "output_factor": lambda s: float(np.prod(s)),
    # the factors for which Lemma 2 is stated: "a scalar sigma_l" (any real)
    "sigma_classes": ("positive", "zero", "negative"),
    # Section 3.1: zero biases, f(x | s theta) = s^L f(x | theta)
    "uniform_exponent": lambda L: L,
    # Section 5: w * lam^(1/L), b^(l) * lam^(l/L) scales the output by lam
    "rescale_exponents": lambda l, L: (1.0 / L, l / L),
    # Section 5: "in the existence proof, lambda = prod_{m=1}^{L} sigma_{w,m}"
    "section5_lambda": lambda s: float(np.prod(s)),
    # Theorem 5: "the output is scaled by lambda = prod_{l=1}^{2L} sigma_{w,l}^{-1}"
    "theorem5_lambda": lambda s: float(np.prod(1.0 / np.asarray(s))),
}


def apply_transform(net: Network, sigmas, bias_factor) -> Network:
    """``h(theta, sigma)`` with a given bias factor (the paper's, or a mutated one)."""
    s = np.asarray(sigmas, float)
    ws = [w * s[i] for i, w in enumerate(net.weights)]
    bs = [b * bias_factor(i + 1, s) for i, b in enumerate(net.biases)]
    return Network(ws, bs, net.output_activation, {})


def _random_net(rng: np.random.Generator, min_depth: int = 1) -> tuple[Network, np.ndarray]:
    depth = int(rng.integers(min_depth, 7))
    widths = [int(v) for v in rng.integers(1, 12, size=depth + 1)]
    act = "relu" if rng.random() < 0.5 else "identity"
    net = initialize(widths, "he-normal", bias="nonzero", output_activation=act, rng=rng)
    return net, rng.uniform(-1, 1, size=(64, widths[0]))


def _rel_dev(got: np.ndarray, expect: np.ndarray) -> float:
    scale = max(float(np.max(np.abs(expect))), float(np.max(np.abs(got))), 1e-300)
    return float(np.max(np.abs(got - expect)) / scale)


def homogeneity_devs(level: str, seed: int, p: dict[str, Any]) -> dict[str, float]:
    """Largest relative deviation of ``f(x | h(theta, s))`` from ``output_factor(s) f(x)``,
    per class of factors: all positive, one zero, one negative."""
    n_nets = 20 if level == "quick" else 200
    out = {"positive": 0.0, "zero": 0.0, "negative": 0.0}
    for child in np.random.SeedSequence([seed, 2]).spawn(n_nets):
        rng = np.random.default_rng(child)
        net, x = _random_net(rng)
        f = net.forward(x)
        base = np.exp(rng.uniform(-2, 2, size=net.depth))
        for cls in out:
            s = base.copy()
            k = int(rng.integers(net.depth))
            if cls == "zero":
                s[k] = 0.0
            elif cls == "negative":
                s[k] = -s[k]
            g = apply_transform(net, s, p["bias_factor"]).forward(x)
            out[cls] = max(out[cls], _rel_dev(g, p["output_factor"](s) * f))
    return out


def sign_verdict(devs: dict[str, float], claimed: tuple[str, ...], tol: float = TOL
                 ) -> tuple[str, str, str]:
    """Verdict on Lemma 2 for the factor classes the text claims it for.

    ``holds`` if the identity holds (to ``tol``) in every claimed class; ``holds under a
    condition the text omits`` if it fails only for negative factors (so ``sigma_l >= 0``
    is the missing condition); ``wrong`` if it fails for positive factors.
    """
    failing = [c for c in claimed if devs[c] > tol]
    if not failing:
        return "holds", f"every claimed class within {tol:g}", ""
    if devs["positive"] > tol:
        return ("wrong", f"fails for positive factors (relative deviation "
                f"{devs['positive']:.3g})", "")
    if failing == ["negative"] and devs["zero"] <= tol:
        return ("holds under a condition the text omits",
                "condition: sigma_l >= 0. For sigma_l < 0, phi(s z) = |s| phi(-z), not "
                "s phi(z); e.g. L = 1, w = 1, b = 0, x = 1, sigma = -1: f(x | h) = phi(-1) = 0 "
                "but sigma f(x) = -1",
                "f(x | h(theta, sigma)) = prod_l sigma_l f(x | theta) for all sigma_l >= 0")
    return "wrong", f"fails for {failing}", ""


def rescale_dev(level: str, seed: int, exponents) -> float:
    """Section 5: largest relative deviation of the rescaled net from ``lam f``."""
    n_nets = 20 if level == "quick" else 200
    worst = 0.0
    for child in np.random.SeedSequence([seed, 22]).spawn(n_nets):
        rng = np.random.default_rng(child)
        net, x = _random_net(rng)
        lam = float(np.exp(rng.uniform(-3, 3)))
        L = net.depth
        ws = [w * lam ** exponents(i + 1, L)[0] for i, w in enumerate(net.weights)]
        bs = [b * lam ** exponents(i + 1, L)[1] for i, b in enumerate(net.biases)]
        g = Network(ws, bs, net.output_activation, {}).forward(x)
        worst = max(worst, _rel_dev(g, lam * net.forward(x)))
    return worst


def uniform_scaling_devs(level: str, seed: int, exponent) -> tuple[float, float]:
    """Section 3.1: ``f(x | s theta)`` vs ``s^exponent(L) f``: largest relative deviation
    with zero biases, smallest with non-zero biases."""
    n_nets = 20 if level == "quick" else 200
    worst_zero, best_bias = 0.0, np.inf
    for child in np.random.SeedSequence([seed, 21]).spawn(n_nets):
        rng = np.random.default_rng(child)
        depth = int(rng.integers(2, 6))
        widths = [int(v) for v in rng.integers(2, 12, size=depth + 1)]
        s = float(np.exp(rng.uniform(-1.5, 1.5)))
        if abs(np.log(s)) < 0.1:
            s = 2.0
        x = rng.uniform(-1, 1, size=(64, widths[0]))
        for bias in ("zero", "nonzero"):
            net = initialize(widths, "he-uniform", bias=bias, output_activation="identity",
                             rng=child.spawn(1)[0])
            scaled = Network([w * s for w in net.weights], [b * s for b in net.biases],
                             "identity", {})
            dev = _rel_dev(scaled.forward(x), s ** exponent(depth) * net.forward(x))
            if bias == "zero":
                worst_zero = max(worst_zero, dev)
            else:
                best_bias = min(best_bias, dev)
    return worst_zero, best_bias


def needed_lambda(seed: int, target_depth: int = 2) -> tuple[float, np.ndarray, int]:
    """The output scale a ticket of a Theorem 5 mother network needs, measured.

    A mother network of depth ``2L`` with parameters ``U[-1, 1]`` (the proof's equivalent
    setting) is mapped by Lemma 2 to the stated initialisation ``w ~ U[-s_l, s_l]``,
    ``b ~ U[-prod s, prod s]`` (He-uniform half-widths ``s_l = sqrt(6 / n_l)``); the
    scale restoring the ``U[-1, 1]`` network's output is fitted by least squares
    (Section 5's ``lambda_mse``) over 256 inputs.
    """
    rng = np.random.default_rng([seed, 23])
    widths = [2] + [12, 3] * (target_depth - 1) + [12, 1]
    L2 = len(widths) - 1
    ws = [rng.uniform(-1, 1, (widths[i + 1], widths[i])) for i in range(L2)]
    bs = [rng.uniform(-1, 1, widths[i + 1]) for i in range(L2)]
    unit = Network(ws, bs, "identity", {})
    s = np.sqrt(6.0 / np.asarray(widths[1:], float))
    w2, b2 = transform_parameters(ws, bs, s)
    scaled = Network(w2, b2, "identity", {})
    x = rng.uniform(-1, 1, (256, widths[0]))
    fu, fs = unit.forward(x)[:, 0], scaled.forward(x)[:, 0]
    return float(fu @ fs / (fs @ fs)), s, L2


def lambda_verdict(formula, needed: float, sigmas: np.ndarray, tol: float = 1e-9
                   ) -> tuple[str, str, str]:
    """``holds`` if ``formula(sigmas)`` is the needed scale; ``typo`` if its inverse is
    (the one-symbol change ``sigma -> sigma^-1``); ``wrong`` otherwise."""
    val = formula(sigmas)
    if abs(val - needed) <= tol * abs(needed):
        return "holds", f"formula = needed = {needed:.6g}", ""
    if val != 0 and abs(1.0 / val - needed) <= tol * abs(needed):
        return ("typo", f"the formula gives {val:.4g}, the ticket needs its inverse "
                f"{needed:.4g}; change: sigma_(w,m) -> sigma_(w,m)^(-1)",
                "lambda = prod_{m=1}^{L} sigma_{w,m}^{-1}, L the depth of the pruned "
                "(mother) network; lambda > 1 for sigma < 1, as the text expects")
    return ("wrong", f"the formula gives {val:.4g}, the ticket needs {needed:.4g} "
            f"(ratio {needed / val:.4g})", "")


def evaluate(level: str, seed: int, paper: dict[str, Any] | None = None) -> CheckOutput:
    """The Lemma 2 / Section 3.1 / Section 5 rows for ``paper`` (default :data:`PAPER`)."""
    p = dict(PAPER, **(paper or {}))
    n = 20 if level == "quick" else 200
    devs = homogeneity_devs(level, seed, p)
    rows: list[ClaimRow] = []
    v = "holds" if devs["positive"] <= TOL else "wrong"
    rows.append(ClaimRow(
        "lemma2.homogeneity",
        "f(x | h(theta, sigma)) = prod_l sigma_l f(x | theta), weights x sigma_l, biases x "
        "prod_{m<=l} sigma_m (sigma_l > 0)",
        f"max relative deviation {devs['positive']:.2e} over {n} random nets x 64 inputs, "
        "relu and identity outputs", v, f"tolerance {TOL:g} (float64 rounding)",
        estimate=devs["positive"]))
    v, d, rep = sign_verdict(devs, tuple(p["sigma_classes"]))
    rows.append(ClaimRow(
        "lemma2.sigma_sign",
        "Lemma 2 for 'a scalar sigma_l' (the text states no sign condition)",
        f"max relative deviation: sigma_l > 0: {devs['positive']:.1e}; one sigma_l = 0: "
        f"{devs['zero']:.1e}; one sigma_l < 0: {devs['negative']:.2f}", v, d, repaired=rep,
        estimate=devs["negative"]))
    worst_zero, best_bias = uniform_scaling_devs(level, seed, p["uniform_exponent"])
    ok = worst_zero <= TOL and best_bias > 1e-3
    rows.append(ClaimRow(
        "section3.homogeneity",
        "zero biases: f(x | s theta) = s^L f(x | theta); this no longer holds with non-zero "
        "biases",
        f"{n} random nets (depth 2-5), s in [0.22, 4.5]: zero biases max rel. deviation "
        f"{worst_zero:.1e}; non-zero biases min rel. deviation {best_bias:.2f}",
        "holds" if ok else "wrong",
        f"tolerance {TOL:g}; with biases the deviation is O(1)" if ok else
        f"zero-bias deviation {worst_zero:.3g}", estimate=worst_zero))
    dev = rescale_dev(level, seed, p["rescale_exponents"])
    rows.append(ClaimRow(
        "section5.rescaling", "w * lambda^(1/L), b^(l) * lambda^(l/L) scales the output by "
        "lambda", f"max relative deviation {dev:.2e} over {n} random nets x 64 inputs",
        "holds" if dev <= TOL else "wrong", f"tolerance {TOL:g}", estimate=dev))
    needed, s, L2 = needed_lambda(seed)
    v5, d5, rep5 = lambda_verdict(p["section5_lambda"], needed, s)
    rows.append(ClaimRow(
        "section5.lambda", "in the existence proof, lambda = prod_{m=1}^{L} sigma_{w,m} "
        "(Section 5)",
        f"depth-{L2} mother net, He-uniform half-widths sigma_l = sqrt(6/n_l): the ticket "
        f"needs lambda = {needed:.6g}; prod sigma = {float(np.prod(s)):.6g}", v5, d5,
        repaired=rep5, estimate=needed))
    vt, dt, rept = lambda_verdict(p["theorem5_lambda"], needed, s)
    rows.append(ClaimRow(
        "theorem5.lambda", "the output is scaled by lambda = prod_{l=1}^{2L} sigma_{w,l}^{-1} "
        "(Theorem 5)", f"needed lambda {needed:.10g}; prod sigma^-1 = "
        f"{float(np.prod(1 / s)):.10g}", vt, dt, repaired=rept, estimate=needed))
    neg_t = Network([np.array([[1.0]])], [np.zeros(1)], "relu", {"lemma2": "target"})
    w2, b2 = transform_parameters(neg_t.weights, neg_t.biases, [-1.0])
    neg_h = Network(w2, b2, "relu", {"lemma2": "h(theta, -1)"})
    return CheckOutput(rows, counterexamples={
        "lemma2.sigma_sign": {"theta": neg_t, "h_theta": neg_h}})


def run(level: str, seed: int) -> CheckOutput:
    return evaluate(level, seed)


CLAIMS = [
    ClaimInfo("lemma2.homogeneity", "Lemma 2 for positive factors",
              "random nets (depth 1-6, relu/identity output) transformed by the printed map; "
              "relative deviation from prod(sigma) f at 64 inputs, tolerance 1e-12",
              "slth verify --only lemma2"),
    ClaimInfo("lemma2.sigma_sign", "Lemma 2 for zero and negative factors",
              "the printed map evaluated directly (the library refuses sigma <= 0) with one "
              "factor set to 0 or negated",
              "slth verify --only lemma2 --save-counterexamples DIR  (theta and h(theta, -1): "
              "f = phi(x) becomes phi(-x), not -phi(x))"),
    ClaimInfo("section3.homogeneity", "Section 3.1: L-homogeneity without biases only",
              "random He-uniform nets scaled by one s, zero and non-zero biases",
              "slth verify --only lemma2"),
    ClaimInfo("section5.rescaling", "Section 5: w lambda^(1/L), b lambda^(l/L)",
              "random nets, relative deviation from lambda f, tolerance 1e-12",
              "slth verify --only lemma2"),
    ClaimInfo("section5.lambda", "Section 5's lambda of the existence proof",
              "a U[-1, 1] mother net of depth 4 mapped to the stated initialisation by "
              "Lemma 2; the needed scale fitted by least squares and compared with the "
              "formula and its inverse",
              "slth verify --only lemma2 --explain section5.lambda"),
    ClaimInfo("theorem5.lambda", "Theorem 5's lambda",
              "as section5.lambda, compared with prod_{l=1}^{2L} sigma_l^-1",
              "slth verify --only lemma2"),
]

register_check("lemma2", run, order=20, cost=0.3, claims=CLAIMS)
