"""``slth width``: Theorem 5's mother-network widths (main text and appendix formulas)."""

from __future__ import annotations

import argparse

from slth_theory.cli.options import (
    add_json_flag,
    allow_negative_values,
    emit_json,
    parse_domain,
    positive_float,
)
from slth_theory.model.io import load
from slth_theory.model.network import Network
from slth_theory.theory.theorem5 import calibrated_C, width_bound

NAME = "width"
HELP = "Theorem 5 width bound per layer: eps_l, delta_l, n_{2l-1}, n_{2l}, parameter count"


def unit_open(text: str) -> float:
    """argparse type: a number in (0, 1)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (0 < v < 1):
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {text!r}")
    return v


def c_value(text: str) -> str | float:
    """argparse type: 'calibrated' or a positive number."""
    if text == "calibrated":
        return text
    try:
        return positive_float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be a number > 0 or 'calibrated', got {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", default=None, help="target widths n0,...,nL (or give --target)")
    p.add_argument("--eps", type=positive_float, required=True, help="target accuracy eps > 0")
    p.add_argument("--delta", type=unit_open, default=0.05,
                   help="failure probability in (0, 1) (default 0.05)")
    p.add_argument("--C", dest="C", type=c_value, default="calibrated",
                   help="the constant C: a number or 'calibrated' (default)")
    p.add_argument("--target", default=None,
                   help="target .npz: in-degrees k_l,max, norms and sup||x^(l)||_1 from it")
    p.add_argument("--domain", type=parse_domain, default=None,
                   help="input box with --target: LO,HI or a file of per-input bounds "
                        "(as for slth construct; default -1,1)")
    allow_negative_values(p)
    add_json_flag(p)


def load_target(path: str) -> Network:
    obj = load(path)
    if not isinstance(obj, Network):
        raise ValueError(f"{path!r} holds a ticket, not a target network")
    return obj


def run(args: argparse.Namespace) -> int:
    if args.arch is None and args.target is None:
        raise ValueError("give --arch or --target")
    target = load_target(args.target) if args.target else None
    C = calibrated_C("product") if args.C == "calibrated" else float(args.C)
    formulas = ["main", "appendix"] + (["corrected", "construction"] if target else [])
    lo, hi = (-1.0, 1.0) if args.domain is None else args.domain
    if args.domain is not None and target is None:
        raise ValueError("--domain needs --target")
    reports = [width_bound(args.arch, args.eps, args.delta, C, target, f, lo=lo, hi=hi)
               for f in formulas]
    if args.json:
        emit_json({"eps": args.eps, "delta": args.delta, "C": C,
                   "C_source": "calibrated" if args.C == "calibrated" else "given",
                   "reports": [r.to_dict() for r in reports]})
        return 0
    labels = {
        "main": "Theorem 5, main text: n_{2l-1} = C n_{l-1} log(k_{l-1,max} n_l / "
                "min(eps_l, delta/L)), eps_l from Eq. B.3",
        "appendix": "Theorem 5, appendix B.4: n_{2l-1} = C n_{l-1} log(1/min(eps_l, delta_l)),"
                    " delta_l = delta/(L k_{l-1,max} n_l), eps_l from Eq. B.3",
        "corrected": "corrected: eps_l from the corrected Lemma 4, delta_l = delta/(2 L n_l "
                     "k_l,max)",
        "construction": "construction layout (exactly what `slth construct --eps` builds): "
                        "(n_{l-1}+1) p_l, p_1 = 2 n_s, p_l = n_s, n_s = ceil(C log(1/min("
                        "eps_l, delta_l))), eps_l split across layers (least work)",
    }
    src = "calibrated" if args.C == "calibrated" else "given"
    print(f"eps = {args.eps:g}, delta = {args.delta:g}, C = {C:.4g} ({src})"
          + ("" if target else "; no target: k_l,max = n_{l-1}+1, eps_l = eps/(L(n_l+1)"
             "(n_{l-1}+1)e) (paper's simplification)"))
    for r in reports:
        print(f"\n[{r.formula}] {labels[r.formula]}")
        print(f"  {'l':>2} {'eps_l':>10} {'delta_l':>10} {'k_l,max':>7} {'n_2l-1':>9} {'n_2l':>6}")
        for ly in r.layers:
            print(f"  {ly.layer:>2} {ly.eps_l:>10.3g} {ly.delta_l:>10.3g} {ly.k_max:>7} "
                  f"{ly.n_odd:>9} {ly.n_even:>6}")
        print(f"  mother widths {r.mother_widths}; {r.mother_params:,} parameters")
    return 0
