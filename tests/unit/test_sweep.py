"""Sweep engine: registry, keys, seeds, resume/skip, errors, Ctrl-C (serial path)."""

import hashlib
import json

import numpy as np
import pytest
from demo_sweep import demo_grid, run_demo

from slth_theory.engine import sweep as sw
from slth_theory.engine.store import ResultsStore


def test_derive_seed_is_spawned_child_of_root():
    for root in (0, 7, 2**40 + 3):
        kids = np.random.SeedSequence(root).spawn(6)
        for i in (0, 3, 5):
            expect = int(kids[i].generate_state(1, np.uint64)[0]) >> 1
            assert sw.derive_seed(root, i) == expect
            assert 0 <= expect < 2**63
    assert sw.derive_seed(0, 0) != sw.derive_seed(0, 1) != sw.derive_seed(1, 1)


def test_run_key_canonical():
    a = {"width": 10, "bias": "zero", "x": [1.5, None, True]}
    b = {"x": [1.5, None, True], "bias": "zero", "width": np.int64(10)}
    text = '{"config":{"bias":"zero","width":10,"x":[1.5,null,true]},"sweep":"demo"}'
    assert sw.run_key("demo", a) == sw.run_key("demo", b) == \
        hashlib.sha256(text.encode()).hexdigest()[:32]
    assert sw.run_key("demo", a, seed=3) != sw.run_key("demo", a, seed=4) != sw.run_key("demo", a)
    assert sw.run_key("other", a) != sw.run_key("demo", a)
    assert sw.run_key("demo", {"w": 1}) != sw.run_key("demo", {"w": 1.0})


@pytest.mark.parametrize("bad, match", [
    ({"s": {1, 2}}, "set"), ({"f": float("nan")}, "not finite"), ({1: 2}, "not a string"),
    ({"o": object()}, "object"),
])
def test_unserialisable_config_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        sw.plan("demo", [{"width": 3}, bad])


def test_registry_and_lazy(monkeypatch):
    monkeypatch.setattr(sw, "_SWEEPS", dict(sw._SWEEPS))
    monkeypatch.setattr(sw, "LAZY_SWEEPS", dict(sw.LAZY_SWEEPS))

    @sw.register_sweep("t-sq")
    def sq(config, seed):
        """Square."""
        return {"y": config["x"] ** 2}

    assert sw.get_sweep("t-sq").fn is sq and sw.get_sweep("t-sq").description == "Square."
    with pytest.raises(ValueError, match="already registered"):
        sw.register_sweep("t-sq", lambda c, s: {})
    with pytest.raises(ValueError, match=r"unknown sweep 'nope'; choose from .*demo.*t-sq"):
        sw.get_sweep("nope")
    sw.register_lazy("t-missing", "slth_theory.no_such_module:f")
    with pytest.raises(ValueError, match="not available"):
        sw.get_sweep("t-missing")
    sw.register_lazy("t-nofn", "demo_sweep:no_such_fn")
    with pytest.raises(ValueError, match="no function"):
        sw.get_sweep("t-nofn")
    sw.register_lazy("t-demo", "demo_sweep:run_demo")
    assert sw.get_sweep("t-demo").fn is run_demo
    assert sw.get_sweep("t-demo").default_grid is demo_grid
    with pytest.raises(ValueError, match="sweep name"):
        sw.register_sweep("bad name", sq)


def test_each_run_recomputable_alone():
    grid = demo_grid(widths=(3, 6), reps=2)
    recs = sw.run_sweep("demo", grid, root_seed=11)
    assert [r["index"] for r in recs] == list(range(len(grid)))
    for r in recs:
        alone = run_demo(dict(grid[r["index"]]), sw.derive_seed(11, r["index"]))
        assert json.dumps(alone, sort_keys=True) == json.dumps(r["results"], sort_keys=True)
        assert r["seed"] == sw.derive_seed(11, r["index"])
        assert r["key"] == sw.run_key("demo", r["config"], r["seed"])


def _counting_sweep(monkeypatch, calls, fail_at=None, interrupt_at=None):
    monkeypatch.setattr(sw, "_SWEEPS", dict(sw._SWEEPS))

    def fn(config, seed):
        calls.append(config["i"])
        if config["i"] == fail_at:
            raise ZeroDivisionError("boom\nsecond line")
        if config["i"] == interrupt_at:
            raise KeyboardInterrupt
        return {"y": config["i"] * 0.5, "seed_mod": seed % 1000}

    sw.register_sweep("t-count", fn)


