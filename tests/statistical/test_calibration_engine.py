"""`calibration.run_grid` on the sweep engine: identical numbers on every path (fixed seeds).

The calibration kernel (`subset_sum.solve_batch`) is Numba-parallel over instances; the
engine limits Numba threads inside its workers. None of that may change a single count.
"""

import numba
import numpy as np
import pytest

from slth_theory.construction import calibration as cal
from slth_theory.engine.store import ResultsStore
from slth_theory.engine.sweep import run_sweep

TINY = [{"distribution": d, "eps": e, "n_list": list(range(0, 17, 2)), "trials": 150}
        for d in cal.DISTRIBUTIONS for e in (0.1, 0.01)]


def _plain_loop(configs, root_seed):
    """Reference: run_one called directly with the documented seeds (no engine)."""
    seeds = [int(s.generate_state(1)[0])
             for s in np.random.SeedSequence(root_seed).spawn(len(configs))]
    return [cal.run_one(c, s) for c, s in zip(configs, seeds, strict=True)]


def test_grid_seeds_are_the_spawned_32_bit_seeds():
    seeds = cal.grid_seeds(5, 7)
    ref = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(7).spawn(5)]
    assert seeds == ref and all(0 <= s < 2**32 for s in seeds)
    # spawned children are keyed by position: a prefix of the grid keeps its seeds
    assert cal.grid_seeds(3, 7) == seeds[:3]
    with pytest.raises(ValueError, match="n must be"):
        cal.grid_seeds(-1)


def test_reality_seeds_formula():
    ref = [int(s.generate_state(1)[0] % 2**31) for s in np.random.SeedSequence([4, 7]).spawn(3)]
    assert cal.reality_seeds(3, 4) == ref


# SeedSequence(0).spawn(3)[i].generate_state(1)[0], written out (computed once by hand in
# an interpreter, independent of slth_theory)
SEEDS_ROOT0 = [3757552657, 673228719, 3241444873]


def test_grid_seeds_literal_values():
    assert cal.grid_seeds(3, 0) == SEEDS_ROOT0
    assert cal.grid_seeds(3) == SEEDS_ROOT0  # default root seed is 0


def test_calibration_figure_seeds_literal_values():
    """`slth figures` (calibration figure) and `slth calibrate` share stored runs."""
    assert cal.calibration_seeds(3) == SEEDS_ROOT0


def test_workers_1_and_2_identical_fit():
    ref = _plain_loop(TINY, 11)
    one = cal.run_grid(TINY, 11, workers=1)
    info: dict = {}
    two = cal.run_grid(TINY, 11, workers=2, info=info)
    assert info["backend"].startswith("loky, 2 processes")
    assert one == ref and two == ref
    f1, f2 = cal.fit_C(one), cal.fit_C(two)
    assert f1 == f2
    assert {d: f["C"] for d, f in f1.items()} == {d: f["C"] for d, f in cal.fit_C(ref).items()}


def test_numba_thread_count_does_not_change_counts():
    cfg = {"distribution": "product", "eps": 0.01, "n_list": [0, 8, 16, 24], "trials": 400}
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        r1 = cal.run_one(cfg, 5)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        r2 = cal.run_one(cfg, 5)
    finally:
        numba.set_num_threads(before)
    assert r1 == r2


def test_resume_skips_finished_cells(tmp_path):
    store = tmp_path / "cal.sqlite"
    first = cal.run_grid(TINY[:2], 3, store=store)  # an "interrupted" run: 2 of 4 cells
    info: dict = {}
    full = cal.run_grid(TINY, 3, store=store, info=info)
    assert info["from_store"] == 2 and info["computed"] == 2
    assert full[:2] == first and full == _plain_loop(TINY, 3)
    with ResultsStore(store, readonly=True) as db:
        assert len(db) == 4 and db.integrity_check() == "ok"
    again: dict = {}
    assert cal.run_grid(TINY, 3, store=store, info=again) == full
    assert again["computed"] == 0 and again["from_store"] == 4


def test_engine_reproduces_shipped_cells():
    """The first two cells of the shipped grid, recomputed on 2 workers, equal the file."""
    shipped = cal.load()
    assert shipped["root_seed"] == 0
    res = cal.run_grid(cal.grid()[:2], 0, workers=2)
    assert res == shipped["results"][:2]


def test_calibrate_sweep_seeds_explicit():
    """run_grid's records carry the 32-bit seeds, not the engine's derive_seed."""
    seeds = SEEDS_ROOT0[:2]
    recs = run_sweep("calibrate", TINY[:2], seeds=seeds, quiet=True)
    assert [r["seed"] for r in recs] == seeds
    # reference: a plain in-process loop calling run_one directly (no engine)
    ref = []
    for config, seed in zip(TINY[:2], seeds, strict=True):
        ref.append(cal.run_one(config, seed))
    assert [r["results"] for r in recs] == ref
    assert cal.run_grid(TINY[:2], 0) == ref


@pytest.mark.slow
def test_default_grid_reproduces_shipped_constants_bit_for_bit():
    """The full default grid on 2 workers (about 2 minutes) equals the shipped data."""
    shipped = cal.load()
    res = cal.run_grid(cal.grid(), shipped["root_seed"], workers=2)
    assert res == shipped["results"]
    fits = cal.fit_C(res)
    assert {d: f["C"] for d, f in fits.items()} == shipped["C"]
