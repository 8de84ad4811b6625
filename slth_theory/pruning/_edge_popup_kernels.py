"""Private Numba kernel: one fused edge-popup epoch (masks, forward, backward, SGD).

The plain NumPy reference is :func:`slth_theory.pruning.edge_popup.score_gradients` +
:func:`slth_theory.pruning.edge_popup.layer_masks` + ``_sgd``; ``tests/unit/test_edge_popup.py``
checks that both give the same trajectories.

All layers are packed into flat float64 arrays with offsets (``woff``, ``boff``) so a
single compiled function handles any depth. The kernel is serial (no ``prange``); the
matrix products go to BLAS through ``np.dot``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _n_keep(n, rho):
    return n - int(math.floor((1.0 - rho) * n))


@njit(cache=True)
def _sign(v):
    if v > 0.0:
        return 1.0
    if v < 0.0:
        return -1.0
    return 0.0


@njit(cache=True)
def _kth_largest(buf, nb, r):
    """The r-th largest (1-based) of buf[:nb]; reorders buf[:nb] (quickselect)."""
    lo = 0
    hi = nb - 1
    target = nb - r  # index in ascending order
    while lo < hi:
        mid = (lo + hi) // 2
        # median of three as pivot
        a, b, c = buf[lo], buf[mid], buf[hi]
        if a < b:
            piv = b if b < c else (c if a < c else a)
        else:
            piv = a if a < c else (c if b < c else b)
        i = lo
        j = hi
        while i <= j:
            while buf[i] < piv:
                i += 1
            while buf[j] > piv:
                j -= 1
            if i <= j:
                t = buf[i]
                buf[i] = buf[j]
                buf[j] = t
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            return buf[target]
    return buf[target]


@njit(cache=True)
def _topk_abs(a, k, state, scratch, out):
    """out[:] = 1.0 for the k largest entries of a (>= 0), else 0.0; exactly k kept.

    ``state = [previous threshold, relative band]``: the new k-th largest value is first
    searched among the entries within the band around the previous threshold (scores move
    little per step), falling back to a full quickselect. Ties at the threshold are
    broken by index order.
    """
    n = a.size
    if k >= n:
        out[:] = 1.0
        return
    if k <= 0:
        out[:] = 0.0
        return
    thr = state[0]
    band = state[1]
    found = False
    if thr > 0.0:
        lo = thr * (1.0 - band)
        hi = thr * (1.0 + band)
        c_hi = 0
        nb = 0
        for j in range(n):
            v = a[j]
            if v > hi:
                c_hi += 1
            elif v >= lo:
                scratch[nb] = v
                nb += 1
        if c_hi < k <= c_hi + nb:
            thr = _kth_largest(scratch, nb, k - c_hi)
            found = True
            if nb > 64 and nb > n // 20:
                state[1] = band * 0.5
        else:
            state[1] = min(band * 2.0, 1.0)
    if not found:
        for j in range(n):
            scratch[j] = a[j]
        thr = _kth_largest(scratch, n, k)
    cnt = 0
    for j in range(n):
        if a[j] > thr:
            out[j] = 1.0
            cnt += 1
        else:
            out[j] = 0.0
    j = 0
    while cnt < k and j < n:  # bounded: a NaN threshold matches nothing
        if a[j] == thr:
            out[j] = 1.0
            cnt += 1
        j += 1
    state[0] = thr


@njit(cache=True)
def _masks(widths, woff, boff, SW, SB, MW, MB, has_bs, joint, rhos, state, absbuf, scratch,
           mbuf):
    """Masks of all layers at densities ``rhos[l]``; ``state`` has 2 rows of (threshold,
    band) per layer."""
    L = widths.size - 1
    for l in range(L):
        rho = rhos[l]
        w0, w1 = woff[l], woff[l + 1]
        b0, b1 = boff[l], boff[l + 1]
        nw = w1 - w0
        nb = b1 - b0
        if not joint or not has_bs:
            for j in range(nw):
                absbuf[j] = abs(SW[w0 + j])
            _topk_abs(absbuf[:nw], _n_keep(nw, rho), state[2 * l], scratch, MW[w0:w1])
            if has_bs:
                for j in range(nb):
                    absbuf[j] = abs(SB[b0 + j])
                _topk_abs(absbuf[:nb], _n_keep(nb, rho), state[2 * l + 1], scratch, MB[b0:b1])
            else:
                MB[b0:b1] = 0.0
        else:
            for j in range(nw):
                absbuf[j] = abs(SW[w0 + j])
            for j in range(nb):
                absbuf[nw + j] = abs(SB[b0 + j])
            m = mbuf[:nw + nb]
            _topk_abs(absbuf[:nw + nb], _n_keep(nw + nb, rho), state[2 * l], scratch, m)
            MW[w0:w1] = m[:nw]
            MB[b0:b1] = m[nw:]


@njit(cache=True)
def _epoch(x, y_reg, y_cls, is_ce, relu_out, perm, bs, widths, woff, boff, W, B, SW, SB,
           BUFW, BUFB, has_bs, joint, rhos, lr, mu, wd, state, out_losses):
    """Train one epoch in place (SW, SB, BUFW, BUFB); batch losses into ``out_losses``.

    Returns the number of batches, or ``-b`` if batch ``b`` (1-based) gave a non-finite
    loss or score: the epoch stops there (non-finite scores would make the masks
    meaningless; the caller raises).
    """
    L = widths.size - 1
    n = perm.size
    MW = np.empty_like(W)
    MB = np.empty_like(B)
    nmax = 0
    for l in range(L):
        nmax = max(nmax, (woff[l + 1] - woff[l]) + (boff[l + 1] - boff[l]))
    absbuf = np.empty(nmax)
    scratch = np.empty(nmax)
    mbuf = np.empty(nmax)
    WE = np.empty_like(W)
    BE = np.empty_like(B)
    nbatch = 0
    for start in range(0, n, bs):
        stop = min(start + bs, n)
        m = stop - start
        _masks(widths, woff, boff, SW, SB, MW, MB, has_bs, joint, rhos, state, absbuf,
               scratch, mbuf)
        for j in range(W.size):
            WE[j] = W[j] * MW[j]
        for j in range(B.size):
            BE[j] = B[j] * MB[j]
        # forward; acts[l] has shape (m, widths[l]); pre[l] for layer l+1
        acts = []
        pres = []
        a = np.empty((m, widths[0]))
        for r in range(m):
            a[r, :] = x[perm[start + r], :]
        acts.append(a)
        for l in range(L):
            nin, nout = widths[l], widths[l + 1]
            Wl = WE[woff[l]:woff[l + 1]].reshape((nout, nin))
            h = np.dot(a, Wl.T)
            for r in range(m):
                for c in range(nout):
                    h[r, c] += BE[boff[l] + c]
            pres.append(h)
            if l < L - 1 or relu_out:
                a = np.maximum(h, 0.0)
            else:
                a = h.copy()
            acts.append(a)
        out = acts[L]
        nL = widths[L]
        d = np.empty((m, nL))
        val = 0.0
        if is_ce:
            for r in range(m):
                mx = out[r, 0]
                for c in range(1, nL):
                    if out[r, c] > mx:
                        mx = out[r, c]
                s = 0.0
                for c in range(nL):
                    d[r, c] = math.exp(out[r, c] - mx)
                    s += d[r, c]
                yi = y_cls[perm[start + r]]
                val += math.log(s) - (out[r, yi] - mx)
                for c in range(nL):
                    d[r, c] = d[r, c] / s / m
                d[r, yi] -= 1.0 / m
            val /= m
        else:
            tot = m * nL
            for r in range(m):
                for c in range(nL):
                    diff = out[r, c] - y_reg[perm[start + r], c]
                    val += diff * diff
                    d[r, c] = 2.0 * diff / tot
            val /= tot
        out_losses[nbatch] = val
        nbatch += 1
        finite = math.isfinite(val)
        # backward + SGD
        for l in range(L - 1, -1, -1):
            nin, nout = widths[l], widths[l + 1]
            if l < L - 1 or relu_out:
                h = pres[l]
                for r in range(m):
                    for c in range(nout):
                        if h[r, c] <= 0.0:
                            d[r, c] = 0.0
            gW = np.dot(d.T, acts[l])  # (nout, nin)
            w0 = woff[l]
            for i in range(nout):
                for j in range(nin):
                    p = w0 + i * nin + j
                    g = gW[i, j] * W[p] * _sign(SW[p]) + wd * SW[p]
                    BUFW[p] = mu * BUFW[p] + g
                    SW[p] -= lr * BUFW[p]
                    if not math.isfinite(SW[p]):
                        finite = False
            if has_bs:
                b0 = boff[l]
                for i in range(nout):
                    s = 0.0
                    for r in range(m):
                        s += d[r, i]
                    p = b0 + i
                    g = s * B[p] * _sign(SB[p]) + wd * SB[p]
                    BUFB[p] = mu * BUFB[p] + g
                    SB[p] -= lr * BUFB[p]
                    if not math.isfinite(SB[p]):
                        finite = False
            if l > 0:
                Wl = WE[woff[l]:woff[l + 1]].reshape((nout, nin))
                d = np.dot(d, Wl)
        if not finite:
            return -nbatch
    return nbatch


class FusedTrainer:
    """Holds the packed state of one edge-popup run for :func:`_epoch`.

    Parameters
    ----------
    weights, biases : lists of ndarray
        Working parameters (copied).
    w_scores, b_scores : lists of ndarray (b_scores None for zero-bias networks)
    loss : {'mse', 'ce'}
    output_activation : {'identity', 'relu'}
    ranking : {'separate', 'joint'}
    momentum, weight_decay : float
    """

    def __init__(self, weights, biases, w_scores, b_scores, loss, output_activation,
                 ranking, momentum, weight_decay):
        self.shapes = [w.shape for w in weights]
        self.widths = np.array([weights[0].shape[1]] + [w.shape[0] for w in weights],
                               dtype=np.int64)
        self.woff = np.concatenate([[0], np.cumsum([w.size for w in weights])]).astype(np.int64)
        self.boff = np.concatenate([[0], np.cumsum([b.size for b in biases])]).astype(np.int64)
        self.has_bs = b_scores is not None
        self.set_params(weights, biases)
        self.SW = np.concatenate([s.ravel() for s in w_scores]).astype(np.float64)
        self.SB = (np.concatenate([s.ravel() for s in b_scores]).astype(np.float64)
                   if self.has_bs else np.zeros(int(self.boff[-1])))
        self.BUFW = np.zeros_like(self.SW)
        self.BUFB = np.zeros_like(self.SB)
        self.is_ce = loss == "ce"
        self.relu_out = output_activation == "relu"
        self.joint = ranking == "joint"
        self.mu = float(momentum)
        # per layer and kind (weights, biases): previous top-k threshold and search band
        self.state = np.zeros((2 * len(self.shapes), 2))
        self.state[:, 1] = 0.02
        self.wd = float(weight_decay)

    def set_params(self, weights, biases) -> None:
        self.W = np.concatenate([np.ascontiguousarray(w).ravel() for w in weights])
        self.B = np.concatenate([np.asarray(b).ravel() for b in biases])

    def run_epoch(self, x, y, perm, batch_size, rho, lr) -> np.ndarray:
        """One epoch; ``rho`` is one density for every layer or one per layer."""
        n = perm.size
        rhos = np.ascontiguousarray(np.broadcast_to(np.asarray(rho, dtype=np.float64),
                                                    (len(self.shapes),)))
        losses = np.empty((n + batch_size - 1) // batch_size)
        x = np.ascontiguousarray(x, dtype=np.float64)
        if self.is_ce:
            y_cls = np.ascontiguousarray(y, dtype=np.int64)
            y_reg = np.zeros((1, 1))
        else:
            y_reg = np.ascontiguousarray(y, dtype=np.float64)
            y_cls = np.zeros(1, dtype=np.int64)
        n_done = _epoch(x, y_reg, y_cls, self.is_ce, self.relu_out,
               np.ascontiguousarray(perm, dtype=np.int64), int(batch_size), self.widths,
               self.woff, self.boff, self.W, self.B, self.SW, self.SB, self.BUFW, self.BUFB,
               self.has_bs, self.joint, rhos, float(lr), self.mu, self.wd, self.state,
               losses)
        if n_done < 0:
            raise FloatingPointError(f"non-finite loss or score in batch {-n_done}")
        return losses

    def scores(self):
        sw = [self.SW[self.woff[i]:self.woff[i + 1]].reshape(s).copy()
              for i, s in enumerate(self.shapes)]
        if not self.has_bs:
            return sw, None
        sb = [self.SB[self.boff[i]:self.boff[i + 1]].copy() for i in range(len(self.shapes))]
        return sw, sb
