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

from pathlib import Path
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


def reality_grid() -> list[tuple[dict[str, Any], int]]:
    """Bound vs reality: targets x mothers, seeded as ``slth calibrate --bound-vs-reality``."""
    from . import calibration
    grid = calibration.reality_grid()
    return list(zip(grid, calibration.reality_seeds(len(grid)), strict=True))


def plot_reality(records: list[dict], ax=None):
    """Smallest successful pool against the width calculator (Theorem 5)."""
    from . import calibration
    return calibration.plot_reality(calibration.reality_table([r["results"] for r in records]),
                                    ax)


def verify_grid() -> list[tuple[dict[str, Any], int]]:
    """Every claims-report check that draws figures, at level ``full``, root seed 0."""
    from .verify.claims import get_check, names
    return [({"check": n, "level": "full"}, 0) for n in names() if get_check(n).plot is not None]


def write_verify_figures(records: list[dict], out: Path, formats=("png",)) -> list[Path]:
    """Each check's own figures (PNG, names chosen by the check) from its stored run."""
    from .verify.claims import decode_data, get_check
    files: list[Path] = []
    for rec in records:
        res, name = rec["results"], rec["config"]["check"]
        if res.get("error") is not None:
            raise ValueError(f"check {name!r} crashed: {res['error']['message']}")
        files += [Path(p) for p in (get_check(name).plot(decode_data(res["data"]), out) or [])]
    return files


register_figure("fig1", sweep="fig1", grid=fig1_grid, plot=plot_fig1,
                description="Figure 1: edge-popup tickets vs target density (Section 6)")
register_figure("bound_vs_reality", sweep="calibrate-reality", grid=reality_grid,
                plot=plot_reality,
                description="Theorem 5: smallest successful pool vs the width calculator")
register_figure("verify", sweep="verify", grid=verify_grid, write=write_verify_figures,
                description="claims report figures (Lemmas 1, 3, 4), slth verify --full")
register_figure("calibration", sweep="calibrate", grid=calibration_grid, plot=plot_calibration,
                description="Theorem 5: subset-sum success probability and calibrated C")
