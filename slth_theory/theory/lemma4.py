"""Lemma 4 (approximation propagation): per-layer tolerances and rigorous error bounds.

Lemma 4 of the paper turns a target accuracy ``eps`` for a whole network into a
per-parameter tolerance ``eps_l`` for every layer ``l``: if every weight and bias of
layer ``l`` of an approximation ``f_eps`` (same architecture, same sparsity pattern) is
within ``eps_l`` of the target's, then ``sup_{x in [-1,1]^n0} ||f(x) - f_eps(x)||_2 <= eps``.

The paper states two different formulas (see :data:`VERSIONS`):

``main``
    Section 4: ``eps_l = eps / (L sqrt(n_l k_l,max) (1 + sup ||x^(l)||_1)
    prod_{k=l+1}^L (||W^(l)||_max + eps/L))``.
``appendix``
    Appendix B.3 (Eq. B.3): ``eps_l = eps / (L sqrt(m_l) (1 + sup ||x^(l-1)||_1)
    prod_{k=l+1}^L (||W^(l)||_max + eps/L))``.
``main-k``, ``appendix-k``
    The same with the product index read as ``||W^(k)||_max`` (the likely intended form).

Here ``||W||_max = max_ij |w_ij|`` (the paper's ``||W||_inf``), ``k_l,max`` the largest
in-degree (non-zero weights of a row plus one for a non-zero bias), ``m_l`` the number
of non-zero parameters of layer ``l`` (the proof's "at most ``m_l`` entries are
non-zero"; ``m_l <= n_l k_l,max``). ``sup ||x^(l)||_1`` over the input cube is replaced
by the rigorous interval upper bound :func:`activation_bounds` (never below the true
sup), which can only *shrink* the paper's ``eps_l``: a violation found with it is a
violation of the formula with the exact sup too.

Why the stated bounds can fail (appendix B.3 proof, last inequality): the proof bounds
``||W_eps (x - x_eps)||_2`` by ``(||W||_max + eps_l) ||x - x_eps||_2``. The max-entry
norm is not an operator norm: for ``W`` with all entries ``c``,
``||W v||_2 = c sqrt(n_out) |sum_j v_j|`` which reaches ``c sqrt(n_out n_in) ||v||_2``.
The main-text version additionally uses ``x^(l)`` where the proof needs ``x^(l-1)``
(already a one-layer network with tiny weights and ``n0`` inputs is off by about
``sqrt(n0 + 1)``).

``corrected`` (derived here; :func:`tolerances` with ``version='corrected'``)
    With ``S_l`` the 0/1 sparsity pattern of ``W^(l)``, ``s_l`` that of ``b^(l)`` and
    ``u^(l-1)`` an entrywise bound on ``|x^(l-1)|`` over the cube (``u^(0) = 1``),
    one layer satisfies, for perturbations ``|dW| <= eps_l S_l``, ``|db| <= eps_l s_l``:

    ``e_l := ||x^(l) - x_eps^(l)||_2 <= eps_l a_l + rho_l e_{l-1}``, with
    ``a_l = || S_l u^(l-1) + s_l ||_2`` and ``rho_l = ||W^(l)||_2 + eps_l ||S_l||_2``

    (ReLU is 1-Lipschitz; ``|dW x + db| <= eps_l (S_l |x| + s_l)`` entrywise; the
    spectral norm is monotone under entrywise domination, so ``||dW||_2 <= eps_l
    ||S_l||_2``). Unrolling, ``e_L <= sum_l eps_l a_l prod_{k>l} rho_k``. Choosing,
    from the last layer backwards, ``eps_l = eps / (L a_l prod_{k=l+1}^L rho_k)`` (each
    ``rho_k`` uses the already fixed ``eps_k``) makes every summand ``eps / L``: the
    bound is exactly ``eps``. The closed form ``a_l <= sqrt(n_l)(1 + sup||x^(l-1)||_1)``
    and ``||S_l||_2 <= sqrt(m_l)`` gives a paper-like (looser) statement.

:func:`error_bound` is the certificate form: from the *actual* parameters of an
approximation (not a uniform tolerance) it bounds ``sup ||f - f_eps||_2`` rigorously,
combining entrywise (interval) and spectral-norm propagation and keeping the smaller
at every layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slth_theory.model.network import Network
from slth_theory.numerics.interval import activation_bounds

VERSIONS = ("main", "main-k", "appendix", "appendix-k", "corrected", "corrected-dense")
PAPER_VERSIONS = ("main", "main-k", "appendix", "appendix-k")

# relative safety margin added to rigorous bounds against float64 rounding in their own
# evaluation (the bounds are sums/products of O(n) nonnegative terms)
_ROUND = 1e-12


def _check_eps(eps: float) -> float:
    eps = float(eps)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be finite and > 0; got {eps}")
    return eps


def _spec(w: np.ndarray) -> float:
    """Spectral norm (largest singular value) of a dense matrix, rounded up slightly."""
    if w.size == 0:
        return 0.0
    return float(np.linalg.norm(w, 2)) * (1 + 1e-12)


@dataclass
class LayerStats:
    """Per-layer quantities entering the Lemma 4 formulas (all arrays of shape (L,))."""

    n: np.ndarray            # n_l, neurons of layer l
    k_max: np.ndarray        # k_l,max, largest in-degree (weights + non-zero bias)
    m: np.ndarray            # m_l, non-zero parameters of layer l
    w_max: np.ndarray        # ||W^(l)||_max
    w_spec: np.ndarray       # ||W^(l)||_2
    pattern_spec: np.ndarray  # ||S_l||_2 of the 0/1 sparsity pattern
    sup_l1: np.ndarray       # upper bound of sup ||x^(l)||_1, l = 0..L (shape (L+1,))
    a: np.ndarray            # a_l = ||S_l u^(l-1) + s_l||_2 (corrected bound)


def layer_stats(net: Network, lo: np.ndarray | float = -1.0,
                hi: np.ndarray | float = 1.0) -> LayerStats:
    """Compute the quantities of :class:`LayerStats` for ``net`` on inputs in the box
    ``[lo, hi]`` (default ``[-1, 1]^n0``)."""
    u = activation_bounds(net, lo, hi)
    n, k, m, wmax, wspec, pspec, a = [], [], [], [], [], [], []
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        S = (w != 0).astype(np.float64)
        s = (b != 0).astype(np.float64)
        n.append(w.shape[0])
        k.append(int(np.max(S.sum(axis=1) + s)))
        m.append(int(S.sum() + s.sum()))
        wmax.append(float(np.max(np.abs(w))) if w.size else 0.0)
        wspec.append(_spec(w))
        pspec.append(_spec(S))
        a.append(float(np.linalg.norm(S @ u[i] + s)) * (1 + _ROUND))
    sup_l1 = np.array([float(np.sum(v)) for v in u])
    return LayerStats(np.array(n, float), np.array(k, float), np.array(m, float),
                      np.array(wmax), np.array(wspec), np.array(pspec), sup_l1, np.array(a))


def tolerances(net: Network, eps: float, version: str = "corrected",
               stats: LayerStats | None = None, lo: np.ndarray | float = -1.0,
               hi: np.ndarray | float = 1.0) -> np.ndarray:
    """Per-layer tolerances ``eps_l`` of Lemma 4.

    Parameters
    ----------
    net : Network
        The target network ``f``.
    eps : float
        Target accuracy of the whole network, > 0.
    version : {'main', 'main-k', 'appendix', 'appendix-k', 'corrected', 'corrected-dense'}
        Which formula (see the module docstring). Only the corrected ones are valid bounds:
        ``'corrected'`` assumes that zero parameters of ``net`` stay zero in the
        approximation; ``'corrected-dense'`` does not (its patterns ``S_l``, ``s_l`` are all
        ones: ``a_l = sqrt(n_l) (sum_i u_i^(l-1) + 1)``, ``||S_l||_2 = sqrt(n_l n_(l-1))``).
    stats : LayerStats, optional
        Precomputed :func:`layer_stats` of ``net`` (then ``lo``, ``hi`` are not used).
    lo, hi : float or ndarray of shape (n0,)
        The input box (default ``[-1, 1]^n0``).

    Returns
    -------
    ndarray, shape (L,)

    Notes
    -----
    Lemma 4 (Section 4) and Eq. (B.3) of appendix B.3, as written and index-fixed; the
    corrected form is derived in the module docstring.
    """
    eps = _check_eps(eps)
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}; got {version!r}")
    st = layer_stats(net, lo, hi) if stats is None else stats
    L = net.depth
    out = np.empty(L)
    if version in ("corrected", "corrected-dense"):
        dense = version == "corrected-dense"
        a = (np.sqrt(st.n) * (st.sup_l1[:-1] + 1.0) * (1 + _ROUND)) if dense else st.a
        widths = np.asarray(net.widths, dtype=np.float64)
        pattern = np.sqrt(widths[1:] * widths[:-1]) if dense else st.pattern_spec
        prod = 1.0
        for i in range(L - 1, -1, -1):
            denom = L * a[i] * prod
            out[i] = eps / denom if denom > 0 else np.inf
            if np.isinf(out[i]):
                # a layer without parameters to perturb: any tolerance is fine, but a
                # finite one keeps rho finite; use eps
                out[i] = eps
            prod *= st.w_spec[i] + out[i] * pattern[i]
        return out
    for i in range(L):
        if version.startswith("main"):
            count = st.n[i] * st.k_max[i]
            sup = st.sup_l1[i + 1]
        else:
            count = st.m[i]
            sup = st.sup_l1[i]
        if version.endswith("-k"):
            prod = float(np.prod(st.w_max[i + 1:] + eps / L))
        else:
            prod = float((st.w_max[i] + eps / L) ** (L - 1 - i))
        denom = L * np.sqrt(count) * (1.0 + sup) * prod
        # a layer without non-zero parameters has nothing to perturb: no constraint (inf),
        # as in the corrected version (the printed formula would divide by its count 0)
        out[i] = eps / denom if denom > 0 else np.inf
    return out


def corrected_bound(net: Network, tols: Sequence[float],
                    stats: LayerStats | None = None) -> float:
    """``sum_l eps_l a_l prod_{k>l} rho_k``: the corrected Lemma 4 bound for given tolerances.

    Any approximation with the target's sparsity pattern and ``|theta_eps - theta| <=
    tols[l]`` in layer ``l`` has ``sup ||f - f_eps||_2`` at most this value.
    """
    st = layer_stats(net) if stats is None else stats
    tols = np.asarray(tols, dtype=np.float64)
    if tols.shape != (net.depth,) or np.any(tols < 0) or not np.all(np.isfinite(tols)):
        raise ValueError(f"tols must be {net.depth} finite numbers >= 0; got {tols}")
    total = 0.0
    for i in range(net.depth):
        term = tols[i] * st.a[i]
        for k in range(i + 1, net.depth):
            term *= st.w_spec[k] + tols[k] * st.pattern_spec[k]
        total += term
    return total * (1 + _ROUND)


def split_tolerances(net: Network, eps: float, counts: Sequence[float], *,
                     exponent: float = 1.0 / 3.0, stats: LayerStats | None = None,
                     lo: np.ndarray | float = -1.0, hi: np.ndarray | float = 1.0
                     ) -> np.ndarray:
    """Per-layer tolerances that keep the corrected Lemma 4 bound at ``eps`` and minimise
    the work ``sum_l counts[l] tau_l^(-exponent)`` of meeting them.

    Parameters
    ----------
    net : Network
        The target.
    eps : float
        Global accuracy, > 0.
    counts : sequence of float, shape (L,)
        Parameters to approximate per layer (subset-sum instances).
    exponent : float
        Work per instance ``~ tau^(-exponent)`` (1/3 for the four-list search, 1/2 for
        meet in the middle).
    stats : LayerStats, optional
    lo, hi : float or ndarray
        Input box.

    Returns
    -------
    ndarray, shape (L,)
        ``tau`` with ``corrected_bound(net, tau) <= eps``.

    Notes
    -----
    The corrected bound is ``sum_l c_l tau_l`` with ``c_l = a_l prod_{k>l} rho_k`` (up to
    the small ``tau_k ||S_k||_2`` in ``rho_k``). Minimising ``sum N_l tau_l^(-p)`` under
    ``sum c_l tau_l = eps`` (Lagrange) gives ``tau_l ~ (N_l / c_l)^(1/(1+p))``; the common
    factor is then found by bisection on the exact :func:`corrected_bound`, so the split
    is a valid Lemma 4 tolerance vector (``tolerances(..., 'corrected')`` is the split
    with equal shares ``eps / L``).
    """
    eps = _check_eps(eps)
    st = layer_stats(net, lo, hi) if stats is None else stats
    L = net.depth
    n = np.asarray(counts, dtype=np.float64)
    if n.shape != (L,) or np.any(~np.isfinite(n)) or np.any(n < 0):
        raise ValueError(f"counts must be {L} finite numbers >= 0; got {counts}")
    if not (np.isfinite(exponent) and exponent > 0):
        raise ValueError(f"exponent must be finite and > 0; got {exponent}")
    c = np.empty(L)
    for i in range(L):
        c[i] = st.a[i] * float(np.prod(st.w_spec[i + 1:]))
    shape = np.where(c > 0, (np.maximum(n, 1.0) / np.where(c > 0, c, 1.0))
                     ** (1.0 / (1.0 + exponent)), 0.0)
    if not np.any(shape > 0):
        return tolerances(net, eps, "corrected", stats=st)
    # layers without anything to perturb get the largest shape (any tolerance works)
    shape = np.where(shape > 0, shape, shape.max())
    shape = shape / shape.max()
    lo_k, hi_k = 0.0, 1.0
    while corrected_bound(net, hi_k * shape, stats=st) < eps:
        lo_k, hi_k = hi_k, 2.0 * hi_k
    for _ in range(200):
        mid = 0.5 * (lo_k + hi_k)
        if corrected_bound(net, mid * shape, stats=st) <= eps:
            lo_k = mid
        else:
            hi_k = mid
        if hi_k - lo_k <= 1e-12 * hi_k:
            break
    return lo_k * shape


def error_bound(target: Network, approx: Network,
                first_layer_neg: np.ndarray | None = None, *,
                lo: np.ndarray | float = -1.0, hi: np.ndarray | float = 1.0,
                slack: Sequence[tuple[np.ndarray | float, np.ndarray | float]] | None = None
                ) -> float:
    """Rigorous upper bound of ``sup_x ||f(x) - f_eps(x)||_2`` over the box ``[lo, hi]``.

    Parameters
    ----------
    target : Network
        ``f``.
    approx : Network
        ``f_eps`` with the same architecture and output activation.
    first_layer_neg : ndarray, optional
        If given, the approximation's first layer uses ``approx.weights[0]`` on the
        positive parts of the inputs and ``first_layer_neg`` on the negative parts:
        ``h^(1) = A+ phi(x) - A- phi(-x) + b`` (the Theorem 5 construction, where
        ``w x = w phi(x) - w phi(-x)`` is approximated by two separate subset sums).
        ``None`` means ``A- = A+``.
    lo, hi : float or ndarray of shape (n0,)
        The input box (default ``[-1, 1]^n0``).
    slack : list of (weight slack, bias slack), optional
        Per layer, entrywise amounts (arrays of the parameters' shapes or scalars) by which
        the true parameter errors may exceed ``|target - approx|`` as computed (e.g. the
        float64 rounding of the approximation's parameters); added to ``|dW|`` and ``|db|``
        entrywise and, through their Frobenius norms, to the spectral norms.

    Returns
    -------
    float

    Notes
    -----
    Lemma 4 (appendix B.3), with the corrections of the module docstring, applied to the
    actual errors: for layer ``l`` with ``dW = W - W_eps``, ``db = b - b_eps``, and
    ``e_{l-1}`` bounded both entrywise (vector ``v``) and in 2-norm (scalar ``s``):

    * entrywise: ``|e_l| <= |dW| u^(l-1) + |db| + |W_eps| v``;
    * 2-norm: ``||e_l|| <= min(||dW||_2 ||u^(l-1)||_2 + ||db||, |||dW| u^(l-1) + |db|||)
      + ||W_eps||_2 min(s, ||v||)``;

    and ``s_l = min(2-norm bound, ||entrywise bound||)``. By induction the result never
    exceeds :func:`corrected_bound` evaluated at the largest actual per-layer errors
    (when zero target parameters stay zero).

    First layer with separate positive and negative weights:
    ``(W - A+) phi(x) - (W - A-) phi(-x)`` is bounded by ``max(|W - A+|, |W - A-|) |x|``
    entrywise, and by ``||[W - A+, W - A-]||_2 ||x||_2`` in norm, because
    ``||[phi(x); phi(-x)]|| = ||x||``. Since ``e_0 = 0``, the first layer's own weights
    never multiply an earlier error.
    """
    if approx.widths != target.widths or approx.output_activation != target.output_activation:
        raise ValueError(f"approx must have the target's architecture {target.widths} and "
                         f"output activation {target.output_activation!r}; got "
                         f"{approx.widths}, {approx.output_activation!r}")
    u = activation_bounds(target, lo, hi)
    if slack is not None and len(slack) != target.depth:
        raise ValueError(f"slack must have {target.depth} (weight, bias) pairs; got "
                         f"{len(slack)}")
    v = np.zeros(target.widths[0])
    s = 0.0
    for i in range(target.depth):
        w, b = target.weights[i], target.biases[i]
        we, be = approx.weights[i], approx.biases[i]
        dw = w - we
        db = np.abs(b - be)
        if i == 0 and first_layer_neg is not None:
            neg = np.asarray(first_layer_neg, dtype=np.float64)
            if neg.shape != w.shape:
                raise ValueError(f"first_layer_neg must have shape {w.shape}; got {neg.shape}")
            dwn = w - neg
            abs_dw = np.maximum(np.abs(dw), np.abs(dwn))
            spec_dw = _spec(np.hstack([dw, dwn]))
        else:
            abs_dw = np.abs(dw)
            spec_dw = _spec(dw)
        if slack is not None:
            sw = np.broadcast_to(np.asarray(slack[i][0], dtype=np.float64), w.shape)
            sb = np.broadcast_to(np.asarray(slack[i][1], dtype=np.float64), b.shape)
            if np.any(sw < 0) or np.any(sb < 0) or not (np.all(np.isfinite(sw))
                                                        and np.all(np.isfinite(sb))):
                raise ValueError(f"slack[{i}] must be finite and >= 0")
            abs_dw = abs_dw + sw
            spec_dw = spec_dw + float(np.linalg.norm(sw)) * (2 if first_layer_neg is not None
                                                             and i == 0 else 1)
            db = db + sb
        ent_in = abs_dw @ u[i]
        v_new = ent_in + db + (np.abs(we) @ v if i > 0 else 0.0)
        s_new = min(spec_dw * float(np.linalg.norm(u[i])) + float(np.linalg.norm(db)),
                    float(np.linalg.norm(ent_in + db)))
        if i > 0:
            s_new += _spec(we) * min(s, float(np.linalg.norm(v)))
        v = v_new * (1 + _ROUND)
        s = min(s_new, float(np.linalg.norm(v))) * (1 + _ROUND)
    return float(s)
