"""The paper's statements as assertion functions, for use inside your own tests.

Each ``assert_*`` function checks one statement on concrete objects and either returns a
small record of what it measured or raises :class:`InvariantViolation` (an
``AssertionError``) whose message names the statement, the numbers compared and the
witness (the input or parameters where it fails). They need no hypothesis; inside a
``@given`` test they turn a drawn example into a verdict, and hypothesis shrinks a failing
example to a simple one::

    from hypothesis import given, strategies as st
    from slth_theory.invariants import assert_homogeneous
    from slth_theory.testing import inputs_for, layer_scales, networks

    @given(st.data())
    def test_lemma2(data):
        net = data.draw(networks())
        assert_homogeneous(net, data.draw(layer_scales(net.depth)), data.draw(inputs_for(net)))

* :func:`assert_homogeneous` -- Lemma 2, ``f(x | h(theta, sigma)) = prod sigma_l f(x | theta)``;
* :func:`assert_output_scaled` -- a transformed network computes ``factor * f`` (Section 5);
* :func:`assert_uniformly_homogeneous` -- Section 3.1, ``f(x | s theta) = s^L f(x | theta)``
  (true for zero biases only);
* :func:`assert_second_moment` -- Lemma 3, ``E||x^(l)||^2`` (statistical, with a stated
  false-alarm rate);
* :func:`assert_lemma4` -- Lemma 4 in a printed form or the corrected one;
* :func:`assert_ticket_within` -- ``sup ||f - lambda f_ticket||_2 <= eps``, backed by a
  certificate;
* :func:`assert_kept_fraction` -- masks keep exactly ``n - int((1 - rho) n)`` entries.

Exact statements are decided exactly (up to a stated float64 rounding tolerance); the one
statistical statement states its false-alarm rate. Every check can fail: the toolkit's
tests perturb what each one compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket

__all__ = [
    "InvariantViolation",
    "assert_homogeneous",
    "assert_kept_fraction",
    "assert_lemma4",
    "assert_output_scaled",
    "assert_second_moment",
    "assert_ticket_within",
    "assert_uniformly_homogeneous",
    "lemma4_tolerances",
]

#: Relative tolerance of the exact identities (float64 rounding of a few products/sums).
EXACT_RTOL = 1e-12


class InvariantViolation(AssertionError):
    """A statement of the paper failed on a concrete example.

    Attributes
    ----------
    statement : str
        Which statement (e.g. ``"Lemma 2"``).
    details : dict
        The numbers compared and the witness.
    """

    def __init__(self, statement: str, message: str, **details: Any) -> None:
        super().__init__(f"{statement}: {message}")
        self.statement = statement
        self.details = details


def _batch(x, n0: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    xb = x[None, :] if x.ndim == 1 else x
    if xb.ndim != 2 or xb.shape[1] != n0:
        raise ValueError(f"x must have shape (batch, {n0}) or ({n0},); got {x.shape}")
    return xb


def _worst(got: np.ndarray, want: np.ndarray, x: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Largest entrywise deviation, the size it is relative to, and the input where."""
    dev = np.abs(got - want).reshape(got.shape[0], -1).max(axis=1, initial=0.0)
    row = int(np.argmax(dev))
    scale = float(np.max(np.abs(want), initial=0.0))
    return float(dev[row]), scale, x[row]


def _fmt(v) -> str:
    return np.array2string(np.asarray(v, dtype=float), precision=6, separator=", ")


# ------------------------------------------------------------------- Lemma 2


def assert_output_scaled(net: Network, transformed: Network, factor: float, x, *,
                         rtol: float = EXACT_RTOL, statement: str = "output scaling"
                         ) -> float:
    """Assert ``transformed(x) = factor * net(x)`` on every row of ``x``.

    Parameters
    ----------
    net, transformed : Network
    factor : float
        The output factor the transformation claims.
    x : ndarray, shape (batch, n0) or (n0,)
    rtol : float
        Tolerance relative to ``max |factor * net(x)|`` over the batch (float64 rounding).
    statement : str
        Named in the failure message.

    Returns
    -------
    float
        The largest relative deviation.

    Raises
    ------
    InvariantViolation
        With the input of the largest deviation.
    """
    xb = _batch(x, net.widths[0])
    want = float(factor) * net.forward(xb)
    got = transformed.forward(xb)
    dev, scale, where = _worst(got, want, xb)
    rel = dev / scale if scale > 0 else (0.0 if dev == 0 else np.inf)
    if not rel <= rtol:
        raise InvariantViolation(
            statement,
            f"f_transformed(x) = {_fmt(transformed.forward(where))} but factor * f(x) = "
            f"{factor:.6g} * {_fmt(net.forward(where))} at x = {_fmt(where)} (relative "
            f"deviation {rel:.3g} > {rtol:g}) for a network of widths {net.widths}",
            x=where, relative_deviation=rel, factor=factor)
    return rel


