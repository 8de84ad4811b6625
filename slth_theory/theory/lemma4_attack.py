"""Attacks on Lemma 4: approximations at the tolerance, with random or adversarial signs.

A claimed per-layer tolerance ``eps_l`` (:func:`slth_theory.theory.lemma4.tolerances`) is
tested by moving every non-zero parameter of layer ``l`` by ``eps_l`` (:func:`perturb`)
with signs chosen at random or against the worst input found so far
(:func:`adversarial_signs`); ``sup ||f - f_eps|| > eps`` is then a counterexample to the
version of Lemma 4 (appendix B.3) that gave ``eps_l``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from slth_theory.model.network import Network


def perturb(net: Network, tols: Sequence[float], signs: list[tuple[np.ndarray, np.ndarray]]
            | None = None, rng=None, magnitude: str = "full", pattern: str = "keep"
            ) -> Network:
    """An approximation of ``net`` with every parameter of layer ``l`` moved by at most
    ``tols[l]`` (the hypothesis of Lemma 4).

    Parameters
    ----------
    net : Network
    tols : sequence of float, shape (L,)
    signs : list of (ndarray, ndarray), optional
        Per layer, sign arrays for weights and biases (entries in {-1, 0, 1}); random
        signs if not given.
    rng : seed or Generator
        For random signs and magnitudes.
    magnitude : {'full', 'uniform'}
        ``'full'`` moves every parameter by exactly ``tols[l]``; ``'uniform'`` by
        ``tols[l] * U[0, 1]``.
    pattern : {'keep', 'any'}
        ``'keep'``: zero parameters stay zero (the corrected bound's assumption);
        ``'any'``: zero parameters move too (as Lemma 4's hypothesis allows).

    Returns
    -------
    Network
    """
    rng = np.random.default_rng(rng)
    tols = np.asarray(tols, dtype=np.float64)
    if tols.shape != (net.depth,):
        raise ValueError(f"tols must have {net.depth} entries; got {tols.shape}")
    if not np.all(np.isfinite(tols)) or np.any(tols < 0):
        raise ValueError(f"tols must be finite and >= 0; got {tols.tolist()}")
    if signs is not None:
        if len(signs) != net.depth:
            raise ValueError(f"signs must have {net.depth} (weight, bias) pairs; "
                             f"got {len(signs)}")
        checked = []
        for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            sw = np.asarray(signs[i][0], dtype=np.float64)
            sb = np.asarray(signs[i][1], dtype=np.float64)
            if sw.shape != w.shape or sb.shape != b.shape:
                raise ValueError(f"signs[{i}] must have shapes {w.shape} and {b.shape}; "
                                 f"got {sw.shape} and {sb.shape}")
            if not (np.all(np.abs(sw) <= 1) and np.all(np.abs(sb) <= 1)):
                raise ValueError(f"signs[{i}] entries must be finite with |s| <= 1 "
                                 "(in [-1, 1])")
            checked.append((sw, sb))
        signs = checked
    if pattern not in ("keep", "any"):
        raise ValueError(f"pattern must be 'keep' or 'any'; got {pattern!r}")
    if magnitude not in ("full", "uniform"):
        raise ValueError(f"magnitude must be 'full' or 'uniform'; got {magnitude!r}")
    ws, bs = [], []
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        if signs is None:
            sw = rng.choice([-1.0, 1.0], size=w.shape)
            sb = rng.choice([-1.0, 1.0], size=b.shape)
        else:
            sw, sb = signs[i]
        if magnitude == "uniform":
            sw = sw * rng.uniform(0, 1, size=w.shape)
            sb = sb * rng.uniform(0, 1, size=b.shape)
        keep = pattern == "keep"
        ws.append(w + tols[i] * sw * ((w != 0) if keep else 1.0))
        bs.append(b + tols[i] * sb * ((b != 0) if keep else 1.0))
    return Network(ws, bs, net.output_activation, {})


def adversarial_signs(target: Network, approx: Network, x: np.ndarray
                      ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Signs of the gradient of ``sum_x ||f_eps(x) - f(x)||_2^2`` with respect to the
    parameters of ``f_eps`` (one sign-ascent step for an adversarial Lemma 4 perturbation).

    Parameters
    ----------
    target, approx : Network
        ``f`` and the current ``f_eps``.
    x : ndarray, shape (batch, n0)
        Inputs where the error is pushed up.

    Returns
    -------
    list of (ndarray, ndarray)
        Per layer, weight and bias signs (0 where the gradient vanishes is replaced by +1).
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    out, acts = approx.forward(x, return_activations=True)
    diff = out - target.forward(x)
    grad = diff
    signs: list[tuple[np.ndarray, np.ndarray]] = [None] * approx.depth  # type: ignore[list-item]
    for i in range(approx.depth - 1, -1, -1):
        if i < approx.depth - 1 or approx.output_activation == "relu":
            grad = grad * (acts[i + 1] > 0)
        gw = grad.T @ acts[i]
        gb = grad.sum(axis=0)
        signs[i] = (np.where(gw >= 0, 1.0, -1.0), np.where(gb >= 0, 1.0, -1.0))
        grad = grad @ approx.weights[i]
    return signs
