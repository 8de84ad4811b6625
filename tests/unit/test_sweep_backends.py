"""The same grid gives bit-identical results serially, on loky workers and on Dask."""

import json
import os

import pytest
from demo_sweep import demo_grid

from slth_theory.engine import sweep as sw
from slth_theory.engine.backends import (
    THREAD_VARS,
    available_cores,
    make_backend,
    threads_per_worker,
)

GRID = demo_grid(widths=(3, 8), reps=3, n_nets=5)


def _canon(records):
    return [json.dumps([r["key"], r["seed"], r["config"], r["results"]], sort_keys=True)
            for r in records]


@pytest.fixture(scope="module")
def serial():
    return sw.run_sweep("demo", GRID, root_seed=3, workers=1)


def test_loky_two_workers_identical(serial, tmp_path):
    recs = sw.run_sweep("demo", GRID, root_seed=3, workers=2, store=tmp_path / "s.sqlite")
    assert _canon(recs) == _canon(serial)
    assert len({r["pid"] for r in recs} - {os.getpid()}) >= 1  # really ran elsewhere


@pytest.fixture(scope="module")
def dask2():
    pytest.importorskip("distributed")
    from slth_theory.engine.backends import DaskBackend
    be = DaskBackend(local=2)  # what --dask-local 2 starts
    yield be
    be.close()


def test_dask_local_two_workers_identical(serial, dask2):
    recs = sw.run_sweep("demo", GRID, root_seed=3, backend=dask2)
    assert _canon(recs) == _canon(serial)
    assert os.getpid() not in {r["pid"] for r in recs}
    assert len({r["pid"] for r in recs}) == 2


def test_worker_thread_limits(monkeypatch, request):
    monkeypatch.setattr(sw, "_SWEEPS", dict(sw._SWEEPS))

    def probe(config, seed):  # local function: pickled by value into the workers
        import os

        import numba
        out = {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS")}
        out["numba"] = numba.get_num_threads()
        return out

    sw.register_sweep("t-probe", probe)
    t = threads_per_worker(2)
    want = {"OMP_NUM_THREADS": str(t), "NUMBA_NUM_THREADS": str(t), "numba": t}
    recs = sw.run_sweep("t-probe", [{"i": i} for i in range(4)], workers=2)
    assert all(r["results"] == want for r in recs)
    assert 2 * t <= available_cores()
    try:
        import distributed  # noqa: F401
    except ImportError:
        return
    be = request.getfixturevalue("dask2")
    recs = sw.run_sweep("t-probe", [{"i": i} for i in range(4)], backend=be)
    assert all(r["results"] == want for r in recs)
    assert set(THREAD_VARS) >= {"OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS"}


def test_backend_option_errors():
    with pytest.raises(ValueError, match="not both"):
        make_backend(2, scheduler="tcp://x:1", dask_local=2)
    with pytest.raises(ValueError, match="workers"):
        make_backend(-1)
    with pytest.raises(ValueError, match="dask_local"):
        make_backend(1, dask_local=0)


def test_unreachable_scheduler_is_value_error():
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler"):
        make_backend(scheduler="tcp://127.0.0.1:1", connect_timeout=1.0)
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        make_backend(scheduler="localhost")


@pytest.mark.parametrize("where", ["loky", "dask"])
def test_failing_run_on_workers(tmp_path, monkeypatch, request, where):
    opts = ({"workers": 2} if where == "loky" else
            {"backend": request.getfixturevalue("dask2")})
    monkeypatch.setattr(sw, "_SWEEPS", dict(sw._SWEEPS))

    def fn(config, seed):  # local: pickled by value, workers need not import this module
        if config["i"] == 2:
            raise ArithmeticError("no good")
        return {"i": config["i"]}

    sw.register_sweep("t-fail", fn)
    store = tmp_path / "s.sqlite"
    with pytest.raises(sw.SweepRunError, match=r"run #2 .*ArithmeticError: no good"):
        sw.run_sweep("t-fail", [{"i": i} for i in range(3)], store=store, **opts)
    from slth_theory.engine.store import ResultsStore
    with ResultsStore(store, readonly=True) as db:
        assert db.integrity_check() == "ok" and db.keys() <= {
            r["key"] for r in sw.plan("t-fail", [{"i": i} for i in range(2)])}
