"""Calibrating Theorem 5's constant ``C`` by Monte Carlo.

Question: with ``n`` random samples ``X_1..X_n``, how likely is it that some subset sums to
within ``eps`` of a target ``t``? Theorem 5 (via Lueker 1998 and Pensia et al. 2020, Cor. 2)
asserts success with probability ``>= 1 - delta`` once ``n >= C log(1/min(eps, delta))``.
We estimate the success probability ``P(n, eps)`` for

* ``uniform``: ``X_i ~ U[-1, 1]``;
* ``product``: ``X_i = w2 * w1`` with ``w1, w2 ~ U[-1, 1]`` independent -- the values of a
  construction's subset-sum instance (its sign-conditioned ``|w1|`` times a symmetric
  ``w2`` has the same law);

with a fresh target ``t ~ U[-1, 1]`` per trial (probability averaged over targets).
Each trial draws ``n_max`` samples and checks every prefix length ``n`` in ``n_list``
(nested designs: more samples can only help, so the estimates are monotone in ``n`` within a
trial). Success is decided exactly by :func:`slth_theory.subset_sum.solve_batch`.

Fit: for each ``(eps, delta)`` on a grid, ``n_min`` is the smallest ``n`` whose success
estimate *minus two standard errors* is at least ``1 - delta`` (conservative); then
``C(eps, delta) = n_min / log(1/min(eps, delta))`` and the calibrated ``C`` is the largest
over the grid -- the smallest single constant for which ``n = ceil(C log(1/min(eps,
delta)))`` reaches ``1 - delta`` on every grid cell. Cells with large ``eps`` and
``delta`` (small logarithm, coarse ``n`` grid) dominate that maximum, so ``C_small``, the
same maximum over cells with ``min(eps, delta) <= 0.01`` (the regime of real tolerances),
is stored too.

The grid is a list of per-run configurations; :func:`run_one` is a pure function of
``(config, seed)`` with seeds from ``np.random.SeedSequence(root_seed).spawn(...)``.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .subset_sum import solve_batch

DISTRIBUTIONS = ("uniform", "product")
DATA_PATH = Path(__file__).resolve().parent / "data" / "calibrated_C.json"


def draw(distribution: str, size, rng: np.random.Generator) -> np.ndarray:
    """Samples of ``distribution`` (see module docstring)."""
    if distribution == "uniform":
        return rng.uniform(-1, 1, size)
    if distribution == "product":
        return rng.uniform(-1, 1, size) * rng.uniform(-1, 1, size)
    raise ValueError(f"distribution must be one of {DISTRIBUTIONS}; got {distribution!r}")


def run_one(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Success counts for one ``(distribution, eps)`` cell.

    Parameters
    ----------
    config : dict
        ``distribution``, ``eps``, ``n_list`` (increasing ints, at most 40), ``trials``.
    seed : int

    Returns
    -------
    dict
        ``n_list``, ``successes`` (per n), ``trials``, ``p`` and ``se`` per n.
    """
    rng = np.random.default_rng(seed)
    n_list = [int(v) for v in config["n_list"]]
    trials = int(config["trials"])
    eps = float(config["eps"])
    if trials < 1 or not n_list or max(n_list) > 40 or min(n_list) < 0:
        raise ValueError("need trials >= 1 and 0 <= n <= 40")
    nmax = max(n_list)
    x = draw(config["distribution"], (trials, nmax), rng)
    t = rng.uniform(-1, 1, trials)
    succ = []
    for n in n_list:
        res = solve_batch(x[:, :n] if n else np.zeros((trials, 0)), t, eps)
        succ.append(int(np.sum(res.status > 0)))
    p = np.array(succ) / trials
    se = np.sqrt(np.maximum(p * (1 - p), 0.25 / trials) / trials)
    return {"n_list": n_list, "successes": succ, "trials": trials, "p": p.tolist(),
            "se": se.tolist(), "distribution": config["distribution"], "eps": eps}


def grid(quick: bool = False) -> list[dict[str, Any]]:
    """The calibration grid (``quick``: a small one for tests)."""
    if quick:
        return [{"distribution": d, "eps": e, "n_list": list(range(0, 21, 2)), "trials": 200}
                for d in DISTRIBUTIONS for e in (0.1, 0.01)]
    return [{"distribution": d, "eps": e, "n_list": list(range(0, 39, 2)), "trials": 2000}
            for d in DISTRIBUTIONS for e in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)]


