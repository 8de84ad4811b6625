"""``slth figures``: redraw every registered figure from a results store.

Runs only the runs the store is missing (through the sweep engine, so ``--workers``,
``--scheduler`` and ``--dask-local`` apply), then writes ``OUT/<figure>.png``. Figures
are registered with :func:`slth_theory.engine.figures.register_figure`.
"""

from __future__ import annotations

import argparse

from slth_theory.cli.options import add_json_flag, emit_json
from slth_theory.cli.sweep import add_execution_arguments, engine_options, through_engine

NAME = "figures"
HELP = "redraw every figure from a results store, running only the missing runs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.add_argument("--only", action="append", default=None, metavar="NAME",
                   help="draw only this figure (repeatable; see --list)")
    p.add_argument("--format", default="png",
                   help="comma-separated file formats (default png)")
    p.add_argument("--no-run", action="store_true",
                   help="never compute: fail if the store lacks runs a figure needs")
    p.add_argument("--list", action="store_true", help="list the registered figures")
    add_execution_arguments(p)
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    from slth_theory.engine.figures import figures, make_figures
    if args.list:
        rows = [{"name": f.name, "sweep": f.sweep, "default": f.default,
                 "description": f.description} for f in figures().values()]
        if args.json:
            emit_json(rows)
        else:
            for r in rows:
                extra = "" if r["default"] else " (only with --only)"
                print(f"{r['name']:<12} sweep {r['sweep']:<10} {r['description']}{extra}")
        return 0
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats:
        raise ValueError("--format needs at least one format")
    import matplotlib

    matplotlib.use("Agg")  # a program drawing files only; library functions never do this
    done, code = through_engine("figures", lambda: make_figures(
        args.store, args.out, names=args.only, formats=formats, run_missing=not args.no_run,
        quiet=args.quiet, **engine_options(args)), args.store)
    if code:
        return code
    if args.json:
        emit_json(done)
    else:
        for d in done:
            print(f"{d['name']}: {', '.join(d['files'])} ({d['runs']} runs, "
                  f"{d['computed']} computed)")
    return 0
