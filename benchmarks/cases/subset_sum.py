"""Subset sum, n = 24: the exact meet-in-the-middle solvers against scipy's HiGHS MILP.

Both problems on random instances (closest: 4, as HiGHS needs seconds each; feasibility: 16;
values U[-1, 1] * U[-1, 1], the
construction's law; targets U[-1, 1]):

* **closest** -- minimise ``|t - a.x|`` over ``x in {0,1}^24``. MILP: ``min z`` s.t.
  ``z >= a.x - t``, ``z >= t - a.x`` (``scipy.optimize.milp``, HiGHS, default tolerances).
  Ours: :func:`slth_theory.construction.subset_sum.closest` per instance (exact), and
  :func:`slth_theory.construction.subset_sum.solve_batch` (``mode='closest'``, all 16 in one
  parallel call). Setup checks that our error is <= the MILP's on every instance.
* **feasibility** -- any ``x`` with ``|t - a.x| <= eps`` (eps = 1e-4). MILP: constraint
  ``t - eps <= a.x <= t + eps``, zero objective. Ours:
  :func:`slth_theory.construction.subset_sum.sparsest` (which also proves the subset has the fewest
  elements) per instance and batched.
"""

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from slth_theory.construction.subset_sum import closest, solve_batch, sparsest

from ..harness import Case

N, M, M_CLOSEST, EPS = 24, 16, 4, 1e-4


def _instances():
    rng = np.random.default_rng(2024)
    a = rng.uniform(-1, 1, (M, N)) * rng.uniform(-1, 1, (M, N))
    t = rng.uniform(-1, 1, M)
    return a, t


def _milp_closest(a, t):
    c = np.zeros(N + 1)
    c[-1] = 1.0
    A = np.vstack([np.append(a, -1.0), np.append(-a, -1.0)])
    cons = LinearConstraint(A, -np.inf, [t, -t])
    integrality = np.append(np.ones(N), 0)
    lb = np.zeros(N + 1)
    ub = np.append(np.ones(N), np.inf)
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(lb, ub))
    x = np.round(res.x[:N]).astype(bool)
    return abs(float(a[x].sum()) - t)


def _milp_feasible(a, t):
    cons = LinearConstraint(a[None, :], t - EPS, t + EPS)
    res = milp(np.zeros(N), constraints=cons, integrality=np.ones(N), bounds=Bounds(0, 1))
    if res.x is None:
        return np.inf
    x = np.round(res.x).astype(bool)
    return abs(float(a[x].sum()) - t)


def _setup_closest():
    a, t = _instances()
    a, t = a[:M_CLOSEST], t[:M_CLOSEST]
    ours = [closest(a[i], t[i]).error for i in range(M_CLOSEST)]
    theirs = [_milp_closest(a[i], t[i]) for i in range(M_CLOSEST)]
    worse = [i for i in range(M_CLOSEST) if ours[i] > theirs[i] + 1e-15]
    if worse:
        raise AssertionError(f"MITM worse than HiGHS on instances {worse}")
    print(f"# closest: errors ours {[f'{v:.3g}' for v in ours]}, HiGHS "
          f"{[f'{v:.3g}' for v in theirs]}: ours <= HiGHS on every instance")
    return a, t


def _setup_feasible():
    a, t = _instances()
    feas = [sparsest(a[i], t[i], EPS) for i in range(M)]
    if max(f.error for f in feas) > EPS:
        raise AssertionError("an instance is infeasible at eps; choose another seed")
    print(f"# feasibility: all {M} instances solved within eps by both "
          f"(ours: fewest elements, mean size {np.mean([f.size for f in feas]):.2f})")
    return a, t


def _loop(fn):
    def run(ctx):
        a, t = ctx
        return [fn(a[i], t[i]) for i in range(len(t))]
    return run


CASES = [
    Case("subset-sum closest n=24 (4 instances)", _setup_closest, {
        "scipy milp (HiGHS)": _loop(_milp_closest),
        "closest (MITM, Numba), per instance": _loop(closest),
        "solve_batch closest (2 threads)": lambda ctx: solve_batch(ctx[0], ctx[1], 0.0,
                                                                     mode="closest"),
    }, baseline="scipy milp (HiGHS)", units=M_CLOSEST, unit_name="instances", repeat=3,
        targets={"closest (MITM, Numba), per instance": ">= 100x faster"},
        notes="exact closest subset sum vs HiGHS MILP"),
    Case("subset-sum feasibility n=24 eps=1e-4 (16 instances)", _setup_feasible, {
        "scipy milp (HiGHS) feasibility": _loop(_milp_feasible),
        "sparsest (Numba), per instance": _loop(lambda a, t: sparsest(a, t, EPS)),
        "solve_batch sparsest (2 threads)": lambda ctx: solve_batch(ctx[0], ctx[1], EPS),
    }, baseline="scipy milp (HiGHS) feasibility", units=M, unit_name="instances", repeat=5,
        targets={"sparsest (Numba), per instance": ">= 30x faster"},
        notes="any subset within eps vs HiGHS MILP"),
]
