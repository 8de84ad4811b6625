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
trial). Success is decided exactly by :func:`slth_theory.construction.subset_sum.solve_batch`.

Fit: for each ``(eps, delta)`` on a grid, ``n_min`` is the smallest ``n`` whose success
estimate *minus two standard errors* is at least ``1 - delta`` (conservative); then
``C(eps, delta) = n_min / log(1/min(eps, delta))`` and the calibrated ``C`` is the largest
over the grid -- the smallest single constant for which ``n = ceil(C log(1/min(eps,
delta)))`` reaches ``1 - delta`` on every grid cell. Cells with large ``eps`` and
``delta`` (small logarithm, coarse ``n`` grid) dominate that maximum, so ``C_small``, the
same maximum over cells with ``min(eps, delta) <= 0.01`` (the regime of real tolerances),
is stored too.

The grid is a list of per-run configurations; :func:`run_one` is a pure function of
``(config, seed)`` -- the sweep ``calibrate`` of :mod:`slth_theory.engine.sweep` -- and
:func:`run_grid` runs the grid through the sweep engine (results store, local processes or
Dask) with the seeds of :func:`grid_seeds`, ``np.random.SeedSequence(root_seed).spawn(...)``.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.construction.subset_sum import solve_batch
from slth_theory.data import read_json, write_user_json
from slth_theory.engine.figures import register_figure
from slth_theory.engine.files import write_text
from slth_theory.engine.sweep import register_sweep as _register_sweep

DISTRIBUTIONS = ("uniform", "product")
DATA_NAME = "calibrated_C.json"


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


