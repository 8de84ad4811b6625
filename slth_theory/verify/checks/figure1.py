"""Figure 1 (Section 6): the three claims of the experiments, read from the committed
Figure 1 table (never rerun by ``slth verify``; ``slth reproduce fig1`` regenerates it).

The table is found by :func:`figure1_csv`: ``$SLTH_FIGURE1_CSV`` if set, else
``figures/fig1.csv`` of the source checkout. Means over the repetitions are compared;
the standard error of a difference of means (``sqrt(s1^2/n1 + s2^2/n2)``) is reported
beside it. The verdict is ``holds`` or ``not reproduced`` (with the settings where the
claim fails).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from slth_theory.pruning.figure1 import describe_setting, read_csv, summarize
from slth_theory.verify.report import CheckOutput, ClaimInfo, ClaimRow, register_check

#: The committed table relative to the source checkout.
DEFAULT_CSV = Path(__file__).resolve().parents[3] / "figures" / "fig1.csv"

PAPER: dict[str, Any] = {
    # 6.1: non-zero bias tickets have "orders of magnitude smaller errors" (>= 10x)
    "bias_factor": 10.0,
    # 6.1: scaled beats vanilla "for extreme sparsities" (these densities)
    "extreme": (0.002, 0.01),
    # 6.2: scaled He non-zero-bias at density 0.01 has "more than 10 accuracy points margin
    # to all other approaches"
    "onion_margin": 0.10,
    "onion_density": 0.01,
}


def figure1_csv() -> Path:
    """The Figure 1 table the rows are read from (``$SLTH_FIGURE1_CSV`` overrides)."""
    env = os.environ.get("SLTH_FIGURE1_CSV")
    return Path(env) if env else DEFAULT_CSV


def figure1_summary(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Per-configuration mean/std/n of the committed table (:func:`figure1_csv`)."""
    return summarize(read_csv([Path(path) if path else figure1_csv()]))


def _index(summary):
    return {(s["task"], s["method"], s["scheme"], s["bias"], round(s["density"], 6)): s
            for s in summary}


def _se(a, b) -> float:
    return math.sqrt(a["std"] ** 2 / a["n"] + b["std"] ** 2 / b["n"])


def bias_claim(summary, factor: float) -> tuple[str, str, list[str]]:
    """6.1: zero-bias test MSE / non-zero-bias test MSE >= ``factor`` for every method,
    scheme and density."""
    idx = _index(summary)
    fails, ratios = [], []
    for (task, method, scheme, bias, d), s in sorted(idx.items()):
        if task != "shifted-relu" or bias != "nonzero":
            continue
        z = idx[(task, method, scheme, "zero", d)]
        r = z["mean"] / s["mean"]
        ratios.append(r)
        if r < factor:
            fails.append(f"{method}/{scheme} at {d:g}: {r:.2g}x")
    v = "holds" if not fails else "not reproduced"
    return v, f"ratios {min(ratios):.2g}x to {max(ratios):.3g}x", fails


def scaled_claim(summary, extreme) -> tuple[str, str, list[str]]:
    """6.1: edge-popup-scaled has a lower mean test MSE than edge-popup at the extreme
    densities, for every scheme and bias."""
    idx = _index(summary)
    fails, diffs = [], []
    for (task, method, scheme, bias, d), s in sorted(idx.items()):
        if task != "shifted-relu" or method != "edge-popup-scaled" or \
                not any(abs(d - e) < 1e-9 for e in extreme):
            continue
        van = idx[(task, "edge-popup", scheme, bias, d)]
        diff = van["mean"] - s["mean"]
        diffs.append(diff / _se(s, van))
        if diff <= 0:
            fails.append(f"{scheme}/{bias} at {d:g}")
    v = "holds" if not fails else "not reproduced"
    return v, f"vanilla - scaled = {min(diffs):.2g} to {max(diffs):.3g} SE", fails


