"""Sweep engine: SQLite commit throughput, per-run engine overhead, and a scaling table.

Harness cases (``python -m benchmarks.run sweep-commit sweep-overhead``):

* ``sweep-commit``: one finished run per transaction (what ``run_sweep`` does), WAL,
  ``synchronous=FULL`` (the default) against ``NORMAL``;
* ``sweep-overhead``: 64 trivial ``demo`` runs through a plain Python loop (baseline),
  ``run_sweep`` in-process without a store, and with a store.

Scaling table (``python -m benchmarks.cases.sweep --scaling``): one grid of compute-bound
``demo`` runs measured on 1 and 2 local loky workers and on ``--dask-local 2``, the
per-task overhead of the loky and Dask paths measured with trivial runs, the store's
commit rate, and projections for 8 and 64 workers (see :func:`project`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from slth_theory.engine.store import ResultsStore
from slth_theory.engine.sweep import derive_seed, run_sweep

from ..harness import Case

# the demo sweep is example code kept with the tests
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from demo_sweep import run_demo  # noqa: E402

N_COMMIT = 200
TRIVIAL = {"width": 2, "depth": 1, "n_nets": 2}
HEAVY = {"width": 100, "depth": 3, "n_nets": 50}


def _record(i: int, tag: str) -> dict:
    return {"key": f"{tag}-{i}", "sweep": "bench", "config_key": "c", "index": i,
            "root_seed": 0, "seed": i, "config": {"i": i, "width": 100, "bias": "nonzero"},
            "results": {"mean_sq_out": 1.234567890123, "se": 0.01, "n_nets": 50},
            "duration_s": 0.1, "host": "h", "pid": 1, "version": "v", "finished_utc": "t"}


class _CommitCtx:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="slth-bench-")
        self.stores = {m: ResultsStore(Path(self.dir) / f"{m}.sqlite", synchronous=m)
                       for m in ("FULL", "NORMAL")}
        self.calls = 0

    def commit(self, mode: str) -> None:
        self.calls += 1
        db = self.stores[mode]
        for i in range(N_COMMIT):
            db.put(_record(i, f"{self.calls}"))


def _commit_setup():
    return _CommitCtx()


def _overhead_setup():
    d = tempfile.mkdtemp(prefix="slth-bench-")
    grid = [dict(TRIVIAL, rep=i) for i in range(64)]
    return {"dir": d, "grid": grid, "n": 0}


def _plain_loop(ctx):
    for i, cfg in enumerate(ctx["grid"]):
        run_demo(cfg, derive_seed(0, i))


def _engine_nostore(ctx):
    run_sweep("demo", ctx["grid"], quiet=True)


def _engine_store(ctx):
    ctx["n"] += 1
    run_sweep("demo", ctx["grid"], store=Path(ctx["dir"]) / f"s{ctx['n']}.sqlite", quiet=True)


CASES = [
    Case("sweep-commit", _commit_setup,
         {"WAL synchronous=FULL (default)": lambda c: c.commit("FULL"),
          "WAL synchronous=NORMAL": lambda c: c.commit("NORMAL")},
         baseline="WAL synchronous=FULL (default)", units=N_COMMIT, unit_name="runs",
         repeat=5, notes="one finished run per transaction, as run_sweep writes them"),
    Case("sweep-overhead", _overhead_setup,
         {"plain loop": _plain_loop, "run_sweep serial, no store": _engine_nostore,
          "run_sweep serial + store": _engine_store},
         baseline="plain loop", units=64, unit_name="runs", repeat=5,
         notes="64 trivial demo runs (~0.3 ms each): the engine's per-run overhead"),
]


# -- scaling table ---------------------------------------------------------------------------

def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def project(costs: list[float], workers: int, c_task: float, t_start: float = 0.0) -> float:
    """Projected wall time of runs of the given costs (grid order) on ``workers`` processes.

    A list-scheduling simulation: each run goes, in grid order, to the first free worker,
    but the central loop (dispatch, result transfer and the store commit, one task at a
    time in the parent or the scheduler) spends ``c_task`` on every run and cannot start
    the next before it is done. So the wall time is about ``t_start + max(sum(costs) / W,
    max(costs), N c_task)``, with the straggler at the end counted exactly.
    """
    import heapq
    free = [0.0] * max(1, workers)
    central = 0.0
    end = 0.0
    for t in costs:
        w = heapq.heappop(free)
        start = max(w, central)
        central = start + c_task
        finish = start + c_task + t
        end = max(end, finish)
        heapq.heappush(free, finish)
    return t_start + end


def overheads(n_trivial: int = 200, repeat: int = 3) -> dict:
    """Per-task costs of the central loop, measured with trivial ``demo`` runs (~0.3 ms)."""
    tmp = Path(tempfile.mkdtemp(prefix="slth-overheads-"))
    trivial = [dict(TRIVIAL, rep=i) for i in range(n_trivial)]
    out: dict = {}
    db = ResultsStore(tmp / "commit.sqlite")
    out["commit_s"] = statistics.median(
        _timed(lambda r=r: [db.put(_record(i, f"x{r}")) for i in range(200)])
        for r in range(repeat)) / 200
    db.close()
    from slth_theory.engine.backends import DaskBackend, LokyBackend
    be = LokyBackend(2)
    run_sweep("demo", trivial[:8], backend=be, quiet=True)  # start the pool
    out["loky_s"] = statistics.median(_timed(lambda: run_sweep("demo", trivial, backend=be,
                                                                quiet=True))
                                      for _ in range(repeat)) / n_trivial
    be.close()
    out["serial_s"] = statistics.median(_timed(lambda: run_sweep("demo", trivial, quiet=True))
                                        for _ in range(repeat)) / n_trivial
    try:
        out["dask_start_s"] = _timed(lambda: DaskBackend(local=2).close())
        be = DaskBackend(local=2)
        try:
            run_sweep("demo", trivial[:8], backend=be, quiet=True)
            out["dask_s"] = statistics.median(
                _timed(lambda: run_sweep("demo", trivial, backend=be, quiet=True))
                for _ in range(repeat)) / n_trivial
        finally:
            be.close()
    except ValueError:  # no Dask installed
        pass
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def measure_grid(name: str, grid: list[dict], repeat: int = 1, dask: bool = True,
                 root_seed: int = 0) -> dict:
    """Wall seconds of ``grid`` on 1 and 2 loky workers and on ``dask_local=2`` (each run
    into a fresh store), plus the median per-run cost from the serial run's records."""
    tmp = Path(tempfile.mkdtemp(prefix="slth-scaling-"))
    k = [0]

    def store() -> Path:
        k[0] += 1
        return tmp / f"s{k[0]}.sqlite"

    walls: dict = {}
    per_run = []
    for label, kw in (("serial, 1 process", {"workers": 1}), ("loky, 2 workers", {"workers": 2})):
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            recs = run_sweep(name, grid, store=store(), quiet=True, root_seed=root_seed,
                             **kw)
            ts.append(time.perf_counter() - t0)
            if kw["workers"] == 1 and not per_run:
                per_run = [r["duration_s"] for r in recs]
        walls[label] = statistics.median(ts)
    if dask:
        try:
            from slth_theory.engine.backends import DaskBackend
            be = DaskBackend(local=2)
            try:
                walls["dask-local, 2 workers"] = statistics.median(
                    _timed(lambda: run_sweep(name, grid, store=store(), quiet=True, backend=be,
                                             root_seed=root_seed))
                    for _ in range(repeat))
            finally:
                be.close()
        except ValueError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)
    return {"walls": walls, "costs": per_run, "n": len(grid)}


