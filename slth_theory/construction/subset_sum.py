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
* :func:`find` - *any* subset within ``eps``, for the many-solutions regime (``eps`` from
  1e-4 down to 1e-9 with pools of 20 to a few hundred values, where ``2^n eps`` is large):
  a four-list search (Schroeppel and Shamir 1981; Wagner 2002; Howgrave-Graham and Joux
  2010). Four groups of ``q`` values each list their ``2^q`` subset sums (sorted by merge
  doubling); groups 1+2 are joined to the sums within ``delta`` of a middle value ``c``,
  groups 3+4 to those within ``delta + eps`` of ``t - c``, and the two joined lists are
  matched through buckets. ``q`` and ``delta`` are planned so that a try expects
  ``FOUR_LIST_NEED`` solutions at the least work ``~ 8 2^q + 2 |joined|`` (the lists and the
  two joined lists): the cost grows like ``eps^(-1/3)`` instead of the ``eps^(-1/2)`` of meet
  in the middle. Windows of four consecutive groups slide over the whole pool (every value
  can be used) and each window tries several middle values; among the solutions of a
  successful try the one with the fewest elements (then the smallest error) is kept: a
  sparse solution, not the sparsest.
  If every try fails, the exact closest subset of the first ``FALLBACK_N`` values decides.
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
import math
from dataclasses import dataclass

import numpy as np

from slth_theory.construction import _subset_sum_kernels as _k

MAX_N = _k.FALLBACK_N  # exact modes ('closest', 'sparsest'); 'find' takes any number of values
STATUS_NAMES = {_k.STATUS_FAIL: "fail", _k.STATUS_OK: "ok",
                _k.STATUS_OK_NOPROOF: "ok-unproven"}
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
    v = _check_values_any(values, name)
    if v.size > MAX_N:
        raise ValueError(f"{name} may hold at most {MAX_N} numbers (meet in the middle); "
                         f"got {v.size}")
    return v


def _check_values_any(values, name: str = "values") -> np.ndarray:
    v = np.ascontiguousarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {v.shape}")
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


def find(values, target: float, eps: float) -> SubsetResult:
    """Some subset within ``eps`` of ``target`` (four-list search; see the module notes).

    Parameters
    ----------
    values : array_like, shape (n,)
        Any number of finite values (the search slides over all of them).
    target : float
    eps : float, > 0

    Returns
    -------
    SubsetResult
        ``'ok'`` (within ``eps``; few elements, not proven fewest) or ``'fail'`` (the exact
        closest subset of the first ``FALLBACK_N`` values, farther than ``eps``).
    """
    res = solve_batch(np.asarray(values, dtype=np.float64)[None, :], [target], eps,
                      mode="find")
    return SubsetResult(res.masks[0], float(res.errors[0]), int(res.sizes[0]),
                        STATUS_NAMES[int(res.status[0])])


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
    mode : {'sparsest', 'closest', 'find'}
        ``'find'``: any subset within ``eps`` by the four-list search (:func:`find`), for
        any ``n_max``; the exact modes take ``n_max <= 44``.
    max_level_entries : int

    Returns
    -------
    BatchResult
    """
    vals = np.ascontiguousarray(values, dtype=np.float64)
    if vals.ndim != 2:
        raise ValueError(f"values must be 2-D (instances, n_max); got shape {vals.shape}")
    m, n_max = vals.shape
    if mode not in ("sparsest", "closest", "find"):
        raise ValueError(f"mode must be 'sparsest', 'closest' or 'find'; got {mode!r}")
    if n_max > MAX_N and mode != "find":
        raise ValueError(f"values may have at most {MAX_N} columns in mode {mode!r}; got "
                         f"{n_max} (mode 'find' takes any number)")
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
    if mode == "find" and np.any(ep <= 0):
        raise ValueError("eps must be > 0 in mode 'find'")
    masks = np.zeros((m, n_max), bool)
    err = np.empty(m)
    size = np.empty(m, np.int64)
    status = np.empty(m, np.int8)
    if mode == "find":
        _k._find_batch(vals, lens, tg, ep, masks, err, size, status)
        return BatchResult(masks, err, size, status)
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


def _reference_sorted_sums(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Subset sums accumulated in index order, ascending (stable), with bit masks."""
    sums = np.zeros(1)
    masks = np.zeros(1, np.int64)
    for e, a in enumerate(v):
        sums = np.concatenate([sums, sums + a])
        masks = np.concatenate([masks, masks | (1 << e)])
        order = np.argsort(sums, kind="stable")
        sums, masks = sums[order], masks[order]
    return sums, masks