def grid_seeds(n: int, root_seed: int = 0) -> list[int]:
    """The seeds of the ``n`` runs of a calibration grid under ``root_seed``.

    Run ``i`` gets ``SeedSequence(root_seed).spawn(n)[i].generate_state(1)[0]`` (a 32-bit
    integer). This is the seeding the shipped constants were computed with; it differs
    from the sweep engine's position-keyed :func:`slth_theory.engine.sweep.derive_seed` (63
    bits), so :func:`run_grid` passes these seeds to the engine explicitly.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be an integer >= 0; got {n!r}")
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(root_seed).spawn(n)]


def run_grid(configs: list[dict[str, Any]], root_seed: int = 0, quiet: bool = True, *,
             store=None, workers: int | None = 1, scheduler: str | None = None,
             dask_local: int | None = None, recompute: bool = False,
             connect_timeout: float = 10.0, synchronous: str = "FULL",
             info: dict | None = None) -> list[dict[str, Any]]:
    """Run every configuration through the sweep engine (sweep ``calibrate``).

    Parameters
    ----------
    configs : list of dict
        Cells for :func:`run_one` (e.g. :func:`grid`).
    root_seed : int
        Run ``i`` is seeded with :func:`grid_seeds` ``(len(configs), root_seed)[i]``.
    quiet : bool
        No progress bar.
    store, workers, scheduler, dask_local, recompute, connect_timeout, synchronous, info
        Passed to :func:`slth_theory.engine.sweep.run_sweep`: a results store (path; None keeps
        nothing, the default) whose finished cells are not run again, local processes
        (1 = this process, None = all cores), a Dask scheduler or local Dask cluster.

    Returns
    -------
    list of dict
        :func:`run_one`'s results, in grid order. They do not depend on the backend, the
        number of workers or Numba threads (the kernel's ``prange`` runs independent
        instances, each writing its own slot), nor on whether they were read back from the
        store (same canonical JSON either way).
    """
    from slth_theory.engine.sweep import run_sweep
    configs = list(configs)
    records = run_sweep("calibrate", configs, root_seed=root_seed,
                        seeds=grid_seeds(len(configs), root_seed), store=store,
                        workers=workers, scheduler=scheduler, dask_local=dask_local,
                        recompute=recompute, quiet=quiet, connect_timeout=connect_timeout,
                        synchronous=synchronous, info=info)
    return [r["results"] for r in records]


def fit_C(results: list[dict[str, Any]], deltas=(0.1, 0.05, 0.01), z: float = 2.0
          ) -> dict[str, Any]:
    """Smallest ``C`` per distribution with ``n = C log(1/min(eps, delta))`` reaching
    success ``1 - delta`` (estimate minus ``z`` standard errors) on every grid cell.

    Raises
    ------
    ValueError
        If a delta is not in the open interval ``(0, 1)``.
    """
    deltas = tuple(deltas)
    for d in deltas:
        if not (isinstance(d, (int, float, np.integer, np.floating)) and 0 < d < 1):
            raise ValueError(f"deltas must each be in (0, 1); got {d!r}")
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


def save(results: list[dict[str, Any]], fits: dict[str, Any], path: str | Path | None = None,
         root_seed: int = 0) -> Path:
    """Write the fitted constants (and the raw grid) to ``path``.

    Without ``path`` they become the user's calibration (``slth_theory.data.user_data_dir()``),
    which :func:`slth_theory.theory.theorem5.calibrated_C` then prefers over the shipped one;
    nothing is written into the installed package.
    """
    data = {
        "C": {d: f["C"] for d, f in fits.items()},
        "C_small": {d: f["C_small"] for d, f in fits.items()},
        "method": "smallest C with p_hat - 2 SE >= 1 - delta at n = C log(1/min(eps,delta)) "
                  "on every (eps, delta) cell; targets t ~ U[-1,1]",
        "root_seed": root_seed,
        "fits": fits,
        "results": results,
    }
    if path is None:
        return write_user_json(DATA_NAME, data)
    path = Path(path)
    write_text(path, json.dumps(data, indent=1) + "\n")
    return path


def load(shipped: bool = True) -> dict[str, Any]:
    """The calibration data: the shipped file, or (``shipped=False``) the one in use."""
    return read_json(DATA_NAME, shipped=shipped)


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


# ------------------------------------------------------------------ bound vs reality
REALITY_TARGETS = ([1, 10, 1], [2, 10, 1], [2, 10, 10, 1], [3, 16, 16, 1])


def reality_grid(quick: bool = False) -> list[dict[str, Any]]:
    """Targets x mother seeds for :func:`reality_one`."""
    targets = REALITY_TARGETS[:2] if quick else REALITY_TARGETS
    seeds = 1 if quick else 3
    return [{"arch": list(a), "target_seed": k, "eps": 0.01, "delta": 0.05,
             "q_list": list(range(4, 45, 2)), "mother_index": m}
            for k, a in enumerate(targets) for m in range(seeds)]


def reality_one(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Smallest pool at which the construction succeeds for one target and mother seed.

    Pools are ``p = [2q, q, ..., q]`` (``q`` values per subset-sum instance, see
    :func:`slth_theory.theory.theorem5.construction_plan`); ``q`` runs over ``q_list`` and
    the first ``q`` whose construction meets every tolerance (hence is certified by the
    corrected Lemma 4) is reported with the mother's parameter count, beside the width
    calculator's ``n_s`` (calibrated ``C``) and the paper's mother sizes.
    """
    from slth_theory.construction.build import construct, random_target
    from slth_theory.theory.theorem5 import width_bound
    target = random_target(config["arch"], int(config["target_seed"]))
    eps, delta = float(config["eps"]), float(config["delta"])
    L = target.depth
    found = None
    for q in config["q_list"]:
        with warnings.catch_warnings():
            # pools below Theorem 5's are the point of this search
            warnings.simplefilter("ignore", UserWarning)
            con = construct(target, eps=eps, pool=[2 * q] + [q] * (L - 1), rng=seed)
        if not con.failures:
            w = con.mother_widths
            params = sum(w[i] * w[i + 1] + w[i + 1] for i in range(len(w) - 1))
            found = {"q": q, "mother_params": params, "kept": con.ticket.n_kept_weights
                     + con.ticket.n_kept_biases}
            break
    C = calibrated_constant()
    pred = width_bound(None, eps, delta, C, target=target, formula="construction")
    q_pred = max(math.ceil(C * ly.log_term) for ly in pred.layers)
    return {
        "arch": config["arch"], "eps": eps, "delta": delta, "found": found,
        "q_pred": q_pred, "construction_params": pred.mother_params,
        "main_params": width_bound(None, eps, delta, C, target=target,
                                   formula="main").mother_params,
        "appendix_params": width_bound(None, eps, delta, C, target=target,
                                       formula="appendix").mother_params,
        "tolerances": [ly.eps_l for ly in pred.layers],
    }


#: Sweep name of :func:`reality_one` (registered when this module is imported).
REALITY_SWEEP = "calibrate-reality"
_register_sweep(REALITY_SWEEP, reality_one,
                description="bound vs reality: smallest pool at which construct succeeds")


def calibrated_constant() -> float:
    """The shipped ``C`` for the construction's (product) distribution."""
    return float(load()["C"]["product"])


