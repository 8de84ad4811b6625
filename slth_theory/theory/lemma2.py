"""Lemma 2's homogeneity transform and the Section 5 distribution of an output scale.

Lemma 2 (appendix B.1): multiplying the weights of layer ``l`` by ``sigma_l > 0`` and
its biases by ``prod_{m<=l} sigma_m`` multiplies the network function by
``prod_{l=1}^L sigma_l``. Running products are kept as a float mantissa and an integer
power of two (``frexp``/``ldexp``), so deep networks whose scale products under- or
overflow float64 are handled as long as the *transformed parameters* themselves are
representable; where they are, the result has the rounding of a plain product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from slth_theory.model.network import Network


def _log_sigmas(sigmas, depth: int, name: str = "sigmas") -> np.ndarray:
    s = np.asarray(sigmas, dtype=np.float64)
    if s.ndim == 0:
        s = np.full(depth, float(s))
    if s.shape != (depth,):
        raise ValueError(f"{name} must be one number or {depth} numbers (one per layer); "
                         f"got shape {s.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"{name} must be finite and > 0 (Lemma 2 uses positive "
                         f"homogeneity of ReLU); got {s.tolist()}")
    return np.log(s)


def _split(factor_log2: float) -> tuple[float, int]:
    """``2**factor_log2`` as ``(mantissa, exponent)`` with the mantissa in [0.5, 1)."""
    e = int(np.floor(factor_log2)) + 1
    return float(np.exp2(factor_log2 - e)), e


def _cumulative_mantissa_exponent(sigmas: np.ndarray) -> list[tuple[float, int]]:
    """Running products ``prod_{m<=l} sigma_m`` as (mantissa, exponent) pairs.

    The mantissas are multiplied in floating point exactly as a plain running product
    would be (same rounding), but the exponents are kept as integers, so the product
    can never under- or overflow.
    """
    out = []
    m, e = 1.0, 0
    for s in sigmas:
        sm, se = np.frexp(s)
        m, de = np.frexp(m * sm)
        e += int(se) + int(de)
        out.append((float(m), e))
    return out


def _scaled(x: np.ndarray, mant: float, exp: int, what: str) -> np.ndarray:
    """``x * mant * 2**exp`` with a single rounding of the mantissa product (ldexp is exact)."""
    with np.errstate(over="ignore", under="ignore"):
        y = np.ldexp(x * mant, exp)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{what} overflows float64 after scaling")
    return y


def log_output_factor(sigmas: Sequence[float] | float, depth: int) -> float:
    """``log prod_{l=1}^L sigma_l``: the log of the factor Lemma 2 puts on the output."""
    return float(np.sum(_log_sigmas(sigmas, depth)))


def homogeneity_transform(net: Network, sigmas: Sequence[float] | float) -> Network:
    """Lemma 2's ``h(theta, sigma)``.

    Parameters
    ----------
    net : Network
    sigmas : float or sequence of float, all > 0
        One factor per layer (a single number is used for every layer).

    Returns
    -------
    Network
        Weights ``sigma_l W^(l)``, biases ``(prod_{m<=l} sigma_m) b^(l)``. Then
        ``f(x | h(theta, sigma)) = prod_l sigma_l * f(x | theta)`` for relu and identity
        outputs; the factor is :func:`log_output_factor` (in logs).

    Notes
    -----
    Lemma 2; appendix B.1. Cumulative products are carried as mantissa and exponent.
    """
    _log_sigmas(sigmas, net.depth)  # validation
    sig = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (net.depth,))
    cum = _cumulative_mantissa_exponent(sig)
    weights = [_scaled(w, *np.frexp(sig[i]), f"weight_{i}") for i, w in enumerate(net.weights)]
    biases = [_scaled(b, *cum[i], f"bias_{i}") for i, b in enumerate(net.biases)]
    meta = dict(net.meta)
    return Network(weights, biases, net.output_activation, meta)


def distribute_output_scale(net: Network, lam: float, log_lam: float | None = None) -> Network:
    """Fold an output scale ``lambda > 0`` into the parameters (Section 5).

    Parameters
    ----------
    net : Network
    lam : float
        Output scale ``lambda > 0``. Ignored if ``log_lam`` is given.
    log_lam : float, optional
        ``log(lambda)``, for scales that do not fit a float64.

    Returns
    -------
    Network
        Weights ``w * lambda^(1/L)``, biases of layer ``l`` ``b * lambda^(l/L)``, so that
        the new network computes ``lambda * f(x)``.

    Notes
    -----
    Section 5, the transformation after the ``lambda_mse`` formula; a special case of
    Lemma 2 with ``sigma_l = lambda^(1/L)``.
    """
    if log_lam is None:
        lam = float(lam)
        if not np.isfinite(lam) or lam <= 0:
            raise ValueError(f"lambda must be finite and > 0; got {lam}")
        log_lam = float(np.log(lam))
    if not np.isfinite(log_lam):
        raise ValueError(f"log_lam must be finite; got {log_lam}")
    L = net.depth
    log2_per_layer = log_lam / (L * np.log(2.0))
    w_split = _split(log2_per_layer)
    weights = [_scaled(w, *w_split, f"weight_{i}") for i, w in enumerate(net.weights)]
    biases = [_scaled(b, *_split((i + 1) * log2_per_layer), f"bias_{i}")
              for i, b in enumerate(net.biases)]
    return Network(weights, biases, net.output_activation, dict(net.meta))


def transform_parameters(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                         sigmas: Sequence[float]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Lemma 2's map ``h(theta, sigma)`` at the level of the formula, for *any* real sigmas.

    Weights of layer ``l`` are multiplied by ``sigma_l``, biases by ``prod_{m<=l} sigma_m``.
    Unlike :func:`homogeneity_transform` (which accepts only positive factors, the case
    where the lemma holds), this function accepts zero and negative factors, so the
    claims report can show what the identity does there.

    Parameters
    ----------
    weights, biases : sequences of ndarray
        Parameters of the ``L`` layers.
    sigmas : sequence of float, length L
        Finite real factors.

    Returns
    -------
    (weights, biases) : lists of ndarray

    Notes
    -----
    Lemma 2 (Section 3.1, appendix B.1). The proof uses ``phi(s z) = s phi(z)``, true only
    for ``s >= 0``; for ``s < 0``, ``phi(s z) = |s| phi(-z)``.
    """
    sig = np.asarray(sigmas, dtype=np.float64)
    if sig.shape != (len(weights),) or not np.all(np.isfinite(sig)):
        raise ValueError(f"sigmas must be {len(weights)} finite numbers; got {sigmas}")
    if len(biases) != len(weights):
        raise ValueError("weights and biases must have the same number of layers")
    cum = np.cumprod(sig)
    return ([np.asarray(w, float) * s for w, s in zip(weights, sig, strict=True)],
            [np.asarray(b, float) * c for b, c in zip(biases, cum, strict=True)])