def assert_homogeneous(net: Network, sigmas: Sequence[float] | float, x, *,
                       rtol: float = EXACT_RTOL) -> float:
    """Lemma 2: ``f(x | h(theta, sigma)) = prod_l sigma_l f(x | theta)``.

    ``h`` multiplies the weights of layer ``l`` by ``sigma_l > 0`` and its biases by
    ``prod_{m<=l} sigma_m`` (:func:`slth_theory.theory.lemma2.homogeneity_transform`).

    Parameters
    ----------
    net : Network
    sigmas : float or sequence of float
        One positive factor per layer (a single number for all).
    x : ndarray, shape (batch, n0) or (n0,)
    rtol : float
        Relative tolerance (float64 rounding).

    Returns
    -------
    float
        Largest relative deviation.

    Notes
    -----
    Lemma 2; appendix B.1.
    """
    from slth_theory.theory.lemma2 import homogeneity_transform, log_output_factor

    factor = float(np.exp(log_output_factor(sigmas, net.depth)))
    return assert_output_scaled(net, homogeneity_transform(net, sigmas), factor, x, rtol=rtol,
                                statement="Lemma 2 (homogeneity transform)")


def assert_uniformly_homogeneous(net: Network, s: float, x, *, rtol: float = 1e-9) -> float:
    """Section 3.1: ``f(x | s theta) = s^L f(x | theta)`` for ``s > 0``.

    True for networks with zero biases; the paper adds that it "no longer holds" with
    non-zero biases (Lemma 2's per-layer bias factors are needed instead). Use it to
    see that: a hypothesis search finds and shrinks a biased counterexample (see
    :func:`slth_theory.testing.search_counterexample`).

    Parameters
    ----------
    net : Network
    s : float
        Positive factor applied to every weight and every bias.
    x : ndarray, shape (batch, n0) or (n0,)
    rtol : float

    Returns
    -------
    float
        Largest relative deviation.

    Notes
    -----
    Section 3.1, "Output scaling".
    """
    s = float(s)
    if not np.isfinite(s) or s <= 0:
        raise ValueError(f"s must be finite and > 0; got {s}")
    scaled = Network([w * s for w in net.weights], [b * s for b in net.biases],
                     net.output_activation)
    return assert_output_scaled(net, scaled, s ** net.depth, x, rtol=rtol,
                                statement="Section 3.1 (f(x | s theta) = s^L f(x | theta))")


# ------------------------------------------------------------------- Lemma 3


@dataclass(frozen=True)
class MomentCheck:
    """What :func:`assert_second_moment` compared (one entry per layer ``1..L``)."""

    expected: np.ndarray
    estimate: np.ndarray
    stderr: np.ndarray
    z: np.ndarray
    n_se: float
    false_alarm: float
    n_networks: int


