"""``slth info``: describe a network or ticket file."""

from __future__ import annotations

import argparse

import numpy as np

from slth_theory.cli.options import add_json_flag, emit_json
from slth_theory.model.io import load
from slth_theory.model.ticket import Ticket

NAME = "info"
HELP = "architecture, parameter counts, density (fraction kept) and scheme of a .npz file"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="network or ticket .npz")
    add_json_flag(p)


def describe(obj) -> dict:
    """A JSON-ready summary of a network or ticket."""
    is_ticket = isinstance(obj, Ticket)
    net = obj.mother if is_ticket else obj
    out = {
        "kind": "ticket" if is_ticket else "network",
        "arch": net.widths,
        "depth": net.depth,
        "output_activation": net.output_activation,
        "n_weights": net.n_weights,
        "n_biases": net.n_biases,
        "n_params": net.n_params,
        "n_nonzero_biases": int(sum(np.count_nonzero(b) for b in net.biases)),
        "scheme": net.meta.get("scheme"),
        "seed": net.meta.get("seed"),
        "meta": net.meta,
    }
    if is_ticket:
        out.update({
            "kept_weights": obj.n_kept_weights,
            "kept_biases": obj.n_kept_biases,
            "density": obj.density,
            "density_with_biases": obj.density_with_biases,
            "output_scale": obj.output_scale,
            "ticket_meta": obj.meta,
        })
    return out


def run(args: argparse.Namespace) -> int:
    obj = load(args.file)
    d = describe(obj)
    if args.json:
        emit_json(d)
        return 0
    print(f"{args.file}: {d['kind']}")
    print(f"  architecture      {','.join(map(str, d['arch']))} (depth {d['depth']}, "
          f"output {d['output_activation']})")
    print(f"  parameters        {d['n_params']} ({d['n_weights']} weights, {d['n_biases']} "
          f"biases, {d['n_nonzero_biases']} non-zero)")
    print(f"  scheme            {d['scheme']} (seed {d['seed']})")
    if d["kind"] == "ticket":
        print(f"  kept              {d['kept_weights']} weights, {d['kept_biases']} biases")
        print(f"  density           {d['density']:.6g} (fraction of weights kept), "
              f"{d['density_with_biases']:.6g} (weights and biases)")
        print(f"  output scale      {d['output_scale']:.6g}")
    return 0
