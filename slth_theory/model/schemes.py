"""Initialization schemes of the paper, in one registry.

Every scheme draws a :class:`~slth_theory.model.network.Network` for an architecture
``[n0, ..., nL]`` from a seed. Conventions (also in README.md):

* **Scale parameter** ``s_l`` of a weight family: the half-width ``a`` of ``U[-a, a]``
  for uniform weights, the standard deviation for normal weights. The paper writes
  ``sigma_w,l`` for this parameter (``U[-sigma, sigma]`` in Theorem 5, ``N(0, sigma^2)``
  for normal weights). The *variance* is ``s_l^2 / 3`` (uniform) or ``s_l^2`` (normal).
* **He**: variance ``2 / fan``; ``mode='fan_in'`` (default, ``fan = n_{l-1}``, He et al.
  2015 and PyTorch) or ``mode='fan_out'`` (``fan = n_l``, the ``sigma_w,l^2 = 2/n_l`` of
  the paper's remark after Lemma 3). **Glorot**: variance ``2 / (n_{l-1} + n_l)``.
* **Non-zero biases** (Section 3.1): bias scale parameter
  ``s_b,l = bias_factor * prod_{m<=l} s_w,m``, drawn from the same family as the
  weights. By Lemma 2 this is a network with all parameters drawn at unit scale,
  transformed by ``h(theta, s)``. Computed in logs, so deep networks cannot overflow.
* Weights of all layers are drawn first, then biases: a zero-bias and a non-zero-bias
  network from the same seed have identical weights.
* **Theorem 5** schemes: ``w ~ U[-s_l, s_l]``, ``b ~ U[-prod s, prod s]`` (and the normal
  variant); ``s_l`` from ``weight_scale`` or, if not given, from He's rule.
* **Looks-linear** (Section 3.2): see :func:`looks_linear_layers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slth_theory._version import __version__
from slth_theory.engine.limits import check_memory, describe_widths, network_bytes
from slth_theory.model.looks_linear import (
    looks_linear_block_shapes,
    looks_linear_layers,
)
from slth_theory.model.network import Network, parse_widths

BIAS_MODES = ("zero", "nonzero")


@dataclass(frozen=True)
class Scheme:
    """A registered initialization scheme.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``'he-uniform'``.
    family : {'uniform', 'normal', 'orthogonal'}
        Distribution of the weights (and of non-zero biases, which are normal for
        ``orthogonal``).
    rule : {'he', 'glorot', 'theorem5', 'looks-linear'}
        How the per-layer scale is chosen.
    modes : tuple of str
        Allowed ``mode`` values; the first is the default.
    bias_modes : tuple of str
        Allowed ``bias`` values; the first is the default.
    description : str
    """

    name: str
    family: str
    rule: str
    modes: tuple[str, ...]
    bias_modes: tuple[str, ...]
    description: str


_REGISTRY: dict[str, Scheme] = {}


def register(scheme: Scheme) -> Scheme:
    """Add a scheme to the registry (names must be unique)."""
    if scheme.name in _REGISTRY:
        raise ValueError(f"scheme {scheme.name!r} is already registered")
    _REGISTRY[scheme.name] = scheme
    return scheme


def get(name: str) -> Scheme:
    """Look up a scheme by name; the error lists the valid names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown scheme {name!r}; choose one of: {', '.join(sorted(_REGISTRY))}"
        ) from None


def names() -> list[str]:
    """Registered scheme names, sorted."""
    return sorted(_REGISTRY)


for _fam in ("uniform", "normal"):
    register(Scheme(f"he-{_fam}", _fam, "he", ("fan_in", "fan_out"), BIAS_MODES,
                    f"He et al. 2015, {_fam}: variance 2/fan"))
    register(Scheme(f"glorot-{_fam}", _fam, "glorot", ("fan_avg",), BIAS_MODES,
                    f"Glorot & Bengio 2010, {_fam}: variance 2/(n_in+n_out)"))
    register(Scheme(f"theorem5-{_fam}", _fam, "theorem5", ("fan_in", "fan_out"), ("nonzero",),
                    f"Theorem 5: w ~ {'U[-s,s]' if _fam == 'uniform' else 'N(0,s^2)'}, "
                    "bias scale prod s; s from --weight-scale or He's rule"))
register(Scheme("looks-linear", "orthogonal", "looks-linear", ("fan_out",), BIAS_MODES,
                "Section 3.2: W = [[W0,-W0],[-W0,W0]], b = [b0,-b0], W0 orthogonal, "
                "b0 ~ N(0, s_b^2)"))


def _provenance(rng) -> tuple[int | None, list[int]]:
    """The seed (and SeedSequence spawn key) that regenerates ``rng``'s stream, if known.

    An int seed ``S`` is recorded as ``S``; a ``SeedSequence`` with an integer entropy as
    that entropy plus its ``spawn_key`` (so children of ``SeedSequence(S).spawn(n)``
    are regenerable too). A ``Generator`` carries no recoverable seed: ``None``.
    """
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng), []
    if isinstance(rng, np.random.SeedSequence) and isinstance(rng.entropy, (int, np.integer)):
        return int(rng.entropy), [int(k) for k in rng.spawn_key]
    return None, []


