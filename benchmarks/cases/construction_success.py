"""Success rate of the default pools: ``slth construct`` over mother seeds 0..N-1.

``python -m benchmarks.cases.construction_success --arch 64,32,10 --eps 0.01 --seeds 20``
builds the ticket of one random target (``random_target(arch, 0)``) for every mother seed with
the default pools (Theorem 5 with the calibrated ``C`` and ``delta = 0.05``) and prints, per
seed, whether every parameter met its tolerance and whether the certificate holds, then the
success rate. ``--param-eps P`` instead of ``--eps`` measures the per-parameter mode;
``--no-certificate`` only counts parameters out of tolerance.
"""

from __future__ import annotations

import argparse
import time
import warnings

from slth_theory.construction.build import construct, random_target
from slth_theory.construction.certificate import certify


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cases.construction_success")
    p.add_argument("--arch", default="64,32,10")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--eps", type=float, default=None)
    g.add_argument("--param-eps", type=float, default=None)
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--delta", type=float, default=0.05)
    p.add_argument("--no-certificate", action="store_true",
                   help="only count parameters out of tolerance (no certificate)")
    args = p.parse_args(argv)
    eps = args.eps if (args.eps or args.param_eps) else 0.01
    target = random_target([int(v) for v in args.arch.split(",")], 0)
    ok = 0
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            con = construct(target, eps=None if args.param_eps else eps,
                            param_eps=args.param_eps, delta=args.delta, rng=seed)
        cert = (None if args.no_certificate
                else certify(con, seed, n_random=256, n_starts=2, n_steps=5))
        good = not con.failures and (cert is None or cert.certified is not False)
        ok += good
        print(f"seed {seed}: failed parameters {len(con.failures)}, "
              + ("" if cert is None else f"bound {cert.rigorous_bound:.3g}, certified "
                 f"{cert.certified}, ")
              + f"kept per target {con.kept_per_target_param:.2f}, "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
    print(f"success {ok}/{args.seeds} (mother {con.mother_widths}, pools {con.pool_sizes}, "
          f"delta {args.delta})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