def reality_seeds(n: int, root_seed: int = 0) -> list[int]:
    """The mother seeds of the ``n`` runs of :func:`reality_grid` under ``root_seed``:
    ``SeedSequence([root_seed, 7]).spawn(n)[i].generate_state(1)[0] % 2**31``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be an integer >= 0; got {n!r}")
    return [int(s.generate_state(1)[0] % (2**31))
            for s in np.random.SeedSequence([root_seed, 7]).spawn(n)]


def run_reality(configs: list[dict[str, Any]], root_seed: int = 0, quiet: bool = True, *,
                store=None, workers: int | None = 1, scheduler: str | None = None,
                dask_local: int | None = None, recompute: bool = False,
                connect_timeout: float = 10.0, synchronous: str = "FULL",
                info: dict | None = None) -> list[dict[str, Any]]:
    """:func:`reality_one` over ``configs`` through the sweep engine (sweep
    ``calibrate-reality``, seeds :func:`reality_seeds`); options as :func:`run_grid`."""
    from slth_theory.engine.sweep import run_sweep
    configs = list(configs)
    records = run_sweep(REALITY_SWEEP, configs, root_seed=root_seed,
                        seeds=reality_seeds(len(configs), root_seed), store=store,
                        workers=workers, scheduler=scheduler, dask_local=dask_local,
                        recompute=recompute, quiet=quiet, connect_timeout=connect_timeout,
                        synchronous=synchronous, info=info)
    return [r["results"] for r in records]


def reality_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per target: smallest successful ``q`` (median, range over mothers) etc."""
    out = []
    for arch in sorted({tuple(r["arch"]) for r in rows}, key=lambda a: (len(a), a)):
        rs = [r for r in rows if tuple(r["arch"]) == arch]
        qs = [r["found"]["q"] for r in rs if r["found"]]
        ps = [r["found"]["mother_params"] for r in rs if r["found"]]
        out.append({
            "arch": list(arch), "n_mothers": len(rs), "n_success": len(qs),
            "q_found_median": float(np.median(qs)) if qs else None,
            "q_found_range": [min(qs), max(qs)] if qs else None,
            "q_predicted": rs[0]["q_pred"],
            "params_found_median": float(np.median(ps)) if ps else None,
            "params_construction_formula": rs[0]["construction_params"],
            "params_main": rs[0]["main_params"],
            "params_appendix": rs[0]["appendix_params"],
            "min_tolerance": min(rs[0]["tolerances"]),
        })
    return out


def plot_reality(table: list[dict[str, Any]], ax=None):
    """Smallest successful pool vs the width calculator's prediction; returns the figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    else:
        axes = np.atleast_1d(ax)
        fig = axes[0].figure
    names = [",".join(map(str, r["arch"])) for r in table]
    x = np.arange(len(table))
    qf = [r["q_found_median"] or np.nan for r in table]
    lo = [qf[i] - (r["q_found_range"] or [np.nan, np.nan])[0] for i, r in enumerate(table)]
    hi = [(r["q_found_range"] or [np.nan, np.nan])[1] - qf[i] for i, r in enumerate(table)]
    axes[0].bar(x - 0.2, qf, 0.4, yerr=[lo, hi], capsize=3, label="smallest q that succeeded")
    axes[0].bar(x + 0.2, [r["q_predicted"] for r in table], 0.4,
                label="width calculator (calibrated C)")
    axes[0].set_xticks(x, names, rotation=20, fontsize=8)
    axes[0].set_ylabel("values per subset-sum instance q")
    axes[0].legend(fontsize=7)
    for k, (key, lab) in enumerate((("params_found_median", "found"),
                                    ("params_construction_formula", "construction formula"),
                                    ("params_appendix", "Thm 5 appendix"),
                                    ("params_main", "Thm 5 main text"))):
        axes[1].bar(x + (k - 1.5) * 0.2, [r[key] or np.nan for r in table], 0.2, label=lab)
    axes[1].set_yscale("log")
    axes[1].set_xticks(x, names, rotation=20, fontsize=8)
    axes[1].set_ylabel("mother parameters")
    axes[1].legend(fontsize=7)
    fig.suptitle("Bound vs reality (eps = 0.01, delta = 0.05)")
    fig.tight_layout()
    return fig


CALIBRATION_ROOT_SEED = 0


def calibration_seeds(n: int, root_seed: int = CALIBRATION_ROOT_SEED) -> list[int]:
    """The seeds :func:`run_grid` gives its ``n`` runs (32-bit, from spawn)."""
    return grid_seeds(n, root_seed)


def calibration_sweep_grid(quick: bool = False) -> list[tuple[dict[str, Any], int]]:
    """The calibration grid as ``(config, seed)`` pairs, seeded as :func:`run_grid` does."""
    configs = grid(quick)
    return list(zip(configs, calibration_seeds(len(configs)), strict=True))


def plot_calibration_records(records: list[dict], ax=None):
    """Success probability against n per distribution, with the fitted constant C."""
    results = [r["results"] for r in records]
    return plot(results, fit_C(results), ax)


def reality_sweep_grid() -> list[tuple[dict[str, Any], int]]:
    """Bound vs reality: targets x mothers, seeded as ``slth calibrate --bound-vs-reality``."""
    configs = reality_grid()
    return list(zip(configs, reality_seeds(len(configs)), strict=True))


def plot_reality_records(records: list[dict], ax=None):
    """Smallest successful pool against the width calculator (Theorem 5)."""
    return plot_reality(reality_table([r["results"] for r in records]), ax)


register_figure("bound_vs_reality", sweep="calibrate-reality", grid=reality_sweep_grid,
                plot=plot_reality_records,
                description="Theorem 5: smallest successful pool vs the width calculator")
register_figure("calibration", sweep="calibrate", grid=calibration_sweep_grid,
                plot=plot_calibration_records,
                description="Theorem 5: subset-sum success probability and calibrated C")
