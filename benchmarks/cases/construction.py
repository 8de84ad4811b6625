"""Theorem 5 construction at scale.

Harness case: ``construct`` on a small random target, with and without the certificate.

Scale runs (``python -m benchmarks.cases.construction --scale``): each in its own process
via the CLI, timed with ``/usr/bin/time -v`` for the peak resident memory:

* a random ``[784, 500, 10]`` target with biases, ``--param-eps 0.01`` (every parameter
  within 0.01), pools ``96,48``;
* a random ``[2, 50, 50, 1]`` target, certified at ``--eps 0.01`` (default pools from the
  calibrated C and delta = 0.05).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from slth_theory.construction.build import construct, random_target
from slth_theory.construction.certificate import certify

from ..harness import Case


def _setup():
    return random_target([4, 20, 20, 1], 0)


CASES = [
    Case("construct [4,20,20,1] param-eps 0.01 (pools 40,20,20)", _setup, {
        "construct": lambda t: construct(t, param_eps=0.01, pool=[40, 20, 20], rng=0),
        "construct + certificate": lambda t: certify(
            construct(t, param_eps=0.01, pool=[40, 20, 20], rng=0), 0),
    }, baseline="construct", repeat=3, notes="Theorem 5 construction of a small target"),
]

RUNS = [
    ("[784,500,10] --param-eps 0.01", "784,500,10", ["--param-eps", "0.01", "--pool", "96,48"]),
    ("[2,50,50,1] --eps 0.01 (certified)", "2,50,50,1", ["--eps", "0.01", "--delta", "0.05",
                                                         "--no-grid"]),
]


def scale(workdir: Path) -> list[dict]:
    """Run the scale constructions; return one dict per run."""
    rows = []
    for label, arch, extra in RUNS:
        target = workdir / f"target_{arch.replace(',', '_')}.npz"
        subprocess.run(["slth", "random-target", "--arch", arch, "--seed", "0", "--out",
                        str(target)], check=True, capture_output=True)
        cmd = ["/usr/bin/time", "-v", "slth", "construct", "--target", str(target), "--seed",
               "0", "--out", str(workdir / "ticket.npz"), "--json", "--quiet"] + extra
        r = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rep = json.loads(r.stdout)
        wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", r.stderr).group(1)
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
        cert = rep["certificate"]
        rows.append({
            "run": label, "mother": rep["mother_arch"], "pools": rep["pool_sizes"],
            "construct_s": rep["seconds_construct"], "certificate_s":
            rep["seconds_certificate"], "wall": wall, "peak_gib": rss / 1024 ** 2,
            "kept_per_target_param": rep["kept_per_target_param"],
            "n_failed": rep["n_failed"], "bound": cert["rigorous_bound"],
            "sampled": cert["sampled_lower"], "certified": cert["certified"],
            "max_param_error": max(max(p["max_weight_error"], p["max_bias_error"])
                                   for p in rep["param_errors"]),
        })
        (workdir / "ticket.npz").unlink()
    return rows


def markdown(rows: list[dict]) -> str:
    out = ["| run | mother | pools | construct s | certificate s | wall (incl. save) | "
           "peak GiB | kept / target param | failed | max param error | (ii) bound | "
           "(iii) sampled | certified |", "|" + "---|" * 13]
    for r in rows:
        out.append(f"| {r['run']} | {r['mother']} | {r['pools']} | {r['construct_s']:.1f} | "
                   f"{r['certificate_s']:.1f} | {r['wall']} | {r['peak_gib']:.2f} | "
                   f"{r['kept_per_target_param']:.2f} | {r['n_failed']} | "
                   f"{r['max_param_error']:.3g} | {r['bound']:.3g} | {r['sampled']:.3g} | "
                   f"{r['certified']} |")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    if "--scale" in sys.argv:
        with tempfile.TemporaryDirectory() as d:
            print(markdown(scale(Path(d))))
