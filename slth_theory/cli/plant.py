"""``slth plant``: plant a known sparse ticket into a random mother and seek it (Plant 'n' Seek)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from slth_theory.cli.options import (
    add_json_flag,
    emit_json,
    nonneg_int,
    positive_float,
    positive_int,
    positive_int_list,
)
from slth_theory.cli.sweep import (
    DEFAULT_STORE,
    add_execution_arguments,
    engine_options,
    through_engine,
)
from slth_theory.engine.sweep import run_sweep
from slth_theory.pruning import planting as pl
from slth_theory.pruning.edge_popup import METHODS

NAME = "plant"
HELP = ("plant a sparse ticket with biases into a random mother, generate data from it, "
        "seek it with edge-popup and report how much is recovered")


def add_arguments(p: argparse.ArgumentParser) -> None:
    d = pl.default_config()  # the one source of the defaults
    p.add_argument("--k", type=positive_int, default=d["k"],
                   help=f"hidden width of the planted target (default {d['k']}; --sweep "
                        "uses --ks)")
    p.add_argument("--bias", choices=pl.BIASES, default=d["bias"],
                   help="target and mother with non-zero biases (default) or zero biases "
                        "(--sweep runs both)")
    p.add_argument("--inputs", type=positive_int, default=d["inputs"],
                   help=f"input dimension (default {d['inputs']})")
    p.add_argument("--width", type=positive_int, default=d["width"],
                   help=f"mother's hidden width (default {d['width']})")
    p.add_argument("--depth", type=positive_int, default=d["depth"],
                   help=f"weight layers of target and mother (default {d['depth']}, at least 2)")
    p.add_argument("--n-samples", type=positive_int, default=d["n_samples"],
                   help=f"samples, 80/20 train/test (default {d['n_samples']})")
    p.add_argument("--noise", type=float, default=d["noise"],
                   help=f"standard deviation of the label noise (default {d['noise']:g})")
    p.add_argument("--method", choices=METHODS, default=d["method"])
    p.add_argument("--epochs", type=positive_int, default=d["epochs"],
                   help=f"epochs after annealing (default {d['epochs']})")
    p.add_argument("--anneal-epochs", type=nonneg_int, default=d["anneal_epochs"],
                   help=f"annealing epochs (default {d['anneal_epochs']})")
    p.add_argument("--uniform-density", action="store_true",
                   help="seek the overall planted density in every layer (default: each "
                        "layer's planted count)")
    p.add_argument("--density-factor", type=positive_float, default=d["density_factor"],
                   help="multiply the sought densities (default 1: the planted density)")
    p.add_argument("--seed", type=nonneg_int, default=0,
                   help=f"seed of a single run (default 0; --sweep uses the root seed "
                        f"{pl.ROOT_SEED})")
    p.add_argument("--sweep", action="store_true",
                   help="run the planting sweep (k values x bias/no-bias x repetitions) and "
                        "write planting.csv, planting.png, planting_table.md into --out")
    p.add_argument("--ks", type=positive_int_list, default=list(pl.K_VALUES),
                   help="with --sweep: target widths (default "
                        f"{','.join(map(str, pl.K_VALUES))})")
    p.add_argument("--reps", type=positive_int, default=pl.REPS,
                   help=f"with --sweep: repetitions (default {pl.REPS})")
    p.add_argument("--out", default="figures", help="with --sweep: output folder (figures/)")
    add_execution_arguments(p, store_default=None,
                            store_help=f"with --sweep: results store (default OUT/{DEFAULT_STORE})")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    if not (math.isfinite(args.noise) and args.noise >= 0):
        raise ValueError(f"--noise must be finite and >= 0; got {args.noise}")
    overrides = {"inputs": args.inputs, "width": args.width, "depth": args.depth,
                 "n_samples": args.n_samples, "noise": args.noise, "method": args.method,
                 "epochs": args.epochs, "anneal_epochs": args.anneal_epochs,
                 "per_layer": not args.uniform_density, "density_factor": args.density_factor}
    if args.depth < 2:
        raise ValueError(f"--depth must be at least 2; got {args.depth}")
    if args.sweep:
        return _run_sweep(args, overrides)
    if args.k > args.width:
        raise ValueError(f"--k ({args.k}) must not exceed --width ({args.width})")
    res = pl.run_one(pl.default_config(args.k, args.bias, **overrides), args.seed)
    if args.json:
        emit_json(res)
        return 0
    rb = res["recall_biases"]
    print(f"planted target [{args.inputs}, {', '.join([str(args.k)] * (args.depth - 1))}, 1] "
          f"({args.bias} biases) in a mother of width {args.width}, seed {args.seed}")
    print(f"  planted density   {res['planted_density']:.6g} of weights "
          f"({res['planted_weights']} weights, {res['planted_biases']} biases)")
    print(f"  found density     {res['found_density']:.6g} ({res['kept_weights']} weights)")
    print(f"  recovered         {res['recall_weights']:.3f} of planted weights"
          + ("" if math.isnan(rb) else f", {rb:.3f} of planted biases")
          + f"; precision {res['precision_weights']:.3f}")
    print(f"  test MSE          found {res['test_mse_found']:.4g}, planted "
          f"{res['test_mse_planted']:.4g}, best possible {res['best_possible_mse']:.4g}, "
          f"mean predictor {res['test_mse_mean']:.4g}, whole mother "
          f"{res['test_mse_mother']:.4g}")
    return 0


def _run_sweep(args: argparse.Namespace, overrides: dict) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if any(k > args.width for k in args.ks):
        raise ValueError(f"--ks values must not exceed --width ({args.width})")
    jobs = pl.grid(args.reps, args.ks, root_seed=pl.ROOT_SEED, **overrides)
    store = Path(args.store) if args.store else out / DEFAULT_STORE
    records, code = through_engine("plant", lambda: run_sweep(
        "plant", [c for c, _ in jobs], seeds=[s for _, s in jobs], store=store,
        quiet=args.quiet, **engine_options(args)), store)
    if code:
        return code
    import matplotlib
    matplotlib.use("Agg")
    files = pl.write_outputs([{**r["config"], **r["results"]} for r in records], out)
    summary = pl.summarize([r["results"] for r in records])
    if args.json:
        emit_json({"files": [str(f) for f in files], "runs": len(records), "store": str(store),
                   "summary": summary})
    else:
        print(pl.markdown_table(summary))
        print("wrote " + ", ".join(str(f) for f in files))
    return 0
