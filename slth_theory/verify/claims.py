"""Claim rows, the registry of checks, and running them.

A *check* is a module in :mod:`slth_theory.verify.checks` that defines ``CHECKS``, a
list of :class:`Check`. ``Check.run(level, seed)`` returns a :class:`CheckOutput`: the
claim rows plus any data its optional ``plot(data, outdir)`` needs to draw figures.
Checks are discovered automatically; adding a claim needs no edit here.

Each row states what the paper says, what was measured (estimate +/- standard error
where statistical) and a verdict from :data:`VERDICTS`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

VERDICTS = ("holds", "holds approximately", "typo in text", "fails")
LEVELS = ("quick", "full")


@dataclass
class ClaimRow:
    """One claim of the paper, side by side with the measurement.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``'lemma3.formula'``.
    paper : str
        What the paper states.
    measured : str
        What was measured, with ``+/- standard error`` where statistical.
    verdict : str
        One of :data:`VERDICTS`.
    detail : str
        The corrected form (``typo in text``), the size of the approximation
        (``holds approximately``) or the counterexample (``fails``).
    estimate, stderr, z : float, optional
        Numbers behind ``measured`` for statistical rows.
    """

    id: str
    paper: str
    measured: str
    verdict: str
    detail: str = ""
    estimate: float | None = None
    stderr: float | None = None
    z: float | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckOutput:
    """Rows of one check and the data its figures are drawn from."""

    rows: list[ClaimRow]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Check:
    """A named group of claims: ``run(level, seed) -> CheckOutput`` and an optional
    ``plot(data, outdir) -> list[Path]``."""

    name: str
    run: Callable[[str, int], CheckOutput]
    plot: Callable[[dict[str, Any], Path], list[Path]] | None = None
    order: int = 100
    cost: float = 1.0  # relative share of a run's time, for the progress bar


_PROGRESS: Callable[[float], None] | None = None


def report_progress(done: float, total: float) -> None:
    """Called by a running check to report progress within itself (``done`` of
    ``total``, any units); moves the ``slth verify`` progress bar. A no-op outside
    :func:`run_checks`."""
    if _PROGRESS is not None and total > 0:
        _PROGRESS(min(1.0, max(0.0, done / total)))


def _discover() -> dict[str, Check]:
    from . import checks as pkg

    found: dict[str, Check] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for c in getattr(mod, "CHECKS", []):
            if c.name in found:
                raise ValueError(f"check {c.name!r} registered twice")
            found[c.name] = c
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


def names() -> list[str]:
    """Names of the registered checks, in report order."""
    return list(_discover())


def get_check(name: str) -> Check:
    """Look up a check; the error lists the valid names."""
    found = _discover()
    if name not in found:
        raise ValueError(f"unknown check {name!r}; choose from: {', '.join(found)}")
    return found[name]


def run_checks(level: str = "quick", seed: int = 0, only: list[str] | None = None,
               figures: Path | None = None, on_done: Callable[[str], None] | None = None,
               on_progress: Callable[[float], None] | None = None,
               errors: list[tuple[str, BaseException]] | None = None,
               on_start: Callable[[str], None] | None = None) -> list[ClaimRow]:
    """Run checks and return all rows in report order.

    Parameters
    ----------
    level : {'quick', 'full'}
    seed : int
        Root seed; each check derives its own streams from it.
    only : list of str, optional
        Names of checks to run (default: all).
    figures : Path, optional
        If given, each check's ``plot`` writes its figures there.
    on_done : callable, optional
        Called with each check's name when it finishes.
    on_progress : callable, optional
        Called with the finished fraction (0..1) of the whole run, weighted by
        ``Check.cost``, whenever a check reports progress or finishes.
    on_start : callable, optional
        Called with each check's name before it runs.
    errors : list, optional
        If given, a check that raises is recorded here as ``(name, exception)`` and the
        remaining checks still run; otherwise the exception propagates.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    selected = [get_check(n) for n in only] if only else list(_discover().values())
    global _PROGRESS
    rows: list[ClaimRow] = []
    total = sum(c.cost for c in selected) or 1.0
    base = 0.0
    for check in selected:
        if on_start is not None:
            on_start(check.name)
        if on_progress is not None:
            def _hook(frac: float, base: float = base, cost: float = check.cost) -> None:
                on_progress((base + cost * frac) / total)
            _PROGRESS = _hook
        try:
            out = check.run(level, seed)
            if figures is not None and check.plot is not None:
                check.plot(out.data, Path(figures))
        except Exception as exc:
            if errors is None:
                raise
            errors.append((check.name, exc))
            out = CheckOutput([])
        finally:
            _PROGRESS = None
        rows.extend(out.rows)
        base += check.cost
        if on_progress is not None:
            on_progress(base / total)
        if on_done:
            on_done(check.name)
    return rows