def _as_rng(rng) -> np.random.Generator:
    return np.random.default_rng(rng)


def _check_bias_factor(bias_factor: float) -> float:
    bias_factor = float(bias_factor)
    if not np.isfinite(bias_factor) or bias_factor <= 0:
        raise ValueError(f"bias_factor must be finite and > 0; got {bias_factor}")
    return bias_factor


def weight_scales(
    widths: Sequence[int],
    scheme: str,
    mode: str | None = None,
    weight_scale: float | Sequence[float] | None = None,
    output_activation: str = "relu",
) -> np.ndarray:
    """Per-layer weight scale parameters ``s_l`` (half-width or std, see module notes).

    Parameters
    ----------
    widths : sequence of int
        Architecture ``[n0, ..., nL]``.
    scheme : str
        Registered scheme name.
    mode : str, optional
        Fan convention; one of the scheme's ``modes`` (default: its first).
    weight_scale : float or sequence of float, optional
        Explicit scales, only for the ``theorem5-*`` schemes.
    output_activation : {'relu', 'identity'}
        Only matters for looks-linear (the identity readout has its own block shape).

    Returns
    -------
    ndarray, shape (L,)

    Notes
    -----
    For looks-linear, ``s_l`` is the marginal standard deviation of an entry of
    ``W^(l)``: ``1/sqrt(max(p, q))`` for a block ``W0`` of shape ``(p, q)``, which is
    ``sqrt(2/n_l)`` for non-shrinking hidden layers (Section 3.2).
    """
    sch = get(scheme)
    widths = parse_widths(widths)
    mode = _check_mode(sch, mode)
    n_in = np.asarray(widths[:-1], dtype=np.float64)
    n_out = np.asarray(widths[1:], dtype=np.float64)
    L = len(widths) - 1
    if weight_scale is not None:
        if sch.rule != "theorem5":
            raise ValueError(
                f"weight_scale is only accepted by the theorem5-* schemes; {scheme!r} uses "
                f"{sch.rule}'s rule"
            )
        s = np.broadcast_to(np.asarray(weight_scale, dtype=np.float64), (L,)).copy() \
            if np.ndim(weight_scale) == 0 else np.asarray(weight_scale, dtype=np.float64)
        if s.shape != (L,):
            raise ValueError(f"weight_scale must be one number or {L} numbers; got {s.size}")
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ValueError(f"weight_scale must be finite and > 0; got {s.tolist()}")
        return s
    if sch.rule in ("he", "theorem5"):
        var = 2.0 / (n_in if mode == "fan_in" else n_out)
    elif sch.rule == "glorot":
        var = 2.0 / (n_in + n_out)
    else:  # looks-linear
        shapes = looks_linear_block_shapes(widths, output_activation, check=False)
        return 1.0 / np.sqrt(np.array([max(p, q) for p, q in shapes], dtype=np.float64))
    std = np.sqrt(var)
    return std * np.sqrt(3.0) if sch.family == "uniform" else std


def weight_stds(widths: Sequence[int], scheme: str, mode: str | None = None,
                weight_scale: float | Sequence[float] | None = None,
                output_activation: str = "relu") -> np.ndarray:
    """Per-layer standard deviation of a weight entry (``sigma_w,l`` of Lemma 3)."""
    s = weight_scales(widths, scheme, mode, weight_scale, output_activation)
    return s / np.sqrt(3.0) if get(scheme).family == "uniform" else s


def bias_scales(w_scales: np.ndarray, bias_factor: float = 1.0) -> np.ndarray:
    """Bias scale parameters ``bias_factor * prod_{m<=l} s_m`` (Section 3.1), via logs.

    Parameters
    ----------
    w_scales : ndarray, shape (L,)
        Weight scale parameters.
    bias_factor : float
        Positive multiplier.

    Returns
    -------
    ndarray, shape (L,)
        Underflows to 0 (never to NaN) for very deep, small-scale networks.
    """
    bias_factor = _check_bias_factor(bias_factor)
    return np.exp(np.log(bias_factor) + np.cumsum(np.log(np.asarray(w_scales, float))))


def _check_mode(sch: Scheme, mode: str | None) -> str:
    if mode is None:
        return sch.modes[0]
    if mode not in sch.modes:
        raise ValueError(f"mode for {sch.name!r} must be one of {sch.modes}; got {mode!r}")
    return mode


