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
(``phi(w1 x_j) = w1 x_j``) and pools hold about ``p_l`` neurons. The same holds for the
first layer when the input box has ``lo >= 0`` (``--domain``): then it also uses one sign.
Pools have no cap: the subset-sum search (:func:`slth_theory.construction.subset_sum.find`)
slides over every member of a pool, so a larger pool (``--grow``, a smaller ``delta``) is
a pool the solver can use.

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

Sizes, tolerances and the mother's widths come from
:func:`slth_theory.theory.theorem5.construction_plan` (also behind ``slth width``'s
``construction`` row): for a global ``eps`` the tolerances are split across layers to
minimise the subset-sum work while the corrected Lemma 4 bound stays ``eps``
(:func:`slth_theory.theory.lemma4.split_tolerances`); the certificate
(:mod:`slth_theory.construction.certificate`) then bounds the error from the parameter
errors actually achieved.

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
from slth_theory.construction.subset_sum import solve_batch
from slth_theory.engine.limits import check_memory, describe_widths, network_bytes
from slth_theory.engine.progress import progress
from slth_theory.model.network import Network, parse_widths
from slth_theory.model.schemes import get as get_scheme
from slth_theory.model.schemes import initialize
from slth_theory.model.ticket import Ticket
from slth_theory.theory.theorem5 import construction_plan

#: Largest mother (parameters) :func:`construct` allocates unless told otherwise
#: (``max_mother_params``): 1.5e9 float64 parameters are 11 GiB.
MAX_MOTHER_PARAMS = 1_500_000_000

