"""Second moments of the signal norm ``E||x^(l)||^2`` (Lemma 3, Section 3.2): exact formulas.

* :class:`LayerLaw` / :func:`layer_law` -- the per-layer laws of weights and biases;
* :func:`lemma3_second_moments` -- the exact recursion behind Lemma 3 for every layer;
  :func:`lemma3_closed_form` -- the output formula exactly as printed;
* :func:`looks_linear_second_moments` -- the looks-linear construction of
  :mod:`slth_theory.model.schemes`;
* :func:`he_claim` -- what the remark after Lemma 3 ("sigma_w,l^2 ~ 2/n_l and
  sigma_b,l = prod sigma_w,m give E||f||^2 ~ ||x0||^2 + 1") actually gives.

Conventions: ``w_var``/``b_var`` are *variances* (Lemma 3 needs variances); the scale
parameters of :mod:`slth_theory.model.schemes` are half-widths (uniform, variance ``s^2/3``) or
standard deviations (normal). Monte Carlo estimates of the same moments:
:mod:`slth_theory.theory.lemma3_mc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slth_theory.model import schemes as _init
from slth_theory.model.network import parse_widths

FAMILY_CODES = {"uniform": 0, "normal": 1}
OUTPUT_ACTIVATIONS = ("relu", "identity")


# ------------------------------------------------------------------------ laws


@dataclass(frozen=True)
class LayerLaw:
    """Per-layer i.i.d. weight and bias law of a network with independent parameters.

    Attributes
    ----------
    family : {'uniform', 'normal'}
        Weights and biases: ``U[-s, s]`` or ``N(0, s^2)``.
    w_scale, b_scale : ndarray, shape (L,)
        Scale parameters (half-width or std); ``b_scale[l] = 0`` means zero biases.
    widths : tuple of int or None
        ``[n0, ..., nL]`` the scales were computed for (set by :func:`layer_law`); the
        simulators refuse other widths. ``None`` (a hand-built law): only the number of
        layers is checked.
    """

    family: str
    w_scale: np.ndarray
    b_scale: np.ndarray
    widths: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILY_CODES:
            raise ValueError(f"family must be one of {tuple(FAMILY_CODES)}; got "
                             f"{self.family!r}")
        w = np.asarray(self.w_scale, dtype=np.float64)
        b = np.asarray(self.b_scale, dtype=np.float64)
        if w.ndim != 1 or b.shape != w.shape:
            raise ValueError(f"w_scale and b_scale must be 1-d of equal length; got "
                             f"{w.shape} and {b.shape}")
        if not (np.all(np.isfinite(w)) and np.all(w >= 0)):
            raise ValueError(f"w_scale must be finite and >= 0; got {w.tolist()}")
        if not (np.all(np.isfinite(b)) and np.all(b >= 0)):
            raise ValueError(f"b_scale must be finite and >= 0; got {b.tolist()}")
        if self.widths is not None:
            wd = tuple(int(v) for v in self.widths)
            if len(wd) != w.size + 1:
                raise ValueError(f"widths must have {w.size + 1} entries (one more than "
                                 f"w_scale); got {list(wd)}")
            object.__setattr__(self, "widths", wd)
        object.__setattr__(self, "w_scale", w)
        object.__setattr__(self, "b_scale", b)

    @property
    def _var_factor(self) -> float:
        return 1.0 / 3.0 if self.family == "uniform" else 1.0

    @property
    def w_var(self) -> np.ndarray:
        """Weight variances ``sigma_w,l^2`` (Lemma 3)."""
        return self.w_scale ** 2 * self._var_factor

    @property
    def b_var(self) -> np.ndarray:
        """Bias variances ``sigma_b,l^2`` (Lemma 3)."""
        return self.b_scale ** 2 * self._var_factor


def layer_law(widths: Sequence[int] | str, scheme: str, *, bias: str = "zero",
              bias_factor: float = 1.0, mode: str | None = None,
              weight_scale: float | Sequence[float] | None = None) -> LayerLaw:
    """The :class:`LayerLaw` of a registered scheme with independent parameters.

    Uses :func:`slth_theory.model.schemes.weight_scales` and
    :func:`~slth_theory.model.schemes.bias_scales`
    (bias scale parameter ``bias_factor * prod_{m<=l} s_m``, same family), so the law is
    exactly the one :func:`slth_theory.model.schemes.initialize` draws from.

    Raises
    ------
    ValueError
        For looks-linear (weights are not independent: use
        :func:`looks_linear_monte_carlo`) or an invalid ``bias``.
    """
    sch = _init.get(scheme)
    if sch.family not in FAMILY_CODES:
        raise ValueError(f"scheme {scheme!r} has dependent (orthogonal) weights; Lemma 3 "
                         "needs independent ones -- use looks_linear_monte_carlo")
    if bias not in sch.bias_modes:
        raise ValueError(f"bias for {scheme!r} must be one of {sch.bias_modes}; got {bias!r}")
    widths = parse_widths(widths)
    s_w = _init.weight_scales(widths, scheme, mode, weight_scale)
    s_b = _init.bias_scales(s_w, bias_factor) if bias == "nonzero" else np.zeros_like(s_w)
    return LayerLaw(sch.family, s_w, s_b, tuple(widths))


# ----------------------------------------------------------------------- exact


def _check_act(output_activation: str) -> None:
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"output_activation must be one of {OUTPUT_ACTIVATIONS}; got "
                         f"{output_activation!r}")


def lemma3_second_moments(widths: Sequence[int] | str, w_var: Sequence[float],
                          b_var: Sequence[float], x0_sq_norm: float,
                          output_activation: str = "relu") -> np.ndarray:
    """Exact ``E||x^(l)||^2`` for ``l = 0..L`` (Lemma 3 and its proof, appendix B.2).

    Parameters
    ----------
    widths : sequence of int or str
        ``[n0, ..., nL]``.
    w_var, b_var : sequence of float, length L
        Weight and bias *variances* per layer.
    x0_sq_norm : float
        ``||x^(0)||^2``.
    output_activation : {'relu', 'identity'}
        Lemma 3 assumes ReLU everywhere; with an identity output the last factor is
        ``n_L`` instead of ``n_L / 2``.

    Returns
    -------
    ndarray, shape (L+1,)
        ``m_0 = ||x0||^2``, ``m_l = (n_l / 2) (sigma_w,l^2 m_{l-1} + sigma_b,l^2)``.

    Notes
    -----
    Appendix B.2: given ``x^(l-1)`` the pre-activation ``h_i`` is symmetric with variance
    ``sigma_w,l^2 ||x^(l-1)||^2 + sigma_b,l^2``, so ``E phi(h_i)^2 = E h_i^2 / 2`` exactly
    (for any symmetric law; an atom at 0 contributes nothing). Unrolling gives the
    closed form of Lemma 3 (:func:`lemma3_closed_form`).
    """
    widths = parse_widths(widths)
    _check_act(output_activation)
    L = len(widths) - 1
    wv = np.asarray(w_var, dtype=np.float64)
    bv = np.asarray(b_var, dtype=np.float64)
    if wv.shape != (L,) or bv.shape != (L,):
        raise ValueError(f"w_var and b_var must have {L} entries; got {wv.size} and {bv.size}")
    if np.any(wv < 0) or np.any(bv < 0) or x0_sq_norm < 0:
        raise ValueError("variances and x0_sq_norm must be >= 0")
    m = np.empty(L + 1)
    m[0] = float(x0_sq_norm)
    for layer in range(1, L + 1):
        c = widths[layer] / 2.0
        if layer == L and output_activation == "identity":
            c = float(widths[layer])
        m[layer] = c * (wv[layer - 1] * m[layer - 1] + bv[layer - 1])
    return m


def lemma3_closed_form(widths: Sequence[int] | str, w_var: Sequence[float],
                       b_var: Sequence[float], x0_sq_norm: float) -> float:
    """The output second moment exactly as printed in Lemma 3.

    ``||x0||^2 prod_l n_l s_w,l^2/2 + s_b,L^2 n_L/2
    + sum_{l<L} s_b,l^2 n_l/2 prod_{k>l} n_k s_w,k^2/2`` (ReLU output).
    """
    widths = parse_widths(widths)
    n = np.asarray(widths[1:], dtype=np.float64)
    wv = np.asarray(w_var, dtype=np.float64)
    bv = np.asarray(b_var, dtype=np.float64)
    g = n * wv / 2.0
    L = n.size
    total = x0_sq_norm * np.prod(g) + bv[L - 1] * n[L - 1] / 2.0
    for layer in range(L - 1):
        total += bv[layer] * n[layer] / 2.0 * np.prod(g[layer + 1:])
    return float(total)


# --------------------------------------------------------------- looks-linear


def looks_linear_second_moments(widths: Sequence[int] | str, x0_sq_norm: float,
                                bias_factor: float | None = 1.0,
                                output_activation: str = "relu"
                                ) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer ``E||x^(l)||^2`` of a looks-linear network: the paper's formula and the
    exact value under the construction of :func:`slth_theory.model.schemes.looks_linear_layers`.

    Parameters
    ----------
    widths : sequence of int or str
    x0_sq_norm : float
    bias_factor : float or None
        ``None`` for zero biases; otherwise ``b0 ~ N(0, s_b,l^2)`` with
        ``s_b,l = bias_factor * prod_{m<=l} s_m`` (:func:`slth_theory.model.schemes.bias_scales`).
    output_activation : {'relu', 'identity'}

    Returns
    -------
    paper, exact : ndarray, shape (L+1,)
        ``paper[l] = ||x0||^2 + sum_{k<=l} sigma_b,k^2 n_k / 2`` (Section 3.2, for every
        prefix); ``exact[l] = min(1, p_l/q_l) exact[l-1] + p_l sigma_b,l^2`` with
        ``W0^(l)`` of shape ``(p_l, q_l)``.

    Notes
    -----
    ``||x^(l)||^2 = ||z_l||^2`` with ``z_l = W0 z_{l-1} + b0`` because
    ``||[phi(z), phi(-z)]|| = ||z||``. If ``p >= q``, ``W0`` has orthonormal columns and
    ``||W0 z|| = ||z||``; if ``p < q`` it has orthonormal rows and, being Haar and
    independent of ``z``, ``E||W0 z||^2 = (p/q) ||z||^2``. ``b0`` has ``p = n_l/2``
    entries (``n_L`` for an identity readout), independent of everything before. So the
    paper's formula holds exactly when widths never shrink (``n_1 >= 2 n_0``,
    ``n_l >= n_{l-1}``), and needs the ``min(1, p/q)`` factors otherwise.
    """
    widths = parse_widths(widths)
    _check_act(output_activation)
    shapes = _init.looks_linear_block_shapes(widths, output_activation)
    s_w = _init.weight_scales(widths, "looks-linear", None, None, output_activation)
    b_var = (np.zeros(len(shapes)) if bias_factor is None
             else _init.bias_scales(s_w, bias_factor) ** 2)
    L = len(shapes)
    paper = np.empty(L + 1)
    exact = np.empty(L + 1)
    paper[0] = exact[0] = float(x0_sq_norm)
    for i, (p, q) in enumerate(shapes):
        paper[i + 1] = paper[i] + b_var[i] * widths[i + 1] / 2.0
        exact[i + 1] = min(1.0, p / q) * exact[i] + p * b_var[i]
    return paper, exact