def report(title: str, m: dict, ov: dict, costs: list[float] | None = None) -> str:
    """Markdown: measured walls, and projections for 1, 2, 8, 64 workers of ``costs``
    (default: the measured per-run costs of the grid)."""
    costs = m["costs"] if costs is None else costs
    lines = [f"**{title}**: {m['n']} runs measured, per-run cost median "
             f"{statistics.median(m['costs']):.3g} s, max {max(m['costs']):.3g} s, "
             f"total {sum(m['costs']):.3g} s (serial).", "",
             "| backend | workers | measured wall s | speed-up vs serial |", "|---|---|---|---|"]
    ser = m["walls"]["serial, 1 process"]
    for label, t in m["walls"].items():
        w = 1 if label.startswith("serial") else 2
        lines.append(f"| {label} | {w} | {t:.2f} | {ser / t:.2f}x |")
    lines += ["", f"Projected wall time of {len(costs)} runs ({sum(costs) / 3600:.2g} CPU-hours), "
              "list scheduling in grid order with a central cost c_task = dispatch + commit per "
              "run (`project`):", "",
              "| backend | c_task | W=1 | W=2 | W=8 | W=64 | central loop saturates at W = "
              "mean run / c_task |",
              "|---|---|---|---|---|---|---|"]
    paths = [("loky", ov["loky_s"] + ov["commit_s"], 0.0)]
    if "dask_s" in ov:
        paths.append(("Dask", ov["dask_s"] + ov["commit_s"], ov["dask_start_s"]))
    mean = sum(costs) / len(costs)
    for label, c, st in paths:
        cells = [_fmt_s(project(costs, w, c, st)) for w in (1, 2, 8, 64)]
        lines.append(f"| {label} | {c * 1e3:.1f} ms | " + " | ".join(cells)
                     + f" | {mean / c:,.0f} |")
    return "\n".join(lines)


