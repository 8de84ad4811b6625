"""Lemma 3 Monte Carlo: networks per second for widths [10,100,100,100,100,100].

Implementations, all in one run:

* ``floor: draws only`` -- the issue's floor: ``sum_l n_l n_(l-1)`` = 41,000 draws per
  network from the fastest NumPy bit generator for the distribution (chosen in setup
  by timing SFC64, PCG64, PCG64DXSM, Philox, MT19937), into a preallocated buffer;
  no arithmetic at all. This is the baseline (ratio 1).
* ``vectorised NumPy`` -- :func:`slth_theory.theory.lemma3_mc.numpy_second_moments`, batched over
  64 networks, same bit generator.
* ``Numba kernel`` -- :func:`slth_theory.theory.lemma3_mc.monte_carlo_second_moments`, with
  ``skip_inactive`` (default: weights meeting a zero activation are not drawn, same
  law, ~21,000 draws per network) and without it (all 41,000 drawn), on 2 threads and
  on 1 thread.
"""

import sys
import time

import numba
import numpy as np

from slth_theory.theory import lemma3 as M
from slth_theory.theory import lemma3_mc as MC

from ..harness import Case

WIDTHS = [10, 100, 100, 100, 100, 100]
N_NETS = 1000
PER_NET = sum(a * b for a, b in zip(WIDTHS[:-1], WIDTHS[1:], strict=True))
BITGENS = ("SFC64", "PCG64", "PCG64DXSM", "Philox", "MT19937")


def _fastest(family, buf):
    best, name = np.inf, None
    for bg in BITGENS:
        g = np.random.Generator(getattr(np.random, bg)(0))
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            g.standard_normal(out=buf) if family == "normal" else g.random(out=buf)
            ts.append(time.perf_counter() - t)
        if min(ts) < best:
            best, name = min(ts), bg
    return name


def _setup(family):
    def setup():
        law = M.layer_law(WIDTHS, f"he-{family}", bias="zero")
        x0 = MC.default_input(WIDTHS[0])
        buf = np.empty(PER_NET * 25)
        bitgen = _fastest(family, buf)
        print(f"[moments-{family}] fastest NumPy bit generator: {bitgen}", file=sys.stderr)
        gen = np.random.Generator(getattr(np.random, bitgen)(1))
        MC.monte_carlo_second_moments(WIDTHS, law, x0, 64)  # compile
        return {"law": law, "x0": x0, "buf": buf, "gen": gen, "family": family,
                "bitgen": bitgen}
    return setup


def _floor(ctx):
    buf, gen = ctx["buf"], ctx["gen"]
    draw = gen.standard_normal if ctx["family"] == "normal" else gen.random
    for _ in range(N_NETS // 25):
        draw(out=buf)


def _numpy(ctx):
    MC.numpy_second_moments(WIDTHS, ctx["law"], ctx["x0"], N_NETS, batch=64,
                           bit_generator=ctx["bitgen"])


def _kernel(skip, threads):
    def f(ctx):
        old = numba.get_num_threads()
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            MC.monte_carlo_second_moments(WIDTHS, ctx["law"], ctx["x0"], N_NETS,
                                         skip_inactive=skip)
        finally:
            numba.set_num_threads(old)
    return f


def _case(family):
    return Case(
        f"moments-{family}[10,100x5]x{N_NETS}", _setup(family),
        {"floor: draws only (fastest NumPy bitgen)": _floor,
         "vectorised NumPy (batch 64)": _numpy,
         "Numba kernel, skip inactive, 2 threads": _kernel(True, 2),
         "Numba kernel, all weights drawn, 2 threads": _kernel(False, 2),
         "Numba kernel, skip inactive, 1 thread": _kernel(True, 1),
         "Numba kernel, all weights drawn, 1 thread": _kernel(False, 1)},
        baseline="floor: draws only (fastest NumPy bitgen)", units=N_NETS,
        unit_name="networks", repeat=7,
        notes=f"Lemma 3 Monte Carlo, {family} weights, zero biases",
        targets={"Numba kernel, skip inactive, 2 threads": "<= 1.3x floor, >= 2x faster "
                 "than NumPy"})


CASES = [_case("normal"), _case("uniform")]
