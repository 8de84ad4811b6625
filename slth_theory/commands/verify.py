"""``slth verify``: the claims report, a row per claim of the paper."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..progress import bar
from ..verify.claims import names, run_checks
from ._common import add_quiet_flag, emit_json, nonneg_int

NAME = "verify"
HELP = "check every claim of the paper and print the claims report"


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quick", dest="level", action="store_const", const="quick",
                   help="fast run (default; under 60 s on 2 cores)")
    g.add_argument("--full", dest="level", action="store_const", const="full",
                   help="enough samples for 3-digit agreement")
    p.set_defaults(level="quick")
    p.add_argument("--seed", type=nonneg_int, default=0, help="root seed (default 0)")
    p.add_argument("--json", metavar="FILE", default=None,
                   help="also write the rows as JSON to FILE ('-' for stdout only)")
    p.add_argument("--figures", metavar="DIR", default=None, help="write figures to DIR")
    p.add_argument("--only", metavar="CHECK", action="append", default=None,
                   help="run only this check (repeatable)")
    add_quiet_flag(p)


def _table(rows) -> str:
    head = ("id", "paper states", "measured", "verdict")
    cells = [(r.id, r.paper, r.measured, r.verdict + (f" ({r.detail})" if r.detail else ""))
             for r in rows]
    widths = [max(len(head[i]), *(min(len(c[i]), 70) for c in cells)) for i in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3]]
    for c in cells:
        lines.append("  ".join(c[i].ljust(widths[i]) for i in range(3)) + "  " + c[3])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.only:
        valid = names()
        for n in args.only:
            if n not in valid:
                raise ValueError(f"unknown check {n!r}; choose from: {', '.join(valid)}")
    figdir = None
    if args.figures:
        figdir = Path(args.figures)
        figdir.mkdir(parents=True, exist_ok=True)
    if args.json not in (None, "-") and not Path(args.json).parent.exists():
        raise ValueError(f"--json: directory {str(Path(args.json).parent)!r} does not exist")
    selected = args.only or names()
    t0 = time.perf_counter()
    pbar = bar(len(selected), desc="verify", quiet=args.quiet)
    rows = run_checks(args.level, args.seed, args.only, figdir,
                      on_done=lambda name: pbar.update(1))
    pbar.close()
    elapsed = time.perf_counter() - t0
    if args.json == "-":
        emit_json([r.to_dict() for r in rows])
    else:
        print(_table(rows))
        n_fail = sum(r.verdict == "fails" for r in rows)
        print(f"\n{len(rows)} claims checked ({args.level}, seed {args.seed}) in {elapsed:.1f} s; "
              f"{n_fail} fail", file=sys.stderr)
        if args.json:
            emit_json([r.to_dict() for r in rows], args.json)
    return 1 if any(r.verdict == "fails" for r in rows) else 0
