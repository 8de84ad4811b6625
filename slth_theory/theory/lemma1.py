"""Lemma 1: bias-free ReLU networks cannot approximate a constant.

The paper (Section 2) approximates ``g(x) = c`` (``c = 0.5``) on ``[-1, 1]`` by
``f(x) = w+ phi(x) + w- phi(-x)`` and states "the minimum mean squared error ...
is ``int_{-1}^{1} (g - f)^2 dx = 1/16`` for ``w+ = w- = 3/4``".

Exact optimum of the two-parameter family (derived here, checked in the tests):

* ``int_0^1 (c - w x)^2 dx = c^2 - c w + w^2/3`` is minimised at ``w = 3c/2`` with value
  ``c^2/4``; the two half-lines are independent, so ``w+ = w- = 3c/2`` and
* ``int_{-1}^{1} (g - f)^2 dx = c^2/2`` (``1/8`` for ``c = 1/2``),
* the mean squared error over ``[-1, 1]`` (the integral divided by the length 2) is
  ``c^2/4`` (``1/16``). The paper's number is the MSE, written as the integral.

All bias-free ReLU networks: with zero biases every layer is positively homogeneous,
``f(a x) = a f(x)`` for ``a >= 0``, so a univariate network is exactly
``f(x) = f(1) phi(x) + f(-1) phi(-x)`` -- a member of the family with
``w+ = f(1)``, ``w- = f(-1)``. Hence no bias-free network of any depth or width has MSE
below ``c^2/4`` (identity output, or ReLU output with ``c >= 0``; a ReLU output forces
``f >= 0``, so for ``c < 0`` the bound is ``c^2``, attained by ``f = 0``). In the sup norm
the bound is simpler still: ``f(0) = 0``, so ``sup |g - f| >= |c|`` for every bias-free
network and every input dimension. One ReLU neuron with bias ``c > 0`` represents
``g`` exactly: ``phi(0 x + c) = c``.

:func:`confirm` trains bias-free networks of several depths and widths by gradient
descent (hand-written backpropagation, Adam) and reports their exact MSE, computed
from ``f(1)``, ``f(-1)`` via the homogeneity identity (which is itself verified on a
grid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from slth_theory.engine import files as _files
from slth_theory.model.network import Network
from slth_theory.model.schemes import initialize
from slth_theory.numerics.seeds import as_seed_sequence

PAPER_C = 0.5


def half_line_error(w: float, c: float) -> float:
    """``int_0^1 (c - w x)^2 dx = c^2 - c w + w^2 / 3``."""
    return c * c - c * w + w * w / 3.0


def two_param_integral(w_plus: float, w_minus: float, c: float) -> float:
    """``int_{-1}^{1} (c - w+ phi(x) - w- phi(-x))^2 dx`` in closed form."""
    return half_line_error(w_plus, c) + half_line_error(w_minus, c)


def two_param_mse(w_plus: float, w_minus: float, c: float) -> float:
    """Mean squared error over ``[-1, 1]``: the integral divided by 2."""
    return two_param_integral(w_plus, w_minus, c) / 2.0


def optimum(c: float = PAPER_C, output_activation: str = "identity") -> dict[str, float]:
    """Exact minimiser and minimum of the two-parameter family (= all bias-free nets).

    Parameters
    ----------
    c : float
        The constant target ``g(x) = c``.
    output_activation : {'identity', 'relu'}
        A ReLU output restricts ``w+, w- >= 0``.

    Returns
    -------
    dict
        ``w_plus``, ``w_minus``, ``integral`` (of the squared error over [-1, 1]),
        ``mse`` (integral / 2) and ``sup_lower_bound`` (``|c|``, from ``f(0) = 0``).
    """
    if output_activation not in ("identity", "relu"):
        raise ValueError(f"output_activation must be 'identity' or 'relu'; got "
                         f"{output_activation!r}")
    w = 1.5 * c
    if output_activation == "relu":
        w = max(w, 0.0)
    integral = two_param_integral(w, w, c)
    return {"w_plus": w, "w_minus": w, "integral": integral, "mse": integral / 2.0,
            "sup_lower_bound": abs(c)}


def homogeneous_coefficients(net: Network) -> tuple[float, float]:
    """``(f(1), f(-1))`` of a univariate network (its ``w+, w-`` if bias-free)."""
    if net.widths[0] != 1 or net.widths[-1] != 1:
        raise ValueError(f"need a univariate network (n0 = nL = 1); got widths {net.widths}")
    out = net.forward(np.array([[1.0], [-1.0]]))
    return float(out[0, 0]), float(out[1, 0])


# -------------------------------------------------------------- training


def _forward_backward(weights, biases, x, c, relu_last, train_bias):
    acts = [x]
    pre = []
    h = x
    L = len(weights)
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = h @ w.T + b
        pre.append(z)
        h = np.maximum(z, 0.0) if (i < L - 1 or relu_last) else z
        acts.append(h)
    r = h[:, 0] - c
    loss = float(np.mean(r * r))
    g = (2.0 * r / r.size)[:, None]
    gw = [None] * L
    gb = [None] * L
    for i in range(L - 1, -1, -1):
        if i < L - 1 or relu_last:
            g = g * (pre[i] > 0)
        gw[i] = g.T @ acts[i]
        gb[i] = g.sum(axis=0) if train_bias else np.zeros_like(biases[i])
        g = g @ weights[i]
    return loss, gw, gb


def train(net: Network, c: float, steps: int = 2000, lr: float = 0.01, n_grid: int = 512,
          train_bias: bool = False, points: np.ndarray | None = None
          ) -> tuple[Network, list[float]]:
    """Minimise the grid MSE to ``g = c`` by Adam with hand-written backpropagation.

    The grid is the ``n_grid`` midpoints of ``[-1, 1]`` (midpoint rule for the MSE), or
    the given ``points`` (shape ``(N, n0)``, any input dimension: Lemma 1 in ``n``
    dimensions). With ``train_bias=False`` the biases stay exactly as given (zero for
    Lemma 1).

    Returns
    -------
    net : Network
        The trained copy.
    history : list of float
        Grid MSE every step.
    """
    if points is not None:
        x = np.asarray(points, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != net.widths[0] or x.shape[0] < 2:
            raise ValueError(f"points must have shape (N >= 2, {net.widths[0]}); got {x.shape}")
    elif net.widths[0] != 1:
        raise ValueError(f"need a univariate network (n0 = 1) or points; got {net.widths}")
    if net.widths[-1] != 1:
        raise ValueError(f"need one output (nL = 1); got widths {net.widths}")
    if steps < 1 or lr <= 0 or n_grid < 2:
        raise ValueError("steps >= 1, lr > 0 and n_grid >= 2 required")
    if points is None:
        x = ((np.arange(n_grid) + 0.5) / n_grid * 2.0 - 1.0)[:, None]
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    relu_last = net.output_activation == "relu"
    params = ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-12
    hist = []
    for t in range(1, steps + 1):
        loss, gw, gb = _forward_backward(ws, bs, x, c, relu_last, train_bias)
        hist.append(loss)
        for k, g in enumerate(gw + gb):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            params[k] -= lr * (m[k] / (1 - b1 ** t)) / (np.sqrt(v[k] / (1 - b2 ** t)) + eps)
    out = Network(ws, bs, net.output_activation, dict(net.meta, trained=True))
    return out, hist


@dataclass
class FitResult:
    """One trained network: architecture, exact and grid errors, homogeneity residual."""

    widths: list[int]
    bias: bool
    w_plus: float
    w_minus: float
    mse_exact: float
    mse_grid: float
    homogeneity_residual: float
    sup_error: float
    net: Network = field(repr=False)


def _fit_result(net: Network, c: float, bias: bool) -> FitResult:
    wp, wm = homogeneous_coefficients(net)
    xs = np.linspace(-1.0, 1.0, 4001)[:, None]
    f = net.forward(xs)[:, 0]
    two_param = wp * np.maximum(xs[:, 0], 0) + wm * np.maximum(-xs[:, 0], 0)
    resid = float(np.max(np.abs(f - two_param)))
    xm = ((np.arange(20000) + 0.5) / 20000 * 2 - 1)[:, None]
    mse_grid = float(np.mean((net.forward(xm)[:, 0] - c) ** 2))
    mse_exact = two_param_mse(wp, wm, c) if not bias else float("nan")
    sup_error = float(np.max(np.abs(c - f)))       # the grid contains x = 0
    return FitResult(net.widths, bias, wp, wm, mse_exact, mse_grid, resid, sup_error, net)


def confirm(c: float = PAPER_C, depths: Sequence[int] = (1, 2, 3),
            widths: Sequence[int] = (2, 8, 32), steps: int = 2000, rng=0,
            output_activation: str = "identity", *, train_bias: bool = False) -> dict:
    """Train bias-free networks of every depth x width (He init, zero biases) and one
    ReLU neuron with a bias; return their errors beside the exact bound.

    ``depths`` counts hidden layers (the network has ``depth + 1`` weight layers).
    ``rng`` (int, SeedSequence or Generator) seeds every network and training run.
    ``train_bias=True`` gives the "bias-free" nets biases (0.1) and trains them: a
    deliberately broken setting for the claims report's mutation tests.

    Returns
    -------
    dict
        ``bound`` (:func:`optimum`), ``bias_free`` (list of :class:`FitResult`),
        ``with_bias`` (:class:`FitResult` of ``[1, 1, 1]`` trained with biases),
        ``min_gap`` = min over bias-free fits of ``mse_exact - bound`` (never < 0
        up to rounding), ``min_sup_error`` (max over 4001 grid points of ``|c - f|``,
        never below ``|c|``), ``max_homogeneity_residual``.
    """
    bound = optimum(c, output_activation)
    ss = as_seed_sequence(rng)
    kids = iter(ss.spawn(len(depths) * len(widths) + 1))
    fits = []
    for d in depths:
        for w in widths:
            arch = [1] + [int(w)] * int(d) + [1]
            net = initialize(arch, "he-normal", bias="zero", output_activation=output_activation,
                             rng=next(kids))
            if train_bias:  # a deliberately broken "bias-free" fit (mutation tests)
                net = Network(net.weights, [np.full_like(b, 0.1) for b in net.biases],
                              net.output_activation, dict(net.meta))
            trained, _ = train(net, c, steps=steps, train_bias=train_bias)
            fits.append(_fit_result(trained, c, bias=False))
    # one hidden neuron with a bias: f = v phi(w x + b)
    rng = np.random.default_rng(next(kids))
    one = Network([rng.uniform(0.2, 1.0, (1, 1)), rng.uniform(0.2, 1.0, (1, 1))],
                  [np.array([0.1]), np.zeros(1)], output_activation)
    trained, _ = train(one, c, steps=steps, lr=0.02, train_bias=True)
    with_bias = _fit_result(trained, c, bias=True)
    gaps = [f.mse_exact - bound["mse"] for f in fits]
    return {"c": c, "bound": bound, "bias_free": fits, "with_bias": with_bias,
            "min_gap": float(min(gaps)),
            "min_sup_error": float(min(f.sup_error for f in fits)),
            "max_homogeneity_residual": float(max(f.homogeneity_residual for f in fits))}


def plot_fits(result: dict, ax=None):
    """Best bias-free fits (and the biased neuron) against the constant target.

    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    else:
        fig = ax.figure
    c = result["c"]
    xs = np.linspace(-1, 1, 801)
    ax.axhline(c, color="k", lw=2, label=f"target g(x) = {c:g}")
    b = result["bound"]
    ax.plot(xs, b["w_plus"] * np.maximum(xs, 0) + b["w_minus"] * np.maximum(-xs, 0), "r--", lw=2,
            label=f"exact optimum w+ = w- = {b['w_plus']:g} (MSE {b['mse']:.4g})")
    cmap = plt.get_cmap("viridis")
    fits = result["bias_free"]
    order = np.argsort([f.mse_exact for f in fits])
    labelled = {int(order[0]), int(order[-1])}
    for i, f in enumerate(fits):
        note = " (dead-ReLU local min.)" if f.mse_exact > b["mse"] + 1e-3 else ""
        ax.plot(xs, f.net.forward(xs[:, None])[:, 0], color=cmap(i / max(1, len(fits) - 1)),
                lw=0.9, alpha=0.8,
                label=(f"GD, bias-free {f.widths}: MSE {f.mse_exact:.6g}{note}"
                       if i in labelled else None))
    wb = result["with_bias"]
    ax.plot(xs, wb.net.forward(xs[:, None])[:, 0], color="tab:orange", lw=1.5, ls=":",
            label=f"GD, 1 neuron with bias (MSE {wb.mse_grid:.1e})")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"Lemma 1: bias-free ReLU nets trained by GD ({len(fits)} architectures) "
                 "vs a constant", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", ncol=1, framealpha=0.9)
    ax.set_ylim(-0.1, 1.25)
    fig.tight_layout()
    return fig


