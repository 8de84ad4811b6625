"""``slth reproduce fig1``: the Section 6 experiments and Figure 1 of the paper."""

from __future__ import annotations

import argparse
from pathlib import Path

from slth_theory.cli.options import add_json_flag, emit_json, nonneg_int, positive_int
from slth_theory.cli.prune import add_preset_arguments, preset_overrides
from slth_theory.cli.sweep import (
    DEFAULT_STORE,
    add_execution_arguments,
    engine_options,
    through_engine,
)
from slth_theory.engine.files import refuse_same_file
from slth_theory.engine.sweep import run_sweep
from slth_theory.pruning import figure1 as ex
from slth_theory.pruning.datasets import SYNTHETIC_TASKS as TASKS
from slth_theory.pruning.edge_popup import METHODS

NAME = "reproduce"
HELP = "re-run the paper's experiments (fig1: edge-popup grid of Section 6) and plot them"

FIGURES = ("fig1",)


def _densities(text: str) -> list[float]:
    try:
        vals = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"densities must be comma-separated numbers; "
                                         f"got {text!r}") from None
    if not vals or any(not 0 < v <= 1 for v in vals):
        raise argparse.ArgumentTypeError(f"densities must be in (0, 1]; got {text!r}")
    return vals


def _list(allowed):
    def parse(text: str) -> list[str]:
        vals = [t.strip() for t in text.split(",") if t.strip()]
        bad = [v for v in vals if v not in allowed]
        if not vals or bad:
            raise argparse.ArgumentTypeError(f"choose from {','.join(allowed)}; got {text!r}")
        return vals
    return parse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("figure", choices=FIGURES, help="which figure (fig1: Section 6, Figure 1)")
    p.add_argument("--reps", type=positive_int, default=ex.REPS,
                   help=f"repetitions per configuration (default {ex.REPS})")
    p.add_argument("--out", default=None,
                   help="output directory (default figures/ for --preset paper, "
                        "figures/fig1_official/ for --preset official)")
    p.add_argument("--tasks", type=_list(TASKS), default=list(TASKS),
                   help="comma-separated subset of shifted-relu,onion (default both)")
    p.add_argument("--densities", type=_densities, default=None,
                   help="comma-separated densities replacing the paper's lists (quick runs)")
    p.add_argument("--methods", type=_list(METHODS), default=list(METHODS),
                   help="comma-separated subset of edge-popup,edge-popup-scaled")
    p.add_argument("--schemes", type=_list(ex.SCHEMES), default=list(ex.SCHEMES),
                   help="comma-separated subset of he-normal,looks-linear")
    p.add_argument("--biases", type=_list(ex.BIASES), default=list(ex.BIASES),
                   help="comma-separated subset of zero,nonzero")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help=f"training epochs e (default {ex.EPOCHS})")
    p.add_argument("--anneal-epochs", type=nonneg_int, default=None,
                   help="annealing epochs e_a for every run (default: the paper's per task "
                        "and density)")
    p.add_argument("--width", type=positive_int, default=None, help="hidden width (100)")
    p.add_argument("--depth", type=positive_int, default=None,
                   help="depth (5; counted as --depth-convention says)")
    p.add_argument("--n-samples", type=positive_int, default=None,
                   help="samples per data set before the 80/20 split (10000)")
    p.add_argument("--seed", type=nonneg_int, default=ex.ROOT_SEED,
                   help=f"root seed of the repetition seeds (default {ex.ROOT_SEED})")
    p.add_argument("--only-reps", default=None, metavar="R,R,...",
                   help="run only these repetition indices (0-based; seeds unchanged); "
                        "OUT/fig1.csv then holds only them (to parallelise use --workers)")
    p.add_argument("--plot-only", nargs="+", metavar="CSV", default=None,
                   help="no runs: merge these result CSVs (duplicate runs dropped) into "
                        "OUT/fig1.csv and plot them")
    add_preset_arguments(p)
    add_execution_arguments(
        p, store_default=None,
        store_help=f"SQLite results store (default OUT/{DEFAULT_STORE}); runs it holds are "
                   "not run again, so an interrupted run resumes")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path("figures") / ex.PRESET_DIRS[args.preset]
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "fig1.csv"
    store = None
    if args.plot_only:
        refuse_same_file(args.plot_only, csv_path, "--out")
        for pth in args.plot_only:
            if not Path(pth).exists():
                raise ValueError(f"--plot-only: file {pth!r} does not exist")
        rows, seen = [], set()
        for r in ex.read_csv(args.plot_only):  # drop duplicate runs (first one wins)
            if ex.run_key(r) not in seen:
                seen.add(ex.run_key(r))
                rows.append(r)
    else:
        overrides = {"epochs": args.epochs, "anneal_epochs": args.anneal_epochs,
                     "width": args.width, "depth": args.depth, "n_samples": args.n_samples,
                     **preset_overrides(args)}
        only = None
        if args.only_reps is not None:
            try:
                only = [int(t) for t in args.only_reps.split(",") if t.strip()]
            except ValueError:
                raise ValueError(f"--only-reps must be comma-separated integers; got "
                                 f"{args.only_reps!r}") from None
        jobs = ex.grid(args.reps, args.tasks, args.densities, args.methods, args.schemes,
                       args.biases, root_seed=args.seed, only_reps=only, preset=args.preset,
                       **overrides)
        store = Path(args.store) if args.store else out / DEFAULT_STORE
        records, code = through_engine("reproduce", lambda: run_sweep(
            "fig1", [c for c, _ in jobs], seeds=[s for _, s in jobs], store=store,
            quiet=args.quiet, **engine_options(args)), store)
        if code:
            return code
        rows = [dict(r["results"], rep=r["config"]["rep"]) for r in records]
    import matplotlib

    matplotlib.use("Agg")
    files = ex.write_fig1(rows, out, args.preset)
    rows = ex.read_csv([csv_path])
    summary = ex.summarize(rows)
    png, table_path = files[1], files[-1]
    if args.json:
        emit_json({"csv": str(csv_path), "figure": str(png), "table": str(table_path),
                   "runs": len(rows), "preset": args.preset,
                   "store": None if store is None else str(store), "summary": summary})
    else:
        print(table_path.read_text(), end="")
        print(f"wrote {csv_path} ({len(rows)} runs), {png}, {table_path}")
    return 0
