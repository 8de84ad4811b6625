"""Figures drawn from sweep results: a registry used by ``slth figures``.

A figure is registered with the sweep that feeds it, a function building its grid, and a
plotting function taking the sweep's records (in grid order)::

    from slth_theory.engine.figures import register_figure
    register_figure("fig1", sweep="fig1", grid=fig1_grid, plot=plot_fig1, root_seed=0)

``grid()`` returns a list of configs (seeded by position, ``derive_seed(root_seed, i)``)
or a list of ``(config, seed)`` pairs (explicit seeds, see ``run_sweep(seeds=...)``);
``plot(records, ax=None) -> matplotlib.figure.Figure``. ``slth figures --store STORE
--out DIR`` imports every module of :data:`FIGURE_MODULES` (missing ones are skipped),
then for each registered figure runs :func:`slth_theory.engine.sweep.run_sweep` on its grid
against the store -- which computes only the runs the store does not hold yet -- and
saves ``DIR/<name>.png``. A module registering figures is listed once in
:data:`FIGURE_MODULES` (or via :func:`register_figure_module`); registration must be
cheap (no computation at import).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slth_theory.engine.files import refuse_same_file, save_figure

#: Modules imported by ``slth figures`` to collect registrations (missing ones skipped);
#: filled by :func:`register_figure_module` (the paper's modules: :mod:`slth_theory.registry`).
FIGURE_MODULES: list[str] = []

_FIGURES: dict[str, FigureSpec] = {}


@dataclass(frozen=True)
class FigureSpec:
    """A figure: sweep name, grid builder, plot function, root seed, drawn by default?"""

    name: str
    sweep: str
    grid: Callable[[], list[dict]]
    plot: Callable[..., Any]
    root_seed: int = 0
    description: str = ""
    default: bool = True
    write: Callable[..., list[str]] | None = None


def register_figure(name: str, sweep: str, grid: Callable[[], list[dict]],
                    plot: Callable[..., Any] | None = None, root_seed: int = 0,
                    description: str = "", default: bool = True,
                    write: Callable[..., list[str]] | None = None) -> FigureSpec:
    """Register a figure (``default=False``: drawn only when named with ``--only``).

    Give either ``plot(records, ax=None) -> Figure`` (saved as ``OUT/<name>.<format>``) or
    ``write(records, outdir, formats) -> [paths]`` for a group of figures that names its
    own files (the claims report's figures, for example).
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"figure name must be a non-empty string without '/'; got {name!r}")
    if not callable(grid) or (plot is None) == (write is None) \
            or not callable(plot if write is None else write):
        raise ValueError(f"figure {name!r}: grid and exactly one of plot/write must be callable")
    spec = FigureSpec(name, sweep, grid, plot, int(root_seed), description, default, write)
    _FIGURES[name] = spec
    return spec


def register_figure_module(module: str) -> None:
    """Add a module to :data:`FIGURE_MODULES` (imported by ``slth figures``)."""
    if module not in FIGURE_MODULES:
        FIGURE_MODULES.append(module)


def load_figure_modules() -> None:
    """Import :data:`FIGURE_MODULES`; a module that does not exist is skipped."""
    for mod in FIGURE_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if not (exc.name and (mod == exc.name or mod.startswith(exc.name + "."))):
                raise


def figures() -> dict[str, FigureSpec]:
    """Every registered figure (after loading :data:`FIGURE_MODULES`)."""
    load_figure_modules()
    return dict(_FIGURES)


def get_figure(name: str) -> FigureSpec:
    """The figure ``name``; the error lists the valid choices."""
    figs = figures()
    if name not in figs:
        choices = ", ".join(sorted(figs)) or "(none registered)"
        raise ValueError(f"unknown figure {name!r}; choose from {choices}")
    return figs[name]


def make_figures(store: str | Path, out: str | Path, names: Sequence[str] | None = None,
                 formats: Sequence[str] = ("png",), run_missing: bool = True,
                 **run_options: Any) -> list[dict]:
    """Draw figures from the store, running only what it is missing.

    Parameters
    ----------
    store, out : path
        Results store; output folder (created).
    names : sequence of str, optional
        Figures to draw (default: every figure registered with ``default=True``).
    formats : sequence of str
        File formats (matplotlib extensions).
    run_missing : bool
        If False, a figure whose runs are not all stored raises ``ValueError``.
    **run_options
        Passed to :func:`slth_theory.engine.sweep.run_sweep` (``workers``, ``scheduler``,
        ``dask_local``, ``quiet``, ``connect_timeout``, ``recompute``).

    Returns
    -------
    list of dict
        Per figure: ``name``, ``files``, ``runs``, ``computed``.
    """
    import matplotlib.pyplot as plt  # the caller's backend is left alone

    from slth_theory.engine.store import ResultsStore, check_store_file
    from slth_theory.engine.sweep import plan, run_sweep
    figs = figures()
    todo = [get_figure(n) for n in names] if names else [f for f in figs.values() if f.default]
    out = Path(out)
    done = []
    for spec in todo:
        grid = list(spec.grid())
        seeds = None
        if grid and all(isinstance(g, tuple) and len(g) == 2 for g in grid):
            grid, seeds = [g[0] for g in grid], [g[1] for g in grid]
        if not run_missing:
            keys = {r["key"] for r in plan(spec.sweep, grid, spec.root_seed, seeds)}
            have: set[str] = set()
            if check_store_file(store):
                with ResultsStore(store, readonly=True) as db:
                    have = db.keys(spec.sweep)
            if keys - have:
                raise ValueError(f"figure {spec.name!r}: {len(keys - have)} of {len(keys)} runs "
                                 f"are not in {store} (drop --no-run to compute them)")
        info: dict = {}
        records = run_sweep(spec.sweep, grid, root_seed=spec.root_seed, store=store,
                            info=info, seeds=seeds, **run_options)
        out.mkdir(parents=True, exist_ok=True)
        if spec.write is not None:
            files = [str(p) for p in spec.write(records, out, formats)]
            plt.close("all")
        else:
            fig = spec.plot(records)
            files = []
            for fmt in formats:
                path = out / f"{spec.name}.{fmt}"
                refuse_same_file([store], path, "figure")
                save_figure(fig, path, dpi=150, bbox_inches="tight")
                files.append(str(path))
            plt.close(fig)
        done.append({"name": spec.name, "files": files, "runs": info["runs"],
                     "computed": info["computed"]})
    return done
