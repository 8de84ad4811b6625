"""``slth schemes``: list the registered initialization schemes."""

from __future__ import annotations

import argparse

from slth_theory.cli.options import add_json_flag, emit_json
from slth_theory.model import schemes as init_mod

NAME = "schemes"
HELP = "list the initialization schemes"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    rows = []
    for name in init_mod.names():
        s = init_mod.get(name)
        rows.append({"name": s.name, "family": s.family, "rule": s.rule, "modes": list(s.modes),
                     "bias_modes": list(s.bias_modes), "description": s.description})
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        print(f"{r['name']:<17} {r['family']:<10} modes={'/'.join(r['modes']):<15} "
              f"bias={'/'.join(r['bias_modes']):<13} {r['description']}")
    return 0
