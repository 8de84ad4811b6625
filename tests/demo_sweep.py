"""The ``demo`` sweep: a cheap Monte Carlo of Lemma 3's output second moment.

Example code, not package API: used by the tests and benchmarks of the sweep engine.
Importing it registers the sweep and its figure; the command line sees it when this
module is named in ``SLTH_PLUGINS`` (``tests/conftest.py`` sets it for the test suite).
One run draws ``n_nets`` networks of architecture
``[n0] + [width] * depth + [1]`` from ``scheme`` (zero or non-zero biases), pushes the
fixed input ``x0 = (1, ..., 1) / sqrt(n0)`` through each, and reports the mean and
standard error of ``||f(x0)||^2``.
"""

from __future__ import annotations

import time

import numpy as np

from slth_theory.engine.figures import register_figure
from slth_theory.engine.limits import network_bytes
from slth_theory.engine.sweep import register_sweep
from slth_theory.model.schemes import get as get_scheme
from slth_theory.model.schemes import initialize

DEFAULTS = {"n0": 2, "depth": 2, "scheme": "he-normal", "bias": "nonzero", "n_nets": 20,
            "delay": 0.0}


def run_demo(config: dict, seed: int) -> dict:
    """Monte Carlo of E||f(x0)||^2 for random networks (the ``demo`` sweep).

    Parameters
    ----------
    config : dict
        ``width`` (required), and optionally ``bias`` ('zero' or 'nonzero', default
        'nonzero'), ``n0``, ``depth``, ``scheme``, ``n_nets`` and ``delay`` (extra seconds
        of sleep, to emulate a longer run in tests and benchmarks).
    seed : int
        Network ``k`` is drawn from ``SeedSequence(seed).spawn(n_nets)[k]``.

    Returns
    -------
    dict
        ``mean_sq_out`` (estimate of E||f(x0)||^2), ``se`` (its standard error),
        ``n_nets``.

    Notes
    -----
    Lemma 3 of the paper gives E||f(x0)||^2 in closed form; this is only a demonstration
    workload for the sweep engine (issue 3 owns the checked implementation).
    """
    cfg = {**DEFAULTS, **config}
    width, depth, n0, n_nets = (int(cfg["width"]), int(cfg["depth"]), int(cfg["n0"]),
                                int(cfg["n_nets"]))
    if width < 1 or depth < 1 or n0 < 1 or n_nets < 2:
        raise ValueError("demo needs width, depth, n0 >= 1 and n_nets >= 2")
    if cfg["delay"] > 0:
        time.sleep(float(cfg["delay"]))
    widths = [n0] + [width] * depth + [1]
    x0 = np.ones((1, n0)) / np.sqrt(n0)
    vals = np.empty(n_nets)
    for k, ss in enumerate(np.random.SeedSequence(seed).spawn(n_nets)):
        net = initialize(widths, cfg["scheme"], bias=cfg["bias"], rng=np.random.default_rng(ss))
        vals[k] = float(np.sum(net.forward(x0) ** 2))
    return {"mean_sq_out": float(vals.mean()), "se": float(vals.std(ddof=1) / np.sqrt(n_nets)),
            "n_nets": n_nets}


def validate_demo(config: dict) -> None:
    """Reject unknown keys and out-of-range values of a ``demo`` config (``ValueError``).

    Allowed keys: ``width`` (required) and :data:`DEFAULTS`, plus ``rep`` (a replicate
    label that only changes the run's seed key).
    """
    allowed = {"width", "rep", *DEFAULTS}
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise ValueError(f"unknown demo key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    if "width" not in config:
        raise ValueError("demo needs a 'width'")
    cfg = {**DEFAULTS, **config}
    for key in ("width", "depth", "n0", "n_nets"):
        v = cfg[key]
        low = 2 if key == "n_nets" else 1
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"demo {key!r} must be an integer >= {low}; got {v!r}")
    get_scheme(cfg["scheme"])  # the error lists the valid names
    if cfg["bias"] not in ("zero", "nonzero"):
        raise ValueError(f"demo 'bias' must be 'zero' or 'nonzero'; got {cfg['bias']!r}")
    if not isinstance(cfg["delay"], (int, float)) or cfg["delay"] < 0:
        raise ValueError(f"demo 'delay' must be a number >= 0; got {cfg['delay']!r}")


run_demo.validate = validate_demo


def demo_memory(config: dict) -> float:
    """Bytes one ``demo`` run needs at most: its network, twice (drawn + temporaries)."""
    cfg = {**DEFAULTS, **config}
    widths = [int(cfg["n0"])] + [int(cfg["width"])] * int(cfg["depth"]) + [1]
    return float(network_bytes(widths, copies=2))


run_demo.memory = demo_memory


def demo_grid(widths=(5, 10, 20, 50), biases=("zero", "nonzero"), reps: int = 2,
              **extra) -> list[dict]:
    """The default demo grid: widths x bias modes x replicates (``rep`` field)."""
    return [dict({"width": w, "bias": b, "rep": r}, **extra)
            for w in widths for b in biases for r in range(reps)]


run_demo.default_grid = demo_grid


def plot_demo(records: list[dict], ax=None):
    """Demo figure: mean E||f(x0)||^2 (+/- SE, replicates pooled) vs width, per bias mode.

    Parameters
    ----------
    records : list of dict
        Records of the ``demo`` sweep over :func:`demo_grid`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    else:
        fig = ax.figure
    groups: dict[tuple, list] = {}
    for r in records:
        c = r["config"]
        groups.setdefault((c.get("bias", "nonzero"), c["width"]), []).append(r["results"])
    for bias in sorted({b for b, _ in groups}):
        widths = sorted(w for b, w in groups if b == bias)
        means, ses = [], []
        for w in widths:
            rs = groups[(bias, w)]
            means.append(np.mean([x["mean_sq_out"] for x in rs]))
            ses.append(np.sqrt(np.sum([x["se"] ** 2 for x in rs])) / len(rs))
        ax.errorbar(widths, means, yerr=ses, marker="o", capsize=3, label=f"{bias} biases")
    ax.set_xscale("log")
    ticks = sorted({w for _, w in groups})
    ax.set_xticks(ticks, [str(w) for w in ticks])
    ax.minorticks_off()
    ax.set_xlabel("width")
    ax.set_ylabel(r"$E\|f(x_0)\|^2$ (Monte Carlo)")
    ax.set_title("demo sweep: output second moment")
    ax.legend()
    return fig


register_sweep("demo", run_demo, default_grid=demo_grid)
register_figure("demo", sweep="demo", grid=demo_grid, plot=plot_demo, root_seed=0,
                description="demo sweep: output second moment vs width", default=False)