def _fmt_s(t: float) -> str:
    if t < 120:
        return f"{t:.1f} s"
    if t < 7200:
        return f"{t / 60:.1f} min"
    return f"{t / 3600:.1f} h"


def overhead_report(ov: dict) -> str:
    lines = [f"Per-task costs of the central loop, trivial runs, 2 cores, load average "
             f"{os.getloadavg()[0]:.1f} (machine shared with other engineers):", "",
             f"* store commit (WAL, synchronous=FULL, one run per transaction): "
             f"{ov['commit_s'] * 1e3:.2f} ms ({1 / ov['commit_s']:,.0f} runs/s)",
             f"* serial engine, no store: {ov['serial_s'] * 1e3:.2f} ms per trivial run",
             f"* loky, 2 workers, no store: {ov['loky_s'] * 1e3:.2f} ms per task"]
    if "dask_s" in ov:
        lines.append(f"* dask-local, 2 workers, no store: {ov['dask_s'] * 1e3:.2f} ms per task; "
                     f"cluster start + stop {ov['dask_start_s']:.1f} s")
    return "\n".join(lines)


def fig1_sample() -> tuple[list[dict], list[dict]]:
    """One Figure 1 config per (task, density), rotating method/scheme/bias; and the
    full grid (configs only) for the projection."""
    from slth_theory.pruning import figure1 as experiments
    full = [c for c, _seed in experiments.grid()]
    sample, j = [], 0
    for (task, d) in sorted({(c["task"], c["density"]) for c in full}):
        opts = [c for c in full if c["task"] == task and c["density"] == d and c["rep"] == 0]
        sample.append(opts[(j * 3) % len(opts)])
        j += 1
    return sample, full


def scaling(which: str = "demo", n_runs: int = 64, repeat: int = 1) -> str:
    """Measure a grid and the overheads; returns a markdown report."""
    ov = overheads(repeat=3)
    head = overhead_report(ov) + "\n\n"
    if which == "demo":
        heavy = [dict(HEAVY, rep=i) for i in range(n_runs)]
        m = measure_grid("demo", heavy, repeat=repeat)
        return head + report(f"demo grid {HEAVY}", m, ov, m["costs"] * (1000 // n_runs))
    if which == "calibrate":
        from slth_theory.construction import calibration
        m = measure_grid("calibrate", calibration.grid(), repeat=repeat, dask=False)
        return head + report("calibration grid (`calibration.grid()`, full)", m, ov)
    if which == "fig1":
        sample, full = fig1_sample()
        m = measure_grid("fig1", sample, repeat=repeat, dask=False)
        cost = {(c["task"], c["density"]): t for c, t in zip(sample, m["costs"], strict=True)}
        costs = [cost[(c["task"], c["density"])] for c in full]
        return head + report("Figure 1 grid: one run per (task, density)", m, ov, costs)
    raise ValueError(f"unknown grid {which!r}; choose from demo, calibrate, fig1")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cases.sweep")
    p.add_argument("--scaling", choices=("demo", "calibrate", "fig1"), default=None,
                   help="print the scaling report of this grid")
    p.add_argument("--runs", type=int, default=64, help="demo grid size")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args(argv)
    if not args.scaling:
        p.print_help()
        return 0
    print(scaling(args.scaling, args.runs, repeat=args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
