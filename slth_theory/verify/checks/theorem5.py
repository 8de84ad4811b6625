"""Theorem 5 (existence of lottery tickets): the subset-sum constant it rests on, its
union bound and its width formula against what the construction needs.

Everything here is exact arithmetic on the statement's formulas, the construction's
layout (:func:`slth_theory.theory.theorem5.width_bound`, ``formula='construction'``) and
the committed calibration of ``C`` (``slth calibrate``; ``slth_theory/data/
calibrated_C.json``); nothing is random.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from slth_theory.data import read_json
from slth_theory.model.network import Network
from slth_theory.theory.lemma4 import layer_stats
from slth_theory.theory.theorem5 import width_bound
from slth_theory.verify.report import CheckOutput, ClaimInfo, ClaimRow, register_check

PAPER: dict[str, Any] = {
    # Lueker / Pensia Cor. 2: n >= C log(1/min(eps, delta)) samples suffice, C universal
    # (the paper gives no value: None means "some finite C")
    "lueker_form": lambda eps, delta: math.log(1.0 / min(eps, delta)),
    "lueker_C": None,
    # appendix statement: delta_l = delta / (L k_(l-1),max n_l); k_0 := 1
    "delta_l": lambda delta, L, n_l, k_prev, k_l: delta / (L * k_prev * n_l),
    # n_(2l-1) = C n_(l-1) log(1 / min(eps_l, delta_l)): the factor in front of C log(.)
    "width_factor": lambda n_prev, layer: n_prev,
}

# the proof absorbs a factor 2 (both signs of every weight) into C
UNION_SLACK = 2.0


def counting_bound(eps: float, delta: float) -> float:
    """Fewest samples with which ``n`` values can hit a target ``t ~ U[-1, 1]`` within
    ``eps`` with probability ``1 - delta``: the ``2^n`` subset sums cover at most
    ``2^n 2 eps`` of the length 2, so ``2^n eps >= 1 - delta``."""
    return math.log2((1 - delta) / eps)


def lueker_verdict(cells: list[dict[str, Any]], form, claimed_C) -> tuple[str, str, dict]:
    """The calibrated cells against ``n = C form(eps, delta)``.

    ``holds`` if every cell's ``n_min`` respects the counting bound and ``C_cell =
    n_min / form`` does not grow as ``min(eps, delta)`` shrinks (the largest C of the
    smallest-``eps`` cells is at most that of the largest-``eps`` cells), and, when a
    value is claimed, every ``C_cell <= claimed_C``; ``wrong`` otherwise.
    """
    cs = [(c["eps"], c["delta"], c["n_min"], c["n_min"] / form(c["eps"], c["delta"]))
          for c in cells]
    info = {"C_max": max(c[3] for c in cs), "C_min": min(c[3] for c in cs)}
    for e, d, n, _ in cs:
        if n < counting_bound(e, d):
            return "wrong", f"cell eps={e:g}, delta={d:g}: n_min {n} below the counting " \
                            f"bound {counting_bound(e, d):.1f} (calibration inconsistent)", info
    if claimed_C is not None:
        bad = [c for c in cs if c[3] > claimed_C]
        if bad:
            e, d, n, cc = bad[0]
            return "wrong", f"eps={e:g}, delta={d:g} needs n = {n} = {cc:.3g} x the form, " \
                            f"more than C = {claimed_C:g}", info
    small, big = min(c[0] for c in cs), max(c[0] for c in cs)
    c_small = max(c[3] for c in cs if c[0] == small)
    c_big = max(c[3] for c in cs if c[0] == big)
    info.update(c_small=c_small, c_big=c_big, eps_small=small, eps_big=big)
    if c_small > c_big:
        return "wrong", f"C grows as eps shrinks: {c_big:.3g} at eps={big:g}, {c_small:.3g} " \
                        f"at eps={small:g}", info
    return "holds", "", info


def _targets() -> list[tuple[str, Network]]:
    rng = np.random.default_rng(12345)
    out = []
    for widths in ([1, 10, 1], [2, 10, 10, 1], [1, 100, 1], [3, 16, 16, 1], [10, 4, 4, 2]):
        ws = [rng.uniform(-1, 1, (widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
        bs = [rng.uniform(-1, 1, widths[i + 1]) for i in range(len(widths) - 1)]
        out.append((str(widths), Network(ws, bs, "identity", {})))
    return out


def union_total(net: Network, delta: float, delta_l) -> float:
    """``sum_l 2 n_l k_l,max delta_l``: the failure probability the proof's union bound
    gives (``2 n_l k_l,max`` subset-sum instances in layer ``l``)."""
    st = layer_stats(net)
    L = net.depth
    k = [int(v) for v in st.k_max]
    total = 0.0
    for i in range(L):
        n_l = net.widths[i + 1]
        k_prev = k[i - 1] if i > 0 else 1
        total += 2 * n_l * k[i] * delta_l(delta, L, n_l, k_prev, k[i])
    return total


def union_verdict(delta_l, delta: float = 0.05) -> tuple[str, str, str, dict]:
    """``holds`` if the union bound gives at most ``UNION_SLACK delta`` on every target;
    ``typo`` if replacing ``k_(l-1),max`` by ``k_l,max`` makes it so; ``wrong`` otherwise."""
    fixed = lambda d, L, n_l, k_prev, k_l: delta_l(d, L, n_l, k_l, k_l)  # noqa: E731
    tot = {name: union_total(net, delta, delta_l) / delta for name, net in _targets()}
    fix = {name: union_total(net, delta, fixed) / delta for name, net in _targets()}
    info = {"printed": tot, "fixed": fix}
    if max(tot.values()) <= UNION_SLACK * (1 + 1e-12):
        return "holds", "", "", info
    if max(fix.values()) <= UNION_SLACK * (1 + 1e-12):
        worst = max(tot, key=tot.get)
        return ("typo", f"change: k_(l-1),max -> k_l,max (the in-degree of the layer whose "
                f"parameters are approximated); as printed the failure bound reaches "
                f"{tot[worst]:.3g} delta on {worst}",
                "delta_l = delta / (2 L n_l k_l,max) (B.4's own proof)", info)
    return "wrong", "the union bound exceeds 2 delta even with k_l,max", "", info


def width_ratios(factor, C: float, eps: float = 0.01, delta: float = 0.05) -> list[tuple]:
    """Per target and layer: construction width / (C factor log(1/min(eps_l, delta_l)))
    with the construction's own eps_l and delta_l (corrected Lemma 4, delta/(2 L n_l k_l))."""
    out = []
    for name, net in _targets():
        rep = width_bound(target=net, eps=eps, delta=delta, C=C, formula="construction")
        for lay in rep.layers:
            n_prev = net.widths[lay.layer - 1]
            form = C * factor(n_prev, lay.layer) * lay.log_term
            out.append((name, lay.layer, lay.n_odd, lay.n_odd / form))
    return out


