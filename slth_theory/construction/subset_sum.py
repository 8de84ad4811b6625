"""Subset-sum solvers: exact closest sum, sparsest subset within a tolerance, batched.

Given values ``a_1..a_n`` and a target ``t``:

* :func:`closest` - the subset ``S`` minimising ``|t - sum_{i in S} a_i|``, exactly, by
  meet in the middle: both halves' ``2^(n/2)`` subset sums are generated already sorted
  (merging ``L`` with ``L + a`` for each element) and scanned with two pointers, so one
  instance costs ``O(2^(n/2))`` time and memory. ``n <= 44``.
* :func:`sparsest` - among subsets with ``|t - sum| <= eps``, one with the fewest elements
  and, among those, the smallest error. Sizes ``s = 0, 1, 2, ...`` are searched in order;
  size ``s`` is searched exactly by meet in the middle over half-subsets *grouped by
  element count* (``c1 + c2 = s``), built level by level and only as far as needed. If no
  size works (or the level budget ``max_level_entries`` is exhausted) the exact closest
  subset is returned with status ``'fail'`` (farther than ``eps``) or ``'ok-unproven'``
  (within ``eps`` but not proven fewest). Failures are reported, never silently accepted.
* :func:`solve_batch` - many independent instances (one per target parameter in a ticket
  construction) in one parallel Numba call; each instance writes only its own row, so the
  result does not depend on the thread count.

Notes
-----
Theorem 5 (appendix B.4) needs, for every target parameter, a subset of products
``w2 * w1`` within ``eps_l`` (Lueker 1998; Pensia et al. 2020, Cor. 2). The kernels are in
:mod:`slth_theory.construction._subset_sum_kernels`; plain Python/NumPy references are
:func:`closest_reference` (NumPy meet in the middle) and :func:`brute_force` (all subsets).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from slth_theory.construction import _subset_sum_kernels as _k

MAX_N = 44
STATUS_NAMES = {0: "fail", 1: "ok", 2: "ok-unproven"}
DEFAULT_LEVEL_ENTRIES = 1 << 21


@dataclass
class SubsetResult:
    """Solution of one instance.

    Attributes
    ----------
    mask : ndarray of bool, shape (n,)
    error : float
        ``|t - sum(values[mask])|`` as computed by the solver.
    size : int
    status : {'ok', 'ok-unproven', 'fail'}
    """

    mask: np.ndarray
    error: float
    size: int
    status: str


@dataclass
class BatchResult:
    """Solutions of many instances (row ``r`` = instance ``r``)."""

    masks: np.ndarray   # (m, n_max) bool
    errors: np.ndarray  # (m,)
    sizes: np.ndarray   # (m,) int
    status: np.ndarray  # (m,) int8: 0 fail, 1 ok, 2 ok-unproven

    @property
    def n_failed(self) -> int:
        return int(np.sum(self.status == 0))


def _check_values(values, name: str = "values") -> np.ndarray:
    v = np.ascontiguousarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {v.shape}")
    if v.size > MAX_N:
        raise ValueError(f"{name} may hold at most {MAX_N} numbers (meet in the middle); "
                         f"got {v.size}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite")
    return v


def _check_target(t: float) -> float:
    t = float(t)
    if not np.isfinite(t):
        raise ValueError(f"target must be finite; got {t}")
    return t


def _check_eps(eps: float) -> float:
    eps = float(eps)
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be finite and >= 0; got {eps}")
    return eps


def closest(values, target: float) -> SubsetResult:
    """Exact closest subset sum (meet in the middle).

    Parameters
    ----------
    values : array_like, shape (n,), n <= 44
    target : float

    Returns
    -------
    SubsetResult
        ``status`` is ``'ok'`` (there is no tolerance).
    """
    v = _check_values(values)
    t = _check_target(target)
    mask = np.zeros(v.size, bool)
    err, _full = _k._closest_one(v, v.size, t, mask)
    return SubsetResult(mask, float(err), int(mask.sum()), "ok")


def sparsest(values, target: float, eps: float,
             max_level_entries: int = DEFAULT_LEVEL_ENTRIES) -> SubsetResult:
    """Fewest-element subset within ``eps`` of ``target`` (ties: smallest error).

    Parameters
    ----------
    values : array_like, shape (n,), n <= 44
    target : float
    eps : float, >= 0
    max_level_entries : int
        Budget of stored half-subsets for the size search.

    Returns
    -------
    SubsetResult
        ``'ok'``: within eps and provably fewest; ``'ok-unproven'``: within eps from the
        closest-sum fallback; ``'fail'``: the closest subset, which is farther than eps.
    """
    v = _check_values(values)
    t = _check_target(target)
    eps = _check_eps(eps)
    if max_level_entries < 1:
        raise ValueError(f"max_level_entries must be >= 1; got {max_level_entries}")
    mask = np.zeros(v.size, bool)
    err, size, status = _k._sparsest_one(v, v.size, t, eps, int(max_level_entries), mask)
    return SubsetResult(mask, float(err), int(size), STATUS_NAMES[int(status)])


def solve_batch(values, targets, eps, lengths=None, mode: str = "sparsest",
                max_level_entries: int = DEFAULT_LEVEL_ENTRIES) -> BatchResult:
    """Solve many independent instances in parallel.

    Parameters
    ----------
    values : array_like, shape (m, n_max)
        Row ``r`` holds instance ``r``'s values in its first ``lengths[r]`` entries.
    targets : array_like, shape (m,)
    eps : float or array_like, shape (m,)
        Tolerances (for ``mode='closest'`` they only set the status).
    lengths : array_like of int, shape (m,), optional
        Default ``n_max`` for every row.
    mode : {'sparsest', 'closest'}
    max_level_entries : int

    Returns
    -------
    BatchResult
    """
    vals = np.ascontiguousarray(values, dtype=np.float64)
    if vals.ndim != 2:
        raise ValueError(f"values must be 2-D (instances, n_max); got shape {vals.shape}")
    m, n_max = vals.shape
    if n_max > MAX_N:
        raise ValueError(f"values may have at most {MAX_N} columns; got {n_max}")
    lens = (np.full(m, n_max, np.int64) if lengths is None
            else np.ascontiguousarray(lengths, dtype=np.int64))
    if lens.shape != (m,) or np.any(lens < 0) or np.any(lens > n_max):
        raise ValueError(f"lengths must be {m} integers in [0, {n_max}]")
    tg = np.ascontiguousarray(targets, dtype=np.float64)
    if tg.shape != (m,) or not np.all(np.isfinite(tg)):
        raise ValueError(f"targets must be {m} finite numbers; got shape {tg.shape}")
    ep = np.ascontiguousarray(np.broadcast_to(np.asarray(eps, dtype=np.float64), (m,)))
    if not np.all(np.isfinite(ep)) or np.any(ep < 0):
        raise ValueError("eps must be finite and >= 0")
    live = np.arange(n_max)[None, :] < lens[:, None]
    if not np.all(np.isfinite(vals[live])):
        raise ValueError("values must be finite in the first lengths[r] entries of each row")
    if mode not in ("sparsest", "closest"):
        raise ValueError(f"mode must be 'sparsest' or 'closest'; got {mode!r}")
    masks = np.zeros((m, n_max), bool)
    err = np.empty(m)
    size = np.empty(m, np.int64)
    status = np.empty(m, np.int8)
    _k._solve_batch(vals, lens, tg, ep, 0 if mode == "closest" else 1,
                    int(max_level_entries), masks, err, size, status)
    return BatchResult(masks, err, size, status)


# ------------------------------------------------------------------ references
def closest_reference(values, target: float) -> SubsetResult:
    """Plain NumPy meet in the middle (``searchsorted``), the reference for the kernel."""
    v = _check_values(values)
    t = _check_target(target)
    h = v.size // 2

    def sums(part):
        k = part.size
        idx = np.arange(1 << k)[:, None]
        bits = ((idx >> np.arange(k)) & 1).astype(bool)
        return bits @ part if k else np.zeros(1), bits

    sa, ba = sums(v[:h])
    sb, bb = sums(v[h:])
    order = np.argsort(sb, kind="mergesort")
    sbs = sb[order]
    pos = np.searchsorted(sbs, t - sa)
    best = (np.inf, None, None)
    for off in (-1, 0):
        p = np.clip(pos + off, 0, sbs.size - 1)
        e = np.abs(sa + sbs[p] - t)
        i = int(np.argmin(e))
        if e[i] < best[0]:
            best = (float(e[i]), i, int(order[p[i]]))
    _, i, j = best
    mask = np.concatenate([ba[i], bb[j]]) if v.size else np.zeros(0, bool)
    return SubsetResult(mask, best[0], int(mask.sum()), "ok")


def brute_force(values, target: float, eps: float | None = None) -> SubsetResult:
    """All ``2^n`` subsets (tests only, ``n <= 16``): closest, or sparsest within ``eps``."""
    v = np.asarray(values, dtype=np.float64)
    if v.size > 16:
        raise ValueError("brute_force is for n <= 16")
    best = None
    for size in range(v.size + 1):
        for comb in itertools.combinations(range(v.size), size):
            err = abs(float(np.sum(v[list(comb)])) - target) if comb else abs(target)
            key = (size, err) if eps is not None and err <= eps else (np.inf, err)
            if eps is None:
                key = (0, err)
            if best is None or key < best[0]:
                best = (key, comb, err)
    _, comb, err = best
    mask = np.zeros(v.size, bool)
    mask[list(comb)] = True
    status = "ok" if eps is None or err <= eps else "fail"
    return SubsetResult(mask, err, int(mask.sum()), status)
