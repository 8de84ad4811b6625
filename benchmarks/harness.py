"""Benchmark harness: named cases, medians of repeated runs, ratios against a baseline
measured in the same run.

A :class:`Case` has a ``setup()`` returning a context object, and a dict of named
callables ``f(ctx)``; one of them is the baseline. Every callable is timed
``repeat`` times (interleaved, so machine noise hits all alike) after ``warmup`` calls
(which also trigger Numba compilation); the table reports the median seconds per call,
the units per second if ``units`` is set, and each median's ratio to the baseline's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """A named benchmark: ``setup() -> ctx`` and implementations ``name -> f(ctx)``."""

    name: str
    setup: Callable[[], Any]
    impls: dict[str, Callable[[Any], Any]]
    baseline: str
    units: float | None = None  # work units per call (e.g. networks), for a rate column
    unit_name: str = ""
    repeat: int = 7
    warmup: int = 1
    notes: str = ""
    targets: dict[str, str] = field(default_factory=dict)  # impl -> target text


@dataclass
class Row:
    case: str
    impl: str
    median_s: float
    ratio: float  # median / baseline median (lower is faster)
    rate: float | None
    unit_name: str
    target: str


def run_case(case: Case, repeat: int | None = None) -> list[Row]:
    """Time every implementation of ``case``; return one row per implementation."""
    ctx = case.setup()
    for f in case.impls.values():
        for _ in range(case.warmup):
            f(ctx)
    times: dict[str, list[float]] = {k: [] for k in case.impls}
    for _ in range(repeat or case.repeat):
        for k, f in case.impls.items():
            t0 = time.perf_counter()
            f(ctx)
            times[k].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med[case.baseline]
    rows = []
    for k in case.impls:
        rate = case.units / med[k] if case.units else None
        rows.append(Row(case.name, k, med[k], med[k] / base, rate, case.unit_name,
                        case.targets.get(k, "")))
    return rows


def markdown(rows: list[Row]) -> str:
    """A markdown table of rows."""
    out = ["| case | implementation | median s/call | ratio to baseline | rate | target |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        rate = f"{r.rate:,.1f} {r.unit_name}/s" if r.rate is not None else ""
        out.append(f"| {r.case} | {r.impl} | {r.median_s:.4g} | {r.ratio:.3g}x | {rate} | "
                   f"{r.target} |")
    return "\n".join(out)
