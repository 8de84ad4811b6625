"""The paper's figures in the figure registry, so that ``slth figures`` redraws them.

Registers, without importing the modules that compute them until a figure is drawn:

* ``fig1`` -- Figure 1 of the paper (Section 6): sweep ``fig1`` over
  ``experiments.grid()`` (400 edge-popup runs; each repetition's seed is shared by all its
  configurations, as ``experiments.grid`` pairs them), drawn by ``experiments.plot_fig1``;
* ``calibration`` -- the Monte Carlo behind the calibrated constant ``C`` of Theorem 5:
  sweep ``calibrate`` over ``calibration.grid()``, seeded exactly as
  ``calibration.run_grid(grid, root_seed=0)`` (``slth calibrate --seed 0``) so the stored
  runs reproduce its numbers, drawn by ``calibration.plot`` with ``calibration.fit_C``.

The owners of those modules may move these registrations next to their code; the
registry keeps the last registration of a name.
"""

from __future__ import annotations

from typing import Any

from .figure_registry import register_figure

CALIBRATION_ROOT_SEED = 0


def fig1_grid() -> list[tuple[dict[str, Any], int]]:
    """The Figure 1 grid as ``(config, seed)`` pairs (``experiments.grid()``)."""
    from . import experiments
    return [(c, int(s)) for c, s in experiments.grid()]


def plot_fig1(records: list[dict], ax=None):
    """Figure 1 from sweep records (config and results merged into one row per run)."""
    from . import experiments
    return experiments.plot_fig1([{**r["config"], **r["results"]} for r in records], ax)


def calibration_seeds(n: int, root_seed: int = CALIBRATION_ROOT_SEED) -> list[int]:
    """The seeds ``calibration.run_grid`` gives its ``n`` runs (32-bit, from spawn)."""
    from . import calibration

    return calibration.grid_seeds(n, root_seed)


def calibration_grid(quick: bool = False) -> list[tuple[dict[str, Any], int]]:
    """The calibration grid as ``(config, seed)`` pairs, seeded as ``run_grid`` does."""
    from . import calibration
    grid = calibration.grid(quick)
    return list(zip(grid, calibration_seeds(len(grid)), strict=True))


def plot_calibration(records: list[dict], ax=None):
    """Success probability against n per distribution, with the fitted constant C."""
    from . import calibration
    results = [r["results"] for r in records]
    return calibration.plot(results, calibration.fit_C(results), ax)


register_figure("fig1", sweep="fig1", grid=fig1_grid, plot=plot_fig1,
                description="Figure 1: edge-popup tickets vs target density (Section 6)")
register_figure("calibration", sweep="calibrate", grid=calibration_grid, plot=plot_calibration,
                description="Theorem 5: subset-sum success probability and calibrated C")