def assert_second_moment(widths: Sequence[int], scheme: str = "he-normal", *,
                         bias: str = "nonzero", x0=None, n_networks: int = 4000, rng=0,
                         false_alarm: float = 1e-6, **scheme_kwargs) -> MomentCheck:
    """Lemma 3: the Monte Carlo mean of ``||x^(l)||^2`` matches the exact second moment.

    Draws ``n_networks`` independent networks of the scheme (ReLU output), evaluates them
    at one input ``x0`` and compares the mean of ``||x^(l)||_2^2`` in every layer
    ``l = 1..L`` with :func:`slth_theory.theory.lemma3.lemma3_second_moments`.

    Parameters
    ----------
    widths : sequence of int
    scheme : str
        A scheme with independent parameters (``he-*``, ``glorot-*``, ``theorem5-*``).
    bias : {'zero', 'nonzero'}
    x0 : ndarray, optional
        The input (default ``linspace(-1, 1, n0)``).
    n_networks : int
        Sample size (>= 100; the normal approximation of the mean needs a few thousand for
        deep nets, whose ``||x^(L)||^2`` is heavy-tailed).
    rng : int or SeedSequence
        Root of the per-network streams (the result is identical for any thread count).
    false_alarm : float
        Probability that one call fails although Lemma 3 holds: the tolerance is
        ``n_se = Phi^{-1}(1 - false_alarm / (2 L))`` standard errors per layer
        (two-sided, Bonferroni over the ``L`` layers, normal approximation of the mean).
        In a ``@given`` test with ``N`` examples the chance of any false alarm is at
        most ``N * false_alarm``.
    **scheme_kwargs
        ``bias_factor``, ``mode``, ``weight_scale`` of :func:`~slth_theory.theory.lemma3.layer_law`.

    Returns
    -------
    MomentCheck

    Raises
    ------
    InvariantViolation
        Naming the layer, the estimate +- standard error, the exact value and ``z``.

    Notes
    -----
    Lemma 3; appendix B.2. Statistical: tolerance in standard errors, stated false-alarm
    rate.
    """
    from slth_theory.theory.lemma3 import layer_law, lemma3_second_moments
    from slth_theory.theory.lemma3_mc import monte_carlo_second_moments

    if not 0 < false_alarm < 1:
        raise ValueError(f"false_alarm must be in (0, 1); got {false_alarm}")
    if isinstance(n_networks, bool) or int(n_networks) != n_networks or n_networks < 100:
        raise ValueError(f"n_networks must be an integer >= 100; got {n_networks!r}")
    law = layer_law(widths, scheme, bias=bias, **scheme_kwargs)
    widths = list(law.widths)
    L = len(widths) - 1
    est = monte_carlo_second_moments(widths, law, x0, int(n_networks), rng)
    x0_sq = float(est.mean[0])
    exact = np.asarray(lemma3_second_moments(widths, law.w_var, law.b_var, x0_sq))
    n_se = NormalDist().inv_cdf(1 - false_alarm / (2 * L))
    mean, se = est.mean[1:], est.stderr[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (mean - exact[1:]) / np.where(se > 0, se, 1.0),
                     np.where(mean == exact[1:], 0.0, np.inf))
    check = MomentCheck(exact[1:], mean, se, z, n_se, false_alarm, int(n_networks))
    bad = np.nonzero(~(np.abs(z) <= n_se))[0]
    if bad.size:
        i = int(bad[np.argmax(np.abs(z[bad]))])
        raise InvariantViolation(
            "Lemma 3 (second moment)",
            f"layer {i + 1} of {widths} ({scheme}, bias {bias}): E||x^({i + 1})||^2 estimated "
            f"{mean[i]:.6g} +/- {se[i]:.3g} from {n_networks} networks vs exact "
            f"{exact[i + 1]:.6g} (z = {z[i]:+.2f}, tolerance {n_se:.2f} SE, false-alarm "
            f"rate {false_alarm:g} per call)", layer=i + 1, check=check)
    return check


# ------------------------------------------------------------------- Lemma 4


@dataclass(frozen=True)
class Lemma4Check:
    """What :func:`assert_lemma4` compared."""

    version: str
    eps: float
    tolerances: np.ndarray
    observed: float
    x: np.ndarray
    bound: float | None


def lemma4_tolerances(target: Network, eps: float, version: str = "corrected") -> np.ndarray:
    """Per-layer ``eps_l`` of :func:`slth_theory.theory.lemma4.tolerances`, with ``0`` for a
    layer that has no non-zero parameter (the printed formulas divide by its count ``0``;
    such a layer has nothing to perturb)."""
    from slth_theory.theory.lemma4 import tolerances

    with np.errstate(divide="ignore"):
        tols = np.asarray(tolerances(target, eps, version), dtype=np.float64)
    return np.where(np.isfinite(tols), tols, 0.0)


