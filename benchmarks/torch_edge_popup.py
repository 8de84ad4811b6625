"""PyTorch CPU reference of edge-popup (bias scores, annealing, rescaling).

Written the way edge-popup's authors write it (Ramanujan et al. 2020, their
``GetSubnet`` autograd function and ``SubnetConv``/``SubnetLinear`` layers): the
frozen weight is multiplied by a top-``|score|`` mask whose backward pass is the
identity (straight-through), and ``torch.optim.SGD`` (momentum, weight decay) updates
the scores with a per-epoch cosine learning rate. The rescaling step (Section 5)
fits ``lambda`` and applies it in place with Lemma 2's transform.

Independent of :mod:`slth_theory.pruning.edge_popup` except for the plain data containers
``Settings``/``Plan``: the kept count (``GetSubnet``'s ``n - int((1 - rho) n)``), the
schedules (extra, within, nested; warm-up, restarts, ``lr / Lambda``), the learning rate
and the three ``lambda`` fits (exact MSE, exact CE, the authors' 20 SGD steps on the last
mini-batch, with ``torch.optim.SGD``) are written here from their definitions,
so the comparison test checks the NumPy/Numba code against an implementation that
shares none of its arithmetic. The cross-entropy fit solves the optimality condition
``d CE(y, lambda f) / d lambda = 0`` by bisection in ``log lambda`` to machine
precision (the derivative is monotone because the loss is convex in ``lambda``), not
by a minimiser with a tolerance.

Optional: needs ``pip install torch`` (the ``torch`` extra). Used by
``tests/unit/test_edge_popup_torch.py`` (skipped without torch) and by
``benchmarks/cases/edge_popup.py``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from slth_theory.pruning.edge_popup import Plan, Settings

LOG_LAMBDA_BOUND = 20.0  # search interval [-20, 20] for log(lambda), as documented


def _kept(n, rho):
    """Edge-popup's ``GetSubnet``: drop the ``j = int((1 - rho) n)`` smallest, keep the rest."""
    return n - int((1 - rho) * n)


def _authors_lr(lr0, epoch, epochs, warmup):
    """``tabular_main.py`` ``cosine_lr`` with ``_warmup_lr`` (NonZeroBiases, lines 46-76)."""
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (epoch - warmup) / (epochs - warmup))) * lr0


def schedule(settings: Settings):
    """Per epoch ``(density, lr)`` written out as loops over the schedules.

    ``extra``: ``e_a`` annealing epochs then ``e``; ``within``: ``e`` epochs, the first
    ``e_a`` annealing; ``nested`` (the authors' ``for anneal_epoch ... for epoch``): ``e``
    epochs per level. The learning rate: one cosine over all epochs, or (``lr_restarts``)
    one per level, counted from ``lr_epoch_base``, with ``warmup`` warm-up epochs.
    """
    rho, e, ea = settings.density, settings.epochs, settings.anneal_epochs
    dens = []
    if settings.anneal_mode == "nested":
        for level in range(1, max(ea, 1) + 1):
            dens += [rho ** (level / ea) if ea else rho] * e
    else:
        total = e + ea if settings.anneal_mode == "extra" else e
        for i in range(1, total + 1):
            dens.append(rho ** (min(i, ea) / ea) if ea else rho)
    cycle = e if settings.lr_restarts else len(dens)
    lrs = [_authors_lr(settings.lr, k % cycle + settings.lr_epoch_base, cycle,
                       settings.warmup) for k in range(len(dens))]
    return list(zip(dens, lrs, strict=True))


