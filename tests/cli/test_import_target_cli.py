"""`slth import-target` as a user types it: formats, refusals, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from slth_theory.cli.main import main
from slth_theory.model.io import load


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _arrays(rng):
    return ([rng.normal(size=(6, 3)), rng.normal(size=(2, 6))],
            [rng.normal(size=6), rng.normal(size=2)])


def _reference(x, ws, bs):
    return np.maximum(x @ ws[0].T + bs[0], 0) @ ws[1].T + bs[1]


def test_npz_sklearn_layout_to_target(tmp_path, capsys):
    rng = np.random.default_rng(0)
    ws, bs = _arrays(rng)
    src = tmp_path / "mlp.npz"
    np.savez(src, coefs_0=ws[0].T, coefs_1=ws[1].T, intercepts_0=bs[0], intercepts_1=bs[1])
    out = tmp_path / "target.npz"
    code, stdout, err = run(["import-target", str(src), "--from", "npz", "--out", str(out),
                             "--arch", "3,6,2", "--json"], capsys)
    assert code == 0, err
    d = json.loads(stdout)
    assert d["arch"] == [3, 6, 2] and d["output_activation"] == "identity"
    net = load(out)
    x = rng.uniform(-1, 1, (20, 3))
    np.testing.assert_allclose(net.forward(x), _reference(x, ws, bs), rtol=1e-13, atol=1e-13)
    assert net.meta["imported_from"]["format"] == "npz"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_arch_mismatch_and_same_file_and_sklearn(tmp_path, capsys):
    rng = np.random.default_rng(1)
    ws, bs = _arrays(rng)
    src = tmp_path / "w.npz"
    np.savez(src, weight_0=ws[0], weight_1=ws[1], bias_0=bs[0], bias_1=bs[1])
    code, _, err = run(["import-target", str(src), "--from", "npz", "--out",
                        str(tmp_path / "t.npz"), "--arch", "3,5,2"], capsys)
    assert code == 2 and "expected [3, 5, 2]" in err and err.count("\n") == 1
    before = src.read_bytes()
    code, _, err = run(["import-target", str(src), "--from", "npz", "--out", str(src)], capsys)
    assert code == 2 and "refusing to overwrite an input" in err
    assert src.read_bytes() == before
    code, _, err = run(["import-target", str(src), "--from", "sklearn", "--out",
                        str(tmp_path / "t.npz")], capsys)
    assert code == 2 and "never loaded" in err and "from_sklearn" in err
    assert not (tmp_path / "t.npz").exists()


def test_pickled_npz_refused_subprocess(tmp_path):
    src = tmp_path / "obj.npz"
    np.savez(src, weight_0=np.array([None], dtype=object))
    r = subprocess.run([sys.executable, "-m", "slth_theory", "import-target", str(src), "--from",
                        "npz", "--out", str(tmp_path / "t.npz")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "pickle" in r.stderr


def test_torch_state_dict_to_target(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    mod = torch.nn.Sequential(torch.nn.Linear(4, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3),
                              torch.nn.ReLU()).double()
    src = tmp_path / "sd.pt"
    torch.save(mod.state_dict(), src)
    out = tmp_path / "target.npz"
    code, stdout, err = run(["import-target", str(src), "--from", "torch", "--out", str(out),
                             "--output-activation", "relu"], capsys)
    assert code == 0, err
    assert "wrote" in stdout
    net = load(out)
    x = np.random.default_rng(2).uniform(-1, 1, (30, 4))
    with torch.no_grad():
        ref = mod(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(net.forward(x), ref, rtol=1e-12, atol=1e-12)
    whole = tmp_path / "module.pt"
    torch.save(mod, whole)
    code, _, err = run(["import-target", str(whole), "--from", "torch", "--out",
                        str(tmp_path / "t2.npz")], capsys)
    assert code == 2 and "weights_only=True" in err and err.count("\n") == 1


def test_missing_extra_is_one_line_naming_it(tmp_path, capsys, monkeypatch):
    """--from torch without PyTorch: one line naming the extra, exit 2, not an internal error
    (PyTorch hidden when it is installed)."""
    monkeypatch.setitem(sys.modules, "torch", None)
    (tmp_path / "sd.pt").write_bytes(b"not a state dict")
    code = main(["import-target", str(tmp_path / "sd.pt"), "--from", "torch",
                 "--out", str(tmp_path / "t.npz")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "slth-theory[torch]" in err and "internal error" not in err
