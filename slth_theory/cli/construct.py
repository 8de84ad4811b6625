"""``slth construct``: an explicit Theorem 5 ticket for a target, with its certificate."""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from slth_theory.cli.options import (
    add_compact_flag,
    add_json_flag,
    add_quiet_flag,
    allow_negative_values,
    emit_json,
    nonneg_float,
    nonneg_int,
    parse_domain,
    positive_float,
    positive_int_list,
)
from slth_theory.cli.width import c_value, load_target, unit_open
from slth_theory.construction.build import construct, summary
from slth_theory.construction.certificate import certify
from slth_theory.model.io import save

NAME = "construct"
HELP = "build a strong lottery ticket for a target (Theorem 5) and certify its error"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", required=True, help="target network .npz")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--eps", type=positive_float,
                   help="global accuracy over the input box: tolerances split across layers "
                        "(corrected Lemma 4), certified from the errors achieved")
    g.add_argument("--param-eps", type=positive_float,
                   help="per-parameter tolerance (every target parameter within this)")
    p.add_argument("--delta", type=unit_open, default=0.05,
                   help="failure probability in (0, 1) sizing the pools (default 0.05)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="mother network seed (default 0)")
    p.add_argument("--out", required=True, help="ticket .npz to write")
    add_compact_flag(p)
    p.add_argument("--pool", type=positive_int_list, default=None,
                   help="block sizes p_l (one, or one per layer); default from C and delta")
    p.add_argument("--C", dest="C", type=c_value, default="calibrated",
                   help="constant for the default pool sizes (number or 'calibrated')")
    p.add_argument("--scheme", choices=("theorem5-uniform", "theorem5-normal"),
                   default="theorem5-uniform", help="mother initialization")
    p.add_argument("--grow", action="store_true",
                   help="if a parameter misses its tolerance, enlarge that layer's pools "
                        "(x1.5) and rebuild, up to 5 attempts")
    p.add_argument("--domain", type=parse_domain, default=None,
                   help="input box: LO,HI for every input (e.g. --domain -1,1, the default) "
                        "or a file with one 'lo,hi' row per input (.csv/.txt/.npy)")
    p.add_argument("--grid-seconds", type=nonneg_float, default=0.0,
                   help="time budget of the grid+Lipschitz bound (n0 <= 2 on [-1,1]^n0; "
                        "default 0: not run); it says when it stops at the budget")
    allow_negative_values(p)
    add_json_flag(p)
    add_quiet_flag(p)


def missed(con, cert) -> list[dict]:
    """What missed: parameters out of tolerance, and the certificate if it failed."""
    out = [dict(f, what="parameter") for f in con.failures]
    if cert.certified is False:
        out.append({"what": "certificate", "bound": cert.rigorous_bound, "eps": con.eps})
    return out


def run(args: argparse.Namespace) -> int:
    import warnings

    target = load_target(args.target)
    pool = args.pool[0] if args.pool and len(args.pool) == 1 else args.pool
    C = None if args.C == "calibrated" else float(args.C)
    domain = args.domain
    if domain is not None and np.ndim(domain[0]) and np.size(domain[0]) != target.widths[0]:
        raise ValueError(f"--domain file has {np.size(domain[0])} rows; the target has "
                         f"{target.widths[0]} inputs")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # the same notes are printed below (and listed in the JSON)
        warnings.simplefilter("ignore", UserWarning)
        con = construct(target, eps=args.eps, param_eps=args.param_eps, delta=args.delta,
                        rng=args.seed, pool=pool, C=C, scheme=args.scheme, grow=args.grow,
                        domain=domain, quiet=args.quiet)
    t_build = time.perf_counter() - t0
    big = target.widths[0] > 50
    cert = certify(con, args.seed, n_random=256 if big else 2048, n_starts=4 if big else 16,
                   n_steps=10 if big else 40, grid_seconds=args.grid_seconds,
                   grid_evals=4_000_000)
    t_cert = time.perf_counter() - t0 - t_build
    path = save(con.ticket, args.out, compact=args.compact)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # GiB (KiB units)
    out = summary(con)
    miss = missed(con, cert)
    out.update({"certificate": cert.to_dict(), "seconds_construct": t_build,
                "seconds_certificate": t_cert, "peak_memory_gib": peak, "path": str(path),
                "missed": miss, "ok": not miss})
    status = 1 if miss else 0
    if args.json:
        emit_json(out)
        return status
    print(f"target {con.target.widths} -> mother {con.mother_widths} "
          f"(scheme {args.scheme}, seed {args.seed})")
    if con.kappa != 1.0:
        print(f"target parameters outside [-1, 1]: Lemma 2 factors {con.sigmas.tolist()} "
              f"applied, kappa = {con.kappa:.6g} folded into lambda")
    print(f"pool (block) sizes p_l: {con.pool_sizes} (Theorem 5 with C, delta: "
          f"{out['planned_pool_sizes']}); lambda = {con.ticket.output_scale:.6g}")
    print(f"density: weights {con.ticket.density:.4g}, with biases "
          f"{con.ticket.density_with_biases:.4g}; kept {out['kept_per_target_param']:.3g} "
          f"parameters per target parameter")
    for pe in out["param_errors"]:
        print(f"  layer {pe['layer']}: max |weight error| {pe['max_weight_error']:.3g} "
              f"(tol {pe['tol_weight']:.3g}), max |bias error| {pe['max_bias_error']:.3g} "
              f"(tol {pe['tol_bias']:.3g})")
    for note in con.warnings:
        print(f"slth construct: warning: {' '.join(str(note).split())}", file=sys.stderr)
    box = ("[-1,1]^n0" if np.all(con.lo == -1) and np.all(con.hi == 1)
           else f"the box [{con.lo.min():g}..{con.hi.max():g}] (--domain)")
    print(f"certificate of sup_x ||f(x) - lambda f_ticket(x)||_2 over {box}:")
    print(f"  (ii)  rigorous bound: {cert.rigorous_bound:.4g} (corrected Lemma 4 on the "
          f"actual errors {cert.parameter_bound:.4g}, float64 rounding "
          f"{cert.lambda_rounding + cert.float_evaluation:.2g})")
    print(f"  (iii) sampled lower estimate: {cert.sampled_lower:.4g}")
    if cert.grid_upper is not None:
        print(f"  (iv)  grid + Lipschitz bound: {cert.grid_upper:.4g}"
              + ("" if cert.grid_converged else f" ({cert.grid_note})"))
    elif cert.grid_note:
        print(f"  (iv)  grid + Lipschitz bound {cert.grid_note}")
    if con.eps is not None:
        print(f"  certified (ii) <= eps = {con.eps:g}: {cert.certified}")
    print(f"time: construct {t_build:.2f} s, certificate {t_cert:.2f} s; peak memory "
          f"{peak:.2f} GiB; wrote {path}")
    print(f"regenerate the mother: {con.ticket.meta['regenerate']}")
    if miss:
        print(f"NOT OK: {len(miss)} item(s) missed (exit status 1): "
              + ", ".join(m["what"] if m["what"] == "certificate"
                          else f"layer {m['layer']} {m['kind']} {m['index']}"
                          for m in miss[:5]) + (" ..." if len(miss) > 5 else ""),
              file=sys.stderr)
    return status