def fit_lambda_sgd(out, y, loss, steps=20, lr=0.1):
    """The authors' ``rescaling`` (``ticket_training.py`` lines 14-27): ``scale = ones(1)``,
    ``SGD([scale], lr=0.1)``, 20 steps on ``criterion(scale * output, target)``.

    None if the result is not finite and > 0.
    """
    crit = torch.nn.CrossEntropyLoss() if loss == "ce" else torch.nn.MSELoss()
    scale = torch.ones(1, dtype=out.dtype, requires_grad=True)
    opt = torch.optim.SGD([scale], lr=lr)
    for _ in range(steps):
        ll = crit(scale * out, y)
        opt.zero_grad()
        ll.backward()
        opt.step()
    lam = float(scale.detach())
    return lam if math.isfinite(lam) and lam > 0 else None


def fit_lambda_mse(out, y):
    """``argmin_{lambda > 0} mean((y - lambda out)^2) = sum(y out) / sum(out out)``.

    None when no positive ``lambda`` exists (zero output, or the ratio is ``<= 0``).
    """
    den = float((out * out).sum())
    if den <= 0.0:
        return None
    lam = float((y * out).sum()) / den
    return lam if lam > 0 and math.isfinite(lam) else None


def fit_lambda_ce(out, y, bound=LOG_LAMBDA_BOUND, iters=200):
    """``argmin`` of ``CE(y, lambda out)`` over ``log lambda`` in ``[-bound, bound]``.

    ``d CE / d lambda = mean_i (sum_j p_ij out_ij - out_i,y_i)`` with ``p = softmax(lambda
    out)`` is non-decreasing in ``lambda`` (its derivative is the mean softmax variance
    of the logits), so the minimiser is the root of its sign, found by bisection in
    ``log lambda``; a root outside the interval gives the nearer end. None when every
    row of ``out`` is constant (no scale changes the loss).
    """
    if bool(((out.max(dim=1).values - out.min(dim=1).values) == 0).all()):
        return None
    rows = torch.arange(out.shape[0])

    def slope(t):
        p = torch.softmax(math.exp(t) * out, dim=1)
        return float(((p * out).sum(dim=1) - out[rows, y]).mean())

    lo, hi = -bound, bound
    if slope(lo) >= 0:
        return math.exp(lo)
    if slope(hi) <= 0:
        return math.exp(hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return math.exp(0.5 * (lo + hi))


class GetSubnet(torch.autograd.Function):
    """Top-``k`` mask of ``|scores|`` with a straight-through backward."""

    @staticmethod
    def forward(ctx, abs_scores, k):  # noqa: D102
        out = torch.zeros_like(abs_scores)
        flat = out.view(-1)
        _, idx = abs_scores.flatten().sort()
        n = abs_scores.numel()
        flat[idx[n - k:]] = 1.0
        return out

    @staticmethod
    def backward(ctx, g):  # noqa: D102
        return g, None


def _masks(sw, sb, rho, joint):
    wm, bm = [], []
    for i, s in enumerate(sw):
        if sb is None:
            wm.append(GetSubnet.apply(s.abs(), _kept(s.numel(), rho)))
            bm.append(None)
        elif not joint:
            wm.append(GetSubnet.apply(s.abs(), _kept(s.numel(), rho)))
            bm.append(GetSubnet.apply(sb[i].abs(), _kept(sb[i].numel(), rho)))
        else:
            both = torch.cat([s.abs().flatten(), sb[i].abs()])
            m = GetSubnet.apply(both, _kept(both.numel(), rho))
            wm.append(m[: s.numel()].view_as(s))
            bm.append(m[s.numel():])
    return wm, bm


def _forward(x, ws, bs, wm, bm, relu_out):
    a = x
    L = len(ws)
    for i in range(L):
        b = bs[i] * bm[i] if bm[i] is not None else bs[i]
        a = torch.nn.functional.linear(a, ws[i] * wm[i], b)
        if i < L - 1 or relu_out:
            a = torch.relu(a)
    return a


def run(weights, biases, output_activation, x, y, loss, settings: Settings, plan: Plan,
        dtype=torch.float64):
    """Edge-popup in PyTorch from an explicit initial state.

    Parameters
    ----------
    weights, biases : lists of ndarray
        Initial (frozen) parameters.
    output_activation : {'identity', 'relu'}
    x, y : ndarray
        Training inputs and targets (float targets for MSE, int labels for CE).
    loss : {'mse', 'ce'}
    settings : Settings
    plan : Plan
        Initial scores and per-epoch permutations (shared with the NumPy run).
    dtype : torch dtype

    Returns
    -------
    dict
        ``batch_losses`` (list of float, every step), ``lambdas`` (per epoch),
        ``output_scale``, ``seconds_per_epoch``, final ``w_scores``/``b_scores``.
    """
    relu_out = output_activation == "relu"
    ws0 = [torch.tensor(w, dtype=dtype) for w in weights]
    bs0 = [torch.tensor(b, dtype=dtype) for b in biases]
    ws = [w.clone() for w in ws0]
    bs = [b.clone() for b in bs0]
    sw = [torch.tensor(s, dtype=dtype, requires_grad=True) for s in plan.w_scores]
    sb = (None if plan.b_scores is None else
          [torch.tensor(s, dtype=dtype, requires_grad=True) for s in plan.b_scores])
    params = sw + (sb or [])
    opt = torch.optim.SGD(params, lr=settings.lr, momentum=settings.momentum,
                          weight_decay=settings.weight_decay)
    xt = torch.tensor(x, dtype=dtype)
    yt = torch.tensor(y, dtype=torch.long if loss == "ce" else dtype)
    crit = torch.nn.CrossEntropyLoss() if loss == "ce" else torch.nn.MSELoss()
    joint = settings.bias_ranking == "joint"
    L = len(ws)
    total = settings.total_epochs
    plan_epochs = schedule(settings)
    log_scale = 0.0
    batch_losses, lambdas, secs = [], [], []
    assert len(plan_epochs) == total
    for e in range(total):
        t0 = time.perf_counter()
        rho, lr = plan_epochs[e]
        if settings.lr_over_lambda:  # the authors' args.lr = args.lr / scale
            lr = lr / math.exp(log_scale)
        for g in opt.param_groups:
            g["lr"] = lr
        perm = torch.as_tensor(plan.permutations[e])
        for start in range(0, len(perm), settings.batch_size):
            idx = perm[start:start + settings.batch_size]
            opt.zero_grad()
            wm, bm = _masks(sw, sb, rho, joint)
            out = _forward(xt[idx], ws, bs, wm, bm, relu_out)
            val = crit(out, yt[idx])
            val.backward()
            opt.step()
            batch_losses.append(float(val.detach()))
        lam = 1.0
        if settings.method == "edge-popup-scaled":
            with torch.no_grad():
                wm, bm = _masks(sw, sb, rho, joint)
                if settings.lambda_fit == "sgd-last-batch":
                    last = perm[((len(perm) - 1) // settings.batch_size) * settings.batch_size:]
                    out = _forward(xt[last], ws, bs, wm, bm, relu_out)
                else:
                    out = _forward(xt, ws, bs, wm, bm, relu_out)
            if settings.lambda_fit == "sgd-last-batch":
                fitted = fit_lambda_sgd(out, yt[last], loss)
            else:
                fitted = fit_lambda_ce(out, yt) if loss == "ce" else fit_lambda_mse(out, yt)
            if fitted is not None:
                lam = fitted
                log_scale += math.log(lam)
                with torch.no_grad():
                    for i in range(L):
                        ws[i] = ws0[i] * math.exp(log_scale / L)
                        bs[i] = bs0[i] * math.exp(log_scale * (i + 1) / L)
        lambdas.append(lam)
        secs.append(time.perf_counter() - t0)
    return {
        "batch_losses": batch_losses,
        "lambdas": lambdas,
        "output_scale": math.exp(log_scale),
        "seconds_per_epoch": float(np.mean(secs)),
        "w_scores": [s.detach().numpy().copy() for s in sw],
        "b_scores": None if sb is None else [s.detach().numpy().copy() for s in sb],
    }
