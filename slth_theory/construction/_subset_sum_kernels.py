"""Numba kernels of the subset-sum solvers.

Private; see :mod:`slth_theory.construction.subset_sum`.

All kernels take arrays only and write into preallocated outputs. Subsets are int64
bit masks over at most 62 values.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

STATUS_FAIL = 0      # best subset found is farther than eps (closest returned)
STATUS_OK = 1        # within eps; for 'sparsest', provably fewest elements
STATUS_OK_NOPROOF = 2  # within eps, but the size search hit its budget (not proven fewest)


@njit(cache=True)
def _sorted_subset_sums(vals, sums, masks):
    """All 2^k subset sums of ``vals`` in ascending order (merge doubling), with masks.

    ``sums`` and ``masks`` have length 2^k; returns nothing (filled in place).
    """
    k = vals.shape[0]
    size = 1
    sums[0] = 0.0
    masks[0] = 0
    tmp_s = np.empty(sums.shape[0])
    tmp_m = np.empty(masks.shape[0], np.int64)
    for e in range(k):
        a = vals[e]
        bit = np.int64(1) << e
        # merge sums[:size] and sums[:size] + a
        i = 0
        j = 0
        o = 0
        while i < size and j < size:
            sj = sums[j] + a
            if sums[i] <= sj:
                tmp_s[o] = sums[i]
                tmp_m[o] = masks[i]
                i += 1
            else:
                tmp_s[o] = sj
                tmp_m[o] = masks[j] | bit
                j += 1
            o += 1
        while i < size:
            tmp_s[o] = sums[i]
            tmp_m[o] = masks[i]
            i += 1
            o += 1
        while j < size:
            tmp_s[o] = sums[j] + a
            tmp_m[o] = masks[j] | bit
            j += 1
            o += 1
        size *= 2
        for q in range(size):
            sums[q] = tmp_s[q]
            masks[q] = tmp_m[q]


@njit(cache=True)
def _closest_one(vals, n, t, out_mask):
    """Exact closest subset sum of ``vals[:n]`` to ``t`` (meet in the middle).

    Returns (error, mask as int64).
    """
    h = n // 2
    nb = n - h
    sa = np.empty(1 << h)
    ma = np.empty(1 << h, np.int64)
    sb = np.empty(1 << nb)
    mb = np.empty(1 << nb, np.int64)
    _sorted_subset_sums(vals[:h], sa, ma)
    _sorted_subset_sums(vals[h:n], sb, mb)
    best = np.inf
    bma = np.int64(0)
    bmb = np.int64(0)
    i = 0
    j = (1 << nb) - 1
    na_ = 1 << h
    while i < na_ and j >= 0:
        s = sa[i] + sb[j]
        d = s - t
        ad = abs(d)
        if ad < best:
            best = ad
            bma = ma[i]
            bmb = mb[j]
        if d < 0:
            i += 1
        elif d > 0:
            j -= 1
        else:
            break
    full = bma | (bmb << h)
    for q in range(n):
        out_mask[q] = ((full >> q) & 1) == 1
    return best, full


@njit(cache=True)
def _comb_level(vals, prev_s, prev_m, prev_last, nprev, out_s, out_m, out_last):
    """Subsets with one more element than the previous level (index above the last)."""
    k = vals.shape[0]
    o = 0
    for p in range(nprev):
        for e in range(prev_last[p] + 1, k):
            out_s[o] = prev_s[p] + vals[e]
            out_m[o] = prev_m[p] | (np.int64(1) << e)
            out_last[o] = e
            o += 1
    return o


@njit(cache=True)
def _binom(n, k):
    if k < 0 or k > n:
        return 0
    r = 1
    for i in range(1, k + 1):
        r = r * (n - k + i) // i
    return r


@njit(cache=True)
def _grow(s, m, last, newcap):
    """Copies of a level store with capacity ``newcap``."""
    s2 = np.empty(newcap)
    m2 = np.empty(newcap, np.int64)
    l2 = np.empty(newcap, np.int64)
    n = s.shape[0]
    s2[:n] = s
    m2[:n] = m
    l2[:n] = last
    return s2, m2, l2


@njit(cache=True)
def _small_sizes(vals, n, t, eps, out_mask):
    """Sizes 0-3 by direct scans over the sorted values (the common case, no level
    storage): size 1 linear, size 2 two pointers, size 3 two pointers per first element.

    Returns (error, size) of the closest subset of the smallest size within eps, or
    (inf, -1) if no subset of size <= 3 is within eps.
    """
    if abs(t) <= eps:
        return abs(t), 0
    if n == 0:
        return np.inf, -1
    order = np.argsort(vals[:n])
    sv = vals[:n][order]
    best = np.inf
    bi = -1
    for i in range(n):
        d = abs(sv[i] - t)
        if d < best:
            best = d
            bi = i
    if best <= eps:
        out_mask[order[bi]] = True
        return best, 1
    best = np.inf
    bj = -1
    i = 0
    j = n - 1
    while i < j:
        d = sv[i] + sv[j] - t
        if abs(d) < best:
            best = abs(d)
            bi = i
            bj = j
        if d < 0:
            i += 1
        elif d > 0:
            j -= 1
        else:
            break
    if best <= eps:
        out_mask[order[bi]] = True
        out_mask[order[bj]] = True
        return best, 2
    best = np.inf
    bk = -1
    for i in range(n - 2):
        j = i + 1
        k = n - 1
        while j < k:
            d = sv[i] + sv[j] + sv[k] - t
            if abs(d) < best:
                best = abs(d)
                bi = i
                bj = j
                bk = k
            if d < 0:
                j += 1
            elif d > 0:
                k -= 1
            else:
                break
    if best <= eps:
        out_mask[order[bi]] = True
        out_mask[order[bj]] = True
        out_mask[order[bk]] = True
        return best, 3
    return np.inf, -1


@njit(cache=True)
def _extend_levels(vals, s, m, last, off, built, need, max_level_entries):
    """Build the subset levels ``built+1 .. need`` of ``vals`` (each sorted by sum).

    Level ``c`` holds every ``c``-element subset (sum, bit mask, index of its last
    element) at ``off[c]:off[c+1]`` of the flat stores ``s, m, last``, which are grown
    on demand. Stops early (``truncated``) when a level would exceed
    ``max_level_entries`` entries. Returns ``(s, m, last, built, truncated)``.
    """
    n_items = vals.shape[0]
    while built < need:
        cnt = _binom(n_items, built + 1)
        if off[built + 1] + cnt > max_level_entries:
            return s, m, last, built, True
        size = off[built + 1] + cnt
        if size > s.shape[0]:
            s, m, last = _grow(s, m, last, max(size, 2 * s.shape[0]))
        st = off[built]
        en = off[built + 1]
        tmp_s = np.empty(cnt)
        tmp_m = np.empty(cnt, np.int64)
        tmp_l = np.empty(cnt, np.int64)
        k = _comb_level(vals, s[st:en], m[st:en], last[st:en], en - st, tmp_s, tmp_m, tmp_l)
        order = np.argsort(tmp_s[:k])
        base = off[built + 1]
        for q in range(k):
            s[base + q] = tmp_s[order[q]]
            m[base + q] = tmp_m[order[q]]
            last[base + q] = tmp_l[order[q]]
        off[built + 2] = base + k
        built += 1
    return s, m, last, built, False


@njit(cache=True)
def _sparsest_one(vals, n, t, eps, max_level_entries, out_mask):
    """Fewest-element subset of ``vals[:n]`` with ``|sum - t| <= eps`` (ties: smallest
    error), by increasing size; each size is searched exactly by meet in the middle over
    half-subsets grouped by their element count.

    Returns (error, size, status).
    """
    err0, size0 = _small_sizes(vals, n, t, eps, out_mask)
    if size0 >= 0:
        return err0, size0, 1
    h = n // 2
    nb = n - h
    va = vals[:h].copy()
    vb = vals[h:n].copy()
    # level storage: flat arrays with offsets, sorted by sum within a level; grown on
    # demand (most instances stop after a few small levels)
    cap_a = min(1 << h, 64)
    cap_b = min(1 << nb, 64)
    sa = np.empty(cap_a)
    ma = np.empty(cap_a, np.int64)
    la = np.empty(cap_a, np.int64)
    sb = np.empty(cap_b)
    mb = np.empty(cap_b, np.int64)
    lb = np.empty(cap_b, np.int64)
    offa = np.zeros(h + 2, np.int64)
    offb = np.zeros(nb + 2, np.int64)
    # level 0
    sa[0] = 0.0
    ma[0] = 0
    la[0] = -1
    sb[0] = 0.0
    mb[0] = 0
    lb[0] = -1
    offa[1] = 1
    offb[1] = 1
    built_a = 0
    built_b = 0
    truncated = False
    for s in range(0, n + 1):
        c1_lo = max(0, s - nb)
        c1_hi = min(s, h)
        # build the levels needed for this size
        need_a = c1_hi
        need_b = min(s, nb)
        sa, ma, la, built_a, trunc_a = _extend_levels(va, sa, ma, la, offa, built_a, need_a,
                                                      max_level_entries)
        sb, mb, lb, built_b, trunc_b = _extend_levels(vb, sb, mb, lb, offb, built_b, need_b,
                                                      max_level_entries)
        truncated = trunc_a or trunc_b
        if truncated:
            break
        best = np.inf
        bma = np.int64(0)
        bmb = np.int64(0)
        for c1 in range(c1_lo, c1_hi + 1):
            c2 = s - c1
            a0 = offa[c1]
            a1 = offa[c1 + 1]
            b0 = offb[c2]
            b1 = offb[c2 + 1]
            # inline two-pointer (masks kept as int64)
            i = a0
            j = b1 - 1
            while i < a1 and j >= b0:
                sm = sa[i] + sb[j]
                d = sm - t
                ad = abs(d)
                if ad < best:
                    best = ad
                    bma = ma[i]
                    bmb = mb[j]
                if d < 0:
                    i += 1
                elif d > 0:
                    j -= 1
                else:
                    break
        if best <= eps:
            full = bma | (bmb << h)
            for q in range(n):
                out_mask[q] = ((full >> q) & 1) == 1
            return best, s, 1
    # fallback: exact closest
    err, full = _closest_one(vals, n, t, out_mask)
    size = 0
    for q in range(n):
        size += (full >> q) & 1
    if err <= eps:
        return err, size, 2 if truncated else 1
    return err, size, 0


@njit(cache=True, parallel=True)
def _solve_batch(values, lengths, targets, eps, mode, max_level_entries,
                 out_masks, out_err, out_size, out_status):
    """Solve ``m`` independent instances; instance ``r`` writes only row/slot ``r``.

    mode 0 = closest, 1 = sparsest within eps[r].
    """
    m = values.shape[0]
    for r in prange(m):
        n = lengths[r]
        row = out_masks[r]
        for q in range(row.shape[0]):
            row[q] = False
        if mode == 0:
            err, full = _closest_one(values[r], n, targets[r], row)
            size = 0
            for q in range(n):
                size += (full >> q) & 1
            out_err[r] = err
            out_size[r] = size
            out_status[r] = 1 if err <= eps[r] else 0
        else:
            err, size, status = _sparsest_one(values[r], n, targets[r], eps[r],
                                              max_level_entries, row)
            out_err[r] = err
            out_size[r] = size
            out_status[r] = status


@njit(cache=True)
def _assign_pools(W1, b1, both_signs, cap, out_pool, counts):
    """Greedy balanced assignment of in-degree-1 candidate neurons to subset-sum pools.

    Neuron ``k`` may serve pool ``(j, sign(W1[k, j]))`` for any input ``j`` (only the
    positive sign when ``both_signs`` is False) or the bias pool (index ``n_pools - 1``)
    when ``b1[k] > 0``; it joins the eligible pool with the fewest members (ties: lowest
    index) unless that pool already holds ``cap``. ``out_pool[k]`` = pool or -1.
    Pool of ``(j, +)`` is ``j`` (one sign) or ``2 j`` / ``2 j + 1`` for ``(j, +/-)``.
    """
    N, n_in = W1.shape
    n_pools = counts.shape[0]
    for q in range(n_pools):
        counts[q] = 0
    for k in range(N):
        best = -1
        best_c = cap
        for j in range(n_in):
            w = W1[k, j]
            if w > 0:
                pool = 2 * j if both_signs else j
            elif w < 0 and both_signs:
                pool = 2 * j + 1
            else:
                continue
            if counts[pool] < best_c:
                best_c = counts[pool]
                best = pool
        if b1[k] > 0 and counts[n_pools - 1] < best_c:
            best = n_pools - 1
        out_pool[k] = best
        if best >= 0:
            counts[best] += 1
