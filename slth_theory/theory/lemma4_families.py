"""Seed-free counterexamples to the printed Lemma 4: targets given in closed form.

Two explicit families break the printed tolerances ``eps_l`` (Section 4 and Eq. B.3, as
printed and with the product index read as ``k``); no random search is involved.

``ones_chain(n, L)``
    Widths ``[1, n, ..., n, 1]`` (``L`` layers), every weight and every bias equal to 1,
    identity output. All weights are bounded by 1 (``||W||_max = 1``), as the text after
    Lemma 4 assumes. The error of the perturbation that raises every parameter of layer
    ``l`` by ``eps_l`` is largest at ``x = 1``; all quantities there are positive, so the
    error is a polynomial in the ``eps_l`` with non-negative coefficients and is at least
    its layer-1 linear term. With ``S_1 = sup ||x^(1)||_1 = 2n`` and a layer gain of ``n``
    (the max-entry norm 1 is used where the operator norm ``n`` acts):

    * Eq. B.3 (``appendix``, ``appendix-k``): ``error/eps >= n^(L-1) / (L sqrt(2n)
      (1 + eps/L)^(L-1))``, unbounded in the width ``n`` for ``L >= 2`` and in the depth
      ``L`` for ``n >= 2``;
    * Section 4 (``main``, ``main-k``): ``error/eps >= 2 n^(L-1) / (L sqrt(2n) (1 + 2n)
      (1 + eps/L)^(L-1))``, unbounded in ``n`` for ``L >= 3`` and in ``L`` for ``n >= 2``.

``tiny_neuron(n0)``
    One layer ``[n0, 1]``, weights and bias ``c = (n0 + 1)^-2``, identity output. Section 4
    uses ``sup ||x^(l)||_1`` (the layer's own output, here ``c (n0 + 1)``) where the proof
    needs ``sup ||x^(l-1)||_1 = n0``; the error of the ``+eps_1`` perturbation at ``x = 1``
    is exactly ``eps_1 (n0 + 1)``, so ``error/eps = sqrt(n0 + 1) (n0 + 1) / (n0 + 2)``
    (``main`` and ``main-k``), unbounded in the input width.

Notes
-----
Lemma 4 (Section 4) and Eq. (B.3) of appendix B.3. The corrected tolerances of
:func:`slth_theory.theory.lemma4.tolerances` give an error of exactly ``eps`` on both
families (the bound is attained), which the check uses as a cross-check.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from slth_theory.model.network import Network

FAMILIES = ("ones_chain", "tiny_neuron")


def ones_chain(n: int, depth: int) -> Network:
    """Widths ``[1, n, ..., n, 1]`` with ``depth`` layers, all parameters 1, identity output.

    Parameters
    ----------
    n : int
        Hidden width, >= 1.
    depth : int
        Number of layers ``L``, >= 1 (``L = 1`` is the single layer ``[1, 1]``).
    """
    if int(n) < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    if int(depth) < 1:
        raise ValueError(f"depth must be >= 1; got {depth}")
    widths = [1] + [int(n)] * (int(depth) - 1) + [1]
    ws = [np.ones((widths[i + 1], widths[i])) for i in range(int(depth))]
    bs = [np.ones(widths[i + 1]) for i in range(int(depth))]
    return Network(ws, bs, "identity", {"family": "ones_chain"})


def tiny_neuron(n0: int) -> Network:
    """One neuron ``[n0, 1]``, weights and bias ``(n0 + 1)^-2``, identity output."""
    if int(n0) < 1:
        raise ValueError(f"n0 must be >= 1; got {n0}")
    c = 1.0 / (int(n0) + 1) ** 2
    return Network([np.full((1, int(n0)), c)], [np.array([c])], "identity",
                   {"family": "tiny_neuron"})


def ratio_formula(family: str, version: str, size: int, depth: int = 1,
                  eps: float = 1e-2) -> float:
    """The closed-form value (``tiny_neuron``) or lower bound (``ones_chain``) of
    ``error/eps`` for a printed version of Lemma 4 (see the module docstring).

    Parameters
    ----------
    family : {'ones_chain', 'tiny_neuron'}
    version : {'main', 'main-k', 'appendix', 'appendix-k'}
    size : int
        ``n`` (ones_chain) or ``n0`` (tiny_neuron).
    depth : int
        ``L`` (ones_chain only).
    eps : float
    """
    if family == "tiny_neuron":
        if not version.startswith("main"):
            raise ValueError("tiny_neuron breaks the Section 4 versions only")
        m = size + 1
        return math.sqrt(m) * m / (m + 1)
    if family != "ones_chain":
        raise ValueError(f"family must be one of {FAMILIES}; got {family!r}")
    n, L = float(size), int(depth)
    base = n ** (L - 1) / (L * math.sqrt(2 * n) * (1 + eps / L) ** (L - 1))
    if version.startswith("main"):
        return 2 * base / (1 + 2 * n)
    return base


def all_up_error(target: Network, tols) -> float:
    """``||f_eps(1) - f(1)||_2`` for the approximation that raises every non-zero
    parameter of layer ``l`` by ``tols[l]`` (evaluated at the all-ones input)."""
    ws = [w + t * (w != 0) for w, t in zip(target.weights, tols, strict=True)]
    bs = [b + t * (b != 0) for b, t in zip(target.biases, tols, strict=True)]
    approx = Network(ws, bs, target.output_activation, {})
    x = np.ones((1, target.widths[0]))
    return float(np.linalg.norm(approx.forward(x) - target.forward(x)))


def all_up_error_exact(target: Network, tols) -> Fraction:
    """:func:`all_up_error` in exact rational arithmetic, for the families of this module.

    Every layer of ``ones_chain`` and ``tiny_neuron`` has one weight value ``c_l`` and one
    bias value ``beta_l`` and everything is positive at ``x = 1``, so all neurons of a layer
    are equal: ``a_l = n_(l-1) c_l a_(l-1) + beta_l`` (and the same with ``c_l + eps_l``,
    ``beta_l + eps_l``); with one output the error is ``a'_L - a_L``. Float tolerances are
    converted exactly, so no cancellation error enters the ratio error/eps.
    """
    if target.widths[-1] != 1:
        raise ValueError("the families have one output")
    a = ae = Fraction(1)
    for w, b, t in zip(target.weights, target.biases, tols, strict=True):
        c, beta = float(w.flat[0]), float(b.flat[0])
        if not (np.all(w == c) and np.all(b == beta)) or c <= 0 or beta <= 0:
            raise ValueError("target is not a positive uniform chain")
        n_prev = w.shape[1]
        t = Fraction(float(t))
        a = n_prev * Fraction(c) * a + Fraction(beta)
        ae = n_prev * (Fraction(c) + t) * ae + Fraction(beta) + t
    return ae - a


def raised(target: Network, tols) -> Network:
    """The approximation of :func:`all_up_error` (for saving as a counterexample)."""
    ws = [w + t * (w != 0) for w, t in zip(target.weights, tols, strict=True)]
    bs = [b + t * (b != 0) for b, t in zip(target.biases, tols, strict=True)]
    return Network(ws, bs, target.output_activation, {"family": target.meta.get("family")})