# ------------------------------------------------------------- the He remark


def he_claim(widths: Sequence[int] | str, x0_sq_norm: float, mode: str, family: str = "normal",
             bias_rule: str = "std") -> dict[str, float]:
    """What Lemma 3 gives for He weights and ``sigma_b,l = prod_{m<=l} sigma_w,m``.

    Parameters
    ----------
    widths : sequence of int or str
    x0_sq_norm : float
    mode : {'fan_in', 'fan_out'}
        ``fan_out``: ``sigma_w,l^2 = 2/n_l`` (the remark after Lemma 3); ``fan_in``:
        ``2/n_{l-1}`` (He et al.'s forward rule, PyTorch's default).
    family : {'normal', 'uniform'}
    bias_rule : {'std', 'scale'}
        ``'std'``: the bias *standard deviation* is the product of the weight standard
        deviations (``sigma_b,l^2 = prod sigma_w,m^2``); ``'scale'``: the bias *scale
        parameter* is the product of the weight scale parameters, as in Section 3.1's
        ``U[-prod sigma, prod sigma]`` and :func:`slth_theory.model.schemes.bias_scales`. Identical
        for normal weights; for uniform ones ``sigma_b,l^2 = 3^(l-1) prod sigma_w,m^2``.

    Returns
    -------
    dict
        ``input_gain`` (coefficient of ``||x0||^2``), ``bias_term`` (the rest) and
        ``total`` = ``input_gain * ||x0||^2 + bias_term``.
    """
    if bias_rule not in ("std", "scale"):
        raise ValueError(f"bias_rule must be 'std' or 'scale'; got {bias_rule!r}")
    law = layer_law(widths, f"he-{family}", bias="nonzero", mode=mode)
    w_var = law.w_var
    b_var = np.cumprod(w_var) if bias_rule == "std" else law.b_var
    gain = lemma3_second_moments(widths, w_var, np.zeros_like(b_var), 1.0)[-1]
    bias_term = lemma3_second_moments(widths, w_var, b_var, 0.0)[-1]
    return {"input_gain": float(gain), "bias_term": float(bias_term),
            "total": float(gain * x0_sq_norm + bias_term)}