#: Subset-sum instances solved per call (bounds the memory of the value tables).
CHUNK = 1 << 15


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
    first_layer_neg : ndarray or None
        ``A-``: first-layer weights acting on ``-phi(-x)``; ``None`` when the input box
        has ``lo >= 0`` (then ``phi(-x) = 0`` and the first layer uses one sign).
    tol_w, tol_b : ndarray, shape (L,)
        Per-layer tolerances (scaled units) the subset sums had to meet.
    pool_sizes : list of int
        Pool parameter ``p_l`` per target layer (layer ``2l-1`` has ``(n_{l-1}+1) p_l``
        neurons).
    abs_sums : list of (ndarray, ndarray, int)
        Per layer, ``sum |v|`` over each chosen subset (weights, biases; first layer: both
        signs added) and the largest subset size: they bound the float64 rounding of the
        subset sums and of the ticket's forward pass.
    kept_fan_in : list of ndarray
        Per target layer, the kept in-degree of each neuron of mother layer ``2l``.
    failures : list of dict
        Parameters whose best subset sum missed its tolerance (layer, kind, index, target,
        error, tolerance, pool).
    lo, hi : ndarray
        The input box.
    seconds : float
    attempts : int
    """

    ticket: Ticket
    target: Network
    scaled_target: Network
    kappa: float
    sigmas: np.ndarray
    effective: Network
    first_layer_neg: np.ndarray | None
    tol_w: np.ndarray
    tol_b: np.ndarray
    pool_sizes: list[int]
    abs_sums: list[tuple[np.ndarray, np.ndarray, int]]
    kept_fan_in: list[np.ndarray]
    lo: np.ndarray
    hi: np.ndarray
    failures: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 1
    mode: str = "eps"
    eps: float | None = None
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"Construction(target={self.target.widths}, mother={self.mother_widths}, "
                f"mode={self.mode!r}, eps={self.eps}, failed={len(self.failures)})")

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
            if i == 0 and self.first_layer_neg is not None:
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


def random_target(widths: list[int], rng=0, scale: float = 1.0,
                  output_activation: str = "identity") -> Network:
    """A target with weights, then biases, ``~ U[-scale, scale]`` from ``default_rng(rng)``
    (``slth random-target --seed S`` is ``rng=S``; ``rng`` may be an int, a SeedSequence or
    a Generator, SPEC 7)."""
    widths = parse_widths(widths)
    check_memory(network_bytes(widths, copies=2), f"a target of widths {describe_widths(widths)}")
    if not (isinstance(scale, (int, float, np.integer, np.floating))
            and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a finite number > 0; got {scale!r}")
    seed = int(rng) if isinstance(rng, (int, np.integer)) else None
    gen = np.random.default_rng(rng)
    L = len(widths) - 1
    ws = [gen.uniform(-scale, scale, (widths[i + 1], widths[i])) for i in range(L)]
    bs = [gen.uniform(-scale, scale, widths[i + 1]) for i in range(L)]
    return Network(ws, bs, output_activation,
                   {"kind_of_target": "random-uniform", "seed": seed, "scale": scale})


def assign_pools(W1u: np.ndarray, b1u: np.ndarray, first: bool, cap: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Balanced assignment of the layer-``2l-1`` neurons to subset-sum pools.

    Parameters
    ----------
    W1u, b1u : ndarray
        Incoming weights ``(N, n_in)`` and biases ``(N,)`` of mother layer ``2l-1`` (only
        their signs matter).
    first : bool
        Both signs (first layer on a box with negative inputs) or only ``w1 > 0``.
    cap : int, optional
        Largest pool (default: no cap).

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
    if cap is None:
        cap = max(N, 1)
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


def assign_pools_reference(W1: np.ndarray, b1: np.ndarray, first: bool,
                           cap: int | None = None) -> np.ndarray:
    """Plain Python version of the pool assignment kernel (the reference for tests)."""
    N, n_in = W1.shape
    cap = max(N, 1) if cap is None else cap
    n_pools = (2 * n_in if first else n_in) + 1
    counts = [0] * n_pools
    out = np.full(N, -1, np.int64)
    for k in range(N):
        options = []
        for j in range(n_in):
            if W1[k, j] > 0:
                options.append(2 * j if first else j)
            elif W1[k, j] < 0 and first:
                options.append(2 * j + 1)
        if b1[k] > 0:
            options.append(n_pools - 1)
        best, best_c = -1, cap
        for q in options:
            if counts[q] < best_c:
                best, best_c = q, counts[q]
        out[k] = best
        if best >= 0:
            counts[best] += 1
    return out


def _solve_chunked(rows, cols, vals_of, targets, tol, lengths):
    """``solve_batch(mode='find')`` over chunks of CHUNK instances.

    ``vals_of(sl)`` returns the value table of the instances ``sl``. Returns masks as
    (instance, slot) index pairs, sums, absolute sums, errors and status.
    """
    m = rows.size
    sums = np.zeros(m)
    abs_sums = np.zeros(m)
    errors = np.zeros(m)
    status = np.ones(m, np.int8)
    hit_r, hit_q = [], []
    for start in range(0, m, CHUNK):
        sl = slice(start, min(m, start + CHUNK))
        vals = vals_of(sl)
        res = solve_batch(vals, targets[sl], tol, lengths=lengths[sl], mode="find")
        chosen = np.where(res.masks, vals, 0.0)
        sums[sl] = chosen.sum(axis=1)
        abs_sums[sl] = np.abs(chosen).sum(axis=1)
        errors[sl] = np.abs(sums[sl] - targets[sl])
        status[sl] = res.status
        r, q = np.nonzero(res.masks)
        hit_r.append(r + start)
        hit_q.append(q)
    r = np.concatenate(hit_r) if hit_r else np.zeros(0, np.int64)
    q = np.concatenate(hit_q) if hit_q else np.zeros(0, np.int64)
    return r, q, sums, abs_sums, errors, status


def _layer_solve(W1, b1, W2, s1, c1, s2, Wt, bt, both_signs, tol_w, tol_b, layer):
    """Subset sums for one target layer over the raw mother parameters.

    Unit-scale values (Lemma 2): ``w1 / s1``, ``b1 / c1``, ``w2 / s2``. Returns masks,
    effective parameters, absolute sums, kept fan-in and failures.
    """
    n_out, n_in = Wt.shape
    w1mask = np.zeros(W1.shape, bool)
    b1mask = np.zeros(b1.shape, bool)
    w2mask = np.zeros(W2.shape, bool)
    A_pos = np.zeros((n_out, n_in))
    A_neg = np.zeros((n_out, n_in))
    P_w = np.zeros((n_out, n_in))
    max_subset = 0
    failures = []
    _pool, members = assign_pools(W1, b1, both_signs)
    counts = (members >= 0).sum(axis=1)
    ii, jj = np.nonzero(Wt)
    for sign in ((1.0, -1.0) if both_signs else (1.0,)):
        if ii.size == 0:
            break
        pj = (2 * np.arange(n_in) + (sign < 0)) if both_signs else np.arange(n_in)
        mem = members[pj]                                         # (n_in, width)
        cnt = counts[pj]
        safe = np.where(mem >= 0, mem, 0)
        w1v = np.where(mem >= 0, np.abs(W1[safe, np.arange(n_in)[:, None]]) / s1, 0.0)

        def vals_of(sl, safe=safe, w1v=w1v):
            return (W2[ii[sl][:, None], safe[jj[sl]]] / s2) * w1v[jj[sl]]

        tg = sign * Wt[ii, jj]
        r, q, sums, abss, errs, status = _solve_chunked(ii, jj, vals_of, tg, tol_w, cnt[jj])
        (A_pos if sign > 0 else A_neg)[ii, jj] = sign * sums
        P_w[ii, jj] += abss
        max_subset = max(max_subset, int(np.bincount(r, minlength=1).max(initial=0)))
        mc = safe[jj[r], q]
        w2mask[ii[r], mc] = True
        w1mask[mc, jj[r]] = True
        for t in np.nonzero(status == 0)[0]:
            failures.append({"layer": layer, "kind": "weight" if sign > 0 else "weight-neg",
                             "index": [int(ii[t]), int(jj[t])], "target": float(Wt[ii[t], jj[t]]),
                             "error": float(errs[t]), "tolerance": float(tol_w),
                             "pool": int(cnt[jj[t]])})
    if not both_signs:
        A_neg = A_pos
    # biases: the last pool, neurons with b1 > 0 and all weights pruned
    cols_b = members[-1][members[-1] >= 0]
    c = np.zeros(n_out)
    P_b = np.zeros(n_out)
    ib = np.nonzero(bt)[0]
    if ib.size:
        b1v = b1[cols_b] / c1

        def bvals_of(sl):
            return (W2[ib[sl][:, None], cols_b[None, :]] / s2) * b1v[None, :]

        r, q, sums, abss, errs, status = _solve_chunked(
            ib, ib, bvals_of, bt[ib], tol_b, np.full(ib.size, cols_b.size, np.int64))
        c[ib] = sums
        P_b[ib] = abss
        max_subset = max(max_subset, int(np.bincount(r, minlength=1).max(initial=0)))
        w2mask[ib[r], cols_b[q]] = True
        b1mask[cols_b[q]] = True
        for t in np.nonzero(status == 0)[0]:
            failures.append({"layer": layer, "kind": "bias", "index": [int(ib[t])],
                             "target": float(bt[ib[t]]), "error": float(errs[t]),
                             "tolerance": float(tol_b), "pool": int(cols_b.size)})
    fan_in = w2mask.sum(axis=1)
    return w1mask, b1mask, w2mask, A_pos, A_neg, c, (P_w, P_b, max_subset), fan_in, failures


def _mother_seed(rng) -> tuple[int | np.random.SeedSequence, str]:
    """The mother's ``initialize`` seed from ``rng`` (SPEC 7) and its ``slth init`` flags.

    An int or a ``SeedSequence`` is used as is (both regenerable: ``--seed S`` and
    ``--spawn-key``); a ``Generator`` gives one 63-bit integer seed drawn from it.
    """
    if isinstance(rng, np.random.Generator):
        seed = int(rng.integers(0, 2 ** 63 - 1))
        return seed, f"--seed {seed}"
    if isinstance(rng, np.random.SeedSequence):
        if not isinstance(rng.entropy, (int, np.integer)):
            raise ValueError("rng: a SeedSequence needs an integer entropy to be regenerable")
        flags = f"--seed {int(rng.entropy)}"
        if rng.spawn_key:
            flags += " --spawn-key " + ",".join(str(int(k)) for k in rng.spawn_key)
        return rng, flags
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise ValueError(f"rng must be an integer >= 0, a SeedSequence or a Generator; got "
                         f"{rng!r}")
    return int(rng), f"--seed {int(rng)}"


def _box(lo, hi, n0: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n0,)))
    hi = np.array(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n0,)))
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))) or np.any(lo > hi):
        raise ValueError("domain: lo and hi must be finite with lo <= hi in every coordinate")
    return lo, hi


def construct(target: Network, *, eps: float | None = None, param_eps: float | None = None,
              delta: float = 0.05, rng=0, pool: int | list[int] | None = None,
              C: float | None = None, scheme: str = "theorem5-uniform", grow: bool = False,
              max_attempts: int = 5, domain: tuple | None = None,
              max_mother_params: int = MAX_MOTHER_PARAMS, quiet: bool = True) -> Construction:
    """Build the Theorem 5 ticket for ``target``.

    Parameters
    ----------
    target : Network
    eps : float, optional
        Global accuracy over the input box: per-layer tolerances split by
        :func:`~slth_theory.theory.lemma4.split_tolerances` (exactly one of ``eps`` and
        ``param_eps``).
    param_eps : float, optional
        Per-parameter tolerance in the target's units (no propagation guarantee by itself).
    delta : float in (0, 1)
        Failure probability used to size the pools (Theorem 5).
    rng : int, SeedSequence or Generator
        Seed of the mother network. An int ``S`` regenerates it with
        ``slth init ... --seed S``; a Generator gives one integer seed drawn from it
        (recorded in the ticket's meta).
    pool : int or list of int, optional
        Pool parameters ``p_l`` (default: :func:`~slth_theory.theory.theorem5.construction_plan`
        from ``C`` and ``delta``). Smaller pools than the plan's void the ``1 - delta``
        guarantee: a ``UserWarning`` says so.
    C : float, optional
        Constant for the default pool sizes (default: the calibrated one).
    scheme : {'theorem5-uniform', 'theorem5-normal'}
    grow : bool
        If some parameter misses its tolerance, multiply the failing layers' ``p_l`` by
        1.5 and rebuild (new mother from the same seed), up to ``max_attempts`` times.
    domain : (lo, hi), optional
        Input box: floats or arrays of shape ``(n0,)`` (default ``[-1, 1]^n0``).
    max_mother_params : int
        Refuse (``ValueError``, before allocating) mothers with more parameters.
    quiet : bool
        No progress bar.

    Returns
    -------
    Construction
        ``failures`` lists the parameters that missed their tolerance (a ``UserWarning``
        is issued too).
    """
    t0 = time.perf_counter()
    if scheme not in ("theorem5-uniform", "theorem5-normal"):
        raise ValueError(f"scheme must be theorem5-uniform or theorem5-normal; got {scheme!r}")
    get_scheme(scheme)
    mother_rng, seed_flags = _mother_seed(rng)
    for i, (w, b) in enumerate(zip(target.weights, target.biases, strict=True)):
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(f"target layer {i + 1} has non-finite parameters")
    lo, hi = _box(*((-1.0, 1.0) if domain is None else domain), target.widths[0])
    if C is not None and (not np.isfinite(C) or C <= 0):
        raise ValueError(f"C must be finite and > 0; got {C}")
    plan = construction_plan(target, eps=eps, param_eps=param_eps, delta=delta, C=C,
                             lo=lo, hi=hi)
    scaled, sig, kappa = plan.scaled, plan.sigmas, plan.kappa
    L = target.depth
    tol_w, tol_b = plan.tol_w, plan.tol_b
    both_signs = bool(np.any(lo < 0))
    planned = list(plan.pools)
    notes = []
    if pool is None:
        pools = planned
    else:
        pools = [int(pool)] * L if np.ndim(pool) == 0 else [int(v) for v in pool]
        if len(pools) != L or min(pools) < 1:
            raise ValueError(f"pool must be one size >= 1 or {L} sizes; got {pool}")
        small = [i + 1 for i in range(L) if pools[i] < planned[i]]
        if small:
            notes.append(f"pools {pools} are below Theorem 5's {planned} (C, delta = "
                         f"{delta:g}) in layer(s) {small}: the 1 - delta success guarantee "
                         "does not hold; the certificate still decides")
    act = target.output_activation
    attempts = 0
    while True:
        attempts += 1
        widths = [target.widths[0]]
        for i in range(L):
            widths += [(target.widths[i] + 1) * pools[i], target.widths[i + 1]]
        n_params = sum(widths[i] * widths[i + 1] + widths[i + 1] for i in range(2 * L))
        if n_params > max_mother_params:
            raise ValueError(f"the mother {widths} would have {n_params:,} parameters "
                             f"({n_params * 8 / 2 ** 30:.1f} GiB), above max_mother_params="
                             f"{max_mother_params:,}")
        mother = initialize(widths, scheme, output_activation=act, rng=mother_rng)
        s = np.array(mother.meta["weight_scales"])
        logcum = np.cumsum(np.log(s))
        wmasks, bmasks = [], []
        eff_w, eff_b, failures, abs_sums, fan_in = [], [], [], [], []
        neg = None
        for i in progress(range(L), total=L, desc=f"construct (attempt {attempts})",
                          quiet=quiet):
            a, b2 = 2 * i, 2 * i + 1
            w1m, b1m, w2m, Ap, An, c, P, fin, fails = _layer_solve(
                mother.weights[a], mother.biases[a], mother.weights[b2], float(s[a]),
                math.exp(logcum[a]), float(s[b2]), scaled.weights[i], scaled.biases[i],
                both_signs if i == 0 else False, float(tol_w[i]), float(tol_b[i]), i + 1)
            failures += fails
            wmasks += [w1m, w2m]
            bmasks += [b1m, np.zeros(mother.biases[b2].shape, bool)]
            eff_w.append(Ap)
            eff_b.append(c)
            abs_sums.append(P)
            fan_in.append(fin)
            if i == 0 and both_signs:
                neg = An
        if not failures or not grow or attempts >= max_attempts:
            break
        bad = {f["layer"] for f in failures}
        pools = [int(math.ceil(p * 1.5)) if (i + 1) in bad else p for i, p in enumerate(pools)]
        del mother, wmasks, bmasks
    lam = float(np.exp(-np.sum(np.log(s)) + np.log(kappa)))
    spawn = mother.meta.get("spawn_key")
    meta = {
        "construction": "theorem5",
        "construction_mode": plan.mode,  # not "mode": that key is the mother's fan convention
        "eps": eps,
        "param_eps": param_eps,
        "delta": float(delta),
        "pool_sizes": pools,
        "planned_pool_sizes": planned,
        "domain": [lo.tolist(), hi.tolist()],
        "target_arch": target.widths,
        "mother_arch": widths,
        "kappa": kappa,
        "target_sigmas": [float(v) for v in sig],
        "lambda_mother": float(np.exp(-np.sum(np.log(s)))),
        "n_failed": len(failures),
        "regenerate": (f"slth init --arch {','.join(map(str, widths))} --scheme {scheme} "
                       f"{seed_flags} --output-activation {act}"),
    }
    if spawn:
        meta["spawn_key"] = list(spawn)
    ticket = Ticket(mother, wmasks, bmasks, lam, meta)
    if failures:
        n_params = sum(w.size + b.size for w, b in zip(target.weights, target.biases,
                                                        strict=True))
        warnings.warn(f"construct: {len(failures)} subset sums miss their tolerance (target of "
                      f"{n_params} parameters), so the ticket may miss the requested accuracy "
                      "(see Construction.failures; grow=True or larger pools help)",
                      UserWarning, stacklevel=2)
    effective = Network(eff_w, eff_b, act, {})
    if failures:
        worst = max(failures, key=lambda f: f["error"] - f["tolerance"])
        notes.append(f"{len(failures)} parameter(s) missed their tolerance; worst: layer "
                     f"{worst['layer']} {worst['kind']} {worst['index']} off by "
                     f"{worst['error']:.3g} > {worst['tolerance']:.3g}")
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return Construction(ticket, target, scaled, kappa, sig, effective, neg, tol_w, tol_b,
                        pools, abs_sums, fan_in, lo, hi, failures,
                        time.perf_counter() - t0, attempts, plan.mode, eps, notes)


def summary(con: Construction) -> dict[str, Any]:
    """Plain-value summary (architecture, pools, densities, failures, time)."""
    t = con.ticket
    return {
        "target_arch": con.target.widths,
        "mother_arch": con.mother_widths,
        "pool_sizes": con.pool_sizes,
        "planned_pool_sizes": t.meta.get("planned_pool_sizes"),
        "mode": con.mode,
        "eps": con.eps,
        "domain": t.meta.get("domain"),
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
        "warnings": list(con.warnings),
        "regenerate": t.meta["regenerate"],
    }