def save_figure(result: dict, outdir: Path) -> Path:
    """Write ``lemma1_fits.png`` into ``outdir``."""
    import matplotlib.pyplot as plt

    fig = plot_fits(result)
    path = Path(outdir) / "lemma1_fits.png"
    _files.save_figure(fig, path, dpi=120)
    plt.close(fig)
    return path


# ------------------------------------------------------------------ n input dimensions


def cube_radius_moment(n: int, k: int) -> Fraction:
    """``E[t^k]`` for ``t = ||x||_inf`` with ``x`` uniform on ``[-1, 1]^n``.

    ``P(t <= s) = s^n``, so ``t`` has density ``n s^(n-1)`` on ``[0, 1]`` and
    ``E[t^k] = n / (n + k)`` (exact rational).
    """
    if int(n) < 1 or int(k) < 0:
        raise ValueError(f"need n >= 1 and k >= 0; got n={n}, k={k}")
    return Fraction(int(n), int(n) + int(k))


def constant_target_optimum_nd(n: int, c: Fraction | float = Fraction(1, 2)) -> dict:
    """Exact best mean squared error of any bias-free ReLU network for ``g = c`` on
    ``[-1, 1]^n`` (uniform measure), and the network attaining it.

    Parameters
    ----------
    n : int
        Input dimension, >= 1.
    c : Fraction or float
        The constant target.

    Returns
    -------
    dict
        ``mse`` (``c^2 / (n + 1)^2``), ``scale`` (``a = c (n + 2) / (n + 1)``: the optimum is
        ``f(x) = a ||x||_inf``), both exact when ``c`` is a Fraction.

    Notes
    -----
    Lemma 1 (Section 2) in ``n`` dimensions. A bias-free ReLU network is positively
    1-homogeneous: with ``t = ||x||_inf`` and ``u = x / t`` on the cube's surface,
    ``f(x) = t f(u)``. Under the uniform law ``t`` (density ``n t^(n-1)``) and ``u``
    are independent, so ``MSE = E_u E_t (c - t f(u))^2 >= min_a E_t (c - a t)^2 =
    c^2 (1 - E[t]^2 / E[t^2]) = c^2 / (n + 1)^2``, attained by ``a = c E[t] / E[t^2]``
    for every ``u``, i.e. by ``f(x) = a ||x||_inf``, which :func:`linf_network`
    represents exactly without biases. For ``n = 1`` this is the paper's ``1/16``.
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    c = Fraction(c) if not isinstance(c, Fraction) else c
    m1, m2 = cube_radius_moment(n, 1), cube_radius_moment(n, 2)
    a = c * m1 / m2
    mse = c * c - 2 * c * a * m1 + a * a * m2
    return {"n": n, "c": c, "mse": mse, "scale": a}


def linf_network(n: int, scale: float) -> Network:
    """A bias-free ReLU network computing ``scale * ||x||_inf`` on ``R^n`` exactly.

    Layer 1 forms ``phi(x_i)`` and ``phi(-x_i)``; layer 2 their sums ``|x_i|``; then a
    tree of ``max(a, b) = phi(a - b) + phi(b)`` (valid for ``a, b >= 0``) halves the
    count each round; the last (identity) layer multiplies by ``scale``. All biases are 0.
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    ws: list[np.ndarray] = []
    w1 = np.zeros((2 * n, n))
    for i in range(n):
        w1[2 * i, i], w1[2 * i + 1, i] = 1.0, -1.0
    ws.append(w1)
    w2 = np.zeros((n, 2 * n))
    for i in range(n):
        w2[i, 2 * i] = w2[i, 2 * i + 1] = 1.0
    ws.append(w2)
    m = n
    while m > 1:
        pairs, odd = m // 2, m % 2
        # neurons: for each pair (a, b): phi(a - b), phi(b); an odd one passes as phi(v)
        w = np.zeros((2 * pairs + odd, m))
        for p in range(pairs):
            w[2 * p, 2 * p], w[2 * p, 2 * p + 1] = 1.0, -1.0
            w[2 * p + 1, 2 * p + 1] = 1.0
        if odd:
            w[2 * pairs, m - 1] = 1.0
        ws.append(w)
        s = np.zeros((pairs + odd, 2 * pairs + odd))
        for p in range(pairs):
            s[p, 2 * p] = s[p, 2 * p + 1] = 1.0
        if odd:
            s[pairs, 2 * pairs] = 1.0
        # fold the summation into the next layer's weights
        ws.append(s)
        m = pairs + odd
    ws.append(np.array([[float(scale)]]))
    # merge consecutive linear maps that have no ReLU between them: in this network every
    # layer is followed by a ReLU, which is harmless on the non-negative sums, so keep all
    bs = [np.zeros(w.shape[0]) for w in ws]
    return Network(ws, bs, "identity", {"lemma1": f"{scale:g} * ||x||_inf, n = {n}"})


def bias_neuron_network(w: float = 0.0, b: float = PAPER_C, v: float = 1.0,
                        b_out: float = 0.0) -> Network:
    """One hidden ReLU neuron with a bias: ``f(x) = v phi(w x + b) + b_out`` (all shown).

    The defaults are the paper's ``0.5 = phi(0.5)``: ``w = 0``, ``b = 0.5``, ``v = 1``,
    ``b_out = 0``, which equals ``0.5`` for every ``x`` (Lemma 1, Section 2).
    """
    return Network([np.array([[float(w)]]), np.array([[float(v)]])],
                   [np.array([float(b)]), np.array([float(b_out)])], "identity",
                   {"lemma1": f"{v:g} phi({w:g} x + {b:g}) + {b_out:g}"})
