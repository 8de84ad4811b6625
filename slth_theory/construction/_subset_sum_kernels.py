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
    _sorted_subset_sums_at(vals, 0, k, sums, masks, np.empty(sums.shape[0]),
                           np.empty(masks.shape[0], np.int64))


@njit(cache=True)
def _closest_pair(sa, ma, a0, a1, sb, mb, b0, b1, t, best, bma, bmb):
    """Two-pointer search over ascending ``sa[a0:a1]`` and ``sb[b0:b1]`` for the pair sum
    closest to ``t``; improves on ``(best, bma, bmb)`` and returns the new triple."""
    i = a0
    j = b1 - 1
    while i < a1 and j >= b0:
        d = sa[i] + sb[j] - t
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
    return best, bma, bmb


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
    best, bma, bmb = _closest_pair(sa, ma, 0, 1 << h, sb, mb, 0, 1 << nb, t, np.inf,
                                   np.int64(0), np.int64(0))
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


@njit(cache=True, inline="always")
def _closest_pair_sum(sv, lo, hi, base, t):
    """``(|d|, j, k)`` of the pair ``lo <= j < k <= hi`` of the sorted ``sv`` minimising
    ``|d| = |base + sv[j] + sv[k] - t|`` (two pointers; the first minimum in scan order,
    ``(inf, -1, -1)`` if there is no pair). Two distinct elements of one list, where
    :func:`_closest_pair` pairs an element of one list with one of another."""
    best = np.inf
    bj = -1
    bk = -1
    j = lo
    k = hi
    while j < k:
        d = base + sv[j] + sv[k] - t
        if abs(d) < best:
            best = abs(d)
            bj = j
            bk = k
        if d < 0:
            j += 1
        elif d > 0:
            k -= 1
        else:
            break
    return best, bj, bk


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
    best, bi, bj = _closest_pair_sum(sv, 0, n - 1, 0.0, t)
    if best <= eps:
        out_mask[order[bi]] = True
        out_mask[order[bj]] = True
        return best, 2
    best = np.inf
    bk = -1
    for i in range(n - 2):
        e, j, k = _closest_pair_sum(sv, i + 1, n - 1, sv[i], t)
        if e < best:
            best = e
            bi = i
            bj = j
            bk = k
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
            best, bma, bmb = _closest_pair(sa, ma, a0, a1, sb, mb, b0, b1, t, best, bma, bmb)
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


# ------------------------------------------------------------------ many-solutions regime
# Four-list search (Schroeppel and Shamir 1981; Wagner 2002; Howgrave-Graham and Joux
# 2010): when |t - sum| <= tol has many solutions, split 4q values into four groups of q,
# list each group's 2^q subset sums (sorted, merge doubling), join groups 1+2 to the sums
# within delta of a middle value c and groups 3+4 to the sums within delta + tol of t - c,
# and match the two joined lists through buckets. Expected solutions per try:
# 4 N^4 rho^2 delta tol with N = 2^q and rho the density of a two-group sum at c.

FOUR_LIST_NEED = 6.0     # expected solutions per try the plan aims at
FOUR_LIST_QMAX = 15      # at most 2^15 sums per group list
FOUR_LIST_CAP = 1 << 17  # largest joined list
FOUR_LIST_SHIFTS = 8     # middle values tried per window of four groups
FALLBACK_N = 44          # exact closest search on at most this many values


@njit(cache=True, error_model="numpy")
def _normal_density(x, mean, var):
    return np.exp(-0.5 * (x - mean) ** 2 / var) / np.sqrt(2.0 * np.pi * var)


@njit(cache=True, error_model="numpy")
def _plan_four_list(vals, n, t, tol, need, cap):
    """Group size ``q`` of the cheapest four-list try, or ``-1`` if none fits.

    A subset sum of ``2 q`` values (each in with probability 1/2) has mean
    ``q mean(v)`` and variance ``q mean(v^2) / 2`` (pool averages); ``rho`` is its normal
    density at ``t / 2``, ``delta = need / (4 N^4 rho^2 tol)`` and the cost is
    ``8 N + 4 N^2 rho delta`` (lists plus joined lists), subject to joined lists
    ``2 N^2 rho delta <= cap`` and ``delta <= 1/2``.
    """
    if n == 0:
        return -1
    m = 0.0
    v2 = 0.0
    for k in range(n):
        m += vals[k]
        v2 += vals[k] * vals[k]
    m /= n
    v2 /= n
    best_q = -1
    best_cost = np.inf
    for q in range(1, FOUR_LIST_QMAX + 1):
        if 4 * q > n:
            break
        var = q * v2 / 2.0
        if var <= 0.0:
            continue
        rho = _normal_density(0.5 * t, q * m, var)
        if rho < 1e-12:
            continue
        N = 2.0 ** q
        d = need / (4.0 * N ** 4 * rho * rho * tol)
        joined = 2.0 * N * N * rho * d
        if joined > cap or d > 0.5:
            continue
        cost = 8.0 * N + 2.0 * joined
        if cost < best_cost:
            best_cost = cost
            best_q = q
    return best_q


