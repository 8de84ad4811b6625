"""Subset sum in the many-solutions regime: tolerances 1e-4 ... 1e-9 from pools of 40 values.

``python -m benchmarks.cases.subset_sum_many [--instances M] [--highs K]`` prints a markdown
table: per tolerance, the median seconds per instance of

* ``find`` -- :func:`slth_theory.construction.subset_sum.solve_batch` ``mode='find'`` (four-list
  search, the construction's solver), batched over ``M`` instances, 1 thread and 2 threads;
* ``sparsest`` -- today's exact fewest-elements search (``mode='sparsest'``), batched, 2 threads
  (on the first ``min(M, 40)`` instances: it takes up to seconds each);
* ``closest`` -- exact meet in the middle on all 40 values (``mode='closest'``), 2 threads, first
  ``min(M, 40)`` instances;
* HiGHS -- ``scipy.optimize.milp`` feasibility form ``t - tol <= a.x <= t + tol`` on the first ``K``
  instances, per instance, 20 s time limit each.

Instances: values ``U[-1,1] * U[-1,1]`` (the construction's law), targets ``U[-1,1]``, seed 2026.
Every row also gives the share of instances solved within ``tol`` and the mean subset size. All
rows are measured in the same run (medians of 3 timed repeats for the batched solvers).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from slth_theory.construction.subset_sum import solve_batch

N = 40
TOLS = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9)


def _instances(m: int):
    rng = np.random.default_rng(2026)
    a = rng.uniform(-1, 1, (m, N)) * rng.uniform(-1, 1, (m, N))
    t = rng.uniform(-1, 1, m)
    return a, t


def _highs(a, t, tol):
    cons = LinearConstraint(a[None, :], t - tol, t + tol)
    res = milp(np.zeros(a.size), constraints=cons, integrality=np.ones(a.size),
               bounds=Bounds(0, 1), options={"time_limit": 20.0})
    if res.x is None:
        return False, 0
    x = np.round(res.x).astype(bool)
    return abs(float(a[x].sum()) - t) <= tol, int(x.sum())


def _timed_batch(a, t, tol, mode, threads, repeat=3):
    prev = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        solve_batch(a[:2], t[:2], tol, mode=mode)  # compile
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            res = solve_batch(a, t, tol, mode=mode)
            times.append(time.perf_counter() - t0)
    finally:
        numba.set_num_threads(prev)
    ok = np.abs(np.where(res.masks, a, 0.0).sum(axis=1) - t) <= tol
    return statistics.median(times) / len(t), ok.mean(), res.sizes[ok].mean() if ok.any() \
        else float("nan")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cases.subset_sum_many")
    p.add_argument("--instances", type=int, default=2000)
    p.add_argument("--highs", type=int, default=5)
    p.add_argument("--exact", type=int, default=20)
    args = p.parse_args(argv)
    a, t = _instances(args.instances)
    print("| tol | solver | instances | median s / instance | ratio to HiGHS | solved "
          "| mean size |")
    print("|---|---|---|---|---|---|---|")
    for tol in TOLS:
        rows = []
        hs, hok, hsz = [], [], []
        for i in range(args.highs):
            t0 = time.perf_counter()
            ok, sz = _highs(a[i], t[i], tol)
            hs.append(time.perf_counter() - t0)
            hok.append(ok)
            if ok:
                hsz.append(sz)
        h = statistics.median(hs)
        rows.append(("HiGHS (scipy milp, feasibility)", args.highs, h, np.mean(hok),
                     np.mean(hsz) if hsz else float("nan")))
        k = args.exact
        for mode in ("sparsest", "closest"):
            s, ok, sz = _timed_batch(a[:k], t[:k], tol, mode, 2, repeat=1)
            rows.append((f"today: {mode} (exact, 2 threads)", k, s, ok, sz))
        for th in (1, 2):
            s, ok, sz = _timed_batch(a, t, tol, "find", th)
            rows.append((f"find (four-list, {th} thread{'s' if th > 1 else ''})",
                         args.instances, s, ok, sz))
        for name, m, s, ok, sz in rows:
            print(f"| {tol:g} | {name} | {m} | {s:.3g} | {s / h:.3g}x | {ok:.1%} | {sz:.2f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
