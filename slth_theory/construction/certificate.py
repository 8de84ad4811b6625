"""Error certificate of a constructed ticket (Theorem 5).

For a :class:`~slth_theory.construction.build.Construction` the certificate reports

(i)   the per-parameter errors achieved (largest per layer, in the target's units);
(ii)  a rigorous upper bound of ``sup_{x in [-1,1]^n0} ||f(x) - lambda f_0(x|theta m)||_2``:
      ``kappa * error_bound(scaled target, effective network)``, the corrected Lemma 4
      propagation applied to the actual subset-sum errors (the effective network has the
      target's architecture, see :mod:`slth_theory.construction.build`);
(iii) a sampled lower estimate of the same sup (:func:`slth_theory.numerics.supnorm.sup_diff`,
      evaluating the ticket itself, i.e. masks over the mother);
(iv)  for ``n0 in {1, 2}``, a second rigorous bound from an adaptive grid and a Lipschitz
      constant (:func:`slth_theory.numerics.supnorm.sup_diff_upper`), with ``Lip(f) + Lip(ticket)``
      where ``Lip(ticket) = kappa * ||[A+, A-]||_2 prod_{l>=2} ||A_l||_2`` is computed on the
      effective network (same function; on the first layer
      ``||[phi(x)-phi(y); phi(-x)-phi(-y)]|| <= ||x - y||``).

``certified`` is ``(ii) <= eps``. The identity "ticket = kappa x effective network" is exact
in real arithmetic; its float64 residual on 257 sampled inputs is reported
(``equivalence_residual``, ~1e-15 relative). The ticket is evaluated through
:func:`slth_theory.numerics.supnorm.as_piecewise_linear` (dead neurons removed, sparse layers as
CSR: the same function as ``Ticket.forward``, which the tests check).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from slth_theory.construction.build import Construction
from slth_theory.numerics.supnorm import (
    as_piecewise_linear,
    lipschitz_bound,
    sup_diff,
    sup_diff_upper,
)
from slth_theory.theory.lemma4 import error_bound


@dataclass
class Certificate:
    """The four parts of a ticket's error certificate (see module docstring)."""

    eps: float | None
    param_errors: list[dict[str, float]]
    rigorous_bound: float
    sampled_lower: float
    sampled_argmax: list[float]
    grid_upper: float | None
    grid_converged: bool | None
    equivalence_residual: float
    certified: bool | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def effective_forward(con: Construction, x: np.ndarray) -> np.ndarray:
    """``kappa * f_eff(x)``: the effective network with the split first layer."""
    eff = con.effective
    h = (np.maximum(x, 0) @ eff.weights[0].T - np.maximum(-x, 0) @ con.first_layer_neg.T
         + eff.biases[0])
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
    first = np.hstack([con.effective.weights[0], con.first_layer_neg])
    val = float(np.linalg.norm(first, 2))
    for w in con.effective.weights[1:]:
        val *= float(np.linalg.norm(w, 2))
    return con.kappa * val * (1 + 1e-12)


def certify(con: Construction, rng=0, *, n_random: int = 2048, n_starts: int = 16,
            n_steps: int = 40, grid: bool = True, grid_evals: int = 4_000_000
            ) -> Certificate:
    """Compute the certificate of a constructed ticket.

    Parameters
    ----------
    con : Construction
    rng : seed or Generator
        For the sampled estimate.
    n_random, n_starts, n_steps : int
        Effort of the sampled estimate (see :func:`slth_theory.numerics.supnorm.sup_diff`).
    grid : bool
        Compute (iv) when ``n0 <= 2``.
    grid_evals : int
        Evaluation budget of (iv).

    Returns
    -------
    Certificate
    """
    rng = np.random.default_rng(rng)
    bound = con.kappa * error_bound(con.scaled_target, con.effective,
                                    first_layer_neg=con.first_layer_neg)
    est = sup_diff(con.target, con.ticket, rng, n_random=n_random, n_starts=n_starts,
                   n_steps=n_steps)
    x = np.vstack([rng.uniform(-1, 1, (256, con.target.widths[0])), est.argmax[None, :]])
    tick = as_piecewise_linear(con.ticket).forward(x)
    resid = float(np.max(np.abs(tick - effective_forward(con, x))))
    grid_upper = converged = None
    if grid and con.target.widths[0] <= 2:
        lip = lipschitz_bound(con.target) + effective_lipschitz(con)
        up = sup_diff_upper(con.target, con.ticket, lipschitz=lip, rtol=0.05,
                            max_evals=grid_evals)
        grid_upper, converged = up.upper, up.converged
    certified = None if con.eps is None else bool(bound <= con.eps)
    return Certificate(con.eps, con.param_errors(), float(bound), est.value,
                       [float(v) for v in est.argmax], grid_upper, converged, resid, certified)
