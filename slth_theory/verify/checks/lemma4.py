"""Lemma 4 (approximation propagation): the printed tolerances ``eps_l`` against seed-free
closed-form counterexamples and a random/adversarial search; the definitions as written;
the text's statement about the size of ``eps_l``; the corrected bound with and without the
zero-pattern assumption, with its slack.

First line (decides the verdicts of the printed versions, no randomness): the families of
:mod:`slth_theory.theory.lemma4_families`, on which ``error/eps`` grows without bound with
the width or the depth, as a formula and measured exactly.

Second line (reported beside it): for each version and each target of :data:`FAMILIES`,
every parameter of layer ``l`` is moved by exactly ``eps_l`` with random and with
adversarial signs (sign-gradient ascent at the current worst input, alternated with
:func:`slth_theory.numerics.supnorm.sup_diff`); the largest ``sup ||f - f_eps||_2 / eps``
is reported. ``slth_theory/data/lemma4_counterexamples.json`` holds one stored search
counterexample per printed version, replayed exactly (no estimation).
"""

from __future__ import annotations

import functools
import math
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.data import read_json
from slth_theory.engine.files import save_figure, write_text
from slth_theory.model.network import Network
from slth_theory.numerics.supnorm import sup_diff
from slth_theory.theory import lemma4_families as FAM
from slth_theory.theory.lemma4 import (
    PAPER_VERSIONS,
    VERSIONS,
    corrected_bound,
    error_bound,
    layer_stats,
    tolerances,
)
from slth_theory.theory.lemma4_attack import adversarial_signs, perturb
from slth_theory.verify.report import CheckOutput, ClaimInfo, ClaimRow, register_check

DATA_FILE = "lemma4_counterexamples.json"  # shipped in slth_theory/data
FAMILIES = ("random", "sparse", "small", "equal", "wide", "deep")
# float64 evaluation of f - f_eps is exact to ~1e-13 relative at these sizes
_TOL = 1e-9
EPS = 1e-2

#: Family sizes of the seed-free counterexamples shown in the report.
WIDTH_SERIES = (4, 16, 64, 256)      # ones_chain at depth 3, tiny_neuron n0
DEPTH_SERIES = (2, 4, 8, 12)         # ones_chain at width 3


def _paper_tolerance(version: str):
    return lambda net, eps, st=None: tolerances(net, eps, version, stats=st)


#: The paper's tolerance formulas (and the corrected ones), injectable by version.
PAPER: dict[str, Any] = {
    "tolerances": {v: _paper_tolerance(v) for v in VERSIONS + ("corrected-dense",)},
    # the definition of m_l as written: parameters of layer l "smaller than eps_l"
    "m_l": lambda params, tol: int(np.sum(np.abs(params) < tol)),
    # text after Lemma 4: eps_l = eps / (L (n_l + 1)(n_(l-1) + 1) e)
    "order": lambda eps, L, n_l, n_prev: eps / (L * (n_l + 1) * (n_prev + 1) * math.e),
}


# --------------------------------------------------------------------- targets


