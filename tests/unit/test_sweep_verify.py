"""``slth verify`` through the sweep engine: identical rows for any worker count,
resumable from a store, crashes not stored, figure data round-trips through JSON."""

import json
from dataclasses import dataclass, field

import numpy as np
import pytest

from slth_theory.cli.main import main
from slth_theory.engine.codec import decode_data, encode_data, register_type
from slth_theory.engine.store import ResultsStore
from slth_theory.engine.sweep import to_plain
from slth_theory.model.network import Network
from slth_theory.verify import report as claims
from slth_theory.verify.report import Check, CheckOutput, ClaimRow


def _rows(capsys, only, *extra):
    code = main(["verify", "--quick", *[a for n in only for a in ("--only", n)], "--json",
                 "--quiet", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_workers_2_gives_the_rows_of_the_plain_loop(capsys):
    """2 worker processes (1 Numba thread each; lemma3's Monte Carlo kernels use prange)
    give the rows of the plain in-process loop (all threads), as JSON text."""
    code, rows2 = _rows(capsys, ["lemma2", "lemma3"], "--workers", "2")
    plain = [r.to_dict() for r in claims.run_checks("quick", 0, ["lemma2", "lemma3"])]
    assert code == 0 and len(rows2) == len(plain) == 19
    assert json.dumps(plain) == json.dumps(rows2)
    code, rows1 = _rows(capsys, ["lemma1"], "--workers", "1")
    plain = [r.to_dict() for r in claims.run_checks("quick", 0, ["lemma1"])]
    assert code == 0 and json.dumps(plain) == json.dumps(rows1)


@register_type
@dataclass
class _Pt:
    x: float
    tag: tuple
    hidden: int = field(init=False, default=0)


def test_figure_data_round_trips_exactly():
    net = Network([np.array([[0.1, -0.2]]), np.array([[1 / 3]])],
                  [np.array([0.5]), np.zeros(1)], "identity", {"seed": 3})
    pt = _Pt(0.1 + 0.2, (1, "a"))
    pt.hidden = 7
    data = {"net": net, "pt": pt, "arr": np.arange(6, dtype=np.float32).reshape(2, 3) / 3,
            "scalar": np.float64(1e-300), "i": np.int64(5), "keys": {1: "one"},
            "nan": float("nan"), "list": [1, 2.5, None]}
    enc = encode_data(data)
    back = decode_data(json.loads(json.dumps(enc)))
    assert isinstance(back["net"], Network)
    assert all(np.array_equal(a, b) for a, b in zip(back["net"].weights, net.weights,
                                                   strict=True))
    assert back["net"].biases[0][0] == 0.5 and back["net"].meta == {"seed": 3}
    assert back["pt"] == pt and back["pt"].hidden == 7 and back["pt"].tag == (1, "a")
    assert back["arr"].dtype == np.float32 and np.array_equal(back["arr"], data["arr"])
    assert back["scalar"] == data["scalar"] and type(back["i"]) is np.int64
    assert back["keys"] == {1: "one"} and np.isnan(back["nan"]) and back["list"] == [1, 2.5,
                                                                                     None]
    assert to_plain(enc, "results", allow_nonfinite=True) == enc  # plain: the engine stores it
    with pytest.raises(ValueError, match=r"data\['bad'\]: a object cannot be stored"):
        encode_data({"bad": object()})


def test_store_resumes_finished_checks_and_never_keeps_a_crash(monkeypatch, tmp_path, capsys):
    calls = {"ok": 0, "crash": 0}

    def ok(level, seed):
        calls["ok"] += 1
        return CheckOutput([ClaimRow("x.ok", "p", f"seed {seed}", "holds")],
                           {"v": np.array([1.0, 2.0])})

    def crash(level, seed):
        calls["crash"] += 1
        raise RuntimeError("boom")

    drawn = []
    checks = [Check("fake_ok", ok, lambda data, out: drawn.append(data["v"].tolist())),
              Check("fake_crash", crash)]
    monkeypatch.setattr(claims, "_discover", lambda: {c.name: c for c in checks})
    store = tmp_path / "v.sqlite"
    args = ["verify", "--quiet", "--seed", "4", "--store", str(store), "--figures",
            str(tmp_path / "figs")]
    for _ in range(2):
        assert main(args) == 1
        out, err = capsys.readouterr()
        assert "x.ok" in out and "seed 4" in out
        assert "check 'fake_crash' crashed: RuntimeError: boom" in err
    assert calls == {"ok": 1, "crash": 2}   # the finished check came from the store
    assert drawn == [[1.0, 2.0], [1.0, 2.0]]  # figures redrawn from the stored data
    with ResultsStore(store, readonly=True) as db:
        (rec,) = db.records("verify")
    assert rec["config"] == {"check": "fake_ok", "level": "quick"} and rec["seed"] == 4
    assert main([*args, "--recompute"]) == 1
    capsys.readouterr()
    assert calls == {"ok": 2, "crash": 3}


def test_sweep_path_deduplicates_only_preserving_order():
    rows = claims.run_checks_sweep("quick", 0, ["lemma2", "lemma1", "lemma2"], workers=1)
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids))
    assert ids == [r.id for r in claims.run_checks("quick", 0, ["lemma2", "lemma1"])]


@dataclass
class _Unregistered:
    x: float


def test_stored_data_never_names_code():
    """A stored dataclass decodes only if registered; an unknown name is a ValueError."""
    with pytest.raises(ValueError, match="not registered"):
        encode_data({"u": _Unregistered(1.0)})
    evil = {"__slth__": "dataclass", "type": "os:system", "fields": {}}
    with pytest.raises(ValueError, match="unknown type 'os:system'"):
        decode_data(evil)
