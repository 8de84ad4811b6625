"""``sup_{x in [-1,1]^n0} ||f(x) - g(x)||_2``: a sampled lower estimate and, for ``n0 <= 2``,
a rigorous grid-plus-Lipschitz upper bound.

Both functions accept :class:`~slth_theory.model.network.Network` and
:class:`~slth_theory.model.ticket.Ticket` objects (a ticket is evaluated as
``lambda * f(x | theta * mask)``, with its dead neurons removed and very sparse layers
stored as CSR matrices, which changes no value).

* :func:`sup_diff` (lower estimate): a dense grid (``n0 <= 2``) or all / random corners of
  the cube plus uniform random points, then projected sign-gradient ascent of
  ``||f - g||_2^2`` from the best points (both functions are piecewise linear, so the
  gradient is exact almost everywhere and maxima sit at vertices of linear regions or of
  the cube). Every value it returns is attained, so it never exceeds the true sup.
* :func:`sup_diff_upper` (upper bound, ``n0 in {1, 2}``): ``d(x) = ||f(x) - g(x)||_2`` is
  Lipschitz with constant ``Lip(f) + Lip(g)``; on a cell of half-diagonal ``r`` around a
  centre ``c``, ``d <= d(c) + (Lip f + Lip g) r``. Cells whose bound exceeds the current
  lower estimate by more than a tolerance are split (adaptive grid) until the budget is
  spent. ``Lip`` of a network is bounded by the product of the spectral norms of its
  weight matrices (ReLU is 1-Lipschitz).

Notes
-----
Used by the Lemma 4 checks (appendix B.3) and the Theorem 5 ticket certificates.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket
from slth_theory.numerics.interval import propagate_boxes


@dataclass
class PiecewiseLinear:
    """``scale * f(x)`` for a ReLU network stored as dense or CSR layers.

    Attributes
    ----------
    weights : list of ndarray or csr_matrix
    biases : list of ndarray
    output_activation : str
    scale : float
    """

    weights: list
    biases: list[np.ndarray]
    output_activation: str
    scale: float = 1.0
    n_in: int = field(init=False)

    def __post_init__(self) -> None:
        self.n_in = self.weights[0].shape[1]

    def _fwd(self, x: np.ndarray):
        masks = []
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = (w @ h.T).T + b if sp.issparse(w) else h @ w.T + b
            if i < last or self.output_activation == "relu":
                m = h > 0
                h = np.where(m, h, 0.0)
                masks.append(m)
            else:
                masks.append(None)
        return self.scale * h, masks

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Values on a batch ``x`` of shape ``(batch, n0)``."""
        return self._fwd(np.asarray(x, dtype=np.float64))[0]

    def vjp(self, x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(f(x), J_f(x)^T g)`` row by row for a batch."""
        out, masks = self._fwd(x)
        grad = g * self.scale
        for i in range(len(self.weights) - 1, -1, -1):
            if masks[i] is not None:
                grad = grad * masks[i]
            w = self.weights[i]
            grad = (w.T @ grad.T).T if sp.issparse(w) else grad @ w
        return out, grad


def as_piecewise_linear(obj) -> PiecewiseLinear:
    """Wrap a Network, Ticket or PiecewiseLinear for :func:`sup_diff`."""
    if isinstance(obj, PiecewiseLinear):
        return obj
    if isinstance(obj, Ticket):
        c = obj.compact()
        return PiecewiseLinear(list(c.weights), list(c.biases), c.output_activation, c.scale)
    if isinstance(obj, Network):
        return PiecewiseLinear(list(obj.weights), list(obj.biases), obj.output_activation, 1.0)
    raise TypeError(f"expected a Network, Ticket or PiecewiseLinear; got {type(obj).__name__}")


def lipschitz_bound(obj) -> float:
    """``scale * prod_l ||W^(l)||_2`` (exact spectral norms; Frobenius for huge layers)."""
    pl = as_piecewise_linear(obj)
    total = abs(pl.scale)
    for w in pl.weights:
        if sp.issparse(w):
            total *= float(sp.linalg.norm(w))  # Frobenius >= spectral
        elif w.size <= 4_000_000:
            total *= float(np.linalg.norm(w, 2)) * (1 + 1e-12)
        else:
            total *= float(np.linalg.norm(w))
    return total


@dataclass
class SupEstimate:
    """A sampled (attained) value of ``sup ||f - g||_2`` and where it was found."""

    value: float
    argmax: np.ndarray
    n_evals: int


def _dist(f: PiecewiseLinear, g: PiecewiseLinear, x: np.ndarray, batch: int = 8192):
    out = np.empty(x.shape[0])
    for s in range(0, x.shape[0], batch):
        xb = x[s:s + batch]
        out[s:s + batch] = np.linalg.norm(f.forward(xb) - g.forward(xb), axis=1)
    return out


def _candidates(n0: int, rng: np.random.Generator, n_random: int,
                grid_per_dim: int | None) -> np.ndarray:
    pts = []
    if n0 <= 2:
        k = grid_per_dim or (4001 if n0 == 1 else 201)
        axis = np.linspace(-1.0, 1.0, k)
        mesh = np.meshgrid(*([axis] * n0), indexing="ij")
        pts.append(np.stack([m.ravel() for m in mesh], axis=1))
    elif n0 <= 12:
        idx = np.arange(2 ** n0)[:, None]
        pts.append(np.where((idx >> np.arange(n0)) & 1, 1.0, -1.0))
    else:
        pts.append(rng.choice([-1.0, 1.0], size=(n_random // 2, n0)))
    pts.append(rng.uniform(-1.0, 1.0, size=(n_random, n0)))
    return np.vstack(pts)


def sup_diff(f, g, rng=None, *, n_random: int = 2048, n_starts: int = 16,
             n_steps: int = 60, grid_per_dim: int | None = None,
             extra_points: np.ndarray | None = None, lo: np.ndarray | float = -1.0,
             hi: np.ndarray | float = 1.0) -> SupEstimate:
    """Sampled lower estimate of ``sup_{x in [lo, hi]} ||f(x) - g(x)||_2`` (default box
    ``[-1, 1]^n0``).

    Parameters
    ----------
    f, g : Network, Ticket or PiecewiseLinear
        Same input and output widths.
    rng : seed or Generator
    n_random : int
        Uniform random points (and, for ``n0 > 12``, half as many random corners).
    n_starts : int
        Local maximisations started from the best candidates.
    n_steps : int
        Projected sign-gradient steps per start (step size decays geometrically from
        0.5 to 1e-3).
    grid_per_dim : int, optional
        Grid points per axis for ``n0 <= 2`` (default 4001 for 1-D, 201 for 2-D).
    extra_points : ndarray, optional
        More candidate inputs (e.g. a known worst case).
    lo, hi : float or ndarray of shape (n0,)
        The input box (candidates are drawn in ``[-1, 1]^n0`` and mapped affinely).

    Returns
    -------
    SupEstimate
        An attained value, hence a lower bound of the true sup.
    """
    F, G = as_piecewise_linear(f), as_piecewise_linear(g)
    if F.n_in != G.n_in:
        raise ValueError(f"f and g need the same input width; got {F.n_in} and {G.n_in}")
    if n_random < 1 or n_starts < 0 or n_steps < 0:
        raise ValueError("n_random must be >= 1 and n_starts, n_steps >= 0")
    rng = np.random.default_rng(rng)
    n0 = F.n_in
    blo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (n0,))
    bhi = np.broadcast_to(np.asarray(hi, dtype=np.float64), (n0,))
    if not (np.all(np.isfinite(blo)) and np.all(np.isfinite(bhi))) or np.any(blo > bhi):
        raise ValueError("lo and hi must be finite with lo <= hi")
    mid, rad = 0.5 * (blo + bhi), 0.5 * (bhi - blo)
    x = np.clip(mid + rad * _candidates(n0, rng, n_random, grid_per_dim), blo, bhi)
    if extra_points is not None:
        x = np.vstack([x, np.clip(np.asarray(extra_points, float).reshape(-1, n0), blo, bhi)])
    d = _dist(F, G, x)
    n_evals = x.shape[0]
    best = int(np.argmax(d))
    best_val, best_x = float(d[best]), x[best].copy()
    if n_starts and n_steps:
        order = np.argsort(-d)[:n_starts]
        z = x[order].copy()
        steps = 0.5 * (2e-3) ** (np.arange(n_steps) / max(n_steps - 1, 1))
        for alpha in steps:
            fo, _ = F._fwd(z)
            go, _ = G._fwd(z)
            diff = fo - go
            _, gf = F.vjp(z, diff)
            _, gg = G.vjp(z, diff)
            grad = gf - gg
            z = np.clip(z + alpha * rad * np.sign(grad), blo, bhi)
            val = _dist(F, G, z)
            n_evals += z.shape[0]
            j = int(np.argmax(val))
            if val[j] > best_val:
                best_val, best_x = float(val[j]), z[j].copy()
    return SupEstimate(best_val, best_x, n_evals)


@dataclass
class SupUpperBound:
    """Rigorous bound ``sup ||f - g||_2 <= upper`` (n0 <= 2) and the attained ``lower``."""

    upper: float
    lower: float
    lipschitz: float
    n_evals: int
    converged: bool


def _affine_cells_chunk(pl: PiecewiseLinear, lo: np.ndarray, hi: np.ndarray
                        ) -> tuple[np.ndarray, list]:
    """True for the boxes ``[lo, hi]`` (rows) on which ``pl`` is affine: interval bound
    propagation (:func:`slth_theory.numerics.interval.propagate_boxes`, rigorous under
    float64 rounding) shows every ReLU neuron stably active or stably inactive
    (pre-activations constant on the box, e.g. rows without weights or fed only by stably
    dead neurons, count as stable).

    Also returns, per ReLU layer, the neuron states (1 active, 0 inactive, -1 unstable)."""
    ok = np.ones(lo.shape[0], bool)
    states: list = []
    for L in propagate_boxes(pl.weights, pl.biases, pl.output_activation, lo, hi):
        if not L.relu:
            states.append(None)
            continue
        # phi(h) = h for h >= 0 and 0 for h <= 0: stable on the closed half-lines
        stable = (L.pre_lo >= 0) | (L.pre_hi <= 0) | L.const
        ok &= np.all(stable, axis=1)
        states.append(np.where(L.const, (L.pre_const > 0).astype(np.int8),
                               np.where(L.pre_lo >= 0, 1,
                                        np.where(L.pre_hi <= 0, 0, -1)).astype(np.int8)))
    return ok, states


def _masked_forward(pl: PiecewiseLinear, x: np.ndarray, masks: list) -> np.ndarray:
    """``scale * f(x)`` with every ReLU replaced by the given 0/1 masks (one affine piece)."""
    h = x
    for w, b, m in zip(pl.weights, pl.biases, masks, strict=True):
        h = (w @ h.T).T + b if sp.issparse(w) else h @ w.T + b
        if m is not None:
            h = h * m
    return pl.scale * h


def _pattern_values(pl: PiecewiseLinear, states: list, cell: int, corners: np.ndarray
                    ) -> np.ndarray:
    """Values at the corners of one cell for every assignment of its unstable neurons:
    shape ``(2^k, n_corners, n_out)``. At each point of the cell the network equals one of
    these affine pieces (the one of its actual activation pattern)."""
    unstable = [(li, np.nonzero(st[cell] < 0)[0]) for li, st in enumerate(states)
                if st is not None]
    k = sum(idx.size for _, idx in unstable)
    n_pat, n_c = 2 ** k, corners.shape[0]
    bits = ((np.arange(n_pat)[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)
    masks = []
    col = 0
    for st in states:
        if st is None:
            masks.append(None)
            continue
        m = np.repeat(st[cell][None, :].astype(np.float64), n_pat, axis=0)
        idx = np.nonzero(st[cell] < 0)[0]
        m[:, idx] = bits[:, col:col + idx.size]
        col += idx.size
        masks.append(np.repeat(m, n_c, axis=0))
    x = np.tile(corners, (n_pat, 1))
    return _masked_forward(pl, x, masks).reshape(n_pat, n_c, -1)


def sup_diff_upper(f, g, *, lipschitz: float | None = None, rtol: float = 0.05,
                   atol: float = 0.0, max_evals: int = 4_000_000,
                   initial_per_dim: int | None = None, max_unstable: int = 6,
                   max_pattern_cells: int = 20_000,
                   max_seconds: float | None = None) -> SupUpperBound:
    """Rigorous upper bound of ``sup_{x in [-1,1]^n0} ||f(x) - g(x)||_2`` for ``n0 in {1, 2}``.

    Parameters
    ----------
    f, g : Network, Ticket or PiecewiseLinear
    lipschitz : float, optional
        A Lipschitz constant of ``x -> f(x) - g(x)`` in the 2-norm; default
        ``lipschitz_bound(f) + lipschitz_bound(g)``.
    rtol, atol : float
        Refine until every cell's bound is within ``max(lower (1 + rtol), lower + atol)``.
    max_evals : int
        Budget of function evaluations (then the current, valid, bound is returned with
        ``converged=False``).
    initial_per_dim : int, optional
        Cells per axis of the starting grid (default 2048 in 1-D, 128 in 2-D).
    max_unstable : int
        Cells with at most this many unstable neurons (both networks together) are bounded
        by enumerating their activation states.
    max_pattern_cells : int
        Budget of cells bounded that way (each costs ``2^k`` evaluations per corner).
    max_seconds : float, optional
        Time budget: when it runs out the bound reached so far (valid, from the centre
        values and the Lipschitz constant where no tighter bound was found) is returned
        with ``converged=False``.

    Returns
    -------
    SupUpperBound

    Notes
    -----
    Each cell is a box with centre ``c`` and half-diagonal ``r``. If interval bound
    propagation shows both networks affine on the box (every ReLU stable), ``f - g`` is
    affine there and ``||f - g||`` is convex, so its maximum over the box is attained at a
    corner: the cell's bound is the largest corner value (exact). If only a few neurons are
    unstable, each network equals, at every point of the box, the affine piece of its actual
    activation pattern -- one of the ``2^k`` assignments of the unstable neurons -- so
    ``||f(x) - g(x)|| <= max_{P, Q} ||f_P(x) - g_Q(x)||``, each maximised at a corner.
    Otherwise every point is within ``r`` of ``c`` and ``d(x) <= d(c) + Lip * r``. The
    bound returned is the maximum over the final cells.
    """
    for name, val in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(val, (int, float, np.integer, np.floating))
                and math.isfinite(val) and val >= 0):
            raise ValueError(f"{name} must be finite and >= 0; got {val!r}")
    F, G = as_piecewise_linear(f), as_piecewise_linear(g)
    n0 = F.n_in
    if n0 not in (1, 2) or G.n_in != n0:
        raise ValueError(f"sup_diff_upper needs input dimension 1 or 2; got {n0}")
    lip = (lipschitz_bound(F) + lipschitz_bound(G)) if lipschitz is None else float(lipschitz)
    if not np.isfinite(lip) or lip < 0:
        raise ValueError(f"lipschitz must be finite and >= 0; got {lip}")
    k = initial_per_dim or (2048 if n0 == 1 else 128)
    half = 1.0 / k
    axis = -1.0 + half * (2 * np.arange(k) + 1)
    mesh = np.meshgrid(*([axis] * n0), indexing="ij")
    centres = np.stack([m.ravel() for m in mesh], axis=1)
    n_evals = 0
    lower = 0.0
    done_upper = -np.inf
    converged = True
    pattern_cells = 0
    corner_offs = np.stack(np.meshgrid(*([np.array([-1.0, 1.0])] * n0), indexing="ij"),
                           axis=-1).reshape(-1, n0)
    t_start = time.perf_counter()

    def out_of_time() -> bool:
        return max_seconds is not None and time.perf_counter() - t_start > max_seconds

    while True:
        vals = _dist(F, G, centres)
        n_evals += centres.shape[0]
        lower = max(lower, float(vals.max()))
        r = half * np.sqrt(n0)
        ub = vals + lip * r
        lo_box, hi_box = centres - half, centres + half
        aff = np.zeros(centres.shape[0], bool)
        timed_out = False
        for s0 in range(0, centres.shape[0], 2048):
            if out_of_time():
                timed_out = True
                break
            sl = slice(s0, s0 + 2048)
            af, sf = _affine_cells_chunk(F, lo_box[sl], hi_box[sl])
            ag, sg = _affine_cells_chunk(G, lo_box[sl], hi_box[sl])
            aff[sl] = af & ag
            # few unstable neurons: enumerate their states (each assignment is affine on
            # the box, its maximum norm difference sits at a corner)
            kf = sum((st < 0).sum(axis=1) for st in sf if st is not None)
            kg = sum((st < 0).sum(axis=1) for st in sg if st is not None)
            few = np.nonzero(~(af & ag) & (kf + kg <= max_unstable))[0]
            for j in few[:max(0, max_pattern_cells - pattern_cells)]:
                cen = centres[s0 + j]
                cs = np.clip(cen[None, :] + half * corner_offs, -1, 1)
                vf = _pattern_values(F, sf, j, cs)
                vg = _pattern_values(G, sg, j, cs)
                dn = np.linalg.norm(vf[:, None] - vg[None, :], axis=-1)
                ub[s0 + j] = min(ub[s0 + j], float(dn.max()))
                n_evals += (vf.shape[0] + vg.shape[0]) * cs.shape[0]
                pattern_cells += 1
        if np.any(aff):
            corners = (centres[aff][:, None, :] + half * corner_offs[None]).reshape(-1, n0)
            cv = _dist(F, G, np.clip(corners, -1, 1)).reshape(-1, corner_offs.shape[0])
            n_evals += corners.shape[0]
            ub[aff] = cv.max(axis=1)
            lower = max(lower, float(cv.max()))
        thresh = max(lower * (1 + rtol), lower + atol)
        open_ = ub > thresh
        if np.any(~open_):
            done_upper = max(done_upper, float(ub[~open_].max()))
        if not np.any(open_):
            break
        c = centres[open_]
        n_children = c.shape[0] * 2 ** n0
        if n_evals + n_children > max_evals or timed_out or out_of_time():
            done_upper = max(done_upper, float(ub[open_].max()))
            converged = False
            break
        half /= 2
        centres = (c[:, None, :] + half * corner_offs[None, :, :]).reshape(-1, n0)
    if not converged:
        warnings.warn(f"sup_diff_upper: the budget of {max_evals} evaluations ran out before "
                      "the bound came within rtol/atol of the sampled lower bound; the bound "
                      "returned is valid but loose (converged=False)", UserWarning, stacklevel=2)
    return SupUpperBound(max(done_upper, lower) * (1 + 1e-12), lower, lip, n_evals, converged)