def onion_claim(summary, margin: float, density: float) -> tuple[str, str, list[str]]:
    """6.2: scaled He non-zero-bias at ``density`` beats every other approach by more
    than ``margin`` accuracy; and non-zero-bias tickets beat zero-bias ones except for
    unscaled edge-popup at that density."""
    idx = _index(summary)
    key = ("onion", "edge-popup-scaled", "he-normal", "nonzero", round(density, 6))
    best = idx[key]
    others = [(k, s) for k, s in idx.items() if k[0] == "onion" and k[4] == key[4]
              and k != key]
    k2, s2 = max(others, key=lambda t: t[1]["mean"])
    fails = []
    gap = best["mean"] - s2["mean"]
    if gap <= margin:
        fails.append(f"margin {100 * gap:+.1f} points to {k2[1]}/{k2[2]}/{k2[3]} "
                     f"({s2['mean']:.3f} vs {best['mean']:.3f})")
    for (task, method, scheme, bias, d), s in sorted(idx.items()):
        if task != "onion" or bias != "nonzero":
            continue
        if method == "edge-popup" and abs(d - density) < 1e-9:
            continue
        z = idx[(task, method, scheme, "zero", d)]
        if s["mean"] <= z["mean"]:
            fails.append(f"non-zero <= zero bias: {method}/{scheme} at {d:g}")
    v = "holds" if not fails else "not reproduced"
    return v, f"margin {100 * gap:+.1f} points (SE {100 * _se(best, s2):.1f})", fails


def evaluate(level: str, seed: int, paper: dict[str, Any] | None = None,
             path: str | Path | None = None) -> CheckOutput:
    """The Figure 1 rows for ``paper`` from the table at ``path`` (default
    :func:`figure1_csv`)."""
    p = dict(PAPER, **(paper or {}))
    src = Path(path) if path else figure1_csv()
    specs = [
        ("figure1.bias", "Shifted ReLU: non-zero-bias initialisation gives tickets with "
         "orders of magnitude smaller errors than zero-bias, consistently"),
        ("figure1.scaled", "Shifted ReLU: edge-popup-scaled consistently outperforms vanilla "
         "edge-popup at extreme sparsities"),
        ("figure1.onion", "Onion: non-zero-bias tickets beat zero-bias ones (except unscaled "
         "at 0.01); scaled He non-zero at 0.01 has > 10 accuracy points margin to all others"),
    ]
    if not src.is_file():
        return CheckOutput([ClaimRow(i, text, f"no Figure 1 table at {src}", "not reproduced",
                                     "set SLTH_FIGURE1_CSV or run slth reproduce fig1")
                            for i, text in specs])
    rows_read = read_csv([src])
    summary = summarize(rows_read)
    reps = min(s["n"] for s in summary)
    setting = f"{src.name}: {describe_setting(rows_read)}, {reps} repetitions, means compared"
    out = [bias_claim(summary, p["bias_factor"]), scaled_claim(summary, p["extreme"]),
           onion_claim(summary, p["onion_margin"], p["onion_density"])]
    rows = []
    for (rid, text), (v, meas, fails) in zip(specs, out, strict=True):
        det = setting + ("; fails at: " + "; ".join(fails[:6]) +
                         (f" (+{len(fails) - 6} more)" if len(fails) > 6 else "")
                         if fails else "")
        rows.append(ClaimRow(rid, text, meas, v, det))
    return CheckOutput(rows)


def run(level: str, seed: int) -> CheckOutput:
    return evaluate(level, seed)


_HOW = "the committed Figure 1 table ({}), means per configuration, read by " \
       "slth_theory.verify.checks.figure1.figure1_csv (override: SLTH_FIGURE1_CSV)"
CLAIMS = [
    ClaimInfo("figure1.bias", "Section 6.1's bias claim", _HOW.format("zero/non-zero MSE "
              "ratio >= 10 in every cell"), "slth reproduce fig1"),
    ClaimInfo("figure1.scaled", "Section 6.1's rescaling claim", _HOW.format("scaled MSE < "
              "vanilla MSE at densities 0.002, 0.01"), "slth reproduce fig1"),
    ClaimInfo("figure1.onion", "Section 6.2's claims", _HOW.format("margin of scaled He "
              "non-zero at 0.01; non-zero vs zero bias"), "slth reproduce fig1"),
]

register_check("figure1", run, order=60, cost=0.05, claims=CLAIMS)
