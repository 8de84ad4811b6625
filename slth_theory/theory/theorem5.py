"""Theorem 5's width bound: per-layer ``eps_l``, ``delta_l`` and mother widths.

Two statements of the paper differ (both implemented, labelled):

``main`` (Section 4, Theorem 5)
    ``n_{2l-1} = C n_{l-1} log(k_{l-1,max} n_l / min(eps_l, delta/L))``, ``n_{2l} = n_l``.
``appendix`` (B.4)
    ``n_{2l-1} = C n_{l-1} log(1 / min(eps_l, delta_l))``, ``delta_l = delta / (L k_{l-1,max}
    n_l)``, ``n_{2l} = n_l``.

Both take ``eps_l`` "from Eq. (B.3)", i.e. the appendix version of Lemma 4; we also report
the width with the *corrected* Lemma 4 tolerances (:mod:`slth_theory.theory.lemma4`) and the
union bound the proof actually needs, ``delta_l = delta / (2 L n_l k_{l,max})``
(``corrected`` row; note the proof's ``k_{l,max}`` versus the statement's ``k_{l-1,max}``).

Without a target file only the architecture is known: ``k_{l,max} = n_{l-1} + 1`` (dense,
non-zero biases) and ``eps_l`` is the paper's simplified value
``eps / (L (n_l + 1)(n_{l-1} + 1) e)`` (text after Lemma 4, for ``||W||_max <= 1`` and
``sup ||x^(l)||_1 <= n_{l-1}``); the corrected row then needs a target and is omitted.

The construction in :mod:`slth_theory.construction.build` uses a concrete layout, planned
here by :func:`construction_plan` (the one place both ``slth construct`` and the
``construction`` row of ``slth width`` take it from): the target is first mapped into the
unit box by Lemma 2 (:func:`unit_box_scaling`); the global ``eps`` is split across layers
by :func:`slth_theory.theory.lemma4.split_tolerances` (least subset-sum work, corrected
Lemma 4 bound exactly ``eps``); layer ``2l-1`` holds ``(n_{l-1} + 1) p_l`` neurons shared
out into balanced pools (one per input neuron and sign, one for biases) with
``n_s = ceil(C log(1 / min(tau_l, delta_l)))`` values per subset-sum instance:
``p_1 = 2 n_s`` (both signs; ``n_s`` when the input box has ``lo >= 0``), ``p_l = n_s``
for ``l >= 2`` (``delta_l = delta / (2 L n_l k_l,max)``). ``C`` then means exactly the
constant fitted by ``slth calibrate``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from slth_theory.data import read_json
from slth_theory.model.network import Network, parse_widths
from slth_theory.theory.lemma2 import homogeneity_transform
from slth_theory.theory.lemma4 import layer_stats, split_tolerances, tolerances

FORMULAS = ("main", "appendix", "corrected")


def calibrated_C(distribution: str = "product") -> float:
    """The constant ``C`` fitted by ``slth calibrate`` (shipped, or the user's own).

    Parameters
    ----------
    distribution : {'product', 'uniform'}
        Samples ``w2 * w1`` with ``w1, w2 ~ U[-1, 1]`` (the construction's values) or plain
        ``U[-1, 1]``.
    """
    data = read_json("calibrated_C.json")
    if distribution not in data.get("C", {}):
        raise ValueError(f"distribution must be one of {sorted(data.get('C', {}))}; got "
                         f"{distribution!r}")
    return float(data["C"][distribution])


@dataclass
class LayerWidth:
    """One target layer ``l``: tolerances and the two mother widths it needs."""

    layer: int
    eps_l: float
    delta_l: float
    k_max: int
    log_term: float
    n_odd: int     # n_{2l-1}
    n_even: int    # n_{2l}


@dataclass
class WidthReport:
    """Widths of the mother network for one formula."""

    formula: str
    C: float
    layers: list[LayerWidth]
    mother_widths: list[int]
    mother_params: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mother_params(widths: list[int]) -> int:
    return int(sum(widths[i] * widths[i + 1] + widths[i + 1] for i in range(len(widths) - 1)))


def width_bound(arch: list[int] | str | None = None, eps: float = 0.01, delta: float = 0.05,
                C: float | None = None, target: Network | None = None,
                formula: str = "appendix", *, lo: np.ndarray | float = -1.0,
                hi: np.ndarray | float = 1.0) -> WidthReport:
    """Theorem 5's mother widths for one formula.

    Parameters
    ----------
    arch : list of int or str, optional
        Target architecture (needed when ``target`` is not given).
    eps, delta : float
        ``eps > 0``, ``delta in (0, 1)``.
    C : float, optional
        The universal constant (default: :func:`calibrated_C`).
    target : Network, optional
        With a target, ``k_l,max``, norms and ``sup ||x^(l)||_1`` come from it.
    formula : {'main', 'appendix', 'corrected', 'construction'}
        ``construction``: the mother :func:`construction_plan` lays out (what
        ``slth construct --eps`` builds); its ``eps_l`` are the split tolerances in the
        Lemma 2-scaled units.
    lo, hi : float or ndarray
        Input box for a target (default ``[-1, 1]^n0``).

    Returns
    -------
    WidthReport
    """
    eps = float(eps)
    delta = float(delta)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be finite and > 0; got {eps}")
    if not (0 < delta < 1):
        raise ValueError(f"delta must be in (0, 1); got {delta}")
    if formula not in FORMULAS + ("construction",):
        raise ValueError(f"formula must be one of {FORMULAS + ('construction',)}; got "
                         f"{formula!r}")
    C = calibrated_C() if C is None else float(C)
    if not np.isfinite(C) or C <= 0:
        raise ValueError(f"C must be finite and > 0; got {C}")
    if target is not None:
        widths = target.widths
        if arch is not None and parse_widths(arch) != widths:
            raise ValueError(f"arch {parse_widths(arch)} differs from the target's {widths}")
        st = layer_stats(target, lo, hi)
        k = [int(v) for v in st.k_max]
        if formula == "construction":
            plan = construction_plan(target, eps=eps, delta=delta, C=C, lo=lo, hi=hi)
            eps_l = np.array(plan.tol_w, dtype=np.float64)
            k = [int(v) for v in layer_stats(plan.scaled, lo, hi).k_max]
        elif formula == "corrected":
            eps_l = tolerances(target, eps, "corrected", stats=st)
        else:
            eps_l = tolerances(target, eps, "appendix", stats=st)
    else:
        if arch is None:
            raise ValueError("give arch or target")
        if formula in ("corrected", "construction"):
            raise ValueError(f"the {formula!r} width needs a target (--target FILE)")
        widths = parse_widths(arch)
        k = [widths[i] + 1 for i in range(len(widths) - 1)]
        L = len(widths) - 1
        eps_l = np.array([eps / (L * (widths[i + 1] + 1) * (widths[i] + 1) * math.e)
                          for i in range(L)])
    L = len(widths) - 1
    layers = []
    mother = [widths[0]]
    for i in range(L):
        n_prev, n_l = widths[i], widths[i + 1]
        # k_{l-1,max} of the statement: in-degree of the previous layer; for l = 1 the
        # inputs have none, we use 1
        k_prev = k[i - 1] if i > 0 else 1
        if formula == "main":
            d_l = delta / L
            log_term = math.log(k_prev * n_l / min(eps_l[i], d_l))
            n_odd = math.ceil(C * n_prev * log_term)
        elif formula == "appendix":
            d_l = delta / (L * k_prev * n_l)
            log_term = math.log(1 / min(eps_l[i], d_l))
            n_odd = math.ceil(C * n_prev * log_term)
        elif formula == "corrected":
            d_l = delta / (2 * L * n_l * k[i])
            log_term = math.log(1 / min(eps_l[i], d_l))
            n_odd = math.ceil(C * n_prev * log_term)
        else:  # construction layout: exactly what construct builds
            d_l = float(plan.delta_l[i])
            tau = float(min(plan.tol_w[i], plan.tol_b[i]))
            log_term = math.log(1 / min(tau, d_l))
            n_odd = plan.mother_widths[2 * i + 1]
            eps_l[i] = tau
        layers.append(LayerWidth(i + 1, float(eps_l[i]), d_l, int(k[i]), log_term, n_odd, n_l))
        mother += [n_odd, n_l]
    return WidthReport(formula, C, layers, mother, _mother_params(mother))


def samples_per_instance(eps_l: float, delta_l: float, C: float) -> int:
    """``ceil(C log(1 / min(eps_l, delta_l)))``: usable products per subset-sum instance."""
    if eps_l <= 0 or not (0 < delta_l < 1) or C <= 0:
        raise ValueError("need eps_l > 0, delta_l in (0, 1), C > 0")
    return max(1, math.ceil(C * math.log(1 / min(eps_l, delta_l))))


def unit_box_scaling(target: Network) -> tuple[Network, np.ndarray, float]:
    """Lemma 2 factors ``sigma_l <= 1`` putting every parameter in ``[-1, 1]``.

    The proof of Theorem 5 (appendix B.4) assumes parameters bounded by 1; larger ones are
    mapped inside by Lemma 2: ``W_l -> sigma_l W_l``, ``b_l -> prod_{m<=l} sigma_m b_l``.

    Returns
    -------
    (scaled, sigmas, kappa) with ``f_target = kappa * f_scaled``.
    """
    sig = np.ones(target.depth)
    cum = 1.0
    for i, (w, b) in enumerate(zip(target.weights, target.biases, strict=True)):
        wmax = float(np.max(np.abs(w), initial=0.0))
        bmax = float(np.max(np.abs(b), initial=0.0))
        s = 1.0
        if wmax > 1:
            s = 1.0 / wmax
        if bmax * cum * s > 1:
            s = 1.0 / (bmax * cum)
        sig[i] = s
        cum *= s
    if np.all(sig == 1.0):
        return target.copy(), sig, 1.0
    scaled = homogeneity_transform(target, sig)
    # guard rounding: clip the (at most 1 + 1 ulp) entries to the box
    scaled = Network([np.clip(w, -1, 1) for w in scaled.weights],
                     [np.clip(b, -1, 1) for b in scaled.biases],
                     target.output_activation, dict(target.meta))
    return scaled, sig, float(np.exp(-np.sum(np.log(sig))))


def instance_counts(net: Network, both_signs: bool = True) -> np.ndarray:
    """Subset-sum instances per target layer: two per first-layer weight when the inputs
    take both signs (``both_signs``), one per later weight and per bias (non-zero
    parameters only)."""
    out = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        two = 2 if (i == 0 and both_signs) else 1
        out.append(two * np.count_nonzero(w) + np.count_nonzero(b))
    return np.array(out, dtype=np.float64)


@dataclass
class ConstructionPlan:
    """What :func:`construction_plan` decides (all per target layer, scaled units).

    ``tol_w``/``tol_b``: tolerances the subset sums must meet; ``delta_l``: per-instance
    failure probability of the union bound; ``samples``: ``n_s``; ``pools``: ``p_l``;
    ``mother_widths``: the mother's architecture.
    """

    scaled: Network
    sigmas: np.ndarray
    kappa: float
    mode: str
    tol_w: np.ndarray
    tol_b: np.ndarray
    delta_l: np.ndarray
    samples: list[int]
    pools: list[int]
    mother_widths: list[int]


def construction_plan(target: Network, *, eps: float | None = None,
                      param_eps: float | None = None, delta: float = 0.05,
                      C: float | None = None, lo: np.ndarray | float = -1.0,
                      hi: np.ndarray | float = 1.0) -> ConstructionPlan:
    """Tolerances, pool sizes and mother widths of the Theorem 5 construction.

    Parameters
    ----------
    target : Network
    eps : float, optional
        Global accuracy over the input box: tolerances from
        :func:`~slth_theory.theory.lemma4.split_tolerances` (exactly one of ``eps`` and
        ``param_eps``).
    param_eps : float, optional
        Per-parameter tolerance in the target's units.
    delta : float in (0, 1)
    C : float, optional
        Default: :func:`calibrated_C`.
    lo, hi : float or ndarray
        Input box (default ``[-1, 1]^n0``).

    Returns
    -------
    ConstructionPlan

    Notes
    -----
    ``n_s = ceil(C log(1 / min(tau_l, delta_l)))`` with ``tau_l = min(tol_w, tol_b)`` and
    ``delta_l = delta / (2 L n_l k_l,max)`` (appendix B.4's union bound over the
    ``<= 2 n_l k_l,max`` parameters of a layer); no cap.
    """
    if (eps is None) == (param_eps is None):
        raise ValueError("give exactly one of eps and param_eps")
    for name, v in (("eps", eps), ("param_eps", param_eps)):
        if v is not None and (not np.isfinite(v) or v <= 0):
            raise ValueError(f"{name} must be finite and > 0; got {v}")
    if not (0 < float(delta) < 1):
        raise ValueError(f"delta must be in (0, 1); got {delta}")
    C = calibrated_C("product") if C is None else float(C)
    if not np.isfinite(C) or C <= 0:
        raise ValueError(f"C must be finite and > 0; got {C}")
    scaled, sig, kappa = unit_box_scaling(target)
    st = layer_stats(scaled, lo, hi)
    L = target.depth
    both = bool(np.any(np.broadcast_to(np.asarray(lo, dtype=np.float64), (target.widths[0],))
                       < 0))
    if eps is not None:
        tol = split_tolerances(scaled, eps / kappa, instance_counts(scaled, both), stats=st)
        tol_w, tol_b, mode = tol.copy(), tol.copy(), "eps"
    else:
        tol_w = param_eps * sig
        tol_b = param_eps * np.exp(np.cumsum(np.log(sig)))
        mode = "param-eps"
    d_l = np.array([delta / (2 * L * st.n[i] * st.k_max[i]) for i in range(L)])
    samples = [samples_per_instance(float(min(tol_w[i], tol_b[i])), float(d_l[i]), C)
               for i in range(L)]
    pools = [int(2 * ns if (i == 0 and both) else ns) for i, ns in enumerate(samples)]
    widths = [target.widths[0]]
    for i in range(L):
        widths += [(target.widths[i] + 1) * pools[i], target.widths[i + 1]]
    return ConstructionPlan(scaled, sig, kappa, mode, tol_w, tol_b, d_l, samples, pools,
                            widths)
