"""Monte Carlo estimates of ``E||x^(l)||^2`` (Lemma 3, Section 3.2).

* :func:`monte_carlo_second_moments` -- many independent random networks, one fixed
  input, chunked parallel Numba kernel (:mod:`slth_theory.theory._lemma3_kernels`);
  identical numbers for any thread count. :func:`numpy_second_moments` is a vectorised
  NumPy implementation (batched over networks) used as benchmark baseline and independent
  cross-check; :func:`reference_norms` the plain reference of the kernel.
* :func:`looks_linear_monte_carlo` -- the looks-linear construction.

The exact values these estimate: :mod:`slth_theory.theory.lemma3`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from slth_theory.model import schemes as _init
from slth_theory.model.network import parse_widths
from slth_theory.numerics._rng_kernels import key_from_seed
from slth_theory.numerics.seeds import as_seed_sequence
from slth_theory.numerics.stats import Comparison, compare, mean_stderr_from_sums
from slth_theory.theory._lemma3_kernels import _norms_kernel, _sums_kernel, ref_norms
from slth_theory.theory.lemma3 import FAMILY_CODES, LayerLaw, _check_act

BIT_GENERATORS = ("SFC64", "PCG64", "PCG64DXSM", "Philox", "MT19937")


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
        """One :class:`~slth_theory.numerics.stats.Comparison` per layer ``l = 1..L``."""
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
                   n_networks: int = 100, rng=0, *, output_activation: str = "relu",
                   skip_inactive: bool = True, start: int = 0) -> np.ndarray:
    """``||x^(l)||^2`` of each random network (Numba kernel), shape ``(n_networks, L)``.

    Network ``r`` uses the stream of replicate ``start + r`` under the key of ``rng``;
    the numbers are identical for any thread count and equal :func:`reference_norms`.
    """
    widths, x0, n = _prepare(widths, law, x0, n_networks, output_activation)
    start = _check_start(start)
    out = np.empty((n, len(widths) - 1))
    _norms_kernel(x0, np.asarray(widths, dtype=np.int64), law.w_scale, law.b_scale,
                  FAMILY_CODES[law.family], output_activation == "relu", bool(skip_inactive),
                  np.uint64(key_from_seed(rng)), int(start), out)
    return out


def reference_norms(widths: Sequence[int] | str, law: LayerLaw, x0: np.ndarray | None = None,
                    n_networks: int = 10, rng=0, *, output_activation: str = "relu",
                    skip_inactive: bool = True, start: int = 0) -> np.ndarray:
    """Plain Python reference of :func:`simulate_norms` (slow; small networks only)."""
    widths, x0, n = _prepare(widths, law, x0, n_networks, output_activation)
    start = _check_start(start)
    return ref_norms(x0, np.asarray(widths), law.w_scale, law.b_scale,
                     FAMILY_CODES[law.family], output_activation == "relu",
                     bool(skip_inactive), key_from_seed(rng), int(start), n)


def monte_carlo_second_moments(widths: Sequence[int] | str, law: LayerLaw,
                               x0: np.ndarray | None = None, n_networks: int = 10_000,
                               rng=0, *, output_activation: str = "relu",
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
    rng : int, SeedSequence or Generator
        Root of the per-network streams (:func:`slth_theory.numerics._rng_kernels.key_from_seed`).
    output_activation : {'relu', 'identity'}
    skip_inactive : bool
        Do not draw weights that multiply an inactive (zero) input; same law, about half
        the draws (see :mod:`slth_theory.theory._lemma3_kernels`).
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
    key = np.uint64(key_from_seed(rng))
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
                         x0: np.ndarray | None = None, n_networks: int = 10_000, rng=0, *,
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
    gen = np.random.Generator(getattr(np.random, bit_generator)(as_seed_sequence(rng)))
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



def looks_linear_monte_carlo(widths: Sequence[int] | str, x0: np.ndarray | None = None,
                             n_networks: int = 1000, rng=0, *, bias_factor: float | None = 1.0,
                             output_activation: str = "relu",
                             progress: Callable[[int], None] | None = None) -> MomentEstimate:
    """Estimate ``E||x^(l)||^2`` over looks-linear networks drawn by
    :func:`slth_theory.model.schemes.initialize` (one NumPy network per replicate, streams from
    ``as_seed_sequence(rng).spawn``; the QR factorisations dominate the cost).

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
    children = as_seed_sequence(rng).spawn(int(n_networks))
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