def _within_tolerances(target: Network, approx: Network, tols: np.ndarray) -> None:
    if approx.widths != target.widths or approx.output_activation != target.output_activation:
        raise ValueError(f"approx must have the target's architecture {target.widths} and "
                         f"output activation {target.output_activation!r}; got "
                         f"{approx.widths}, {approx.output_activation!r}")
    for i in range(target.depth):
        for kind, a, t in (("weight", approx.weights[i], target.weights[i]),
                           ("bias", approx.biases[i], target.biases[i])):
            if np.any((t == 0) & (a != 0)):
                raise ValueError(f"approx changes a zero {kind} of layer {i + 1}: Lemma 4 "
                                 "keeps the target's sparsity pattern (see perturb)")
            err = float(np.max(np.abs(a - t), initial=0.0))
            # a - t of a parameter moved by exactly eps_l is off by float64 rounding of t
            slack = tols[i] * 1e-9 + 4e-16 * float(np.max(np.abs(t), initial=0.0))
            if err > tols[i] + slack:
                raise ValueError(f"approx is not within the Lemma 4 tolerance of layer "
                                 f"{i + 1}: max {kind} error {err:.6g} > eps_{i + 1} = "
                                 f"{tols[i]:.6g}")


def assert_lemma4(target: Network, approx: Network, eps: float, x=None, *,
                  version: str = "corrected", rng=0, grid: bool = False) -> Lemma4Check:
    """Lemma 4: within the tolerances ``eps_l``, ``||f(x) - f_eps(x)||_2 <= eps``.

    Parameters
    ----------
    target, approx : Network
        ``f`` and ``f_eps``: same architecture; ``approx`` keeps the target's zeros and
        every parameter of layer ``l`` within ``eps_l`` (checked: a ``ValueError`` if the
        premise does not hold, so a drawn example that misses it is a bug of the test).
        :func:`slth_theory.theory.lemma4_attack.perturb` builds such approximations.
    eps : float
        The accuracy the lemma promises.
    x : ndarray, shape (batch, n0) or (n0,), optional
        Where to compare. Default: the attained maximiser found by
        :func:`slth_theory.numerics.supnorm.sup_diff` over the cube (a lower estimate of
        the sup, so a failure is always a real violation).
    version : {'corrected', 'main', 'main-k', 'appendix', 'appendix-k'}
        Which ``eps_l`` (:func:`slth_theory.theory.lemma4.tolerances`). ``'main'`` is
        Lemma 4 as printed in Section 4, ``'appendix'`` Eq. (B.3); only ``'corrected'``
        holds.
    rng : seed
        For the sampled sup estimate.
    grid : bool
        For ``n0 <= 2`` also bound the sup rigorously from above
        (:func:`~slth_theory.numerics.supnorm.sup_diff_upper`, at most 400,000 evaluations
        and 500 cells bounded by enumerating activation patterns) and require the dense
        grid's attained values to stay within ``eps`` too.

    Returns
    -------
    Lemma4Check

    Raises
    ------
    InvariantViolation
        With the input ``x`` where ``||f(x) - f_eps(x)||_2 > eps`` (for ``'corrected'``
        also when the rigorous :func:`~slth_theory.theory.lemma4.error_bound` is below an
        attained error, which would be a bug of the bound).

    Notes
    -----
    Lemma 4 (Section 4) and appendix B.3; the corrected tolerances are derived in
    :mod:`slth_theory.theory.lemma4`.
    """
    from slth_theory.numerics.supnorm import sup_diff, sup_diff_upper
    from slth_theory.theory.lemma4 import error_bound

    tols = lemma4_tolerances(target, eps, version)
    _within_tolerances(target, approx, tols)
    if x is None:
        est = sup_diff(target, approx, rng, n_random=128, n_starts=4, n_steps=15,
                       grid_per_dim=41)
        xb = est.argmax[None, :]
    else:
        xb = _batch(x, target.widths[0])
    d = np.linalg.norm(np.atleast_2d(approx.forward(xb) - target.forward(xb)), axis=1)
    row = int(np.argmax(d))
    observed, where = float(d[row]), xb[row]
    slack = 1e-9 * eps + 1e-12
    bound = None
    if version == "corrected":
        bound = error_bound(target, approx)
        if observed > bound * (1 + 1e-9) + 1e-12:
            raise InvariantViolation(
                "Lemma 4 (rigorous error bound)",
                f"attained ||f(x) - f_eps(x)||_2 = {observed:.6g} exceeds error_bound = "
                f"{bound:.6g} at x = {_fmt(where)}", x=where, observed=observed, bound=bound)
    if observed > eps + slack:
        raise InvariantViolation(
            f"Lemma 4 ({version})",
            f"||f(x) - f_eps(x)||_2 = {observed:.6g} > eps = {eps:.6g} at x = {_fmt(where)}; "
            f"target widths {target.widths}, tolerances eps_l = {_fmt(tols)}",
            x=where, observed=observed, eps=eps, tolerances=tols)
    if grid and target.widths[0] <= 2:
        dense = sup_diff_upper(target, approx, rtol=1e-3, atol=1e-12, max_evals=400_000,
                               max_pattern_cells=500)
        if dense.lower > eps + slack:
            raise InvariantViolation(
                f"Lemma 4 ({version})",
                f"the certified grid attains ||f - f_eps||_2 = {dense.lower:.6g} > eps = "
                f"{eps:.6g}; target widths {target.widths}", observed=dense.lower, eps=eps)
        if dense.lower > dense.upper * (1 + 1e-12) + 1e-15 or (
                dense.converged and dense.upper > max(dense.lower * (1 + 1e-3),
                                                      dense.lower + 1e-12) * (1 + 1e-9)):
            raise InvariantViolation(
                "sup_diff_upper (consistency)",
                f"attained {dense.lower:.6g} and upper bound {dense.upper:.6g} (converged "
                f"{dense.converged}) contradict each other", lower=dense.lower,
                upper=dense.upper)
        if observed > dense.upper * (1 + 1e-9) + 1e-12:
            raise InvariantViolation(
                "sup_diff_upper (soundness)",
                f"a sampled point attains ||f - f_eps||_2 = {observed:.6g} above the certified "
                f"upper bound {dense.upper:.6g} at x = {_fmt(where)}", x=where,
                observed=observed, upper=dense.upper)
        if bound is not None and dense.lower > bound * (1 + 1e-9) + 1e-12:
            raise InvariantViolation(
                "Lemma 4 (rigorous error bound)",
                f"the certified grid attains {dense.lower:.6g} > error_bound = {bound:.6g}",
                observed=dense.lower, bound=bound)
        observed = max(observed, dense.lower)
    return Lemma4Check(version, float(eps), tols, observed, where, bound)


