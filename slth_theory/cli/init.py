"""``slth init``: draw a network from a registered scheme and save it."""

from __future__ import annotations

import argparse

import numpy as np

from slth_theory.cli.options import add_json_flag, emit_json, nonneg_int, positive_float
from slth_theory.model import schemes as init_mod
from slth_theory.model.io import save
from slth_theory.model.network import parse_widths

NAME = "init"
HELP = "draw a network from an initialization scheme and save it as .npz"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", required=True, help="widths n0,n1,...,nL, e.g. 2,100,100,1")
    p.add_argument("--scheme", default="he-uniform",
                   help="initialization scheme (see `slth schemes`); default he-uniform")
    p.add_argument("--bias", choices=init_mod.BIAS_MODES, default=None,
                   help="zero or nonzero biases (default: the scheme's first allowed)")
    p.add_argument("--bias-factor", type=positive_float, default=1.0,
                   help="multiplier of the bias scale prod_{m<=l} s_m (default 1)")
    p.add_argument("--mode", default=None,
                   help="fan convention: fan_in (default for He) or fan_out; glorot: fan_avg")
    p.add_argument("--weight-scale", type=positive_float, default=None,
                   help="explicit weight scale s for every layer (theorem5-* schemes only)")
    p.add_argument("--output-activation", choices=("relu", "identity"), default="relu")
    p.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    p.add_argument("--spawn-key", default=None,
                   help="comma-separated SeedSequence spawn key: draw from the child "
                        "SeedSequence(seed, spawn_key=K), as recorded in meta['spawn_key'] of "
                        "networks made by `slth prune` / `slth reproduce`")
    p.add_argument("--out", required=True, help="output .npz path")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    widths = parse_widths(args.arch)
    rng = args.seed
    if args.spawn_key:
        try:
            key = tuple(int(k) for k in args.spawn_key.split(","))
        except ValueError:
            raise ValueError(f"--spawn-key must be comma-separated integers >= 0; got "
                             f"{args.spawn_key!r}") from None
        if min(key) < 0:
            raise ValueError(f"--spawn-key entries must be >= 0; got {args.spawn_key!r}")
        rng = np.random.SeedSequence(args.seed, spawn_key=key)
    net = init_mod.initialize(
        widths, args.scheme, bias=args.bias, bias_factor=args.bias_factor, mode=args.mode,
        weight_scale=args.weight_scale, output_activation=args.output_activation,
        rng=rng,
    )
    path = save(net, args.out)
    if args.json:
        emit_json({"path": str(path), "arch": widths, **net.meta})
    else:
        print(f"wrote {path}: arch {widths}, scheme {args.scheme}, bias {net.meta['bias']}, "
              f"seed {args.seed}, {net.n_params} parameters")
    return 0
