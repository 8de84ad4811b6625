"""Figures for Lemma 3 and the looks-linear formula (``slth verify --figures DIR``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from slth_theory.engine.files import save_figure


def plot_moments(results: list[dict[str, Any]], ax=None):
    """Measured / predicted ``E||x^(l)||^2`` per layer with 2-SE error bars.

    One panel per architecture (or all on ``ax`` if given); one series per scheme,
    fan mode and bias mode. ``results`` as produced by the ``lemma3`` check.
    """
    import matplotlib.pyplot as plt

    archs = sorted({r["config"].arch for r in results})
    if ax is None:
        ncol = 2
        nrow = -(-len(archs) // ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(11, 3.6 * nrow), squeeze=False)
        axes = {a: axes.flat[i] for i, a in enumerate(archs)}
    else:
        fig = ax.figure
        axes = {a: ax for a in archs}
    for arch in archs:
        sub = [r for r in results if r["config"].arch == arch]
        a = axes[arch]
        k = len(sub)
        for j, r in enumerate(sub):
            est, exact = r["estimate"], r["exact"]
            layers = np.arange(1, len(est.widths))
            off = (j - (k - 1) / 2) * 0.06
            ratio = est.mean[1:] / exact[1:]
            err = 2 * est.stderr[1:] / exact[1:]
            cfg = r["config"]
            marker = "o" if r["family"] == "normal" else "s"
            a.errorbar(layers + off, ratio, yerr=err, fmt=marker, ms=3.5, capsize=2, lw=0.9,
                       label=f"{cfg.scheme}{' ' + cfg.mode if cfg.mode else ''} {cfg.bias}",
                       fillstyle="full" if cfg.bias == "nonzero" else "none")
        a.axhline(1.0, color="k", lw=0.8)
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
        a.set_title(f"{arch}: widths {sub[0]['estimate'].widths}", fontsize=9)
        a.set_xlabel("layer l")
        a.set_ylabel("MC / Lemma 3")
        a.legend(fontsize=6, ncol=2)
    fig.suptitle("Lemma 3: Monte Carlo E||x^(l)||^2 over the exact value (bars: 2 SE)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_looks_linear(data: list[dict[str, Any]], ax=None):
    """Looks-linear: MC ``E||x^(l)||^2`` (2-SE bars), the paper's formula and the exact
    value per layer, one panel per width profile."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, len(data), figsize=(4 * len(data), 3.6), squeeze=False)
        axes = list(axes.flat)
    else:
        fig = ax.figure
        axes = [ax] * len(data)
    for a, d in zip(axes, data, strict=True):
        est = d["estimate"]
        layers = np.arange(len(est.widths))
        a.errorbar(layers, est.mean, yerr=2 * est.stderr, fmt="o", ms=4, capsize=2,
                   label=f"Monte Carlo ({est.n_networks} nets)")
        a.plot(layers, d["paper"], "r--", label="paper: ||x0||^2 + sum s_b^2 n_l/2")
        a.plot(layers, d["exact"], "k:", label="exact (min(1, p/q) factors)")
        a.set_title(f"{d['name']}: {est.widths}", fontsize=9)
        a.set_xlabel("layer l")
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
        a.set_ylabel("E||x^(l)||^2")
        a.legend(fontsize=7)
    fig.suptitle("Looks-linear initialization with non-zero biases (Section 3.2)", fontsize=10)
    fig.tight_layout()
    return fig


def save_figures(data: dict[str, Any], outdir: Path) -> list[Path]:
    """Write ``lemma3_moments.png`` and ``lemma3_looks_linear.png`` into ``outdir``."""
    import matplotlib.pyplot as plt

    outdir = Path(outdir)
    paths = []
    for name, fn, key in (("lemma3_moments.png", plot_moments, "results"),
                          ("lemma3_looks_linear.png", plot_looks_linear, "looks_linear")):
        fig = fn(data[key])
        p = outdir / name
        save_figure(fig, p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths
