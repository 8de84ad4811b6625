"""``slth verify``: the claims report, a row per claim of the paper.

Runs every registered check (:mod:`slth_theory.verify.checks`) and prints one table:
claim id, what the paper states, what was measured (estimate +/- standard error where
statistical) and the verdict with its detail and repaired statement (verdicts:
``docs/guide/verdicts.md``). ``--explain ID`` says what a row checks, how, and how to
reproduce it, without running anything; ``--save-counterexamples DIR`` writes the run's
counterexample networks as ``.npz`` files. Exit status: 0 when every check ran and no row
is ``wrong``; 1 when a row is ``wrong`` (:data:`~slth_theory.verify.report.EXIT_1_VERDICTS`)
or a check crashed; 2 on bad input.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import time
import traceback
from collections import Counter
from pathlib import Path

from slth_theory.cli.options import (
    add_json_flag,
    add_json_out_flag,
    check_output_file,
    emit_json,
    nonneg_int,
)
from slth_theory.cli.sweep import add_execution_arguments, engine_options, through_engine
from slth_theory.engine.progress import bar
from slth_theory.verify.findings import findings_markdown
from slth_theory.verify.report import (
    EXIT_1_VERDICTS,
    VERDICTS,
    CheckCrashed,
    ClaimRow,
    exit_status,
    explain,
    names,
    run_checks_sweep,
    save_counterexamples,
)

NAME = "verify"
HELP = "check every claim of the paper and print the claims report"
DEFAULT_WIDTH = 100


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quick", dest="level", action="store_const", const="quick",
                   help="fast run (default; under 60 s on 2 cores)")
    g.add_argument("--full", dest="level", action="store_const", const="full",
                   help="enough samples for 3-digit agreement (minutes)")
    p.set_defaults(level="quick")
    p.add_argument("--seed", type=nonneg_int, default=0, help="root seed (default 0)")
    add_json_flag(p, help="print the rows as JSON on stdout instead of the table")
    add_json_out_flag(p, help="also write the rows as JSON to FILE")
    p.add_argument("--markdown", action="store_true",
                   help="print the findings table of README.md (Markdown) instead of the table")
    p.add_argument("--figures", metavar="DIR", default=None,
                   help="write the figures of every check to DIR (created if missing)")
    p.add_argument("--only", metavar="CHECK", action="append", default=None,
                   help="run only this check (repeatable; see --list)")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument("--explain", metavar="ID", default=None,
                   help="print what row ID checks, how, and the command reproducing it; "
                        "runs nothing")
    p.add_argument("--save-counterexamples", metavar="DIR", default=None,
                   help="write every counterexample network of the run to DIR as "
                        "<row id>.<name>.npz (load with slth_theory.load)")
    p.add_argument("--width", type=nonneg_int, default=None,
                   help="table width in columns, >= 60 (default: the terminal's width; 100 "
                        "when stdout is not a terminal)")
    add_execution_arguments(
        p, store_default=None,
        store_help="SQLite results store (default: none, nothing kept); checks it holds "
                   "are not run again, so an interrupted --full resumes",
        workers_default=1,
        workers_help="run the checks in N local processes (default 1: in this process, "
                     "fastest for --quick; the numbers are identical for any N)")


def _wrap(text: str, width: int) -> list[str]:
    out: list[str] = []
    for para in str(text).split("\n"):
        out += textwrap.wrap(para, width, break_long_words=True, break_on_hyphens=False) or [""]
    return out


def format_table(rows: list[ClaimRow], width: int = DEFAULT_WIDTH) -> str:
    """The claims table, every cell wrapped to fit ``width`` columns.

    Columns: id, paper states, measured, verdict (the detail is wrapped under the
    verdict). Rows are separated by a rule.
    """
    width = max(width, 60)
    sep = " | "
    id_w = min(26, max([len("id")] + [len(r.id) for r in rows]))
    verdict_w = 22
    rest = width - id_w - verdict_w - 3 * len(sep)
    paper_w = max(12, int(rest * 0.42))
    meas_w = max(12, rest - paper_w)
    widths = (id_w, paper_w, meas_w, verdict_w)
    head = ("id", "paper states", "measured", "verdict / detail")
    rule = "-+-".join("-" * w for w in widths)
    lines = [sep.join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(), rule]
    for r in rows:
        verdict = r.verdict.upper() if r.verdict in EXIT_1_VERDICTS else r.verdict
        cells = [_wrap(r.id, id_w), _wrap(r.paper, paper_w), _wrap(r.measured, meas_w),
                 _wrap(verdict, verdict_w) + (_wrap(r.detail, verdict_w) if r.detail else [])
                 + (_wrap("repaired: " + r.repaired, verdict_w) if r.repaired else [])]
        for k in range(max(len(c) for c in cells)):
            parts = [(c[k] if k < len(c) else "").ljust(w)
                     for c, w in zip(cells, widths, strict=True)]
            lines.append(sep.join(parts).rstrip())
        lines.append(rule)
    return "\n".join(lines)


def _table_width(arg: int | None) -> int:
    if arg:
        return arg
    if sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def _explain(row_id: str, as_json: bool) -> int:
    check, info = explain(row_id)
    if as_json:
        emit_json({"id": info.id, "check": check, "statement": info.statement,
                   "method": info.method, "reproduce": info.reproduce})
        return 0
    print(f"{info.id}  (check {check!r})")
    for label, text in (("checks", info.statement), ("how", info.method),
                        ("reproduce", info.reproduce)):
        lines = _wrap(text, 80)
        print(f"  {label + ':':<11}{lines[0]}")
        for line in lines[1:]:
            print(f"  {'':<11}{line}")
    return 0


def run(args: argparse.Namespace) -> int:
    valid = names()
    if args.list:
        if args.json:
            emit_json(valid)
        else:
            print("\n".join(valid))
        return 0
    if args.json and args.markdown:
        raise ValueError("--json and --markdown exclude each other")
    if args.explain is not None:
        return _explain(args.explain, args.json)
    cexdir = None
    if args.save_counterexamples:
        cexdir = Path(args.save_counterexamples)
        if cexdir.exists() and not cexdir.is_dir():
            raise ValueError(f"--save-counterexamples: {str(cexdir)!r} exists and is not a "
                             "directory")
    if args.only:
        for n in args.only:
            if n not in valid:
                raise ValueError(f"unknown check {n!r}; choose from: {', '.join(valid)}")
    if args.width is not None and args.width < 60:
        raise ValueError(f"--width must be >= 60; got {args.width}")
    check_output_file("--json-out", args.json_out)
    figdir = None
    if args.figures:
        figdir = Path(args.figures)
        if figdir.exists() and not figdir.is_dir():
            raise ValueError(f"--figures: {args.figures!r} exists and is not a directory")
        figdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    pbar = bar(1000, desc=f"verify --{args.level}", quiet=args.quiet)
    state = {"n": 0}

    def on_progress(frac: float) -> None:
        n = int(round(1000 * frac))
        if n > state["n"]:
            pbar.update(n - state["n"])
            state["n"] = n

    def on_start(name: str) -> None:
        pbar.set_postfix_str(name, refresh=True)

    errors: list[tuple[str, BaseException]] = []
    cex: dict = {}
    try:
        rows, code = through_engine("verify", lambda: run_checks_sweep(
            args.level, args.seed, args.only, figdir, on_start=on_start,
            on_progress=on_progress, errors=errors, store=args.store, counterexamples=cex,
            **engine_options(args)))
    finally:
        pbar.close()
    if code:
        return code
    elapsed = time.perf_counter() - t0
    data = [r.to_dict() for r in rows]
    if args.json:
        emit_json(data)
    elif args.markdown:
        sys.stdout.write(findings_markdown(data))
    else:
        print(format_table(rows, _table_width(args.width)))
    if args.json_out:
        emit_json(data, args.json_out)
    counts = Counter(r.verdict for r in rows)
    summary = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v])
    print(f"{len(rows)} claims checked ({args.level}, seed {args.seed}) in {elapsed:.1f} s: "
          f"{summary or 'none'}", file=sys.stderr)
    for name, exc in errors:
        if isinstance(exc, CheckCrashed):
            print(f"error: check {name!r} crashed: {exc.type_name}: {exc.message}",
                  file=sys.stderr)
            if not args.quiet:
                print(exc.traceback_text, end="", file=sys.stderr)
            continue
        print(f"error: check {name!r} crashed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if not args.quiet:
            traceback.print_exception(exc, file=sys.stderr)
    if figdir is not None and not errors:
        print(f"figures written to {figdir}", file=sys.stderr)
    if cexdir is not None:
        paths = save_counterexamples(cex, cexdir)
        print(f"{len(paths)} counterexample networks written to {cexdir}", file=sys.stderr)
    return 1 if errors else exit_status(rows)
