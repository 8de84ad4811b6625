"""``slth calibrate``: Monte Carlo calibration of Theorem 5's constant C.

The grid runs through the sweep engine (sweep ``calibrate``): finished cells go to a
results store (default ``slth-results/store.sqlite``, the command line's default, shared with
``slth figures``) and are not run again, so an interrupted run resumes; ``--workers``,
``--dask-local`` and ``--scheduler`` choose where the cells run, with identical results.
"""

from __future__ import annotations

import argparse
import time

from slth_theory.cli.options import add_json_flag, check_output_file, emit_json, nonneg_int
from slth_theory.cli.sweep import add_execution_arguments, engine_options, through_engine
from slth_theory.construction import calibration as cal
from slth_theory.engine.files import save_figure

NAME = "calibrate"
HELP = "Monte Carlo of subset-sum success; fit the smallest C of Theorem 5's width"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true",
                   help="small grid (eps 0.1, 0.01; 200 trials per cell) for a fast look")
    p.add_argument("--seed", type=nonneg_int, default=0, help="root seed (default 0)")
    p.add_argument("--save", action="store_true",
                   help="make the fitted C your calibration (written to the user data folder, "
                   "$SLTH_THEORY_DATA_DIR or ~/.local/share/slth-theory; preferred over the "
                   "shipped C by `slth width` and `slth construct`)")
    p.add_argument("--figure", metavar="PNG", default=None,
                   help="write the figure to PNG")
    p.add_argument("--bound-vs-reality", action="store_true",
                   help="instead: smallest pool at which `construct` succeeds for a few random "
                        "targets (eps 0.01, delta 0.05, 3 mothers each) vs the width calculator "
                        "(sweep calibrate-reality, same store and execution options)")
    add_execution_arguments(p)
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    check_output_file("--figure", args.figure)
    t0 = time.perf_counter()
    if args.bound_vs_reality:
        return _reality(args, t0)
    info: dict = {}
    results, code = _through_engine(cal.run_grid, cal.grid(args.quick), args, info)
    if code:
        return code
    fits = cal.fit_C(results)
    elapsed = time.perf_counter() - t0
    if args.save:
        info["saved"] = str(cal.save(results, fits, root_seed=args.seed))
    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        fig = cal.plot(results, fits)
        save_figure(fig, args.figure, dpi=120)
    if args.json:
        emit_json({"C": {d: f["C"] for d, f in fits.items()}, "fits": fits,
                   "seconds": elapsed, "store": info.get("store"),
                   "computed": info.get("computed"), "from_store": info.get("from_store"),
                   "backend": info.get("backend"), "results": results})
        return 0
    for dist, f in fits.items():
        small = "-" if f["C_small"] is None else f"{f['C_small']:.4g}"
        print(f"{dist}: calibrated C = {f['C']:.4g} (cells with min(eps, delta) <= 0.01: "
              f"{small})" if f["C"] else f"{dist}: no cell reached")
        for c in f["cells"]:
            cc = "-" if c["C_cell"] is None else f"{c['C_cell']:.3g}"
            print(f"  eps={c['eps']:<8g} delta={c['delta']:<5g} n_min={c['n_min']!s:>4}  "
                  f"C_cell={cc}")
        if f["unreached"]:
            print(f"  not reached within the n grid: {f['unreached']}")
    print(f"({len(results)} cells: {info['computed']} computed, {info['from_store']} from the "
          f"store {info['store']} [{info['backend']}], {elapsed:.1f} s"
          + (", saved" if args.save else "") + ")")
    return 0


def _through_engine(run, grid, args: argparse.Namespace, info: dict):
    """``run(grid, ...)`` through the sweep engine; returns ``(results, exit_code)``
    (:func:`~slth_theory.cli.sweep.through_engine`)."""
    return through_engine("calibrate", lambda: run(
        grid, args.seed, quiet=args.quiet, store=args.store, info=info,
        **engine_options(args)), args.store)


def _reality(args: argparse.Namespace, t0: float) -> int:
    info: dict = {}
    rows, code = _through_engine(cal.run_reality, cal.reality_grid(args.quick), args, info)
    if code:
        return code
    table = cal.reality_table(rows)
    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        save_figure(cal.plot_reality(table), args.figure, dpi=120)
    elapsed = time.perf_counter() - t0
    if args.json:
        emit_json({"table": table, "runs": rows, "seconds": elapsed,
                   "store": info.get("store"), "computed": info.get("computed"),
                   "from_store": info.get("from_store"), "backend": info.get("backend")})
        return 0
    print("| target | mothers ok | smallest q (median, range) | predicted q | mother params "
          "found | construction formula | Thm 5 appendix | Thm 5 main |")
    print("|---|---|---|---|---|---|---|---|")
    for r in table:
        rng_ = "-" if r["q_found_range"] is None else f"{r['q_found_range']}"
        print(f"| {r['arch']} | {r['n_success']}/{r['n_mothers']} | {r['q_found_median']} "
              f"{rng_} | {r['q_predicted']} | {r['params_found_median']} | "
              f"{r['params_construction_formula']} | {r['params_appendix']} | "
              f"{r['params_main']} |")
    print(f"({len(rows)} runs: {info['computed']} computed, {info['from_store']} from the "
          f"store {info['store']} [{info['backend']}], {elapsed:.1f} s)")
    return 0