def test_resume_skips_stored_and_recompute(tmp_path, monkeypatch):
    calls = []
    _counting_sweep(monkeypatch, calls)
    store = tmp_path / "s.sqlite"
    grid = [{"i": i} for i in range(6)]
    first = sw.run_sweep("t-count", grid[:4], store=store)
    assert calls == [0, 1, 2, 3]
    info = {}
    again = sw.run_sweep("t-count", grid, store=store, info=info)
    assert calls == [0, 1, 2, 3, 4, 5]  # only the new runs
    assert (info["from_store"], info["computed"], info["runs"]) == (4, 2, 6)
    assert [r["results"] for r in again[:4]] == [r["results"] for r in first]
    assert again[:4] == first  # stored records equal the fresh ones, field for field
    sw.run_sweep("t-count", grid, store=store, recompute=True)
    assert len(calls) == 12
    with ResultsStore(store, readonly=True) as db:
        assert len(db) == 6 and db.integrity_check() == "ok"
    # another root seed is another set of runs
    sw.run_sweep("t-count", grid[:2], store=store, root_seed=5)
    with ResultsStore(store, readonly=True) as db:
        assert len(db) == 8


def test_failing_run_keeps_finished(tmp_path, monkeypatch):
    calls = []
    _counting_sweep(monkeypatch, calls, fail_at=3)
    store = tmp_path / "s.sqlite"
    with pytest.raises(sw.SweepRunError, match=r"run #3 .* ZeroDivisionError: boom second line"):
        sw.run_sweep("t-count", [{"i": i} for i in range(6)], store=store)
    with ResultsStore(store, readonly=True) as db:
        assert sorted(r["index"] for r in db.records()) == [0, 1, 2]
        assert [m["index"] for m in db.missing()] == [3, 4, 5]


def test_ctrl_c_keeps_finished_and_says_how_to_resume(tmp_path, monkeypatch):
    calls = []
    _counting_sweep(monkeypatch, calls, interrupt_at=2)
    store = tmp_path / "s.sqlite"
    with pytest.raises(sw.SweepInterrupted) as exc:
        sw.run_sweep("t-count", [{"i": i} for i in range(5)], store=store)
    msg = str(exc.value)
    assert "2 of 5 runs" in msg and "again to resume" in msg and "\n" not in msg
    with ResultsStore(store, readonly=True) as db:
        assert len(db) == 2 and db.integrity_check() == "ok"


def test_bad_input_leaves_store_untouched(tmp_path, monkeypatch):
    store = tmp_path / "s.sqlite"
    sw.run_sweep("demo", demo_grid(widths=(3,), reps=1), store=store)
    before = store.read_bytes()
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        sw.run_sweep("demo", [{"width": 3}, {"width": {4}}], store=store)
    with pytest.raises(ValueError, match="workers"):
        sw.run_sweep("demo", [{"width": 3}], store=store, workers=0)
    with pytest.raises(ValueError, match="root_seed"):
        sw.run_sweep("demo", [{"width": 3}], store=store, root_seed=-1)
    assert store.read_bytes() == before
    notdb = tmp_path / "x.txt"
    notdb.write_text("hello")
    with pytest.raises(ValueError, match="not an SQLite file"):
        sw.run_sweep("demo", [{"width": 3}], store=notdb)
    assert notdb.read_text() == "hello"


def test_results_must_be_plain(monkeypatch):
    monkeypatch.setattr(sw, "_SWEEPS", dict(sw._SWEEPS))
    sw.register_sweep("t-bad", lambda c, s: {"x": {1, 2}})
    sw.register_sweep("t-np", lambda c, s: {"x": np.arange(3), "y": np.float32(0.5),
                                            "z": float("inf")})
    with pytest.raises(sw.SweepRunError, match="not JSON-serialisable"):
        sw.run_sweep("t-bad", [{}])
    (r,) = sw.run_sweep("t-np", [{}])
    assert r["results"] == {"x": [0, 1, 2], "y": 0.5, "z": float("inf")}


def test_grid_product():
    g = sw.grid_product(a=[1, 2], b=["x", "y", "z"])
    assert g[:4] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"},
                     {"a": 2, "b": "x"}]
    assert len(g) == 6
    with pytest.raises(ValueError, match="no values"):
        sw.grid_product(a=[])


def test_explicit_seeds(tmp_path):
    grid = [{"width": 3, "n_nets": 4}, {"width": 3, "n_nets": 4}, {"width": 5, "n_nets": 4}]
    seeds = [7, 7, 2**63 - 1]  # common random numbers: runs 0 and 1 share their seed
    recs = sw.run_sweep("demo", grid, seeds=seeds, store=tmp_path / "s.sqlite")
    assert [r["seed"] for r in recs] == seeds
    assert recs[0]["key"] == recs[1]["key"] == sw.run_key("demo", grid[0], 7)
    assert recs[0]["results"] == run_demo(dict(grid[0]), 7)
    with ResultsStore(tmp_path / "s.sqlite", readonly=True) as db:
        assert len(db) == 2  # the identical run is stored once
    with pytest.raises(ValueError, match="seeds has 1 entries for 3 configs"):
        sw.plan("demo", grid, seeds=[1])
    with pytest.raises(ValueError, match=r"seeds\[0\] must be an integer"):
        sw.plan("demo", grid[:1], seeds=[-1])
