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

The construction in :mod:`slth_theory.construction.build` uses a concrete layout: layer ``2l-1``
holds ``(n_{l-1} + 1) p_l`` neurons shared out into balanced pools (one per input neuron and
sign, one for biases) with ``n_s = ceil(C log(1 / min(eps_l, delta_l)))`` values per
subset-sum instance: ``p_1 = 2 n_s`` (both signs), ``p_l = n_s`` for ``l >= 2``
(``delta_l = delta / (2 L n_l k_l,max)``). That is the ``construction`` width reported
here; ``C`` then means exactly the constant fitted by ``slth calibrate``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from slth_theory.data import read_json
from slth_theory.model.network import Network, parse_widths
from slth_theory.theory.lemma4 import layer_stats, tolerances

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
                formula: str = "appendix") -> WidthReport:
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
        st = layer_stats(target)
        k = [int(v) for v in st.k_max]
        if formula in ("corrected", "construction"):
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
        else:  # construction layout
            d_l = delta / (2 * L * n_l * k[i])
            log_term = math.log(1 / min(eps_l[i], d_l))
            n_odd = (n_prev + 1) * (2 if i == 0 else 1) * math.ceil(C * log_term)
        layers.append(LayerWidth(i + 1, float(eps_l[i]), d_l, int(k[i]), log_term, n_odd, n_l))
        mother += [n_odd, n_l]
    return WidthReport(formula, C, layers, mother, _mother_params(mother))


def samples_per_instance(eps_l: float, delta_l: float, C: float) -> int:
    """``ceil(C log(1 / min(eps_l, delta_l)))``: usable products per subset-sum instance."""
    if eps_l <= 0 or not (0 < delta_l < 1) or C <= 0:
        raise ValueError("need eps_l > 0, delta_l in (0, 1), C > 0")
    return max(1, math.ceil(C * math.log(1 / min(eps_l, delta_l))))
