"""`slth random-target` and `slth construct` as a user types them, including bad input."""

import json
import subprocess

import numpy as np
import pytest

from slth_theory import load
from slth_theory.cli.main import main


def run(args, capsys):
    try:
        code = main(args)
    except SystemExit as exc:  # argparse rejects the value: one line, exit 2
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def target(tmp_path, capsys):
    path = tmp_path / "target.npz"
    code, out, _ = run(["random-target", "--arch", "2,4,1", "--seed", "1", "--out", str(path)],
                       capsys)
    assert code == 0 and "wrote" in out
    return path


def test_random_target_in_unit_box(tmp_path, capsys):
    path = tmp_path / "t.npz"
    code, out, _ = run(["random-target", "--arch", "3,5,2", "--seed", "0", "--out", str(path),
                        "--json"], capsys)
    assert code == 0 and json.loads(out)["n_params"] == 3 * 5 + 5 + 5 * 2 + 2
    net = load(path)
    assert all(np.abs(w).max() <= 1 for w in net.weights)
    assert any(np.any(b != 0) for b in net.biases)


def test_construct_subprocess_then_regenerate_mother(tmp_path, target):
    out = tmp_path / "ticket.npz"
    r = subprocess.run(["slth", "construct", "--target", str(target), "--eps", "0.05",
                        "--delta", "0.05", "--seed", "7", "--pool", "60", "--out", str(out),
                        "--json", "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["certificate"]["certified"] is True
    assert rep["certificate"]["sampled_lower"] <= rep["certificate"]["rigorous_bound"] <= 0.05
    assert rep["mother_arch"] == [2, 180, 4, 300, 1]
    ticket = load(out)
    from slth_theory.model.schemes import regenerate
    again = regenerate(ticket.mother.meta, ticket.mother.widths, "identity")
    assert all(np.array_equal(a, b) for a, b in zip(again.weights, ticket.mother.weights,
                                                    strict=True))
    mother = tmp_path / "mother.npz"
    cmd = rep["regenerate"].split()[1:] + ["--out", str(mother)]
    r = subprocess.run(["slth"] + cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    m = load(mother)
    for a, b in zip(m.weights + m.biases, ticket.mother.weights + ticket.mother.biases,
                    strict=True):
        assert np.array_equal(a, b)


def test_construct_text_output(tmp_path, target, capsys):
    code, out, _ = run(["construct", "--target", str(target), "--param-eps", "0.02",
                        "--pool", "40", "--seed", "0", "--out", str(tmp_path / "t.npz"),
                        "--quiet", "--grid-seconds", "5"], capsys)
    assert code == 0
    for text in ("mother", "pool (block) sizes", "density", "(ii)", "(iii)", "(iv)",
                 "time:", "regenerate"):
        assert text in out


@pytest.mark.parametrize("args, msg", [
    (["--eps", "0"], "must be finite and > 0"),
    (["--eps", "-1"], "must be finite and > 0"),
    (["--eps", "0.1", "--delta", "1.5"], "must be in (0, 1)"),
    (["--eps", "0.1", "--delta", "0"], "must be in (0, 1)"),
    (["--eps", "nan"], "must be finite"),
])
def test_construct_bad_numbers_exit_2(tmp_path, target, capsys, args, msg):
    code, _, err = run(["construct", "--target", str(target), "--out",
                        str(tmp_path / "t.npz")] + args, capsys)
    assert code == 2 and msg in err and err.count("\n") == 1


def test_construct_bad_files_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    code, _, err = run(["construct", "--target", str(bad), "--eps", "0.1", "--out",
                        str(tmp_path / "t.npz")], capsys)
    assert code == 2 and "not a readable .npz" in err
    nonfinite = tmp_path / "nf.npz"
    np.savez(nonfinite, weight_0=np.array([[np.inf]]), bias_0=np.zeros(1),
             output_activation=np.array("relu"))
    code, _, err = run(["construct", "--target", str(nonfinite), "--eps", "0.1", "--out",
                        str(tmp_path / "t.npz")], capsys)
    assert code == 2 and "non-finite" in err
    code, _, err = run(["construct", "--target", str(tmp_path / "missing.npz"), "--eps",
                        "0.1", "--out", str(tmp_path / "t.npz")], capsys)
    assert code == 2 and "does not exist" in err


def test_random_target_bad_arch_exit_2(tmp_path, capsys):
    code, _, err = run(["random-target", "--arch", "2,x", "--out", str(tmp_path / "t.npz")],
                       capsys)
    assert code == 2 and "comma-separated" in err


def test_construct_compact_ticket_equals_full(tmp_path, target, capsys):
    full, small = tmp_path / "full.npz", tmp_path / "small.npz"
    common = ["construct", "--target", str(target), "--param-eps", "0.05", "--seed", "3",
              "--quiet"]
    assert run(common + ["--out", str(full)], capsys)[0] == 0
    assert run(common + ["--out", str(small), "--compact"], capsys)[0] == 0
    a, b = load(full), load(small)
    assert small.stat().st_size < full.stat().st_size
    for x, y in zip(a.mother.weights + a.weight_masks + a.bias_masks,
                    b.mother.weights + b.weight_masks + b.bias_masks, strict=True):
        assert np.array_equal(x, y)
    assert a.output_scale == b.output_scale


def test_construct_exit_1_with_json_naming_what_missed(tmp_path, target, capsys):
    """Defect: construct exited 0 when parameters missed their tolerance."""
    code, out, err = run(["construct", "--target", str(target), "--eps", "0.01", "--pool", "3",
                          "--out", str(tmp_path / "t.npz"), "--quiet", "--json"], capsys)
    assert code == 1
    rep = json.loads(out)
    assert rep["ok"] is False and rep["missed"]
    assert {"what", "layer", "kind", "index", "error", "tolerance"} <= set(rep["missed"][0])
    assert any("below Theorem 5" in w for w in rep["warnings"])
    code, out, err = run(["construct", "--target", str(target), "--eps", "0.01", "--pool", "3",
                          "--out", str(tmp_path / "t2.npz"), "--quiet"], capsys)
    assert code == 1 and "NOT OK" in err and "slth construct: warning: " in err


def test_missed_names_a_failed_certificate():
    from types import SimpleNamespace

    from slth_theory.cli.construct import missed
    con = SimpleNamespace(failures=[], eps=0.01)
    cert = SimpleNamespace(certified=False, rigorous_bound=0.02)
    assert missed(con, cert) == [{"what": "certificate", "bound": 0.02, "eps": 0.01}]
    assert missed(con, SimpleNamespace(certified=True, rigorous_bound=0.001)) == []


def test_construct_domain_value_and_file(tmp_path, target, capsys):
    code, out, _ = run(["construct", "--target", str(target), "--eps", "0.05", "--domain",
                        "-1,1", "--out", str(tmp_path / "a.npz"), "--quiet", "--json"], capsys)
    assert code == 0
    a = json.loads(out)
    box = tmp_path / "box.csv"
    box.write_text("0,1\n-2,0.5\n")
    code, out, _ = run(["construct", "--target", str(target), "--eps", "0.05", "--domain",
                        str(box), "--out", str(tmp_path / "b.npz"), "--quiet", "--json"], capsys)
    assert code == 0
    b = json.loads(out)
    assert b["certificate"]["domain"] == [[0.0, -2.0], [1.0, 0.5]] and b["ok"]
    assert a["certificate"]["domain"] == [[-1.0, -1.0], [1.0, 1.0]] and a["ok"]
    code, _, err = run(["construct", "--target", str(target), "--eps", "0.05", "--domain",
                        "1,-1", "--out", str(tmp_path / "c.npz")], capsys)
    assert code == 2 and "LO <= HI" in err and err.count("\n") == 1


def test_width_construction_row_equals_construct_cli(tmp_path, capsys):
    """Defect: `slth width` said [2,276,6,336,6,315,1], construct built [2,264,...]."""
    t = tmp_path / "t.npz"
    assert run(["random-target", "--arch", "2,6,6,1", "--seed", "31", "--out", str(t)],
               capsys)[0] == 0
    code, out, _ = run(["width", "--target", str(t), "--eps", "0.01", "--json"], capsys)
    row = [r for r in json.loads(out)["reports"] if r["formula"] == "construction"][0]
    code, out, _ = run(["construct", "--target", str(t), "--eps", "0.01", "--out",
                        str(tmp_path / "k.npz"), "--quiet", "--json"], capsys)
    assert code == 0 and json.loads(out)["mother_arch"] == row["mother_widths"]