# ------------------------------------------------------------------- tickets


@dataclass(frozen=True)
class TicketCheck:
    """What :func:`assert_ticket_within` established."""

    eps: float
    upper: float | None
    lower: float
    x: np.ndarray
    method: str


def assert_ticket_within(ticket, target: Network, eps: float, *, rng=0,
                         require_bound: bool = True) -> TicketCheck:
    """``sup_{x in [-1,1]^n0} ||f(x) - lambda f_ticket(x)||_2 <= eps``, backed by a certificate.

    Parameters
    ----------
    ticket : Construction, Ticket or Network
        A :class:`~slth_theory.construction.build.Construction` is judged by its
        certificate (:func:`~slth_theory.construction.certificate.certify`: the rigorous
        bound (ii) from the corrected Lemma 4 and the sampled lower estimate (iii)). A
        plain ticket or network (any architecture with the target's input and output
        widths): by :func:`~slth_theory.numerics.supnorm.sup_diff` (attained values) and,
        for ``n0 <= 2``, the rigorous :func:`~slth_theory.numerics.supnorm.sup_diff_upper`.
    target : Network
    eps : float
    rng : seed
        For the sampled estimates.
    require_bound : bool
        If True (default) the statement passes only when a rigorous upper bound
        ``<= eps`` is established; with no rigorous bound available (a plain ticket with
        ``n0 > 2``) it is a ``ValueError``. If False, a sampled maximum ``<= eps`` passes
        (no violation found, not a proof).

    Returns
    -------
    TicketCheck

    Raises
    ------
    InvariantViolation
        ``violated`` (an input where the error exceeds ``eps``: a witness) or ``not
        certified`` (no violation found, but the rigorous bound exceeds ``eps``).
    """
    from slth_theory.construction.build import Construction
    from slth_theory.construction.certificate import certify
    from slth_theory.numerics.supnorm import sup_diff, sup_diff_upper

    eps = float(eps)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be finite and > 0; got {eps}")
    n0 = target.widths[0]
    upper: float | None
    if isinstance(ticket, Construction):
        cert = certify(ticket, rng, n_random=256, n_starts=4, n_steps=20, grid_seconds=0.0)
        lower, where = cert.sampled_lower, np.asarray(cert.sampled_argmax)
        upper, method = cert.rigorous_bound, "certificate (ii): corrected Lemma 4 bound"
    elif isinstance(ticket, (Ticket, Network)):
        if ticket.widths[0] != n0 or ticket.widths[-1] != target.widths[-1]:
            raise ValueError(f"ticket maps R^{ticket.widths[0]} -> R^{ticket.widths[-1]}; the "
                             f"target R^{n0} -> R^{target.widths[-1]}")
        est = sup_diff(target, ticket, rng, n_random=256, n_starts=4, n_steps=20)
        lower, where = est.value, est.argmax
        upper, method = None, "sampled sup_diff"
        if n0 <= 2:
            up = sup_diff_upper(target, ticket, rtol=0.05, max_evals=400_000)
            upper, method = up.upper, "sup_diff_upper (adaptive grid + Lipschitz)"
            if up.lower > lower:
                lower = up.lower
        elif require_bound:
            raise ValueError("no rigorous bound for a plain ticket with n0 > 2: pass the "
                             "Construction (certificate) or require_bound=False")
    else:
        raise TypeError(f"ticket must be a Construction, Ticket or Network; got "
                        f"{type(ticket).__name__}")
    statement = "ticket within eps of target"
    if lower > eps * (1 + 1e-12):
        raise InvariantViolation(
            statement, f"violated: ||f(x) - lambda f_ticket(x)||_2 = {lower:.6g} > eps = "
            f"{eps:.6g} at x = {_fmt(where)}", x=where, lower=lower, eps=eps)
    if require_bound and (upper is None or upper > eps):
        raise InvariantViolation(
            statement, f"not certified: rigorous bound {upper:.6g} > eps = {eps:.6g} "
            f"({method}); largest error found {lower:.6g}", upper=upper, lower=lower, eps=eps)
    return TicketCheck(eps, upper, float(lower), np.asarray(where), method)