def width_verdict(ratios: list[tuple], bound: float = 5.0) -> tuple[str, str]:
    """``holds`` if the construction never needs more than ``bound`` times the formula's
    width (a constant the universal C absorbs: 2 (n_0 + 1) pools over n_0 in layer 1, plus
    rounding); ``wrong`` if the ratio exceeds it (the form misses a growing factor)."""
    worst = max(ratios, key=lambda r: r[3])
    if worst[3] <= bound:
        return "holds", ""
    return "wrong", f"{worst[0]}, layer {worst[1]}: the construction needs {worst[3]:.3g} x " \
                    "the formula's width"


def evaluate(level: str, seed: int, paper: dict[str, Any] | None = None) -> CheckOutput:
    """The Theorem 5 rows for ``paper`` (default :data:`PAPER`)."""
    p = dict(PAPER, **(paper or {}))
    cal = read_json("calibrated_C.json")
    rows: list[ClaimRow] = []
    cells = cal["fits"]["uniform"]["cells"]
    v, det, info = lueker_verdict(cells, p["lueker_form"], p["lueker_C"])
    rows.append(ClaimRow(
        "theorem5.lueker",
        "n >= C log(1/min(eps, delta)) uniform samples contain a subset summing to within eps "
        "of any target with probability 1 - delta (Lueker 1998; Pensia et al. Cor. 2)",
        f"committed calibration (slth calibrate), U[-1, 1], {len(cells)} (eps, delta) cells: "
        f"C = n_min / log(1/min(eps, delta)) from {info['C_min']:.3g} to {info['C_max']:.3g};"
        f" {info.get('c_big', float('nan')):.3g} at eps = {info.get('eps_big', 0):g}, "
        f"{info.get('c_small', float('nan')):.3g} at eps = {info.get('eps_small', 0):g}; "
        f"counting bound log2((1-delta)/eps) respected in every cell", v,
        det or f"the constant does not grow as eps -> 0; any C >= {info['C_max']:.3g} "
        "works on the grid (>= 1/ln 2 = 1.44 asymptotically, by counting)",
        estimate=info["C_max"]))
    v, det, rep, info = union_verdict(p["delta_l"])
    pr = ", ".join(f"{k}: {x:.3g}" for k, x in info["printed"].items())
    rows.append(ClaimRow(
        "theorem5.delta_l",
        "B.4: delta_l = delta/(L k_(l-1),max n_l) makes the union bound over all subset-sum "
        "instances give probability >= 1 - delta",
        f"sum_l 2 n_l k_l,max delta_l / delta (2 = the factor the proof moves into C): {pr}",
        v, det, repaired=rep, estimate=max(info["printed"].values())))
    C = float(cal["C"]["product"])
    ratios = width_ratios(p["width_factor"], C)
    v, det = width_verdict(ratios)
    rr = ", ".join(f"{n} l{lay}: {r:.3g}" for n, lay, _, r in ratios)
    rows.append(ClaimRow(
        "theorem5.width",
        "n_(2l-1) = C n_(l-1) log(1/min(eps_l, delta_l)) neurons suffice in layer 2l-1",
        f"the construction's layer 2l-1 (pools for phi(+-x_j) and phi(1), C = {C:.3g} from "
        f"slth calibrate, corrected eps_l) / (C n_(l-1) log(1/min(eps_l, delta_l))): {rr}", v,
        det or f"the ratio is at most {max(r[3] for r in ratios):.3g}: about 2 (n_0 + 1)/n_0 "
        "in layer 1 (both signs of every input and of the bias) and (n + 1)/n afterwards, "
        "times the rounding up of each pool to whole neurons; a universal C absorbs it, "
        "with eps_l from the corrected Lemma 4",
        repaired="n_(2l-1) = C (n_(l-1) + 1) log(1/min(eps_l, delta_l)) with the corrected "
        "eps_l (lemma4.corrected) and delta_l = delta/(2 L n_l k_l,max); C = 2x the "
        "subset-sum constant in layer 1",
        estimate=max(r[3] for r in ratios)))
    return CheckOutput(rows)


def run(level: str, seed: int) -> CheckOutput:
    return evaluate(level, seed)


CLAIMS = [
    ClaimInfo("theorem5.lueker", "the subset-sum constant behind Theorem 5",
              "the committed calibration (slth calibrate) per (eps, delta) cell: n_min against "
              "the counting bound and C_cell = n_min / log(1/min(eps, delta)) as eps shrinks",
              "slth calibrate --quick"),
    ClaimInfo("theorem5.delta_l", "the per-layer failure probabilities of Theorem 5",
              "exact union-bound sum over five dense targets",
              "slth verify --only theorem5 --explain theorem5.delta_l"),
    ClaimInfo("theorem5.width", "Theorem 5's width formula against the construction",
              "the construction's layout (slth width --formula construction) divided by the "
              "formula, per layer, on five targets",
              "slth width --help"),
]

register_check("theorem5", run, order=50, cost=0.1, claims=CLAIMS)