def initialize(
    widths: Sequence[int] | str,
    scheme: str = "he-uniform",
    *,
    bias: str | None = None,
    bias_factor: float = 1.0,
    mode: str | None = None,
    weight_scale: float | Sequence[float] | None = None,
    output_activation: str = "relu",
    rng=None,
) -> Network:
    """Draw a network from a registered scheme.

    Parameters
    ----------
    widths : sequence of int or str
        Architecture ``[n0, n1, ..., nL]`` (``"2,100,1"`` accepted).
    scheme : str
        One of :func:`names`.
    bias : {'zero', 'nonzero'}, optional
        Bias mode (default: the scheme's first; ``theorem5-*`` allow only ``nonzero``).
    bias_factor : float
        Multiplier of the bias scale ``prod_{m<=l} s_m``; > 0.
    mode : str, optional
        Fan convention, see :func:`weight_scales`.
    weight_scale : float or sequence, optional
        Explicit per-layer scale parameters (``theorem5-*`` only).
    output_activation : {'relu', 'identity'}
    rng : int, Generator, SeedSequence or None
        Passed to ``np.random.default_rng``. An int is recorded as ``meta['seed']``; a
        ``SeedSequence`` child as ``meta['seed']`` (its entropy) and
        ``meta['spawn_key']``, so :func:`regenerate` (and ``slth init --seed S
        --spawn-key K``) redraws the same network.

    Returns
    -------
    Network
        ``meta`` records scheme, mode, bias, scales, seed and library version.

    Notes
    -----
    Section 3.1 (non-zero biases), Section 3.2 (looks-linear), Theorem 5 (uniform and
    normal variants). Weights of all layers are drawn before any bias.
    """
    sch = get(scheme)
    widths = parse_widths(widths)
    check_memory(network_bytes(widths, copies=2), f"a network of widths {describe_widths(widths)}")
    bias = sch.bias_modes[0] if bias is None else bias
    if bias not in sch.bias_modes:
        raise ValueError(f"bias for {scheme!r} must be one of {sch.bias_modes}; got {bias!r}")
    bias_factor = _check_bias_factor(bias_factor)
    mode = _check_mode(sch, mode)
    if output_activation not in ("relu", "identity"):
        raise ValueError(f"output_activation must be 'relu' or 'identity'; got "
                         f"{output_activation!r}")
    seed, spawn_key = _provenance(rng)
    gen = _as_rng(rng)
    L = len(widths) - 1
    if sch.family == "orthogonal":
        shapes = looks_linear_block_shapes(widths, output_activation)
        s_w = weight_scales(widths, scheme, mode, None, output_activation)
        s_b = bias_scales(s_w, bias_factor)
        # draw weights first, then biases (same weights for both bias modes)
        weights, _ = looks_linear_layers(widths, output_activation, None, gen)
        if bias == "nonzero":
            b0s = [gen.standard_normal(p) * s_b[i] for i, (p, _q) in enumerate(shapes)]
            biases = []
            for i, b0 in enumerate(b0s):
                readout_like = weights[i].shape[0] == b0.shape[0]
                biases.append(b0.copy() if readout_like else np.concatenate([b0, -b0]))
        else:
            biases = [np.zeros(w.shape[0]) for w in weights]
    else:
        s_w = weight_scales(widths, scheme, mode, weight_scale)
        s_b = bias_scales(s_w, bias_factor)
        weights = []
        for i in range(L):
            shape = (widths[i + 1], widths[i])
            if sch.family == "uniform":
                weights.append(gen.uniform(-s_w[i], s_w[i], size=shape))
            else:
                weights.append(gen.standard_normal(shape) * s_w[i])
        biases = []
        for i in range(L):
            if bias == "zero":
                biases.append(np.zeros(widths[i + 1]))
            elif sch.family == "uniform":
                biases.append(gen.uniform(-s_b[i], s_b[i], size=widths[i + 1]))
            else:
                biases.append(gen.standard_normal(widths[i + 1]) * s_b[i])
    meta = {
        "scheme": scheme,
        "family": sch.family,
        "mode": mode,
        "bias": bias,
        "bias_factor": bias_factor,
        "weight_scales": [float(v) for v in s_w],
        "bias_scales": [float(v) for v in s_b] if bias == "nonzero" else [0.0] * L,
        "seed": seed,
        "version": __version__,
    }
    if spawn_key:
        meta["spawn_key"] = spawn_key
    if weight_scale is not None:
        meta["weight_scale"] = [float(v) for v in np.broadcast_to(weight_scale, (L,))]
    return Network(weights, biases, output_activation, meta)


def regenerate(meta: dict, widths: Sequence[int], output_activation: str) -> Network:
    """Re-draw a network from the provenance recorded in its ``meta`` (needs an int seed)."""
    if meta.get("seed") is None or "scheme" not in meta:
        raise ValueError("meta has no scheme and integer seed to regenerate from")
    rng = int(meta["seed"])
    if meta.get("spawn_key"):
        rng = np.random.SeedSequence(rng, spawn_key=tuple(int(k) for k in meta["spawn_key"]))
    return initialize(
        widths, meta["scheme"], bias=meta.get("bias"), bias_factor=meta.get("bias_factor", 1.0),
        mode=meta.get("mode"), weight_scale=meta.get("weight_scale"),
        output_activation=output_activation, rng=rng,
    )