def make_target(family: str, rng: np.random.Generator) -> Network:
    """A target network of one of :data:`FAMILIES` (``sparse``: random with half of the
    parameters zero; ``deep``: a sawtooth of depth 6-8 or a random net of depth 6-8)."""
    if family in ("random", "sparse"):
        depth = int(rng.integers(1, 4))
        widths = [int(v) for v in rng.integers(1, 13, size=depth + 1)]
        ws = [rng.uniform(-1, 1, (widths[i + 1], widths[i])) for i in range(depth)]
        bs = [rng.uniform(-1, 1, widths[i + 1]) for i in range(depth)]
        if family == "sparse":
            ws = [w * (rng.random(w.shape) < 0.5) for w in ws]
            bs = [b * (rng.random(b.shape) < 0.5) for b in bs]
        act = "relu" if rng.random() < 0.5 else "identity"
    elif family == "small":
        n0 = int(rng.integers(20, 101))
        n1 = int(rng.integers(1, 11))
        ws = [rng.uniform(-1e-3, 1e-3, (n1, n0))]
        bs = [rng.uniform(-1e-3, 1e-3, n1)]
        act = "identity"
    elif family == "equal":
        depth = int(rng.integers(2, 4))
        n0 = int(rng.integers(1, 3))
        n = int(rng.integers(16, 41))
        c = float(rng.choice([0.05, 0.2, 0.5, 1.0]))
        widths = [n0] + [n] * (depth - 1) + [int(rng.integers(1, n + 1))]
        ws = [np.full((widths[i + 1], widths[i]), c) for i in range(depth)]
        bs = [np.full(widths[i + 1], 0.1) for i in range(depth)]
        act = "identity"
    elif family == "wide":
        widths = [3, 60, 60]
        ws = [rng.uniform(-0.1, 0.1, (widths[i + 1], widths[i])) for i in range(2)]
        bs = [rng.uniform(-0.1, 0.1, widths[i + 1]) for i in range(2)]
        act = "relu" if rng.random() < 0.5 else "identity"
    elif family == "deep":
        depth = int(rng.integers(6, 9))
        if rng.random() < 0.5:   # sawtooth: x -> tent(x) iterated on [0, 1]
            ws = [np.array([[1.0], [1.0]])] + [np.array([[2.0, -4.0], [2.0, -4.0]])
                                                for _ in range(depth - 2)]
            ws.append(np.array([[2.0, -4.0]]))
            bs = [np.array([0.0, -0.5])] * (depth - 1) + [np.zeros(1)]
            bs = [b.copy() for b in bs]
        else:
            widths = [2] + [int(v) for v in rng.integers(3, 9, size=depth - 1)] + [1]
            ws = [rng.uniform(-1, 1, (widths[i + 1], widths[i])) / np.sqrt(widths[i])
                  for i in range(depth)]
            bs = [rng.uniform(-0.5, 0.5, widths[i + 1]) for i in range(depth)]
        act = "identity"
    else:
        raise ValueError(f"family must be one of {FAMILIES}; got {family!r}")
    return Network(ws, bs, act, {"family": family})


def attack(target: Network, tols: np.ndarray, rng: np.random.Generator, mode: str,
           rounds: int = 3, sup_kw: dict | None = None, pattern: str = "keep"
           ) -> tuple[float, Network, np.ndarray]:
    """Largest sampled ``sup ||f - f_eps||_2`` over perturbations of size exactly ``tols``.

    Parameters
    ----------
    mode : {'random', 'adversarial'}
        Random signs (``rounds`` draws) or sign-gradient ascent alternated with the sup
        estimator (``rounds`` steps, starting at the all-ones input).
    pattern : {'keep', 'any'}
        Whether zero parameters stay zero (see :func:`~slth_theory.theory.lemma4_attack.
        perturb`).
    """
    kw = {"n_random": 256, "n_starts": 6, "n_steps": 25, "grid_per_dim": 101}
    kw.update(sup_kw or {})
    best = (-1.0, target, np.zeros(target.widths[0]))
    if mode == "random":
        for _ in range(rounds):
            approx = perturb(target, tols, rng=rng, pattern=pattern)
            est = sup_diff(target, approx, rng, **kw)
            if est.value > best[0]:
                best = (est.value, approx, est.argmax)
        return best
    xs = np.vstack([np.ones(target.widths[0]), -np.ones(target.widths[0])])
    approx = perturb(target, tols, rng=rng, pattern=pattern)
    for _ in range(rounds):
        approx = perturb(target, tols, signs=adversarial_signs(target, approx, xs),
                         pattern=pattern)
        est = sup_diff(target, approx, rng, extra_points=xs, **kw)
        if est.value > best[0]:
            best = (est.value, approx, est.argmax)
        xs = est.argmax[None, :]
    return best


