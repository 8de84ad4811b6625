"""`slth init`, `slth info`, `slth schemes` as a user types them, including bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest

from slth_theory import load
from slth_theory.cli.main import main


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_init_then_info_subprocess(tmp_path):
    out = tmp_path / "net.npz"
    r = subprocess.run(["slth", "init", "--arch", "2,100,100,1", "--scheme", "he-uniform",
                        "--bias", "nonzero", "--seed", "0", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stdout
    r = subprocess.run(["slth", "info", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "2,100,100,1" in r.stdout and "he-uniform" in r.stdout and "10501" in r.stdout


def test_bad_input_subprocess_one_line_exit_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "slth_theory", "init", "--arch", "2,0,1",
                        "--out", str(tmp_path / "x.npz")], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "widths must be >= 1" in r.stderr


def test_init_json_and_reproducible(tmp_path, capsys):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    code, out, _ = run(["init", "--arch", "3,8,8,2", "--scheme", "looks-linear", "--bias",
                        "nonzero", "--seed", "4", "--out", str(a), "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["arch"] == [3, 8, 8, 2] and d["scheme"] == "looks-linear" and d["seed"] == 4
    run(["init", "--arch", "3,8,8,2", "--scheme", "looks-linear", "--bias", "nonzero",
         "--seed", "4", "--out", str(b)], capsys)
    na, nb = load(a), load(b)
    assert all(np.array_equal(x, y) for x, y in zip(na.weights + na.biases,
                                                    nb.weights + nb.biases, strict=True))


def test_info_json_ticket(tmp_path, capsys):
    from slth_theory import Ticket, initialize, save

    net = initialize([2, 4, 1], "he-normal", bias="nonzero", rng=0)
    wm = [np.zeros_like(w, bool) for w in net.weights]
    wm[0][0, 0] = True
    t = Ticket(net, wm, [np.ones_like(b, bool) for b in net.biases], 3.0)
    p = tmp_path / "t.npz"
    save(t, p)
    code, out, _ = run(["info", str(p), "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["kind"] == "ticket"
    assert d["density"] == pytest.approx(1 / 12) and d["output_scale"] == 3.0
    assert d["density_with_biases"] == pytest.approx(6 / 17)
    code, out, _ = run(["info", str(p)], capsys)
    assert "fraction of weights kept" in out


def test_schemes(capsys):
    code, out, _ = run(["schemes", "--json"], capsys)
    names = {r["name"] for r in json.loads(out)}
    assert code == 0 and "looks-linear" in names and "theorem5-uniform" in names
    code, out, _ = run(["schemes"], capsys)
    assert "he-normal" in out


def _nonfinite_file(tmp_path):
    p = tmp_path / "nan.npz"
    np.savez(p, weight_0=np.array([[np.nan]]), bias_0=np.zeros(1),
             output_activation=np.array("relu"))
    return p


def _wrong_shape_file(tmp_path):
    p = tmp_path / "shape.npz"
    np.savez(p, weight_0=np.zeros((3, 2)), bias_0=np.zeros(2),
             output_activation=np.array("relu"))
    return p


@pytest.mark.parametrize("argv,needle", [
    (["init", "--arch", "2,3", "--scheme", "nope", "--out", "{tmp}/x.npz"], "unknown scheme"),
    (["init", "--arch", "2,0,1", "--out", "{tmp}/x.npz"], ">= 1"),
    (["init", "--arch", "two", "--out", "{tmp}/x.npz"], "comma-separated"),
    (["init", "--arch", "2,3", "--seed", "-1", "--out", "{tmp}/x.npz"], "--seed"),
    (["init", "--arch", "2,3", "--out", "{tmp}/missing/x.npz"], "does not exist"),
    (["init", "--arch", "2,3,1", "--scheme", "looks-linear", "--out", "{tmp}/x.npz"], "even"),
    (["init", "--arch", "2,3", "--bias-factor", "0", "--out", "{tmp}/x.npz"], "--bias-factor"),
    (["info", "{tmp}/does-not-exist.npz"], "does not exist"),
    (["info", "{nan}"], "non-finite"),
    (["info", "{shape}"], "bias_0"),
    (["info", "{tmp}"], "directory"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input(tmp_path, capsys, argv, needle):
    subs = {"tmp": str(tmp_path), "nan": str(_nonfinite_file(tmp_path)),
            "shape": str(_wrong_shape_file(tmp_path))}
    argv = [a.format(**subs) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors exit directly
        code = exc.code
    _out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def test_init_spawn_key_regenerates_child(tmp_path, capsys):
    p = tmp_path / "c.npz"
    code, _, _ = run(["init", "--arch", "2,6,1", "--scheme", "he-normal", "--seed", "5",
                      "--spawn-key", "1", "--out", str(p)], capsys)
    assert code == 0
    from slth_theory import initialize

    ref = initialize([2, 6, 1], "he-normal", rng=np.random.SeedSequence(5).spawn(2)[1])
    assert np.array_equal(load(p).weights[0], ref.weights[0])
    code, _, err = run(["init", "--arch", "2,6,1", "--spawn-key", "a", "--out", str(p)], capsys)
    assert code == 2 and "--spawn-key" in err
