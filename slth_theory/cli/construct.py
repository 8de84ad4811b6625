"""``slth construct``: an explicit Theorem 5 ticket for a target, with its certificate."""

from __future__ import annotations

import argparse
import resource
import sys
import time

from slth_theory.cli.options import (
    add_compact_flag,
    add_json_flag,
    add_quiet_flag,
    emit_json,
    nonneg_int,
    positive_float,
)
from slth_theory.cli.width import c_value, load_target, unit_open
from slth_theory.construction.build import construct, summary
from slth_theory.construction.certificate import certify
from slth_theory.model.io import save

NAME = "construct"
HELP = "build a strong lottery ticket for a target (Theorem 5) and certify its error"


def _pool(text: str) -> list[int]:
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers like 40 or 40,30; got {text!r}") \
            from None
    if not vals or min(vals) < 1:
        raise argparse.ArgumentTypeError(f"pool sizes must be >= 1; got {text!r}")
    return vals


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", required=True, help="target network .npz")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--eps", type=positive_float,
                   help="global accuracy: per-layer tolerances from the corrected Lemma 4")
    g.add_argument("--param-eps", type=positive_float,
                   help="per-parameter tolerance (every target parameter within this)")
    p.add_argument("--delta", type=unit_open, default=0.05,
                   help="failure probability in (0, 1) sizing the pools (default 0.05)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="mother network seed (default 0)")
    p.add_argument("--out", required=True, help="ticket .npz to write")
    add_compact_flag(p)
    p.add_argument("--pool", type=_pool, default=None,
                   help="block sizes p_l (one, or one per layer); default from C and delta")
    p.add_argument("--C", dest="C", type=c_value, default="calibrated",
                   help="constant for the default pool sizes (number or 'calibrated')")
    p.add_argument("--scheme", choices=("theorem5-uniform", "theorem5-normal"),
                   default="theorem5-uniform", help="mother initialization")
    p.add_argument("--grow", action="store_true",
                   help="if a parameter misses its tolerance, enlarge that layer's pools "
                        "(x1.5) and rebuild, up to 5 attempts")
    p.add_argument("--no-grid", action="store_true",
                   help="skip the grid+Lipschitz bound (n0 <= 2 only)")
    add_json_flag(p)
    add_quiet_flag(p)


def run(args: argparse.Namespace) -> int:
    target = load_target(args.target)
    pool = args.pool[0] if args.pool and len(args.pool) == 1 else args.pool
    C = None if args.C == "calibrated" else float(args.C)
    t0 = time.perf_counter()
    con = construct(target, eps=args.eps, param_eps=args.param_eps, delta=args.delta,
                    seed=args.seed, pool=pool, C=C, scheme=args.scheme, grow=args.grow,
                    quiet=args.quiet)
    t_build = time.perf_counter() - t0
    big = target.widths[0] > 50
    cert = certify(con, args.seed, n_random=256 if big else 2048, n_starts=4 if big else 16,
                   n_steps=10 if big else 40, grid=not args.no_grid, grid_evals=100_000)
    t_cert = time.perf_counter() - t0 - t_build
    path = save(con.ticket, args.out, compact=args.compact)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # GiB (KiB units)
    out = summary(con)
    out.update({"certificate": cert.to_dict(), "seconds_construct": t_build,
                "seconds_certificate": t_cert, "peak_memory_gib": peak, "path": str(path)})
    if args.json:
        emit_json(out)
        return 0
    print(f"target {con.target.widths} -> mother {con.mother_widths} "
          f"(scheme {args.scheme}, seed {args.seed})")
    if con.kappa != 1.0:
        print(f"target parameters outside [-1, 1]: Lemma 2 factors {con.sigmas.tolist()} "
              f"applied, kappa = {con.kappa:.6g} folded into lambda")
    print(f"pool (block) sizes p_l: {con.pool_sizes}; lambda = {con.ticket.output_scale:.6g}")
    print(f"density: weights {con.ticket.density:.4g}, with biases "
          f"{con.ticket.density_with_biases:.4g}; kept {out['kept_per_target_param']:.3g} "
          f"parameters per target parameter")
    for pe in out["param_errors"]:
        print(f"  layer {pe['layer']}: max |weight error| {pe['max_weight_error']:.3g} "
              f"(tol {pe['tol_weight']:.3g}), max |bias error| {pe['max_bias_error']:.3g} "
              f"(tol {pe['tol_bias']:.3g})")
    if con.failures:
        worst = max(con.failures, key=lambda f: f["error"] - f["tolerance"])
        print(f"WARNING: {len(con.failures)} parameters missed their tolerance (pool too "
              f"small); worst: layer {worst['layer']} {worst['kind']} {worst['index']} "
              f"target {worst['target']:.4g} off by {worst['error']:.3g} > "
              f"{worst['tolerance']:.3g}; try --grow or a larger --pool", file=sys.stderr)
    print("certificate of sup_x ||f(x) - lambda f_ticket(x)||_2 over [-1,1]^n0:")
    print(f"  (ii)  rigorous bound (corrected Lemma 4 on the actual errors): "
          f"{cert.rigorous_bound:.4g}")
    print(f"  (iii) sampled lower estimate: {cert.sampled_lower:.4g}")
    if cert.grid_upper is not None:
        print(f"  (iv)  grid + Lipschitz bound: {cert.grid_upper:.4g}"
              + ("" if cert.grid_converged else " (budget reached; valid but loose)"))
    if con.eps is not None:
        print(f"  certified (ii) <= eps = {con.eps:g}: {cert.certified}")
    print(f"time: construct {t_build:.2f} s, certificate {t_cert:.2f} s; peak memory "
          f"{peak:.2f} GiB; wrote {path}")
    print(f"regenerate the mother: {con.ticket.meta['regenerate']}")
    return 0
