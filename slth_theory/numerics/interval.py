"""Interval bound propagation through ReLU networks: the one implementation.

For boxes ``[lo, hi]`` of inputs, every layer's pre-activations ``h = W x + b`` are
bounded by ``[W+ lo + W- hi + b, W+ hi + W- lo + b]`` (``W+ = max(W, 0)``,
``W- = min(W, 0)``) and the activations by ``phi`` of those bounds. Each bound is widened
by ``rel`` times the sum of the magnitudes of its terms, which makes it rigorous under
float64 rounding when ``rel >= 2.3e-16 (n_in + 2)`` (twice the standard bound ``n u`` on
the error of a sum of ``n`` products; Higham, *Accuracy and Stability*, eq. 3.5).

Used by Lemma 4's corrected bound (:func:`activation_bounds`: ``sup ||x^(l)||_1``,
appendix B.3) and by the rigorous sup-norm bound of :mod:`slth_theory.numerics.supnorm`
(which boxes a network is affine on).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["LayerInterval", "activation_bounds", "propagate_boxes", "rounding_margin"]

#: Unit roundoff of float64 doubled: ``rounding_margin(n) = 2.3e-16 (n + 2)``.
_U2 = 2.3e-16


def rounding_margin(n_in: int) -> float:
    """Relative widening that makes an ``n_in``-term float64 dot product bound rigorous."""
    return _U2 * (int(n_in) + 2)


@dataclass
class LayerInterval:
    """Bounds of one layer over a batch of boxes (arrays of shape ``(boxes, n_l)``).

    ``pre_lo``/``pre_hi`` bound the pre-activations (widened for rounding); ``const``
    marks neurons whose pre-activation is constant on the box (no weights, or all inputs
    fixed), with that constant in ``pre_const``; ``lo``/``hi`` bound the activations.
    ``relu`` says whether the layer applies the ReLU.
    """

    pre_lo: np.ndarray
    pre_hi: np.ndarray
    const: np.ndarray
    pre_const: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    relu: bool


def propagate_boxes(weights, biases, output_activation: str, lo: np.ndarray, hi: np.ndarray,
                    *, min_rel: float = 0.0) -> list[LayerInterval]:
    """Propagate input boxes through the layers; one :class:`LayerInterval` per layer.

    Parameters
    ----------
    weights, biases : sequences of arrays
        Layer ``l`` maps ``x`` to ``W_l x + b_l``; ``W_l`` dense or ``scipy.sparse`` (CSR).
    output_activation : {'relu', 'identity'}
        Activation of the last layer (hidden layers always use the ReLU).
    lo, hi : ndarray, shape (boxes, n0)
        Corners of the input boxes (``lo <= hi``).
    min_rel : float
        Smallest relative widening (the rigorous :func:`rounding_margin` is used if larger).

    Notes
    -----
    Interval bound propagation; the widening accounts for float64 rounding of the bound
    computation itself, so ``pre_lo <= h(x) <= pre_hi`` holds exactly for every ``x`` in
    the box.
    """
    lo = np.atleast_2d(np.asarray(lo, dtype=np.float64))
    hi = np.atleast_2d(np.asarray(hi, dtype=np.float64))
    out: list[LayerInterval] = []
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        alo, ahi = np.abs(lo), np.abs(hi)
        ab = np.abs(b)
        rel = max(rounding_margin(w.shape[1]), min_rel)
        if sp.issparse(w):
            wp, wn = w.maximum(0), w.minimum(0)
            awp, awn = wp, -wn
            hlo = (wp @ lo.T + wn @ hi.T).T + b
            hhi = (wp @ hi.T + wn @ lo.T).T + b
            slo = (awp @ alo.T + awn @ ahi.T).T + ab
            shi = (awp @ ahi.T + awn @ alo.T).T + ab
            no_w = np.diff(w.tocsr().indptr) == 0
        else:
            wp, wn = np.maximum(w, 0.0), np.minimum(w, 0.0)
            hlo = lo @ wp.T + hi @ wn.T + b
            hhi = hi @ wp.T + lo @ wn.T + b
            slo = alo @ wp.T - ahi @ wn.T + ab
            shi = ahi @ wp.T - alo @ wn.T + ab
            no_w = ~np.any(w != 0, axis=1)
        const = no_w[None, :] | (hlo == hhi)
        pre_const = hlo
        hlo, hhi = hlo - rel * slo, hhi + rel * shi
        relu = i < last or output_activation == "relu"
        if relu:
            alo_, ahi_ = np.maximum(hlo, 0.0), np.maximum(hhi, 0.0)
        else:
            alo_, ahi_ = hlo, hhi
        out.append(LayerInterval(hlo, hhi, const, pre_const, alo_, ahi_, relu))
        lo, hi = alo_, ahi_
    return out


def activation_bounds(net, lo: np.ndarray | float = -1.0, hi: np.ndarray | float = 1.0,
                      *, min_rel: float = 1e-12) -> list[np.ndarray]:
    """Entrywise bounds ``u^(l) >= |x^(l)|`` over all inputs ``x`` in the box ``[lo, hi]``.

    Parameters
    ----------
    net : Network
    lo, hi : float or ndarray of shape (n0,)
        The input box (default ``[-1, 1]^n0``).
    min_rel : float
        Smallest relative widening of each bound (default ``1e-12``, a safety margin
        for the float64 rounding of the formulas that use the bounds).

    Returns
    -------
    list of ndarray
        ``[u^(0), ..., u^(L)]`` with ``u^(0) = max(|lo|, |hi|)``.

    Notes
    -----
    Used for ``sup ||x^(l)||_1 <= sum_i u_i^(l)`` in Lemma 4 (appendix B.3).
    """
    n0 = net.widths[0]
    lo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (n0,))
    hi = np.broadcast_to(np.asarray(hi, dtype=np.float64), (n0,))
    if np.any(~np.isfinite(lo)) or np.any(~np.isfinite(hi)) or np.any(lo > hi):
        raise ValueError("lo and hi must be finite with lo <= hi")
    layers = propagate_boxes(net.weights, net.biases, net.output_activation, lo[None, :],
                             hi[None, :], min_rel=min_rel)
    return [np.maximum(np.abs(lo), np.abs(hi))] + [
        np.maximum(np.abs(L.lo[0]), np.abs(L.hi[0])) for L in layers]
