"""Error certificate of a constructed ticket (Theorem 5).

For a :class:`~slth_theory.construction.build.Construction` on the input box ``[lo, hi]``
(default ``[-1, 1]^n0``) the certificate reports

(i)   the per-parameter errors achieved (largest per layer, in the target's units);
(ii)  a rigorous upper bound of ``sup_x ||f(x) - lambda f_0(x|theta m)||_2`` over the box,
      the sum of three parts:

      * ``parameter_bound``: ``kappa * error_bound(scaled target, effective network)``, the
        corrected Lemma 4 propagation applied to the parameter errors actually achieved
        (the effective network has the target's architecture, see
        :mod:`slth_theory.construction.build`), each error widened by the float64 rounding
        of its subset sum (``rounding_margin(k + 3) sum |v|`` for ``k`` values: two
        divisions and a product per value, ``k - 1`` additions) and of the scaled target;
      * ``lambda_rounding``: the float ``lambda`` differs from ``kappa prod 1/s_l`` by a
        relative ``4 u (sum |log s_l| + log kappa + 2L + 2)`` (``u = 2^-53``; ``lambda`` is
        computed as ``exp`` of a sum of logarithms), times a bound on ``|f|`` plus the error;
      * ``float_evaluation``: the rounding of the ticket's own float64 forward pass
        (products ``w1 x`` and the kept sums of mother layer ``2l``: ``rounding_margin(K +
        2)`` relative for a neuron with ``K`` kept inputs), propagated through the absolute
        subset sums ``P_ij = sum |v|`` (Higham, *Accuracy and Stability*, eq. 3.5).

      With these, (ii) bounds the error of the ticket as evaluated in float64, not only of
      the real-arithmetic function;
(iii) a sampled lower estimate of the same sup (:func:`slth_theory.numerics.supnorm.sup_diff`,
      evaluating the ticket itself, i.e. masks over the mother);
(iv)  for ``n0 in {1, 2}`` on ``[-1, 1]^n0``, if asked for (``grid_seconds > 0``), a second
      rigorous bound from an adaptive grid and a Lipschitz constant
      (:func:`slth_theory.numerics.supnorm.sup_diff_upper`), run within a time budget: when
      the budget runs out it returns the (valid, looser) bound reached and says so.

``certified`` is ``(ii) <= eps``. The identity "ticket = kappa x effective network" is exact
in real arithmetic; its float64 residual on 257 sampled inputs is reported
(``equivalence_residual``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from slth_theory.construction.build import Construction
from slth_theory.numerics.interval import activation_bounds, rounding_margin
from slth_theory.numerics.supnorm import (
    as_piecewise_linear,
    lipschitz_bound,
    sup_diff,
    sup_diff_upper,
)
from slth_theory.theory.lemma4 import error_bound

_U = 2.0 ** -53


@dataclass
class Certificate:
    """The parts of a ticket's error certificate (see module docstring)."""

    eps: float | None
    domain: list[list[float]]
    param_errors: list[dict[str, float]]
    rigorous_bound: float
    parameter_bound: float
    lambda_rounding: float
    float_evaluation: float
    sampled_lower: float
    sampled_argmax: list[float]
    grid_upper: float | None
    grid_converged: bool | None
    grid_note: str | None
    equivalence_residual: float
    certified: bool | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __repr__(self) -> str:
        return (f"Certificate(bound={self.rigorous_bound:.4g}, sampled={self.sampled_lower:.4g}"
                f", eps={self.eps}, certified={self.certified})")


def effective_forward(con: Construction, x: np.ndarray) -> np.ndarray:
    """``kappa * f_eff(x)``: the effective network with the split first layer."""
    eff = con.effective
    neg = eff.weights[0] if con.first_layer_neg is None else con.first_layer_neg
    h = np.maximum(x, 0) @ eff.weights[0].T - np.maximum(-x, 0) @ neg.T + eff.biases[0]
    last = eff.depth - 1
    if last > 0 or eff.output_activation == "relu":
        h = np.maximum(h, 0)
    for i in range(1, eff.depth):
        h = h @ eff.weights[i].T + eff.biases[i]
        if i < last or eff.output_activation == "relu":
            h = np.maximum(h, 0)
    return con.kappa * h


def effective_lipschitz(con: Construction) -> float:
    """``kappa * ||[A+, A-]||_2 prod_{l>=2} ||A_l||_2`` (rounded up slightly)."""
    neg = con.effective.weights[0] if con.first_layer_neg is None else con.first_layer_neg
    first = np.hstack([con.effective.weights[0], neg])
    val = float(np.linalg.norm(first, 2))
    for w in con.effective.weights[1:]:
        val *= float(np.linalg.norm(w, 2))
    return con.kappa * val * (1 + 1e-12)