def _reference_join(s1, m1, s2, m2, shift, lo, hi, cap):
    tot = s1[:, None] + s2[None, :]
    ii, jj = np.nonzero((tot >= lo) & (tot <= hi))  # row-major: the kernel's (i, j) order
    ii, jj = ii[:cap], jj[:cap]
    return tot[ii, jj], m1[ii] | (m2[jj] << shift)


def _normal_density(x: float, mean: float, var: float) -> float:
    return math.exp(-0.5 * (x - mean) ** 2 / var) / math.sqrt(2.0 * math.pi * var)


def find_reference(values, target: float, eps: float) -> SubsetResult | None:
    """Plain NumPy four-list search, the reference for :func:`find` (small ``n``).

    The same plan, windows, middle values and choice rule as the kernel, with dense
    pair tables instead of merges and buckets. Returns ``None`` where the kernel falls
    back to the exact closest search (every try failed).
    """
    v = _check_values_any(values)
    t = _check_target(target)
    tol = float(eps)
    n = v.size
    if abs(t) <= tol:
        return SubsetResult(np.zeros(n, bool), abs(t), 0, "ok")
    if n == 0:
        return None  # no try is possible: the kernel falls back (and fails)
    need, cap = _k.FOUR_LIST_NEED, _k.FOUR_LIST_CAP
    m = v2 = 0.0
    for x in v:
        m += float(x)
        v2 += float(x) * float(x)
    m, v2 = m / n, v2 / n
    q, best_cost = -1, math.inf
    for qq in range(1, _k.FOUR_LIST_QMAX + 1):
        if 4 * qq > n:
            break
        var = qq * v2 / 2.0
        if var <= 0.0:
            continue
        rho = _normal_density(0.5 * t, qq * m, var)
        if rho < 1e-12:
            continue
        N = 2.0 ** qq
        d = need / (4.0 * N ** 4 * rho * rho * tol)
        joined = 2.0 * N * N * rho * d
        if joined > cap or d > 0.5:
            continue
        cost = 8.0 * N + 2.0 * joined
        if cost < best_cost:
            q, best_cost = qq, cost
    if q < 0:
        return None
    for g in range(n // q - 3):
        off = g * q
        mu_a = va = mu_b = vb = 0.0
        for k in range(2 * q):
            x, y = float(v[off + k]), float(v[off + 2 * q + k])
            mu_a += 0.5 * x
            va += 0.25 * x * x
            mu_b += 0.5 * y
            vb += 0.25 * y * y
        if va <= 0.0 or vb <= 0.0:
            continue
        c0 = mu_a + (t - mu_a - mu_b) * va / (va + vb)
        ra, rb = _normal_density(c0, mu_a, va), _normal_density(t - c0, mu_b, vb)
        if ra < 1e-12 or rb < 1e-12:
            continue
        N = 2.0 ** q
        delta = need / (4.0 * N ** 4 * ra * rb * tol)
        if 2.0 * N * N * max(ra, rb) * delta > cap or delta > 0.5:
            continue
        lists = [_reference_sorted_sums(v[off + i * q: off + (i + 1) * q]) for i in range(4)]
        for k in range(_k.FOUR_LIST_SHIFTS):
            h = (k + 1) // 2
            c = c0 + 2.0 * delta * (float(h) if k % 2 == 1 else -float(h))
            d = t - c
            s12, m12 = _reference_join(*lists[0], *lists[1], q, c - delta, c + delta, cap)
            lo, hi = d - delta - tol, d + delta + tol
            s34, m34 = _reference_join(*lists[2], *lists[3], q, lo, hi, cap)
            if s12.size == 0 or s34.size == 0:
                continue
            err = np.abs(s12[:, None] + s34[None, :] - t)
            ii, jj = np.nonzero(err <= tol)
            if ii.size == 0:
                continue
            sizes = (np.array([bin(int(x)).count("1") for x in m12[ii]])
                     + np.array([bin(int(x)).count("1") for x in m34[jj]]))
            best = int(np.lexsort((err[ii, jj], sizes))[0])
            mask = np.zeros(n, bool)
            for j in range(2 * q):
                mask[off + j] = bool((int(m12[ii[best]]) >> j) & 1)
                mask[off + 2 * q + j] = bool((int(m34[jj[best]]) >> j) & 1)
            return SubsetResult(mask, float(err[ii[best], jj[best]]), int(sizes[best]), "ok")
    return None