def run_one(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """One (family, eps, seed) cell: every version attacked on one target; the corrected
    versions also with perturbations that move zero parameters."""
    rng = np.random.default_rng(seed)
    target = make_target(config["family"], rng)
    eps = float(config["eps"])
    rounds = int(config.get("rounds", 2))
    st = layer_stats(target)
    out: dict[str, Any] = {"family": config["family"], "eps": eps, "widths": target.widths,
                           "ratio": {}, "worst": {}}
    runs = [(v, "keep") for v in VERSIONS] + [("corrected", "any"),
                                              ("corrected-dense", "any")]
    for version, pattern in runs:
        key = version if pattern == "keep" else f"{version}/any"
        tols = tolerances(target, eps, version, stats=st)
        err, approx, x = -1.0, target, np.zeros(target.widths[0])
        for mode in ("random", "adversarial"):
            e, a, xx = attack(target, tols, rng, mode, rounds, pattern=pattern)
            if e > err:
                err, approx, x = e, a, xx
        out["ratio"][key] = err / eps
        if key == "corrected":
            out["cert_ratio"] = error_bound(target, approx) / eps
            out["corrected_bound_ratio"] = corrected_bound(target, tols, stats=st) / eps
        if err > eps * (1 + _TOL):
            out["worst"][key] = _record(target, approx, x, eps, version, tols)
    return out


def _record(target: Network, approx: Network, x: np.ndarray, eps: float, version: str,
            tols: np.ndarray) -> dict[str, Any]:
    err = float(np.linalg.norm(target.forward(x) - approx.forward(x)))
    return {
        "version": version, "eps": eps, "tolerances": [float(t) for t in tols],
        "x": [float(v) for v in x], "error": err, "ratio": err / eps,
        "output_activation": target.output_activation,
        "target": {"weights": [w.tolist() for w in target.weights],
                   "biases": [b.tolist() for b in target.biases]},
        "approx": {"weights": [w.tolist() for w in approx.weights],
                   "biases": [b.tolist() for b in approx.biases]},
    }


def _networks(record: dict[str, Any]) -> tuple[Network, Network]:
    act = record["output_activation"]
    t = Network([np.array(w, dtype=np.float64) for w in record["target"]["weights"]],
                [np.array(b, dtype=np.float64) for b in record["target"]["biases"]], act)
    a = Network([np.array(w, dtype=np.float64) for w in record["approx"]["weights"]],
                [np.array(b, dtype=np.float64) for b in record["approx"]["biases"]], act)
    return t, a


def replay(record: dict[str, Any]) -> dict[str, float]:
    """Re-evaluate a stored counterexample: the approximation is within the version's
    tolerances (recomputed from the target) and its error at ``x`` exceeds ``eps``."""
    t, a = _networks(record)
    tols = tolerances(t, record["eps"], record["version"])
    within = max(
        max(float(np.max(np.abs(wa - wt) - tl, initial=-np.inf)),
            float(np.max(np.abs(ba - bt) - tl, initial=-np.inf)))
        for wa, wt, ba, bt, tl in zip(a.weights, t.weights, a.biases, t.biases, tols,
                                      strict=True))
    x = np.array(record["x"])
    err = float(np.linalg.norm(t.forward(x) - a.forward(x)))
    return {"error": err, "ratio": err / record["eps"], "excess_over_tolerance": within,
            "within_tolerances": within <= 1e-15 * max(1.0, float(np.max(tols)))}


def _configs(level: str) -> list[dict[str, Any]]:
    if level == "quick":
        eps_list = [1e-2]
        per_family = {"random": 2, "sparse": 1, "small": 1, "equal": 1, "wide": 1, "deep": 1}
    else:
        eps_list = [1e-1, 1e-2, 1e-3]
        per_family = {"random": 8, "sparse": 4, "small": 3, "equal": 4, "wide": 2, "deep": 3}
    return [{"family": fam, "eps": e, "rounds": 2 if level == "quick" else 3}
            for e in eps_list for fam in FAMILIES for _ in range(per_family[fam])]


def search(level: str, seed: int) -> list[dict[str, Any]]:
    """All cells of a level, seeds from ``SeedSequence([seed, 4])`` (plain loop)."""
    configs = _configs(level)
    seeds = np.random.SeedSequence([seed, 4]).spawn(len(configs))
    return [run_one(c, int(s.generate_state(1)[0])) for c, s in zip(configs, seeds,
                                                                    strict=True)]


# --------------------------------------------------------------------- closed forms


@functools.lru_cache(maxsize=64)
def _family_net(family: str, size: int, depth: int):
    net = FAM.ones_chain(size, depth) if family == "ones_chain" else FAM.tiny_neuron(size)
    return net, layer_stats(net)


def _exact_ratio(key: tuple, tol_fn, eps: float) -> float:
    net, st = _family_net(*key)
    return float(FAM.all_up_error_exact(net, tol_fn(net, eps, st)) / Fraction(eps))


def family_ratios(tol_fn, version: str, eps: float = EPS) -> dict[str, list[tuple]]:
    """``error/eps`` of the all-up perturbation on the closed-form families, measured, with
    the formula beside it: ``{'width': [(n, measured, formula)], 'depth': [...],
    'tiny': [...]}``."""
    out: dict[str, list[tuple]] = {"width": [], "depth": [], "tiny": []}
    for n in WIDTH_SERIES:
        out["width"].append((n, _exact_ratio(("ones_chain", n, 3), tol_fn, eps),
                             FAM.ratio_formula("ones_chain", version, n, 3, eps)))
    for L in DEPTH_SERIES:
        out["depth"].append((L, _exact_ratio(("ones_chain", 3, L), tol_fn, eps),
                             FAM.ratio_formula("ones_chain", version, 3, L, eps)))
    if version.startswith("main"):
        for n0 in WIDTH_SERIES:
            out["tiny"].append((n0, _exact_ratio(("tiny_neuron", n0, 1), tol_fn, eps),
                                FAM.ratio_formula("tiny_neuron", version, n0)))
    return out


def version_verdict(fam: dict[str, list[tuple]], search_max: float) -> tuple[str, str]:
    """``wrong`` if a closed-form family (or the search) exceeds ``eps``; the families
    decide without randomness. ``holds`` otherwise."""
    worst = max((m for series in fam.values() for _, m, _ in series), default=0.0)
    if worst > 1 + _TOL:
        grows = [k for k, s in fam.items() if len(s) > 1 and s[-1][1] > s[0][1] > 0]
        return "wrong", f"the closed-form families exceed eps (growing with {', '.join(grows)})"
    if search_max > 1 + _TOL:
        return "wrong", "the random/adversarial search exceeds eps"
    return "holds", "never exceeded"


_PAPER_TEXT = {
    "main": "Sec. 4: eps_l = eps/(L sqrt(n_l k_l,max)(1+sup||x^(l)||_1) "
            "prod_{k>l}(||W^(l)||_max+eps/L)) gives ||f-f_eps|| <= eps",
    "main-k": "Sec. 4 with ||W^(k)|| in the product (index typo fixed) gives ||f-f_eps|| <= eps",
    "appendix": "Eq. B.3: eps_l = eps/(L sqrt(m_l)(1+sup||x^(l-1)||_1) "
                "prod_{k>l}(||W^(l)||_max+eps/L)) gives ||f-f_eps|| <= eps",
    "appendix-k": "Eq. B.3 with ||W^(k)|| in the product gives ||f-f_eps|| <= eps",
}
_REPAIRED = ("eps_l = eps / (L a_l prod_{k>l} (||W^(k)||_2 + eps_k ||S_k||_2)), a_l = "
             "||S_l u^(l-1) + s_l||_2 (S_l, s_l: 0/1 patterns of W^(l), b^(l); u^(l-1) >= "
             "|x^(l-1)| on [-1,1]^n0), assuming zero parameters stay zero; without that "
             "assumption S_l, s_l are all ones (lemma4.corrected_dense)")


def m_l_verdict(definition, eps: float = EPS) -> tuple[str, str]:
    """The definition of ``m_l`` used in Eq. B.3, tested on two closed-form targets.

    The proof needs ``m_l >=`` the number of entries of ``(W - W_eps, b - b_eps)`` that can
    be non-zero (all non-zero parameters of layer ``l`` when the zero pattern is kept).
    For each layer we look for a consistent value: ``m`` with ``definition(params,
    eps_l(m)) = m``. ``holds`` if one exists everywhere and is never below the non-zero
    count; ``wrong`` otherwise (no consistent value, or one that undercounts).
    """
    for name, net in (("ones_chain(4, 2)", FAM.ones_chain(4, 2)),
                      ("tiny_neuron(8)", FAM.tiny_neuron(8))):
        st = layer_stats(net)
        L = net.depth
        for i in range(L):
            params = np.concatenate([net.weights[i].ravel(), net.biases[i]])
            nonzero = int(np.sum(params != 0))
            prod = float((st.w_max[i] + eps / L) ** (L - 1 - i))
            consistent = []
            for m in range(params.size + 1):
                tol = (eps / (L * np.sqrt(m) * (1 + st.sup_l1[i]) * prod) if m > 0
                       else np.inf)
                if definition(params, tol) == m:
                    consistent.append(m)
            if not consistent:
                return "wrong", (f"{name}, layer {i + 1}: no value of m_l is consistent "
                                 "with its definition (m_l = 0 gives eps_l = inf, which makes "
                                 f"all {params.size} parameters count)")
            if min(consistent) < nonzero:
                return "wrong", (f"{name}, layer {i + 1}: the definition gives m_l = "
                                 f"{min(consistent)} < {nonzero} parameters that the "
                                 "perturbation moves")
    return "holds", "consistent and never below the number of moved parameters"


def order_targets(seed: int, level: str) -> list[tuple[str, Network]]:
    """Targets for the text's statement about the size of ``eps_l``: random (weights
    U[-1, 1]), deep chains (weights <= 1, outputs in [0, 1]) and wide-to-narrow layers."""
    rng = np.random.default_rng([seed, 41])
    out = []
    for _ in range(10 if level == "quick" else 50):
        out.append(("random", make_target("random", rng)))
    for L in (3, 6, 10):
        n = 4
        widths = [1] + [n] * (L - 1) + [1]
        ws = [np.ones((widths[i + 1], widths[i])) for i in range(L)]
        # last layer scaled so that the output stays in [0, 1] (weights still <= 1)
        top = float(Network(ws, [np.zeros(w.shape[0]) for w in ws], "identity", {})
                    .forward(np.ones((1, 1)))[0, 0])
        ws[-1] = ws[-1] / top
        out.append((f"deep chain [1, {n} x {L - 1}, 1]",
                    Network(ws, [np.zeros(w.shape[0]) for w in ws], "identity", {})))
    out.append(("tame [2, 3, 1]", Network([np.full((3, 2), 0.1), np.full((1, 3), 0.1)],
                                          [np.full(3, 0.1), np.full(1, 0.1)], "relu", {})))
    out.append(("wide-to-narrow [100, 1]", Network([np.full((1, 100), 0.01)], [np.zeros(1)],
                                                   "relu", {})))
    return out


def order_table(targets, claimed, eps: float = EPS) -> list[dict[str, Any]]:
    """Per target: smallest ratio actual Section 4 ``eps_l`` / claimed value over layers,
    and whether the text's condition ``sup ||x^(l)||_1 <= n_(l-1)`` holds."""
    rows = []
    for name, net in targets:
        st = layer_stats(net)
        act = tolerances(net, eps, "main", stats=st)
        L = net.depth
        ratios = [act[i] / claimed(eps, L, net.widths[i + 1], net.widths[i]) for i in range(L)]
        cond = all(st.sup_l1[i + 1] <= net.widths[i] for i in range(L))
        shape = all(net.widths[i + 1] * (net.widths[i] + 1) <= (net.widths[i + 1] + 1) ** 2
                    for i in range(L))
        rows.append({"name": name, "ratio": float(min(ratios)), "condition": cond,
                     "shape": shape, "max_weight": float(max(st.w_max))})
    return rows


def order_verdict(table: list[dict[str, Any]]) -> tuple[str, str, str]:
    """``holds`` if the actual tolerance is at least the claimed one on every target;
    ``holds under a condition the text omits`` if all shortfalls are on targets violating
    ``sup ||x^(l)||_1 <= n_(l-1)`` or ``n_l (n_(l-1) + 1) <= (n_l + 1)^2``; ``wrong`` else."""
    bad = [r for r in table if r["ratio"] < 1 - 1e-12]
    if not bad:
        return "holds", "", ""
    if all(not (r["condition"] and r["shape"]) for r in bad):
        worst = min(bad, key=lambda r: r["ratio"])
        return ("holds under a condition the text omits",
                "condition: sup ||x^(l)||_1 <= n_(l-1) for every l (the text's 'usually'; "
                "bounded weights and outputs in [0, 1] do not imply it: on deep chains "
                "eps_l shrinks like n^-L) and n_l (n_(l-1) + 1) <= (n_l + 1)^2; worst: "
                f"{worst['name']} at {worst['ratio']:.3g} x the claimed value",
                "if ||W^(k)||_max <= 1 and sup ||x^(l)||_1 <= n_(l-1) for all l, then "
                "eps_l >= eps / (e L sqrt(n_l (n_(l-1) + 1)) (n_(l-1) + 1))")
    r = bad[0]
    return "wrong", f"{r['name']}: {r['ratio']:.3g} x the claimed value although the " \
                    "text's condition holds", ""


def evaluate(level: str, seed: int, paper: dict[str, Any] | None = None,
             cells: list[dict[str, Any]] | None = None) -> CheckOutput:
    """The Lemma 4 rows for ``paper`` (default :data:`PAPER`); ``cells`` reuses a search
    (``[]``: no search, the closed-form families alone decide)."""
    p = dict(PAPER, **(paper or {}))
    cells = search(level, seed) if cells is None else cells
    saved = read_json(DATA_FILE)
    rows: list[ClaimRow] = []
    cex: dict[str, dict[str, Any]] = {}
    data: dict[str, Any] = {"cells": [{k: v for k, v in c.items() if k != "worst"}
                                      for c in cells]}
    for version in PAPER_VERSIONS:
        tol_fn = p["tolerances"][version]
        fam = family_ratios(tol_fn, version)
        smax = max((c["ratio"][version] for c in cells), default=0.0)
        v, det = version_verdict(fam, smax)
        w3 = "; ".join(f"n={n}: {m:.3g} (>= {f:.3g})" for n, m, f in fam["width"])
        dL = "; ".join(f"L={L}: {m:.3g} (>= {f:.3g})" for L, m, f in fam["depth"])
        tiny = "; ".join(f"n0={n}: {m:.3g} (= {f:.3g})" for n, m, f in fam["tiny"])
        by_fam = ", ".join(f"{f} {max(c['ratio'][version] for c in cells if c['family'] == f):.3g}"
                           for f in FAMILIES if any(c["family"] == f for c in cells))
        measured = (f"error/eps on ones_chain (all parameters 1, +eps_l): depth 3, {w3}; "
                    f"width 3, {dL}"
                    + (f"; tiny_neuron: {tiny}" if tiny else "")
                    + f". Search over {len(cells)} targets: max {smax:.3g} ({by_fam})")
        if v == "wrong" and version in saved:
            rp = replay(saved[version])
            det += (f"; stored search counterexample replayed: error/eps = {rp['ratio']:.3g}, "
                    f"within eps_l: {rp['within_tolerances']}")
        if v == "wrong":
            formula = ("n^(L-1) / (L sqrt(2n) (1+eps/L)^(L-1))" if version.startswith("app")
                       else "2 n^(L-1) / (L sqrt(2n)(1+2n)(1+eps/L)^(L-1))")
            det += f"; formula: error/eps >= {formula} on ones_chain(n, L)"
            net = FAM.ones_chain(16, 3)
            cex[f"lemma4.{version}"] = {"target": net,
                                        "approx": FAM.raised(net, tol_fn(net, EPS))}
        rows.append(ClaimRow(f"lemma4.{version}", _PAPER_TEXT[version], measured, v, det,
                             repaired=_REPAIRED if v == "wrong" else "",
                             estimate=float(fam["width"][-1][1])))
    rows += _corrected_rows(cells, p)
    v, det = m_l_verdict(p["m_l"])
    rows.append(ClaimRow(
        "lemma4.m_l_definition",
        "B.3: m_l is 'the number of parameters in layer l that are smaller than eps_l' "
        "(B.4: 'bigger than eps_l')",
        "searched every m_l in 0..(parameters of the layer) for a value consistent with the "
        "definition on ones_chain(4, 2) and tiny_neuron(8)", v, det,
        repaired="m_l = the number of parameters of layer l that the approximation may "
        "change: the non-zero ones if zeros stay zero, all n_l (n_(l-1) + 1) otherwise"
        if v == "wrong" else ""))
    table = order_table(order_targets(seed, level), p["order"])
    v, det, rep = order_verdict(table)
    rnd = [r["ratio"] for r in table if r["name"] == "random"]
    deep = "; ".join(f"{r['name']}: {r['ratio']:.3g}" for r in table if r["name"] != "random")
    rows.append(ClaimRow(
        "lemma4.order",
        "with ||W||_max <= 1, eps_l = C eps / L; reasonable biases give sup||x^(l)||_1 <= "
        "n_(l-1) and thus eps_l = eps / (L (n_l + 1)(n_(l-1) + 1) e)",
        f"actual Section 4 eps_l / claimed value (smallest over layers): random targets "
        f"min {min(rnd):.3g}, median {np.median(rnd):.3g}; {deep}", v, det, repaired=rep,
        estimate=float(min(r["ratio"] for r in table))))
    data["ratios"] = {k: [c["ratio"][k] for c in cells] for k in (cells[0]["ratio"] if cells
                                                                    else [])}
    data["eps"] = [c["eps"] for c in cells]
    return CheckOutput(rows, data, counterexamples=cex)


def _corrected_rows(cells: list[dict[str, Any]], p: dict[str, Any]) -> list[ClaimRow]:
    rows = []
    for version, key_any in (("corrected", "corrected/any"),
                             ("corrected-dense", "corrected-dense/any")):
        tol_fn = p["tolerances"][version]
        keep = [c["ratio"][version] if version in c["ratio"] else c["ratio"][key_any]
                for c in cells] or [0.0]
        anyp = [c["ratio"][key_any] for c in cells] or [0.0]
        fam = family_ratios(tol_fn, "appendix")  # the families as a cross-check
        fam_max = max(m for s in fam.values() for _, m, _ in s)
        claimed = anyp if version == "corrected-dense" else keep
        worst = max(max(claimed), fam_max)
        v = "holds" if worst <= 1 + _TOL else "wrong"
        slack = {f: np.median([1 / max(c["ratio"][key_any if version == "corrected-dense"
                                                      else version], 1e-300)
                               for c in cells if c["family"] == f]) for f in FAMILIES
                 if any(c["family"] == f for c in cells)}
        sl = ", ".join(f"{f} {s:.3g}x" for f, s in slack.items())
        if version == "corrected":
            rows.append(ClaimRow(
                "lemma4.corrected",
                "(derived here) corrected eps_l, zero parameters stay zero: "
                "||f - f_eps|| <= eps",
                f"max error/eps {max(keep):.4f} over {len(cells)} targets, 1.0000 on the "
                f"closed-form families (attained); median slack bound/observed by family: "
                f"{sl}; if zeros may move (as the lemma allows): max {max(anyp):.3g}",
                v, "assumptions: same architecture; zero parameters of f stay zero in f_eps; "
                "ReLU hidden layers, relu or identity output. Sharp only on aligned targets "
                "(closed-form families); loose on deep ones (see slack)",
                repaired=_REPAIRED, estimate=float(max(keep))))
        else:
            rows.append(ClaimRow(
                "lemma4.corrected_dense",
                "(derived here) corrected eps_l with all-ones patterns: ||f - f_eps|| <= eps "
                "for any f_eps with |theta_eps - theta| <= eps_l (zeros may move)",
                f"max error/eps {max(anyp):.4f} over {len(cells)} targets with zeros moved; "
                f"median slack by family: {sl}", v,
                "assumptions: same architecture only", repaired=_REPAIRED,
                estimate=float(max(anyp))))
    return rows


def run(level: str, seed: int) -> CheckOutput:
    return evaluate(level, seed)


def save_counterexamples(path: str | Path, seed: int = 0) -> dict[str, Any]:
    """Run the full search and store, per failing printed version, its smallest worst case
    (regenerates the shipped ``lemma4_counterexamples.json``)."""
    import json

    cells = search("full", seed)
    best: dict[str, Any] = {}
    for c in cells:
        for version, rec in c["worst"].items():
            if version not in PAPER_VERSIONS:
                continue
            size = sum(len(w) * len(w[0]) for w in rec["target"]["weights"])
            key = (size > 2500, -rec["ratio"])
            if version not in best or key < best[version][0]:
                best[version] = (key, rec)
    out = {v: r for v, (_, r) in sorted(best.items())}
    write_text(path, json.dumps(out, separators=(",", ":")) + "\n")
    return out


def plot(data: dict[str, Any], outdir: Path) -> list[Path]:
    """``figures/lemma4_error_vs_eps.png``: observed sup error / eps per version over eps."""
    from matplotlib.figure import Figure  # no pyplot: no backend, no global state

    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    eps = np.array(data["eps"])
    levels = np.unique(eps)
    keys = list(data["ratios"])
    for k, v in enumerate(keys):
        r = np.array(data["ratios"][v])
        worst = [r[eps == e].max() for e in levels]
        ax.plot(levels * (1 + 0.03 * (k - len(keys) / 2)), worst, "o-", label=v)
    ax.axhline(1.0, color="k", lw=1, ls="--", label="bound (error = eps)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("eps")
    ax.set_ylabel("max observed sup||f - f_eps||_2 / eps")
    ax.set_title("Lemma 4: observed error vs bound")
    ax.legend(fontsize=6, loc="center right")
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "lemma4_error_vs_eps.png"
    save_figure(fig, path, dpi=120)
    return [path]


_SEARCH = ("the closed-form families of slth_theory.theory.lemma4_families evaluated exactly "
           "(first line, decides); random and adversarial perturbations of random, sparse, "
           "small, equal, wide and deep targets (second line)")
CLAIMS = [ClaimInfo(f"lemma4.{v}", _PAPER_TEXT[v], _SEARCH,
                    "slth verify --only lemma4 --save-counterexamples DIR  "
                    f"(DIR/lemma4.{v}.target.npz, .approx.npz: ones_chain(16, 3) raised by "
                    "eps_l; error at x = 1 exceeds eps)") for v in PAPER_VERSIONS]
CLAIMS += [
    ClaimInfo("lemma4.corrected", "the corrected bound (zero pattern kept)",
              "the same attacks with the corrected eps_l; also with zeros moved, to show the "
              "assumption is needed; slack = bound/observed per target family",
              "slth verify --only lemma4 --full"),
    ClaimInfo("lemma4.corrected_dense", "the corrected bound without the zero-pattern "
              "assumption", "attacks that move zero parameters too",
              "slth verify --only lemma4 --full"),
    ClaimInfo("lemma4.m_l_definition", "the definition of m_l in Eq. B.3",
              "exhaustive search for a self-consistent m_l on two closed-form targets",
              "slth verify --only lemma4 --explain lemma4.m_l_definition"),
    ClaimInfo("lemma4.order", "the size of eps_l stated after Lemma 4",
              "the Section 4 eps_l computed on random, deep and wide-to-narrow targets with "
              "weights <= 1, divided by the claimed value",
              "slth verify --only lemma4"),
]

register_check("lemma4", run, plot=plot, order=40, cost=1.0, claims=CLAIMS)

if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "--save":  # regenerate the shipped file
        res = save_counterexamples(sys.argv[2])
        print({v: round(r["ratio"], 3) for v, r in res.items()})
