"""``slth random-target``: a random target network with weights and biases in [-1, 1]."""

from __future__ import annotations

import argparse

from slth_theory.cli.options import add_json_flag, emit_json, nonneg_int, positive_float
from slth_theory.construction.build import random_target
from slth_theory.model.io import save
from slth_theory.model.network import parse_widths

NAME = "random-target"
HELP = "draw a target network with weights and biases ~ U[-1, 1] and save it"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", required=True, help="widths n0,n1,...,nL, e.g. 2,50,50,1")
    p.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    p.add_argument("--scale", type=positive_float, default=1.0,
                   help="parameters ~ U[-scale, scale] (default 1)")
    p.add_argument("--output-activation", choices=("relu", "identity"), default="identity")
    p.add_argument("--out", required=True, help="output .npz path")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    widths = parse_widths(args.arch)
    net = random_target(widths, args.seed, args.scale, args.output_activation)
    path = save(net, args.out)
    if args.json:
        emit_json({"path": str(path), "arch": widths, "seed": args.seed, "scale": args.scale,
                   "n_params": net.n_params})
    else:
        print(f"wrote {path}: target arch {widths}, parameters ~ U[-{args.scale:g}, "
              f"{args.scale:g}], seed {args.seed}, {net.n_params} parameters")
    return 0