def parameter_slack(con: Construction) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer, entrywise bounds on how far the exact effective parameters (and the
    exactly scaled target) may be from the float64 ones used by the error bound."""
    out = []
    L = con.target.depth
    for i in range(L):
        P_w, P_b, k = con.abs_sums[i]
        m = rounding_margin(int(k) + 3)
        sw = m * P_w + rounding_margin(1) * np.abs(con.scaled_target.weights[i])
        sb = m * P_b + rounding_margin(L + 2) * np.abs(con.scaled_target.biases[i])
        out.append((sw, sb))
    return out


def _effective_abs_bounds(con: Construction) -> list[np.ndarray]:
    """Entrywise bounds of the effective network's activations over the box (interval
    magnitudes: ``|h| <= |A| u + |c|``)."""
    eff = con.effective
    u = [np.maximum(np.abs(con.lo), np.abs(con.hi))]
    neg = eff.weights[0] if con.first_layer_neg is None else con.first_layer_neg
    h = np.maximum(np.abs(eff.weights[0]), np.abs(neg)) @ u[0] + np.abs(eff.biases[0])
    u.append(h * (1 + 1e-12))
    for i in range(1, eff.depth):
        u.append((np.abs(eff.weights[i]) @ u[-1] + np.abs(eff.biases[i])) * (1 + 1e-12))
    return u


def float_evaluation_bound(con: Construction) -> float:
    """Bound on ``||ticket_float64(x) - ticket(x)||_2`` over the box (see module notes)."""
    ub = _effective_abs_bounds(con)
    e = np.zeros(con.target.widths[0])
    for i in range(con.target.depth):
        P_w, P_b, _k = con.abs_sums[i]
        gam = np.array([rounding_margin(int(K) + 2) for K in con.kept_fan_in[i]])
        e = gam * (P_w @ ub[i] + P_b) + P_w @ e
        e = e * (1 + 1e-12)
    out_mag = float(np.linalg.norm(ub[-1]))
    return con.kappa * (float(np.linalg.norm(e)) * (1 + _U) + 2 * _U * out_mag) * (1 + 1e-12)


def certify(con: Construction, rng=0, *, n_random: int = 2048, n_starts: int = 16,
            n_steps: int = 40, grid_seconds: float = 0.0, grid_evals: int = 4_000_000
            ) -> Certificate:
    """Compute the certificate of a constructed ticket.

    Parameters
    ----------
    con : Construction
    rng : int, SeedSequence or Generator
        For the sampled estimate.
    n_random, n_starts, n_steps : int
        Effort of the sampled estimate (see :func:`slth_theory.numerics.supnorm.sup_diff`).
    grid_seconds : float
        Time budget of (iv) (``n0 <= 2`` on ``[-1, 1]^n0`` only); 0 skips it.
    grid_evals : int
        Evaluation budget of (iv).

    Returns
    -------
    Certificate
    """
    if not (np.isfinite(grid_seconds) and grid_seconds >= 0):
        raise ValueError(f"grid_seconds must be finite and >= 0; got {grid_seconds}")
    rng = np.random.default_rng(rng)
    lo, hi = con.lo, con.hi
    pbound = con.kappa * error_bound(con.scaled_target, con.effective,
                                     first_layer_neg=con.first_layer_neg, lo=lo, hi=hi,
                                     slack=parameter_slack(con))
    s = np.array(con.ticket.mother.meta["weight_scales"], dtype=np.float64)
    rel_lam = 4 * _U * (float(np.sum(np.abs(np.log(s)))) + abs(math.log(con.kappa))
                        + 2 * len(s) + 2)
    f_mag = con.kappa * float(np.linalg.norm(activation_bounds(con.scaled_target, lo, hi)[-1]))
    lam_term = rel_lam * (f_mag + pbound) * (1 + 1e-12)
    feval = float_evaluation_bound(con)
    bound = (pbound + lam_term + feval) * (1 + 1e-12)
    est = sup_diff(con.target, con.ticket, rng, n_random=n_random, n_starts=n_starts,
                   n_steps=n_steps, lo=lo, hi=hi)
    n0 = con.target.widths[0]
    x = np.vstack([lo + (hi - lo) * rng.uniform(0, 1, (256, n0)), est.argmax[None, :]])
    tick = as_piecewise_linear(con.ticket).forward(x)
    resid = float(np.max(np.abs(tick - effective_forward(con, x))))
    grid_upper = converged = note = None
    if n0 <= 2 and grid_seconds > 0:
        if np.all(lo == -1.0) and np.all(hi == 1.0):
            lip = lipschitz_bound(con.target) + effective_lipschitz(con)
            up = sup_diff_upper(con.target, con.ticket, lipschitz=lip, rtol=0.05,
                                max_evals=grid_evals, max_seconds=grid_seconds)
            grid_upper, converged = up.upper, up.converged
            if not converged:
                note = (f"stopped at its budget ({grid_seconds:g} s or {grid_evals:,} "
                        "evaluations): the bound is valid but loose")
        else:
            note = "skipped: the grid bound covers [-1, 1]^n0 only"
    certified = None if con.eps is None else bool(bound <= con.eps)
    return Certificate(con.eps, [lo.tolist(), hi.tolist()], con.param_errors(), float(bound),
                       float(pbound), float(lam_term), float(feval), est.value,
                       [float(v) for v in est.argmax], grid_upper, converged, note, resid,
                       certified)