def run_grid(configs: list[dict[str, Any]], root_seed: int = 0, quiet: bool = True
             ) -> list[dict[str, Any]]:
    """Run every configuration (plain loop; seeds spawned from ``root_seed``)."""
    from .progress import progress

    seeds = np.random.SeedSequence(root_seed).spawn(len(configs))
    out = []
    for cfg, ss in progress(list(zip(configs, seeds, strict=True)), total=len(configs),
                            desc="calibrate", quiet=quiet):
        out.append(run_one(cfg, int(ss.generate_state(1)[0])))
    return out


def fit_C(results: list[dict[str, Any]], deltas=(0.1, 0.05, 0.01), z: float = 2.0
          ) -> dict[str, Any]:
    """Smallest ``C`` per distribution with ``n = C log(1/min(eps, delta))`` reaching
    success ``1 - delta`` (estimate minus ``z`` standard errors) on every grid cell."""
    fits: dict[str, Any] = {}
    for dist in sorted({r["distribution"] for r in results}):
        cells = []
        for r in (r for r in results if r["distribution"] == dist):
            p = np.array(r["p"])
            se = np.array(r["se"])
            for d in deltas:
                ok = np.nonzero(p - z * se >= 1 - d)[0]
                n_min = r["n_list"][int(ok[0])] if ok.size else None
                log_term = math.log(1 / min(r["eps"], d))
                cells.append({"eps": r["eps"], "delta": d, "n_min": n_min,
                              "C_cell": None if n_min is None else n_min / log_term})
        vals = [c["C_cell"] for c in cells if c["C_cell"] is not None]
        small = [c["C_cell"] for c in cells
                 if c["C_cell"] is not None and min(c["eps"], c["delta"]) <= 0.01]
        missing = [c for c in cells if c["n_min"] is None]
        fits[dist] = {"C": max(vals) if vals else None,
                      "C_small": max(small) if small else None, "cells": cells,
                      "unreached": [(c["eps"], c["delta"]) for c in missing]}
    return fits


def save(results: list[dict[str, Any]], fits: dict[str, Any], path: Path = DATA_PATH,
         root_seed: int = 0) -> Path:
    """Write the fitted constants (and the raw grid) as package data."""
    data = {
        "C": {d: f["C"] for d, f in fits.items()},
        "C_small": {d: f["C_small"] for d, f in fits.items()},
        "method": "smallest C with p_hat - 2 SE >= 1 - delta at n = C log(1/min(eps,delta)) "
                  "on every (eps, delta) cell; targets t ~ U[-1,1]",
        "root_seed": root_seed,
        "fits": fits,
        "results": results,
    }
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def load() -> dict[str, Any]:
    """The shipped calibration data."""
    text = resources.files("slth_theory").joinpath("data/calibrated_C.json").read_text()
    return json.loads(text)


def plot(results: list[dict[str, Any]], fits: dict[str, Any], ax=None):
    """Success probability against ``n`` per distribution and eps; returns the figure."""
    import matplotlib.pyplot as plt

    dists = sorted({r["distribution"] for r in results})
    if ax is None:
        fig, axes = plt.subplots(1, len(dists), figsize=(5 * len(dists), 3.8), squeeze=False)
        axes = axes[0]
    else:
        axes = np.atleast_1d(ax)
        fig = axes[0].figure
    for a, dist in zip(axes, dists, strict=False):
        for r in (r for r in results if r["distribution"] == dist):
            a.errorbar(r["n_list"], r["p"], yerr=2 * np.array(r["se"]), marker="o", ms=3,
                       capsize=2, label=f"eps={r['eps']:g}")
        C = fits.get(dist, {}).get("C")
        a.set_title(f"{dist}: calibrated C = {C:.3g}" if C else dist)
        a.set_xlabel("n samples")
        a.set_ylabel("P(some subset within eps)")
        a.axhline(0.95, color="k", lw=0.8, ls=":")
        a.legend(fontsize=7)
    fig.tight_layout()
    return fig
