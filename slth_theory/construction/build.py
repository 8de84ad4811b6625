"""Theorem 5 made concrete: an explicit strong lottery ticket for a target with biases.

Given a target ``f`` of depth ``L`` (any widths, non-zero biases, relu or identity
output), build the mother network ``f_0`` of depth ``2L`` with a registered Theorem 5
scheme (``theorem5-uniform``: ``w ~ U[-s_l, s_l]``, ``b ~ U[-prod s, prod s]``; or
``theorem5-normal``) and find masks over its *unmodified* initial parameters plus
``lambda = prod_{l=1}^{2L} 1/s_l`` (Lemma 2) such that ``lambda f_0(x | theta * mask)``
approximates ``f``.

Layout of the mother (``p_l`` = pool parameter of target layer ``l``):

* layer ``2l-1`` has ``(n_{l-1} + 1) p_l`` neurons, each used with in-degree 1: a neuron in
  the pool of input neuron ``j`` keeps only its weight from ``j`` (bias pruned) and computes
  ``phi(w1 x_j)``; a neuron in the bias pool keeps only its bias and computes
  ``phi(b1) = b1`` (it needs ``b1 > 0``). Every neuron is connected to every input at
  initialization, so which pool it serves is a choice: :func:`assign_pools` assigns each
  neuron, greedily and in index order, to the eligible pool with the fewest members
  (eligible: the pools ``(j, sign(w1_kj))`` and, if ``b1_k > 0``, the bias pool). The choice
  depends only on signs, so given its pool a neuron's ``|w1|`` (or ``b1``) is still
  ``U[0, s]`` and ``w2`` is untouched: the subset-sum values keep Theorem 5's law, but
  pools are balanced instead of binomially sized.
* layer ``2l`` has ``n_l`` neurons, the target neurons; their own biases are pruned.

Signs: in the first layer the inputs ``x_j in [-1, 1]`` have both signs, so neurons with
``w1 > 0`` give ``w1 phi(x_j)`` and those with ``w1 < 0`` give ``|w1| phi(-x_j)``; the
target's ``w x_j = w phi(x_j) - w phi(-x_j)`` needs both (two subset-sum instances per
weight, pools of about ``p_1 / 2``). Later layers receive post-ReLU values ``x_j >= 0``,
for which ``phi(-x_j) = 0``: only ``w1 > 0`` is useful, one instance per weight suffices
(``phi(w1 x_j) = w1 x_j``) and pools hold about ``p_l`` neurons. Pools hold at most 88
neurons; the exact solver takes 44 values, so an instance is solved on the first 44 members
of its pool and, if that misses the tolerance, again on the last 44.

Why the ticket's function is a network with the target's architecture: in the unit-scale
parameters ``theta' = h(theta, 1/s)`` of Lemma 2 (so ``lambda f_0(x|theta m) = f_0(x|theta'
m)``), neuron ``i`` of mother layer ``2l`` computes, for ``l >= 2``,
``phi(sum_j (sum_{k in S_ij} w2_ik w1_kj) x_j + sum_{k in B_i} w2_ik b1_k)`` because every
kept neuron ``k`` of block ``j`` outputs ``w1_kj x_j`` and every kept bias neuron outputs
``b1_k``. That is target neuron ``i`` with weights ``A_ij = sum_{S_ij} w2 w1`` and bias
``c_i = sum_{B_i} w2 b1`` (the subset sums). For ``l = 1`` it is
``phi(sum_j A+_ij phi(x_j) - A-_ij phi(-x_j) + c_i)`` with two subset sums per weight: on
each orthant of the input cube this is a network with the target's architecture and
first-layer weights ``A+`` or ``A-``. Hence :func:`slth_theory.theory.lemma4.error_bound`
with ``first_layer_neg = A-`` bounds ``sup ||f - lambda f_0(.|theta m)||``.

Targets with parameters outside ``[-1, 1]`` are first mapped inside by Lemma 2:
``W_l -> sigma_l W_l``, ``b_l -> prod_{m<=l} sigma_m b_l`` with ``sigma_l <= 1``; the
factor ``kappa = 1 / prod sigma_l`` multiplies ``lambda`` and all errors.

Notes
-----
Theorem 5 and its proof, appendix B.4; Lemma 2 (B.1); Lemma 4 corrected
(:mod:`slth_theory.theory.lemma4`).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slth_theory.construction import _subset_sum_kernels as _k
from slth_theory.construction.subset_sum import MAX_N, solve_batch
from slth_theory.engine.progress import progress
from slth_theory.model.network import Network, parse_widths
from slth_theory.model.schemes import get as get_scheme
from slth_theory.model.schemes import initialize
from slth_theory.model.ticket import Ticket
from slth_theory.theory.lemma2 import homogeneity_transform
from slth_theory.theory.lemma4 import layer_stats, tolerances
from slth_theory.theory.theorem5 import calibrated_C, samples_per_instance


@dataclass
class Construction:
    """A constructed ticket with everything its certificate needs.

    Attributes
    ----------
    ticket : Ticket
        Masks over the regenerable mother; ``output_scale = kappa / prod s_l``.
    target : Network
        The target as given.
    scaled_target : Network
        The target after the Lemma 2 transform (parameters in ``[-1, 1]``).
    kappa : float
        ``f_target = kappa * f_scaled``.
    sigmas : ndarray
        The per-layer Lemma 2 factors applied to the target.
    effective : Network
        The ticket as a network of the target's architecture, in scaled units (first layer:
        the positive-side weights ``A+``).
    first_layer_neg : ndarray
        ``A-``: first-layer weights acting on ``-phi(-x)``.
    tol_w, tol_b : ndarray, shape (L,)
        Per-layer tolerances (scaled units) the subset sums had to meet.
    pool_sizes : list of int
        Pool parameter ``p_l`` per target layer (layer ``2l-1`` has ``(n_{l-1}+1) p_l``
        neurons).
    failures : list of dict
        Parameters whose best subset sum missed its tolerance (layer, kind, index, target,
        error, tolerance).
    seconds : float
    attempts : int
    """

    ticket: Ticket
    target: Network
    scaled_target: Network
    kappa: float
    sigmas: np.ndarray
    effective: Network
    first_layer_neg: np.ndarray
    tol_w: np.ndarray
    tol_b: np.ndarray
    pool_sizes: list[int]
    failures: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 1
    mode: str = "eps"
    eps: float | None = None

    @property
    def mother_widths(self) -> list[int]:
        return self.ticket.mother.widths

    @property
    def n_target_params(self) -> int:
        return int(sum(np.count_nonzero(w) + np.count_nonzero(b)
                       for w, b in zip(self.target.weights, self.target.biases, strict=True)))

    @property
    def kept_per_target_param(self) -> float:
        """Kept mother parameters (weights + biases) per non-zero target parameter."""
        kept = self.ticket.n_kept_weights + self.ticket.n_kept_biases
        return kept / max(self.n_target_params, 1)

    def param_errors(self) -> list[dict[str, float]]:
        """Largest per-parameter error per layer, in the target's own units."""
        out = []
        cum = np.cumsum(np.log(self.sigmas))
        for i in range(self.target.depth):
            ew = np.abs(self.effective.weights[i] - self.scaled_target.weights[i])
            if i == 0:
                ew = np.maximum(ew, np.abs(self.first_layer_neg - self.scaled_target.weights[0]))
            eb = np.abs(self.effective.biases[i] - self.scaled_target.biases[i])
            out.append({
                "layer": i + 1,
                "max_weight_error": float(ew.max(initial=0.0)) / self.sigmas[i],
                "max_bias_error": float(eb.max(initial=0.0)) / math.exp(cum[i]),
                "mean_weight_error": float(ew.mean()) / self.sigmas[i] if ew.size else 0.0,
                "tol_weight": float(self.tol_w[i]) / self.sigmas[i],
                "tol_bias": float(self.tol_b[i]) / math.exp(cum[i]),
            })
        return out


def random_target(widths: list[int], seed: int, scale: float = 1.0,
                  output_activation: str = "identity") -> Network:
    """A target with weights, then biases, ``~ U[-scale, scale]`` from ``default_rng(seed)``
    (``slth random-target``)."""
    widths = parse_widths(widths)
    if not (isinstance(scale, (int, float, np.integer, np.floating))
            and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a finite number > 0; got {scale!r}")
    rng = np.random.default_rng(seed)
    L = len(widths) - 1
    ws = [rng.uniform(-scale, scale, (widths[i + 1], widths[i])) for i in range(L)]
    bs = [rng.uniform(-scale, scale, widths[i + 1]) for i in range(L)]
    return Network(ws, bs, output_activation,
                   {"kind_of_target": "random-uniform", "seed": seed, "scale": scale})


def scale_into_unit_box(target: Network) -> tuple[Network, np.ndarray, float]:
    """Lemma 2 factors ``sigma_l <= 1`` putting every parameter in ``[-1, 1]``.

    Returns
    -------
    (scaled, sigmas, kappa) with ``f_target = kappa * f_scaled``.
    """
    sig = np.ones(target.depth)
    cum = 1.0
    for i, (w, b) in enumerate(zip(target.weights, target.biases, strict=True)):
        wmax = float(np.max(np.abs(w), initial=0.0))
        bmax = float(np.max(np.abs(b), initial=0.0))
        s = 1.0
        if wmax > 1:
            s = 1.0 / wmax
        if bmax * cum * s > 1:
            s = 1.0 / (bmax * cum)
        sig[i] = s
        cum *= s
    if np.all(sig == 1.0):
        return target.copy(), sig, 1.0
    scaled = homogeneity_transform(target, sig)
    # guard rounding: clip the (at most 1 + 1 ulp) entries to the box
    scaled = Network([np.clip(w, -1, 1) for w in scaled.weights],
                     [np.clip(b, -1, 1) for b in scaled.biases],
                     target.output_activation, dict(target.meta))
    return scaled, sig, float(np.exp(-np.sum(np.log(sig))))


def assign_pools(W1u: np.ndarray, b1u: np.ndarray, first: bool, cap: int = MAX_N
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Balanced assignment of the layer-``2l-1`` neurons to subset-sum pools.

    Parameters
    ----------
    W1u, b1u : ndarray
        Incoming weights ``(N, n_in)`` and biases ``(N,)`` of mother layer ``2l-1``.
    first : bool
        Both signs (first layer) or only ``w1 > 0`` (later layers, inputs ``>= 0``).
    cap : int
        Largest pool (the subset-sum solver takes at most 44 values).

    Returns
    -------
    pool : ndarray of int, shape (N,)
        Pool per neuron (``-1`` unused): ``(j, +)`` is ``j`` (one sign) or ``2j``,
        ``(j, -)`` is ``2j + 1``; the last index is the bias pool (needs ``b1 > 0``).
    members : ndarray of int, shape (n_pools, max size), padded with -1
    """
    W1u = np.asarray(W1u, dtype=np.float64)
    b1u = np.asarray(b1u, dtype=np.float64)
    if W1u.ndim != 2:
        raise ValueError(f"W1u must be a 2-D array (N, n_in); got shape {W1u.shape}")
    N, n_in = W1u.shape
    if b1u.shape != (N,):
        raise ValueError(f"b1u must have shape ({N},) to match W1u {W1u.shape}; "
                         f"got {b1u.shape}")
    if not np.all(np.isfinite(W1u)):
        raise ValueError("W1u must contain only finite values")
    if not np.all(np.isfinite(b1u)):
        raise ValueError("b1u must contain only finite values")
    if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 1:
        raise ValueError(f"cap must be an integer >= 1; got {cap!r}")
    n_pools = (2 * n_in if first else n_in) + 1
    pool = np.empty(N, np.int64)
    counts = np.empty(n_pools, np.int64)
    _k._assign_pools(np.ascontiguousarray(W1u), np.ascontiguousarray(b1u), first, int(cap),
                     pool, counts)
    width = int(counts.max(initial=0))
    members = np.full((n_pools, max(width, 1)), -1, np.int64)
    order = np.argsort(pool, kind="stable")
    sp = pool[order]
    starts = np.searchsorted(sp, np.arange(n_pools))
    ends = np.searchsorted(sp, np.arange(n_pools), side="right")
    for q in range(n_pools):
        members[q, :ends[q] - starts[q]] = order[starts[q]:ends[q]]
    return pool, members


def assign_pools_reference(W1u: np.ndarray, b1u: np.ndarray, first: bool,
                           cap: int = MAX_N) -> np.ndarray:
    """Plain Python version of the pool assignment kernel (the reference for tests)."""
    N, n_in = W1u.shape
    n_pools = (2 * n_in if first else n_in) + 1
    counts = [0] * n_pools
    out = np.full(N, -1, np.int64)
    for k in range(N):
        options = []
        for j in range(n_in):
            if W1u[k, j] > 0:
                options.append(2 * j if first else j)
            elif W1u[k, j] < 0 and first:
                options.append(2 * j + 1)
        if b1u[k] > 0:
            options.append(n_pools - 1)
        best, best_c = -1, cap
        for q in options:
            if counts[q] < best_c:
                best, best_c = q, counts[q]
        out[k] = best
        if best >= 0:
            counts[best] += 1
    return out


def _layer_solve(W1u, b1u, W2u, Wt, bt, first, tol_w, tol_b):
    """Subset sums for one target layer; returns masks, effective params, failures."""
    n_out, n_in = Wt.shape
    w1mask = np.zeros(W1u.shape, bool)
    b1mask = np.zeros(b1u.shape, bool)
    w2mask = np.zeros(W2u.shape, bool)
    A_pos = np.zeros((n_out, n_in))
    A_neg = np.zeros((n_out, n_in))
    failures = []
    _pool, members = assign_pools(W1u, b1u, first, cap=2 * MAX_N)
    counts = (members >= 0).sum(axis=1)
    ii, jj = np.nonzero(Wt)
    for sign in ((1.0, -1.0) if first else (1.0,)):
        if ii.size == 0:
            break
        pj = (2 * np.arange(n_in) + (sign < 0)) if first else np.arange(n_in)
        mem_all = members[pj]                                      # (n_in, width)
        cnt_all = counts[pj]
        # first pass: the first (at most 44) members of each pool
        mem = mem_all[:, :MAX_N]
        cnt = np.minimum(cnt_all, MAX_N)
        safe = np.where(mem >= 0, mem, 0)
        w1v = np.where(mem >= 0, np.abs(W1u[safe, np.arange(n_in)[:, None]]), 0.0)
        vals = W2u[ii[:, None], safe[jj]] * w1v[jj]                 # (n_inst, width)
        res = solve_batch(vals, sign * Wt[ii, jj], tol_w, lengths=cnt[jj])
        cols = safe[jj]
        # pools larger than 44: retry failures on the last 44 members
        bad = np.nonzero((res.status == 0) & (cnt_all[jj] > MAX_N))[0]
        if bad.size:
            jb = jj[bad]
            lo = cnt_all[jb] - MAX_N
            pos = lo[:, None] + np.arange(MAX_N)[None, :]
            mem2 = mem_all[jb[:, None], pos]
            vals2 = W2u[ii[bad][:, None], mem2] * np.abs(W1u[mem2, jb[:, None]])
            res2 = solve_batch(vals2, sign * Wt[ii[bad], jb], tol_w)
            better = res2.errors < res.errors[bad]
            if np.any(better):
                rows = bad[better]
                vals = vals.copy()
                cols = cols.copy()
                vals[rows] = vals2[better]
                cols[rows] = mem2[better]
                res.masks[rows] = res2.masks[better]
                res.errors[rows] = res2.errors[better]
                res.status[rows] = res2.status[better]
                res.sizes[rows] = res2.sizes[better]
        sums = np.where(res.masks, vals, 0.0).sum(axis=1)
        A = A_pos if sign > 0 else A_neg
        A[ii, jj] = sign * sums
        r_i, r_q = np.nonzero(res.masks)
        mc = cols[r_i, r_q]
        w2mask[ii[r_i], mc] = True
        w1mask[mc, jj[r_i]] = True
        for r in np.nonzero(res.status == 0)[0]:
            failures.append({"kind": "weight" if sign > 0 else "weight-neg",
                             "index": [int(ii[r]), int(jj[r])],
                             "target": float(Wt[ii[r], jj[r]]),
                             "error": float(res.errors[r]), "tolerance": float(tol_w),
                             "pool": int(cnt_all[jj[r]])})
    if not first:
        A_neg = A_pos
    # biases: the last pool, neurons with b1 > 0 and all weights pruned
    cols_b = members[-1][members[-1] >= 0][:MAX_N]
    c = np.zeros(n_out)
    ib = np.nonzero(bt)[0]
    if ib.size:
        vals = W2u[ib[:, None], cols_b[None, :]] * b1u[cols_b][None, :]
        res = solve_batch(vals.reshape(ib.size, cols_b.size), bt[ib], tol_b)
        c[ib] = np.where(res.masks, vals, 0.0).sum(axis=1)
        r_i, r_q = np.nonzero(res.masks)
        w2mask[ib[r_i], cols_b[r_q]] = True
        b1mask[cols_b[r_q]] = True
        for r in np.nonzero(res.status == 0)[0]:
            failures.append({"kind": "bias", "index": [int(ib[r])],
                             "target": float(bt[ib[r]]), "error": float(res.errors[r]),
                             "tolerance": float(tol_b), "pool": int(cols_b.size)})
    return w1mask, b1mask, w2mask, A_pos, A_neg, c, failures


def default_pool_sizes(scaled: Network, tol: np.ndarray, delta: float, C: float) -> list[int]:
    """Pool parameters giving ``n_s = ceil(C log(1/min(eps_l, delta_l)))`` values per
    subset-sum instance, ``delta_l = delta / (2 L n_l k_l,max)`` (the proof's union bound):
    ``p_1 = 2 n_s`` (two signs share the first layer), ``p_l = n_s`` later; ``n_s <= 44``."""
    st = layer_stats(scaled)
    L = scaled.depth
    out = []
    for i in range(L):
        d_l = delta / (2 * L * st.n[i] * st.k_max[i])
        ns = min(samples_per_instance(float(tol[i]), float(d_l), C), MAX_N)
        out.append(int(2 * ns if i == 0 else ns))
    return out


def construct(target: Network, *, eps: float | None = None, param_eps: float | None = None,
              delta: float = 0.05, seed: int = 0, pool: int | list[int] | None = None,
              C: float | None = None, scheme: str = "theorem5-uniform", grow: bool = False,
              max_attempts: int = 5, quiet: bool = True) -> Construction:
    """Build the Theorem 5 ticket for ``target``.

    Parameters
    ----------
    target : Network
    eps : float, optional
        Global accuracy: per-layer tolerances from the corrected Lemma 4 (exactly one of
        ``eps`` and ``param_eps``).
    param_eps : float, optional
        Per-parameter tolerance in the target's units (no propagation guarantee by itself).
    delta : float in (0, 1)
        Failure probability used to size the pools (Theorem 5).
    seed : int
        Seed of the mother network (``slth init ... --seed`` regenerates it).
    pool : int or list of int, optional
        Pool parameters ``p_l`` (default: :func:`default_pool_sizes` with ``C``).
    C : float, optional
        Constant for the default pool sizes (default: the calibrated one).
    scheme : {'theorem5-uniform', 'theorem5-normal'}
    grow : bool
        If some parameter misses its tolerance, multiply the failing layers' ``p_l`` by
        1.5 and rebuild (new mother from the same seed), up to ``max_attempts`` times.
    quiet : bool
        No progress bar (one step per target layer; also quiet when stderr is not a
        terminal).

    Returns
    -------
    Construction
    """
    t0 = time.perf_counter()
    if (eps is None) == (param_eps is None):
        raise ValueError("give exactly one of eps and param_eps")
    for name, v in (("eps", eps), ("param_eps", param_eps)):
        if v is not None and (not np.isfinite(v) or v <= 0):
            raise ValueError(f"{name} must be finite and > 0; got {v}")
    if not (0 < float(delta) < 1):
        raise ValueError(f"delta must be in (0, 1); got {delta}")
    if scheme not in ("theorem5-uniform", "theorem5-normal"):
        raise ValueError(f"scheme must be theorem5-uniform or theorem5-normal; got {scheme!r}")
    get_scheme(scheme)
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    for i, (w, b) in enumerate(zip(target.weights, target.biases, strict=True)):
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(f"target layer {i + 1} has non-finite parameters")
    scaled, sig, kappa = scale_into_unit_box(target)
    L = target.depth
    cum = np.exp(np.cumsum(np.log(sig)))
    if eps is not None:
        tol = tolerances(scaled, eps / kappa, "corrected")
        tol_w, tol_b = tol.copy(), tol.copy()
        mode = "eps"
    else:
        tol_w = param_eps * sig
        tol_b = param_eps * cum
        mode = "param-eps"
    if pool is None:
        # the normal variant's products w2 w1 contain the uniform products (appendix B.4);
        # the same calibrated constant is used for both schemes
        C = calibrated_C("product") if C is None else float(C)
        pools = default_pool_sizes(scaled, np.minimum(tol_w, tol_b), delta, C)
    else:
        pools = [int(pool)] * L if np.ndim(pool) == 0 else [int(v) for v in pool]
        if len(pools) != L or min(pools) < 1:
            raise ValueError(f"pool must be one size >= 1 or {L} sizes; got {pool}")
    act = target.output_activation
    attempts = 0
    while True:
        attempts += 1
        widths = [target.widths[0]]
        for i in range(L):
            widths += [(target.widths[i] + 1) * pools[i], target.widths[i + 1]]
        mother = initialize(widths, scheme, output_activation=act, rng=int(seed))
        s = np.array(mother.meta["weight_scales"])
        logcum = np.cumsum(np.log(s))
        wmasks, bmasks = [], []
        eff_w, eff_b, failures = [], [], []
        neg = None
        for i in progress(range(L), total=L, desc=f"construct (attempt {attempts})",
                          quiet=quiet):
            a, b2 = 2 * i, 2 * i + 1
            W1u = mother.weights[a] / s[a]
            b1u = mother.biases[a] * math.exp(-logcum[a])
            W2u = mother.weights[b2] / s[b2]
            w1m, b1m, w2m, Ap, An, c, fails = _layer_solve(
                W1u, b1u, W2u, scaled.weights[i], scaled.biases[i], i == 0,
                float(tol_w[i]), float(tol_b[i]))
            for f in fails:
                f["layer"] = i + 1
            failures += fails
            wmasks += [w1m, w2m]
            bmasks += [b1m, np.zeros(mother.biases[b2].shape, bool)]
            eff_w.append(Ap)
            eff_b.append(c)
            if i == 0:
                neg = An
        if not failures or not grow or attempts >= max_attempts:
            break
        bad = {f["layer"] for f in failures}
        pools = [int(math.ceil(p * 1.5)) if (i + 1) in bad else p for i, p in enumerate(pools)]
    lam = float(np.exp(-np.sum(np.log(s)) + np.log(kappa)))
    meta = {
        "construction": "theorem5",
        "construction_mode": mode,  # not "mode": that key is the mother's fan convention
        "eps": eps,
        "param_eps": param_eps,
        "delta": float(delta),
        "pool_sizes": pools,
        "target_arch": target.widths,
        "mother_arch": widths,
        "kappa": kappa,
        "target_sigmas": [float(v) for v in sig],
        "lambda_mother": float(np.exp(-np.sum(np.log(s)))),
        "n_failed": len(failures),
        "regenerate": (f"slth init --arch {','.join(map(str, widths))} --scheme {scheme} "
                       f"--seed {int(seed)} --output-activation {act}"),
    }
    ticket = Ticket(mother, wmasks, bmasks, lam, meta)
    if failures:
        n_params = sum(w.size + b.size for w, b in zip(target.weights, target.biases,
                                                        strict=True))
        warnings.warn(f"construct: {len(failures)} subset sums miss their tolerance (target of "
                      f"{n_params} parameters), so the ticket may miss the requested accuracy "
                      "(see Construction.failures; grow=True or larger pools help)",
                      UserWarning, stacklevel=2)
    effective = Network(eff_w, eff_b, act, {})
    return Construction(ticket, target, scaled, kappa, sig, effective, neg, tol_w, tol_b,
                        pools, failures, time.perf_counter() - t0, attempts, mode, eps)


def summary(con: Construction) -> dict[str, Any]:
    """Plain-value summary (architecture, pools, densities, failures, time)."""
    t = con.ticket
    return {
        "target_arch": con.target.widths,
        "mother_arch": con.mother_widths,
        "pool_sizes": con.pool_sizes,
        "mode": con.mode,
        "eps": con.eps,
        "kappa": con.kappa,
        "lambda": t.output_scale,
        "density_weights": t.density,
        "density_with_biases": t.density_with_biases,
        "kept_weights": t.n_kept_weights,
        "kept_biases": t.n_kept_biases,
        "kept_per_target_param": con.kept_per_target_param,
        "n_failed": len(con.failures),
        "failures": con.failures[:20],
        "attempts": con.attempts,
        "seconds": con.seconds,
        "param_errors": con.param_errors(),
        "regenerate": t.meta["regenerate"],
    }
