"""``slth sweep``: run a grid through the sweep engine, inspect and export a results store.

``slth sweep run NAME [--param K=V1,V2 ...] [--set K=V ...] [--grid FILE] --store STORE``
``slth sweep status STORE``, ``slth sweep export STORE --csv FILE [--json-out FILE]``,
``slth sweep list``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TypeVar

from slth_theory.cli.options import (
    add_json_flag,
    add_json_out_flag,
    add_quiet_flag,
    check_output_file,
    emit_json,
    positive_float,
    positive_int,
)
from slth_theory.engine.backends import SweepRunError
from slth_theory.engine.files import read_json_file
from slth_theory.engine.store import ResultsStore

NAME = "sweep"
HELP = "run a grid of runs (resumable, parallel, Dask), show or export a results store"
DESCRIPTION = ("Run a registered sweep over a grid with a resumable SQLite results store "
               "(local processes or Dask), report what a store holds, export it to CSV/JSON.")

DEFAULT_STORE = "slth-results/store.sqlite"
T = TypeVar("T")


def add_execution_arguments(p: argparse.ArgumentParser, store_default: str | None = DEFAULT_STORE,
                            store_help: str | None = None, workers_default: int | None = None,
                            workers_help: str | None = None, quiet: bool = True) -> None:
    """Options shared by ``slth sweep run``, ``slth figures``, ``slth reproduce`` and
    ``slth verify``: ``--store --workers --scheduler --dask-local --connect-timeout --sync
    --recompute`` and (``quiet=True``) ``--quiet``. The defaults and help of ``--store``
    and ``--workers`` may be set per command."""
    p.add_argument("--store", default=store_default,
                   help=store_help or f"SQLite results store (default {store_default}); "
                                      "finished runs it holds are not run again")
    p.add_argument("--workers", type=positive_int, default=workers_default,
                   help=workers_help or "local worker processes (default: all cores; 1 = in "
                                        "this process)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on an existing Dask distributed cluster")
    p.add_argument("--dask-local", type=positive_int, default=None, metavar="N",
                   help="start a local Dask cluster of N worker processes")
    p.add_argument("--connect-timeout", type=positive_float, default=10.0, metavar="S",
                   help="seconds to wait for the Dask scheduler (default 10)")
    p.add_argument("--sync", choices=("full", "normal"), default="full",
                   help="store durability per commit: full (default) survives power loss; "
                        "normal survives crashes/kills only but commits ~20x faster")
    p.add_argument("--recompute", action="store_true",
                   help="run everything again, overwriting stored runs")
    if quiet:
        add_quiet_flag(p)


def engine_options(args: argparse.Namespace) -> dict:
    """The sweep engine's execution options set by :func:`add_execution_arguments`
    (``--store`` and ``--quiet`` excepted: commands resolve those themselves)."""
    return {"workers": args.workers, "scheduler": args.scheduler,
            "dask_local": args.dask_local, "recompute": args.recompute,
            "connect_timeout": args.connect_timeout, "synchronous": args.sync.upper()}


def through_engine(command: str, call: Callable[[], T], store=None) -> tuple[T | None, int]:
    """``(call(), 0)``; ``(None, 130)`` after Ctrl-C; ``(None, 1)`` when a run raised.

    Each failure is one line on stderr, naming ``store`` (where the finished runs are
    kept) when given."""
    from slth_theory.engine.sweep import SweepInterrupted
    try:
        return call(), 0
    except SweepInterrupted as exc:
        print(f"slth {command}: {exc}", file=sys.stderr)
        return None, 130
    except SweepRunError as exc:
        kept = f"; finished runs are kept in {store}" if store else ""
        print(f"slth {command}: error: {exc}{kept}", file=sys.stderr)
        return None, 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    r = sub.add_parser("run", help="run a sweep over a grid into a store")
    r.add_argument("name", help="sweep name (see `slth sweep list`)")
    r.add_argument("--param", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a grid axis (repeat for a Cartesian product); values are JSON "
                        "(numbers, true/false/null) or else strings")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="set a field on every config of the grid")
    r.add_argument("--grid", default=None, metavar="FILE",
                   help="JSON grid: a list of configs, or an object {axis: [values]} "
                        "(Cartesian product)")
    r.add_argument("--root-seed", type=int, default=0,
                   help="root of the seed tree (run i gets SeedSequence(root, spawn_key=(i,)))")
    add_execution_arguments(r)
    add_json_flag(r)

    s = sub.add_parser("status", help="finished / planned / missing runs per sweep")
    s.add_argument("store", help="SQLite results store")
    add_json_flag(s)

    e = sub.add_parser("export", help="export a store to CSV and/or JSON")
    e.add_argument("store", help="SQLite results store")
    e.add_argument("--csv", default=None, metavar="FILE", help="write one CSV row per run")
    add_json_out_flag(e, help="write a JSON list of runs to FILE")
    e.add_argument("--sweep", default=None, help="only this sweep")
    add_json_flag(e, help="print what was written as JSON on stdout")

    lst = sub.add_parser("list", help="registered sweeps")
    add_json_flag(lst)


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _split_kv(text: str, opt: str) -> tuple[str, str]:
    key, sep, val = text.partition("=")
    if not sep or not key:
        raise ValueError(f"{opt} expects KEY=VALUE; got {text!r}")
    return key, val


def build_grid(name: str, params: list[str], sets: list[str], grid_file: str | None
               ) -> list[dict]:
    """The grid of ``slth sweep run`` from ``--grid``, ``--param`` and ``--set``.

    Base grid: ``--grid FILE`` if given; else the product of the ``--param`` axes; else the
    sweep's default grid. ``--set`` then overrides a field on every config.
    """
    from slth_theory.engine.sweep import get_sweep, grid_product
    if grid_file is not None and params:
        raise ValueError("give either --grid or --param, not both")
    if grid_file is not None:
        data = read_json_file(grid_file, "--grid")
        if isinstance(data, dict):
            if not all(isinstance(v, list) for v in data.values()):
                raise ValueError(f"--grid {grid_file}: an object grid maps each axis to a list")
            grid = grid_product(**data)
        elif isinstance(data, list) and all(isinstance(c, dict) for c in data):
            grid = data
        else:
            raise ValueError(f"--grid {grid_file}: expected a list of objects or an object "
                             "of lists")
    elif params:
        axes = {}
        for text in params:
            key, vals = _split_kv(text, "--param")
            axes[key] = [_value(v) for v in vals.split(",")]
        grid = grid_product(**axes)
    else:
        spec = get_sweep(name)
        if spec.default_grid is None:
            raise ValueError(f"sweep {name!r} has no default grid; give --param or --grid")
        grid = spec.default_grid()
    fixed = dict(_split_kv(t, "--set") for t in sets)
    grid = [dict(c, **{k: _value(v) for k, v in fixed.items()}) for c in grid]
    if not grid:
        raise ValueError("the grid is empty")
    return grid


def _run(args: argparse.Namespace) -> int:
    from slth_theory.engine.sweep import get_sweep, run_sweep
    get_sweep(args.name)
    grid = build_grid(args.name, args.param, args.set, args.grid)
    info: dict = {}
    _, code = through_engine("sweep", lambda: run_sweep(
        args.name, grid, root_seed=args.root_seed, store=args.store, quiet=args.quiet,
        info=info, **engine_options(args)), args.store)
    if code:
        return code
    info["sweep"] = args.name
    if args.json:
        emit_json(info)
    else:
        print(f"sweep {args.name}: {info['runs']} runs, {info['computed']} computed, "
              f"{info['from_store']} already in the store, {info.get('seconds', 0.0):.2f} s "
              f"[{info['backend']}]; store {info['store']}")
    return 0


def _status(args: argparse.Namespace) -> int:
    with ResultsStore(args.store, readonly=True) as db:
        rows = db.status()
        integrity = db.integrity_check()
        total = len(db)
    if args.json:
        emit_json({"store": args.store, "runs": total, "integrity": integrity, "sweeps": rows})
        return 0
    print(f"{args.store}: {total} finished runs, integrity {integrity}")
    print(f"  {'sweep':<16} {'planned':>8} {'done':>8} {'missing':>8} {'run time':>10}  version")
    for r in rows:
        print(f"  {r['sweep']:<16} {r['planned']:>8} {r['done']:>8} {r['missing']:>8} "
              f"{r['run_seconds']:>9.1f}s  {', '.join(r['versions'])}")
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.csv is None and args.json_out is None:
        raise ValueError("give --csv FILE and/or --json-out FILE")
    check_output_file("--csv", args.csv)
    check_output_file("--json-out", args.json_out)
    written = []
    with ResultsStore(args.store, readonly=True) as db:
        if args.sweep is not None and args.sweep not in {r["sweep"] for r in db.status()}:
            raise ValueError(f"store holds no sweep {args.sweep!r}")
        if args.csv is not None:
            written.append({"format": "csv", "path": args.csv,
                            "runs": db.export_csv(args.csv, args.sweep)})
        if args.json_out is not None:
            written.append({"format": "json", "path": args.json_out,
                            "runs": db.export_json(args.json_out, args.sweep)})
    if args.json:
        emit_json(written)
    else:
        for w in written:
            print(f"wrote {w['runs']} runs to {w['path']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from slth_theory.engine.sweep import LAZY_SWEEPS, get_sweep, sweep_names
    rows = []
    for name in sweep_names():
        try:
            spec = get_sweep(name)
            rows.append({"name": name, "available": True, "description": spec.description,
                         "default_grid": spec.default_grid is not None})
        except (ValueError, ImportError) as exc:
            rows.append({"name": name, "available": False,
                         "description": f"{LAZY_SWEEPS.get(name, '')}: {exc}",
                         "default_grid": False})
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        mark = "" if r["available"] else " (unavailable)"
        print(f"{r['name']:<12}{mark} {r['description']}")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"run": _run, "status": _status, "export": _export, "list": _list}[args.action](args)