@njit(cache=True, error_model="numpy")
def _window_split(vals, off, q, t, tol, need, cap):
    """Middle value ``c`` and half-width ``delta`` for the window ``vals[off:off + 4q]``.

    With means ``mu_a, mu_b`` and variances ``var_a, var_b`` of the two halves' subset
    sums, ``c`` is the mode of the first half's sum given the total ``t``:
    ``mu_a + (t - mu_a - mu_b) var_a / (var_a + var_b)``;
    ``delta = need / (4 N^4 rho_a rho_b tol)``. Returns ``(c, delta, ok)``.
    """
    mu_a = 0.0
    va = 0.0
    mu_b = 0.0
    vb = 0.0
    for k in range(2 * q):
        x = vals[off + k]
        mu_a += 0.5 * x
        va += 0.25 * x * x
        y = vals[off + 2 * q + k]
        mu_b += 0.5 * y
        vb += 0.25 * y * y
    if va <= 0.0 or vb <= 0.0:
        return 0.0, 0.0, False
    c = mu_a + (t - mu_a - mu_b) * va / (va + vb)
    ra = _normal_density(c, mu_a, va)
    rb = _normal_density(t - c, mu_b, vb)
    if ra < 1e-12 or rb < 1e-12:
        return c, 0.0, False
    N = 2.0 ** q
    d = need / (4.0 * N ** 4 * ra * rb * tol)
    if 2.0 * N * N * max(ra, rb) * d > cap or d > 0.5:
        return c, d, False
    return c, d, True


@njit(cache=True)
def _join_window(s1, m1, n1, s2, m2, n2, shift, lo, hi, out_s, out_m, cap):
    """Pairs of two ascending lists with ``lo <= s1[i] + s2[j] <= hi``, in order of
    ``(i, j)``: sums into ``out_s``, masks ``m1 | m2 << shift`` into ``out_m``. Stops at
    ``cap`` entries; returns the count."""
    o = 0
    j_hi = n2 - 1
    j_lo = n2
    for i in range(n1):
        x = s1[i]
        while j_hi >= 0 and x + s2[j_hi] > hi:
            j_hi -= 1
        if j_hi < 0:
            break
        while j_lo > 0 and x + s2[j_lo - 1] >= lo:
            j_lo -= 1
        for j in range(j_lo, j_hi + 1):
            if o >= cap:
                return o
            out_s[o] = x + s2[j]
            out_m[o] = m1[i] | (m2[j] << shift)
            o += 1
    return o


@njit(cache=True)
def _popcount(x):
    c = 0
    while x:
        x &= x - 1
        c += 1
    return c


@njit(cache=True, error_model="numpy")
def _match_buckets(sa, ma, na, sb, mb, nb, t, tol, lo, hi, bstart, bcur, bs, bm):
    """Best pair ``(a, b)`` with ``|a + b - t| <= tol``: fewest elements, then smallest
    error, then first in ``a`` order. ``b`` values (all in ``[lo, hi]``) are counting-
    sorted into ``2^ceil(log2 nb)`` equal buckets; each ``a`` scans the buckets of
    ``[t - a - tol, t - a + tol]`` and one more on each side (rounding).

    Returns ``(error, size, mask_a, mask_b)``; ``size = -1`` if none.
    """
    nbk = 1
    while nbk < nb:
        nbk *= 2
    w = (hi - lo) / nbk
    inv = 1.0 / w if w > 0 else 0.0
    for g in range(nbk + 1):
        bstart[g] = 0
    for k in range(nb):
        g = int((sb[k] - lo) * inv)
        g = min(max(g, 0), nbk - 1)
        bstart[g + 1] += 1
    for g in range(nbk):
        bstart[g + 1] += bstart[g]
        bcur[g] = bstart[g]
    for k in range(nb):
        g = int((sb[k] - lo) * inv)
        g = min(max(g, 0), nbk - 1)
        p = bcur[g]
        bs[p] = sb[k]
        bm[p] = mb[k]
        bcur[g] = p + 1
    best_sz = -1
    best_e = np.inf
    ba = np.int64(0)
    bb = np.int64(0)
    for i in range(na):
        y = t - sa[i]
        if y + tol < lo or y - tol > hi:
            continue
        g0 = (int((y - tol - lo) * inv) if y - tol > lo else 0) - 1
        g1 = int((y + tol - lo) * inv) + 1
        g0 = max(g0, 0)
        g1 = min(g1, nbk - 1)
        for k in range(bstart[g0], bstart[g1 + 1]):
            e = abs(sa[i] + bs[k] - t)
            if e <= tol:
                sz = _popcount(ma[i]) + _popcount(bm[k])
                if best_sz < 0 or sz < best_sz or (sz == best_sz and e < best_e):
                    best_sz = sz
                    best_e = e
                    ba = ma[i]
                    bb = bm[k]
    return best_e, best_sz, ba, bb


@njit(cache=True)
def _shift_offset(k):
    """Middle value offsets in units of ``2 delta``: 0, 1, -1, 2, -2, ..."""
    h = (k + 1) // 2
    return float(h) if k % 2 == 1 else -float(h)


