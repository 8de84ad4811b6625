"""Numba kernels for the Lemma 3 Monte Carlo: many random networks, one fixed input.

Each replicate (one random network) owns a xoshiro256** stream seeded from
``(key, replicate index)`` (see :mod:`slth_theory.numerics._rng_kernels`), so results are
identical for any number of threads. A network is never materialised: layer by layer,
every output neuron draws its weights, multiplies them into the previous layer's
activations as they are drawn, then draws its bias. Draw order per layer ``l`` and
output neuron ``i``: the weights ``w_ij`` for the inputs ``j`` in increasing order, then
``b_i`` (only when the bias scale is non-zero).

**Inactive inputs** (``skip=True``): a weight ``w_ij`` enters the network only through
``w_ij x_j^(l-1)``. If ``x_j^(l-1) = 0`` (a ReLU that is off, about half of them) that
product is 0 whatever ``w_ij`` is, and ``w_ij`` is used nowhere else, so not drawing it
leaves the joint law of all activations unchanged. The kernel then draws about half as
many numbers per hidden layer. ``skip=False`` draws every weight.

Kernels take arrays only and fill a preallocated ``out``; validation lives in
:mod:`slth_theory.theory.lemma3`. ``family``: 0 = uniform ``U[-s, s]``, 1 = normal
``N(0, s^2)``; ``s_w[l], s_b[l]`` are the scale parameters of layer ``l+1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from slth_theory.numerics._rng_kernels import (
    _INV_TWO53,
    _TWO53_INT,
    _U64,
    ZIG_FI,
    ZIG_KI,
    ZIG_WI,
    RefXoshiro,
    _next_normal,
    _next_sym_uniform,
    _normal_slow,
    _seed_state,
    _xoshiro_step,
    _zig_candidate,
)


@njit(cache=True)
def _dot_normal(st, vals, K):
    """``sum_k z_k vals[k]`` for ``K`` standard normals ``z_k`` drawn from ``st``.

    The same numbers as ``K`` calls of ``_next_normal`` (xoshiro256** + ziggurat), with
    the generator state held in registers for the loop (about 1.5x faster than going
    through the state array each draw)."""
    s0 = st[0]
    s1 = st[1]
    s2 = st[2]
    s3 = st[3]
    acc = 0.0
    for k in range(K):
        r, s0, s1, s2, s3 = _xoshiro_step(s0, s1, s2, s3)
        idx, rabs, x = _zig_candidate(r, ZIG_WI)
        if rabs >= ZIG_KI[idx]:
            st[0] = s0
            st[1] = s1
            st[2] = s2
            st[3] = s3
            x = _normal_slow(st, idx, rabs, x, ZIG_KI, ZIG_WI, ZIG_FI)
            s0 = st[0]
            s1 = st[1]
            s2 = st[2]
            s3 = st[3]
        acc += x * vals[k]
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3
    return acc


@njit(cache=True)
def _dot_uniform(st, vals, K):
    """``sum_k u_k vals[k]`` for ``K`` symmetric uniforms on (-1, 1) drawn from ``st``
    (the numbers of ``_next_sym_uniform``), state in registers."""
    s0 = st[0]
    s1 = st[1]
    s2 = st[2]
    s3 = st[3]
    acc = 0.0
    for k in range(K):
        r, s0, s1, s2, s3 = _xoshiro_step(s0, s1, s2, s3)
        m = np.int64(r >> _U64(11))
        acc += np.float64(2 * m + 1 - _TWO53_INT) * _INV_TWO53 * vals[k]
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3
    return acc


@njit(cache=True)
def _one_network(st, x0, widths, s_w, s_b, family, relu_last, skip, vals, hbuf, out_row):
    """Draw one network from stream ``st`` and write ``||x^(l)||^2``, l = 1..L, to
    ``out_row[l-1]``. ``vals``/``hbuf`` are scratch of length ``max(widths)``."""
    L = widths.size - 1
    K = 0
    for j in range(widths[0]):
        if x0[j] != 0.0 or not skip:
            vals[K] = x0[j]
            K += 1
    for layer in range(L):
        n_out = widths[layer + 1]
        sw = s_w[layer]
        sb = s_b[layer]
        relu = relu_last or layer < L - 1
        nrm = 0.0
        for i in range(n_out):
            if family == 0:
                h = _dot_uniform(st, vals, K) * sw
                if sb != 0.0:
                    h += _next_sym_uniform(st) * sb
            else:
                h = _dot_normal(st, vals, K) * sw
                if sb != 0.0:
                    h += _next_normal(st, ZIG_KI, ZIG_WI, ZIG_FI) * sb
            if relu and h < 0.0:
                h = 0.0
            hbuf[i] = h
            nrm += h * h
        out_row[layer] = nrm
        K = 0
        for i in range(n_out):
            if hbuf[i] != 0.0 or not skip:
                vals[K] = hbuf[i]
                K += 1


@njit(cache=True, parallel=True)
def _norms_kernel(x0, widths, s_w, s_b, family, relu_last, skip, key, start, out):
    """``out[r, l-1] = ||x^(l)||^2`` of replicate ``start + r`` (one row per network)."""
    maxw = widths.max()
    for r in prange(out.shape[0]):
        st = np.empty(4, dtype=np.uint64)
        vals = np.empty(maxw)
        hbuf = np.empty(maxw)
        _seed_state(key, start + r, st)
        _one_network(st, x0, widths, s_w, s_b, family, relu_last, skip, vals, hbuf, out[r])


@njit(cache=True, parallel=True)
def _sums_kernel(x0, widths, s_w, s_b, family, relu_last, skip, key, start, n, chunk,
                 sums, sumsq):
    """Chunked sums: chunk ``c`` covers replicates ``start + c*chunk ...`` (at most
    ``chunk`` of them, ``n`` in all) and writes ``sums[c, l-1] = sum ||x^(l)||^2`` and
    ``sumsq[c, l-1] = sum ||x^(l)||^4`` in replicate order. Each chunk is one task of
    the ``prange``, so the result does not depend on the thread count."""
    maxw = widths.max()
    L = widths.size - 1
    for c in prange(sums.shape[0]):
        st = np.empty(4, dtype=np.uint64)
        vals = np.empty(maxw)
        hbuf = np.empty(maxw)
        row = np.empty(L)
        for layer in range(L):
            sums[c, layer] = 0.0
            sumsq[c, layer] = 0.0
        lo = c * chunk
        hi = min(n, lo + chunk)
        for r in range(lo, hi):
            _seed_state(key, start + r, st)
            _one_network(st, x0, widths, s_w, s_b, family, relu_last, skip, vals, hbuf, row)
            for layer in range(L):
                sums[c, layer] += row[layer]
                sumsq[c, layer] += row[layer] * row[layer]


# ------------------------------------------------------------------------- reference


def ref_norms(x0: np.ndarray, widths: np.ndarray, s_w: np.ndarray, s_b: np.ndarray,
              family: int, relu_last: bool, skip: bool, key: int, start: int, n: int
              ) -> np.ndarray:
    """Plain Python/NumPy reference for :func:`_norms_kernel` (same streams, same order).

    Builds each network's weight rows explicitly from :class:`RefXoshiro`; slow, for
    tests on small architectures.
    """
    widths = [int(w) for w in widths]
    L = len(widths) - 1
    out = np.empty((n, L))
    for r in range(n):
        g = RefXoshiro(key, start + r)
        draw = g.sym_uniform if family == 0 else g.normal
        x = np.asarray(x0, dtype=np.float64)
        for layer in range(L):
            active = np.flatnonzero(x != 0.0) if skip else np.arange(x.size)
            h = np.empty(widths[layer + 1])
            for i in range(h.size):
                w = np.array([draw() for _ in range(active.size)])
                acc = 0.0
                for k, j in enumerate(active):  # same summation order as the kernel
                    acc += w[k] * x[j]
                hi = acc * s_w[layer]
                if s_b[layer] != 0.0:
                    hi += draw() * s_b[layer]
                h[i] = hi
            if relu_last or layer < L - 1:
                h = np.where(h < 0.0, 0.0, h)
            nrm = 0.0
            for v in h:  # sequential, as in the kernel
                nrm += float(v) * float(v)
            out[r, layer] = nrm
            x = h
    return out
