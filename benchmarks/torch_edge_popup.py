"""PyTorch CPU reference of edge-popup (bias scores, annealing, rescaling).

Written the way edge-popup's authors write it (Ramanujan et al. 2020, their
``GetSubnet`` autograd function and ``SubnetConv``/``SubnetLinear`` layers): the
frozen weight is multiplied by a top-``|score|`` mask whose backward pass is the
identity (straight-through), and ``torch.optim.SGD`` (momentum, weight decay) updates
the scores with a per-epoch cosine learning rate. The rescaling step (Section 5)
is the same closed form / 1-D minimisation as the NumPy version, applied in place
with Lemma 2's transform.

Optional: needs ``pip install torch`` (the ``torch`` extra). Used by
``tests/unit/test_edge_popup_torch.py`` (skipped without torch) and by
``benchmarks/cases/edge_popup.py``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from slth_theory.edge_popup import Plan, Settings, cosine_lr, fit_output_scale, n_keep


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
            wm.append(GetSubnet.apply(s.abs(), n_keep(s.numel(), rho)))
            bm.append(None)
        elif not joint:
            wm.append(GetSubnet.apply(s.abs(), n_keep(s.numel(), rho)))
            bm.append(GetSubnet.apply(sb[i].abs(), n_keep(sb[i].numel(), rho)))
        else:
            both = torch.cat([s.abs().flatten(), sb[i].abs()])
            m = GetSubnet.apply(both, n_keep(both.numel(), rho))
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
    densities = settings.epoch_densities()
    log_scale = 0.0
    batch_losses, lambdas, secs = [], [], []
    for e in range(total):
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = cosine_lr(settings.lr, e, total)
        rho = densities[e]
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
                out = _forward(xt, ws, bs, wm, bm, relu_out).numpy()
            fitted = fit_output_scale(out, y, loss)
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