def _n_keep(n: int, density: float) -> int:
    from slth_theory.pruning.edge_popup import n_keep

    return n_keep(n, density)


def assert_kept_fraction(masks, density: float, *, bias_masks=None,
                         ranking: str = "separate") -> list[tuple[int, int]]:
    """Masks keep exactly ``n_keep(n, rho) = n - int((1 - rho) n)`` entries.

    The count of edge-popup's GetSubnet (``slth_theory.pruning.edge_popup.n_keep``): at
    density ``rho`` a layer of ``n`` scores keeps ``n - int((1 - rho) n)`` of them, at
    least one.

    Parameters
    ----------
    masks : Ticket or list of ndarray of bool
        A ticket (its weight and bias masks) or the weight masks per layer.
    density : float in (0, 1]
    bias_masks : list of ndarray of bool, optional
        With a list of weight masks: the bias masks (``None`` = no biases ranked).
    ranking : {'separate', 'joint', 'weights'}
        ``'separate'``: weights and biases of each layer counted apart; ``'joint'``: together;
        ``'weights'``: only weights are kept, every bias mask is empty.

    Returns
    -------
    list of (int, int)
        Per layer, the kept count and the expected one.

    Raises
    ------
    InvariantViolation
        Naming the layer, the kept and the expected count.
    """
    if ranking not in ("separate", "joint", "weights"):
        raise ValueError(f"ranking must be 'separate', 'joint' or 'weights'; got {ranking!r}")
    if isinstance(masks, Ticket):
        if bias_masks is not None:
            raise ValueError("give bias_masks only with a list of weight masks")
        wm, bm = masks.weight_masks, masks.bias_masks
    else:
        wm = [np.asarray(m, dtype=bool) for m in masks]
        bm = None if bias_masks is None else [np.asarray(m, dtype=bool) for m in bias_masks]
        if bm is None and ranking != "weights":
            ranking = "weights"
    out = []
    for i, w in enumerate(wm):
        b = bm[i] if bm is not None else np.zeros(0, bool)
        kw, kb = int(np.count_nonzero(w)), int(np.count_nonzero(b))
        if ranking == "separate":
            pairs = [("weights", kw, _n_keep(w.size, density)),
                     ("biases", kb, _n_keep(b.size, density))]
        elif ranking == "joint":
            pairs = [("weights and biases", kw + kb, _n_keep(w.size + b.size, density))]
        else:
            pairs = [("weights", kw, _n_keep(w.size, density)), ("biases", kb, 0)]
        for what, got, want in pairs:
            if got != want:
                raise InvariantViolation(
                    "kept fraction", f"layer {i + 1} keeps {got} {what}; density {density!r} "
                    f"({ranking} ranking) keeps exactly {want}", layer=i + 1, kept=got,
                    expected=want)
        out.append((sum(p[1] for p in pairs), sum(p[2] for p in pairs)))
    return out