@njit(cache=True, error_model="numpy")
def _find_one(vals, n, t, tol, ws_s, ws_m, out_mask):
    """One instance of the many-solutions search (see the block comment above).

    ``ws_s`` (float64) and ``ws_m`` (int64) are workspaces of shape
    ``(9, 2 FOUR_LIST_CAP)``. Windows of four consecutive groups of ``q`` values slide
    over the pool (so every value can be used); each window tries FOUR_LIST_SHIFTS middle
    values. If every try fails, the exact closest subset of the first FALLBACK_N values.
    Returns ``(error, size, status)``, status 1 = within tol, 0 = not.
    """
    for k in range(out_mask.shape[0]):
        out_mask[k] = False
    if abs(t) <= tol:
        return abs(t), 0, 1
    q = _plan_four_list(vals, n, t, tol, FOUR_LIST_NEED, FOUR_LIST_CAP)
    if q > 0:
        s1 = ws_s[0]
        s2 = ws_s[1]
        s3 = ws_s[2]
        s4 = ws_s[3]
        ts = ws_s[4]
        s12 = ws_s[5]
        s34 = ws_s[6]
        bs = ws_s[7]
        m1 = ws_m[0]
        m2 = ws_m[1]
        m3 = ws_m[2]
        m4 = ws_m[3]
        tm = ws_m[4]
        m12 = ws_m[5]
        m34 = ws_m[6]
        bm = ws_m[7]
        bstart = ws_m[8]
        bcur = ws_m[4]  # tm is free during matching
        n_groups = n // q
        for g in range(n_groups - 3):
            c0, delta, ok = _window_split(vals, g * q, q, t, tol, FOUR_LIST_NEED,
                                          FOUR_LIST_CAP)
            if not ok:
                continue
            n1 = _sorted_subset_sums_at(vals, g * q, q, s1, m1, ts, tm)
            n2 = _sorted_subset_sums_at(vals, (g + 1) * q, q, s2, m2, ts, tm)
            n3 = _sorted_subset_sums_at(vals, (g + 2) * q, q, s3, m3, ts, tm)
            n4 = _sorted_subset_sums_at(vals, (g + 3) * q, q, s4, m4, ts, tm)
            for k in range(FOUR_LIST_SHIFTS):
                c = c0 + 2.0 * delta * _shift_offset(k)
                d = t - c
                n12 = _join_window(s1, m1, n1, s2, m2, n2, q, c - delta, c + delta, s12,
                                   m12, FOUR_LIST_CAP)
                lo = d - delta - tol
                hi = d + delta + tol
                n34 = _join_window(s3, m3, n3, s4, m4, n4, q, lo, hi, s34, m34,
                                   FOUR_LIST_CAP)
                if n12 == 0 or n34 == 0:
                    continue
                e, sz, a, b = _match_buckets(s12, m12, n12, s34, m34, n34, t, tol, lo, hi,
                                             bstart, bcur, bs, bm)
                if sz >= 0:
                    for j in range(2 * q):
                        if (a >> j) & 1:
                            out_mask[g * q + j] = True
                        if (b >> j) & 1:
                            out_mask[(g + 2) * q + j] = True
                    return e, sz, 1
    nf = min(n, FALLBACK_N)
    err, full = _closest_one(vals, nf, t, out_mask)
    size = 0
    for j in range(nf):
        size += (full >> j) & 1
    return err, size, 1 if err <= tol else 0


@njit(cache=True)
def _sorted_subset_sums_at(vals, off, q, sums, masks, tmp_s, tmp_m):
    """All ``2^q`` subset sums of ``vals[off:off + q]`` ascending (merge doubling; sums
    accumulate the values in index order), masks relative to ``off``. Returns ``2^q``."""
    size = 1
    sums[0] = 0.0
    masks[0] = 0
    for e in range(q):
        a = vals[off + e]
        bit = np.int64(1) << e
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
        for k in range(size):
            sums[k] = tmp_s[k]
            masks[k] = tmp_m[k]
    return size


FIND_CHUNK = 256


@njit(cache=True, parallel=True)
def _find_batch(values, lengths, targets, tol, out_masks, out_err, out_size, out_status):
    """Instances in fixed chunks of FIND_CHUNK (one workspace per chunk); instance ``r``
    writes only row/slot ``r``: results do not depend on the thread count."""
    m = values.shape[0]
    nchunk = (m + FIND_CHUNK - 1) // FIND_CHUNK
    for c in prange(nchunk):
        ws_s = np.empty((9, 2 * FOUR_LIST_CAP))
        ws_m = np.empty((9, 2 * FOUR_LIST_CAP), np.int64)
        for r in range(c * FIND_CHUNK, min(m, (c + 1) * FIND_CHUNK)):
            e, sz, st = _find_one(values[r], lengths[r], targets[r], tol[r], ws_s, ws_m,
                                  out_masks[r])
            out_err[r] = e
            out_size[r] = sz
            out_status[r] = st
