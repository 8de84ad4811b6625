"""Second moments of the signal norm ``E||x^(l)||^2`` (Lemma 3, Section 3.2): exact
formulas and Monte Carlo estimates.

* :func:`lemma3_second_moments` -- the exact recursion behind Lemma 3 for every layer;
  :func:`lemma3_closed_form` -- the output formula exactly as printed.
* :func:`monte_carlo_second_moments` -- many independent random networks, one fixed
  input, chunked parallel Numba kernel (:mod:`slth_theory._moments_kernels`); identical
  numbers for any thread count. :func:`numpy_second_moments` is a vectorised NumPy
  implementation (batched over networks) used as benchmark baseline and independent
  cross-check; :func:`reference_norms` the plain reference of the kernel.
* :func:`looks_linear_second_moments` / :func:`looks_linear_monte_carlo` -- the
  looks-linear construction of :mod:`slth_theory.init`.
* :func:`he_claim` -- what the remark after Lemma 3 ("sigma_w,l^2 ~ 2/n_l and
  sigma_b,l = prod sigma_w,m give E||f||^2 ~ ||x0||^2 + 1") actually gives.

Conventions: ``w_var``/``b_var`` are *variances* (Lemma 3 needs variances); the scale
parameters of :mod:`slth_theory.init` are half-widths (uniform, variance ``s^2/3``) or
standard deviations (normal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import init as _init
from ._moments_kernels import _norms_kernel, _sums_kernel, ref_norms
from ._rng_kernels import key_from_seed
from .network import parse_widths
from .stats import Comparison, compare, mean_stderr_from_sums

FAMILY_CODES = {"uniform": 0, "normal": 1}
OUTPUT_ACTIVATIONS = ("relu", "identity")
BIT_GENERATORS = ("SFC64", "PCG64", "PCG64DXSM", "Philox", "MT19937")


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

    Uses :func:`slth_theory.init.weight_scales` and :func:`~slth_theory.init.bias_scales`
    (bias scale parameter ``bias_factor * prod_{m<=l} s_m``, same family), so the law is
    exactly the one :func:`slth_theory.init.initialize` draws from.

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


# ------------------------------------------------------------------ Monte Carlo


@dataclass
class MomentEstimate:
    """Monte Carlo estimates of ``E||x^(l)||^2``, ``l = 0..L``.

    Attributes
    ----------
    widths : list of int
    mean, stderr : ndarray, shape (L+1,)
        Layer 0 is the fixed input (standard error 0).
    n_networks : int
    meta : dict
    """

    widths: list[int]
    mean: np.ndarray
    stderr: np.ndarray
    n_networks: int
    meta: dict = field(default_factory=dict)

    def compare(self, expected: Sequence[float], n_se: float = 5.0) -> list[Comparison]:
        """One :class:`~slth_theory.stats.Comparison` per layer ``l = 1..L``."""
        expected = np.asarray(expected, dtype=np.float64)
        return [compare(self.mean[i], self.stderr[i], expected[i], n_se, f"layer {i}")
                for i in range(1, len(self.widths))]


def default_input(n0: int) -> np.ndarray:
    """A fixed input with entries spread over [-1, 1]: ``linspace(-1, 1, n0)`` (``[1]``
    if ``n0 = 1``), so its coordinates have mixed signs and ``x0 != 0``."""
    return np.linspace(-1.0, 1.0, n0) if n0 > 1 else np.ones(1)


def _check_start(start) -> int:
    if isinstance(start, bool) or int(start) != start or start < 0:
        raise ValueError(f"start must be an integer >= 0; got {start!r}")
    return int(start)


def _prepare(widths, law, x0, n_networks, output_activation):
    widths = parse_widths(widths)
    if not isinstance(law, LayerLaw):
        raise ValueError(f"law must be a LayerLaw (see layer_law); got {type(law).__name__}")
    L = len(widths) - 1
    if law.w_scale.shape != (L,):
        raise ValueError(f"law has {law.w_scale.size} layers; widths {widths} have {L}")
    if law.widths is not None and list(law.widths) != widths:
        raise ValueError(f"law was built for widths {list(law.widths)}; got widths {widths} "
                         "(build the law with layer_law for these widths)")
    _check_act(output_activation)
    x0 = default_input(widths[0]) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape != (widths[0],) or not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be a finite vector of length n0={widths[0]}; got shape "
                         f"{x0.shape}")
    if isinstance(n_networks, bool) or int(n_networks) != n_networks or n_networks < 2:
        raise ValueError(f"n_networks must be an integer >= 2; got {n_networks!r}")
    return widths, np.ascontiguousarray(x0), int(n_networks)


def simulate_norms(widths: Sequence[int] | str, law: LayerLaw, x0: np.ndarray | None = None,
                   n_networks: int = 100, seed=0, *, output_activation: str = "relu",
                   skip_inactive: bool = True, start: int = 0) -> np.ndarray:
    """``||x^(l)||^2`` of each random network (Numba kernel), shape ``(n_networks, L)``.

    Network ``r`` uses the stream of replicate ``start + r`` under the key of ``seed``;
    the numbers are identical for any thread count and equal :func:`reference_norms`.
    """
    widths, x0, n = _prepare(widths, law, x0, n_networks, output_activation)
    start = _check_start(start)
    out = np.empty((n, len(widths) - 1))
    _norms_kernel(x0, np.asarray(widths, dtype=np.int64), law.w_scale, law.b_scale,
                  FAMILY_CODES[law.family], output_activation == "relu", bool(skip_inactive),
                  np.uint64(key_from_seed(seed)), int(start), out)
    return out


def reference_norms(widths: Sequence[int] | str, law: LayerLaw, x0: np.ndarray | None = None,
                    n_networks: int = 10, seed=0, *, output_activation: str = "relu",
                    skip_inactive: bool = True, start: int = 0) -> np.ndarray:
    """Plain Python reference of :func:`simulate_norms` (slow; small networks only)."""
    widths, x0, n = _prepare(widths, law, x0, n_networks, output_activation)
    start = _check_start(start)
    return ref_norms(x0, np.asarray(widths), law.w_scale, law.b_scale,
                     FAMILY_CODES[law.family], output_activation == "relu",
                     bool(skip_inactive), key_from_seed(seed), int(start), n)


def monte_carlo_second_moments(widths: Sequence[int] | str, law: LayerLaw,
                               x0: np.ndarray | None = None, n_networks: int = 10_000,
                               seed=0, *, output_activation: str = "relu",
                               skip_inactive: bool = True, chunk: int = 64,
                               progress: Callable[[int], None] | None = None
                               ) -> MomentEstimate:
    """Estimate ``E||x^(l)||^2`` for every layer over ``n_networks`` random networks.

    Parameters
    ----------
    widths : sequence of int or str
    law : LayerLaw
        See :func:`layer_law`.
    x0 : ndarray, shape (n0,), optional
        The fixed input (default :func:`default_input`).
    n_networks : int
        Number of independent networks (>= 2).
    seed : int or SeedSequence
        Root of the per-network streams (:func:`slth_theory._rng_kernels.key_from_seed`).
    output_activation : {'relu', 'identity'}
    skip_inactive : bool
        Do not draw weights that multiply an inactive (zero) input; same law, about half
        the draws (see :mod:`slth_theory._moments_kernels`).
    chunk : int
        Networks per parallel task; sums are formed per chunk in network order and then
        added in chunk order, so results do not depend on the thread count.
    progress : callable, optional
        Called with the number of networks finished after each block.

    Returns
    -------
    MomentEstimate
        Means and standard errors (``std / sqrt(n)``) per layer.

    Notes
    -----
    Lemma 3 (Section 3.2, appendix B.2) is the exact value these estimate.
    """
    widths, x0, n = _prepare(widths, law, x0, n_networks, output_activation)
    if isinstance(chunk, bool) or int(chunk) != chunk or chunk < 1:
        raise ValueError(f"chunk must be an integer >= 1; got {chunk!r}")
    chunk = int(chunk)
    L = len(widths) - 1
    n_chunks = -(-n // chunk)
    sums = np.empty((n_chunks, L))
    sumsq = np.empty((n_chunks, L))
    w_arr = np.asarray(widths, dtype=np.int64)
    key = np.uint64(key_from_seed(seed))
    fam = FAMILY_CODES[law.family]
    # blocks of whole chunks: the chunk boundaries (hence the sums) do not depend on them
    per_net = sum(widths[i] * widths[i + 1] for i in range(L))
    block_chunks = max(1, int(4e7 // max(1, per_net * chunk)))
    for c0 in range(0, n_chunks, block_chunks):
        c1 = min(n_chunks, c0 + block_chunks)
        lo = c0 * chunk
        m = min(n, c1 * chunk) - lo
        _sums_kernel(x0, w_arr, law.w_scale, law.b_scale, fam, output_activation == "relu",
                     bool(skip_inactive), key, lo, m, chunk, sums[c0:c1], sumsq[c0:c1])
        if progress is not None:
            progress(m)
    mean, se = mean_stderr_from_sums(sums.sum(axis=0), sumsq.sum(axis=0), n)
    x0_sq = float(x0 @ x0)
    return MomentEstimate(widths, np.concatenate([[x0_sq], mean]), np.concatenate([[0.0], se]),
                          n, {"family": law.family, "skip_inactive": bool(skip_inactive),
                              "output_activation": output_activation, "engine": "numba"})


def numpy_second_moments(widths: Sequence[int] | str, law: LayerLaw,
                         x0: np.ndarray | None = None, n_networks: int = 10_000, seed=0, *,
                         output_activation: str = "relu", batch: int = 256,
                         bit_generator: str = "SFC64") -> MomentEstimate:
    """Vectorised NumPy estimate (batched over networks): independent cross-check and
    benchmark baseline for :func:`monte_carlo_second_moments`.

    Draws ``batch`` weight matrices at once per layer with ``numpy.random.Generator``
    (``bit_generator``) and multiplies with ``np.matmul``. Statistically equivalent to
    the kernel, not the same numbers. ``batch`` must be an integer >= 1 and
    ``bit_generator`` one of :data:`BIT_GENERATORS`.
    """
    widths, x0, n = _prepare(widths, law, x0, n_networks, output_activation)
    if isinstance(batch, bool) or int(batch) != batch or batch < 1:
        raise ValueError(f"batch must be an integer >= 1; got {batch!r}")
    batch = int(batch)
    if bit_generator not in BIT_GENERATORS:
        raise ValueError(f"bit_generator must be one of {BIT_GENERATORS}; got "
                         f"{bit_generator!r}")
    gen = np.random.Generator(getattr(np.random, bit_generator)(np.random.SeedSequence(seed)))
    L = len(widths) - 1
    tot = np.zeros(L)
    totsq = np.zeros(L)
    done = 0
    while done < n:
        b = min(batch, n - done)
        x = np.broadcast_to(x0, (b, widths[0]))
        for layer in range(L):
            shape = (b, widths[layer + 1], widths[layer])
            if law.family == "uniform":
                w = gen.uniform(-law.w_scale[layer], law.w_scale[layer], size=shape)
            else:
                w = gen.standard_normal(size=shape)
                w *= law.w_scale[layer]
            h = np.matmul(w, x[:, :, None])[:, :, 0]
            if law.b_scale[layer] != 0.0:
                s = law.b_scale[layer]
                h += (gen.uniform(-s, s, size=h.shape) if law.family == "uniform"
                      else gen.standard_normal(size=h.shape) * s)
            if output_activation == "relu" or layer < L - 1:
                np.maximum(h, 0.0, out=h)
            v = np.einsum("ij,ij->i", h, h)
            tot[layer] += v.sum()
            totsq[layer] += (v * v).sum()
            x = h
        done += b
    mean, se = mean_stderr_from_sums(tot, totsq, n)
    return MomentEstimate(widths, np.concatenate([[x0 @ x0], mean]), np.concatenate([[0.0], se]),
                          n, {"family": law.family, "engine": "numpy"})


# --------------------------------------------------------------- looks-linear


def looks_linear_second_moments(widths: Sequence[int] | str, x0_sq_norm: float,
                                bias_factor: float | None = 1.0,
                                output_activation: str = "relu"
                                ) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer ``E||x^(l)||^2`` of a looks-linear network: the paper's formula and the
    exact value under the construction of :func:`slth_theory.init.looks_linear_layers`.

    Parameters
    ----------
    widths : sequence of int or str
    x0_sq_norm : float
    bias_factor : float or None
        ``None`` for zero biases; otherwise ``b0 ~ N(0, s_b,l^2)`` with
        ``s_b,l = bias_factor * prod_{m<=l} s_m`` (:func:`slth_theory.init.bias_scales`).
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


def looks_linear_monte_carlo(widths: Sequence[int] | str, x0: np.ndarray | None = None,
                             n_networks: int = 1000, seed=0, *, bias_factor: float | None = 1.0,
                             output_activation: str = "relu",
                             progress: Callable[[int], None] | None = None) -> MomentEstimate:
    """Estimate ``E||x^(l)||^2`` over looks-linear networks drawn by
    :func:`slth_theory.init.initialize` (one NumPy network per replicate, streams from
    ``SeedSequence(seed).spawn``; the QR factorisations dominate the cost).

    ``bias_factor=None`` draws zero biases.
    """
    widths = parse_widths(widths)
    _check_act(output_activation)
    x0 = default_input(widths[0]) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape != (widths[0],):
        raise ValueError(f"x0 must have length n0={widths[0]}; got shape {x0.shape}")
    if isinstance(n_networks, bool) or int(n_networks) != n_networks or n_networks < 2:
        raise ValueError(f"n_networks must be an integer >= 2; got {n_networks!r}")
    L = len(widths) - 1
    vals = np.empty((int(n_networks), L))
    children = np.random.SeedSequence(seed).spawn(int(n_networks))
    for r, child in enumerate(children):
        net = _init.initialize(widths, "looks-linear",
                               bias="zero" if bias_factor is None else "nonzero",
                               bias_factor=1.0 if bias_factor is None else bias_factor,
                               output_activation=output_activation, rng=child)
        _, acts = net.forward(x0, return_activations=True)
        vals[r] = [float(a @ a) for a in acts[1:]]
        if progress is not None and (r + 1) % 100 == 0:
            progress(100)
    mean = vals.mean(axis=0)
    se = vals.std(axis=0, ddof=1) / np.sqrt(vals.shape[0])
    return MomentEstimate(widths, np.concatenate([[x0 @ x0], mean]), np.concatenate([[0.0], se]),
                          int(n_networks), {"family": "orthogonal", "engine": "numpy"})


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
        ``U[-prod sigma, prod sigma]`` and :func:`slth_theory.init.bias_scales`. Identical
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
