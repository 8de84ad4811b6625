"""``slth prune`` with presets, your own data and the digits task, as a user types it."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import exit_code

from slth_theory.cli.main import main

SMALL = ["--width", "12", "--depth", "3", "--n-samples", "400", "--epochs", "2",
         "--anneal-epochs", "1", "--quiet"]


def test_official_preset_from_the_cli(capsys):
    rc = main(["prune", "--task", "onion", "--density", "0.2", "--preset", "official",
               "--warmup", "1", "--json", *SMALL])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["preset"] == "official" and d["schedule"] == "nested"
    assert d["weight_layers"] == 2 and d["arch"] == [2, 12, 4]  # depth 3, the authors' way
    assert d["bias_ranking"] == "joint" and d["lambda_fit"] == "sgd-last-batch"
    assert d["bias_factor"] == 0.05 and d["total_epochs"] == 2 and d["warmup"] == 1
    assert isinstance(d["test_ties"], (int, float)) and isinstance(d["degenerate"], bool)


def test_individual_options_override_the_preset(capsys):
    rc = main(["prune", "--task", "shifted-relu", "--density", "0.2", "--preset", "official",
               "--schedule", "extra", "--no-lr-restarts", "--warmup", "0",
               "--depth-convention", "weight-layers", "--lambda-fit", "exact", "--json",
               *SMALL])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["schedule"] == "extra" and d["total_epochs"] == 3 and d["weight_layers"] == 3
    assert d["bias_score_init"] == "wide" and d["lr_over_lambda"] is True
    assert exit_code(["prune", "--task", "onion", "--density", "0.2", "--preset", "official",
                  "--schedule", "extra", *SMALL]) == 2
    assert "lr_restarts" in capsys.readouterr().err
    assert exit_code(["prune", "--task", "onion", "--density", "0.2", "--preset", "official",
                  *SMALL]) == 2  # 5 warm-up epochs do not fit 2 epochs per level
    assert "warm-up" in capsys.readouterr().err


def test_own_data_file(tmp_path, capsys):
    g = np.random.default_rng(0)
    x = g.uniform(-1, 1, size=(300, 3))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    np.savez(tmp_path / "d.npz", x_train=x[:240], y_train=y[:240], x_test=x[240:],
             y_test=y[240:])
    rc = main(["prune", "--data", str(tmp_path / "d.npz"), "--density", "0.3", "--json",
               *SMALL])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["task"] == "file:d" and d["arch"] == [3, 12, 12, 2] and d["n_test"] == 60
    assert d["loss"] == "cross-entropy" and 0 <= d["test_accuracy"] <= 1
    rc = main(["prune", "--data", str(tmp_path / "d.npz"), "--loss", "mse", "--density",
               "0.3", "--json", *SMALL])
    assert rc == 0 and json.loads(capsys.readouterr().out)["loss"] == "mse"


def test_bad_data_file_is_one_line_exit_2(tmp_path, capsys):
    np.savez(tmp_path / "bad.npz", x_train=np.full((4, 2), np.nan), y_train=np.zeros(4),
             x_test=np.zeros((2, 2)), y_test=np.zeros(2))
    for argv in (["--data", str(tmp_path / "bad.npz")],
                 ["--data", str(tmp_path / "none.npz")],
                 ["--task", "onion", "--loss", "ce"]):
        assert exit_code(["prune", *argv, "--density", "0.1", *SMALL]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert exit_code(["prune", "--task", "onion", "--data", "x.npz", "--density", "0.1"]) == 2


def test_digits_task_from_the_cli(capsys):
    pytest.importorskip("sklearn")
    rc = main(["prune", "--task", "digits", "--density", "0.2", "--json", "--width", "16",
               "--depth", "3", "--epochs", "1", "--anneal-epochs", "1", "--n-samples", "400",
               "--quiet"])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["arch"] == [64, 16, 16, 10] and d["n_train"] == 320


@pytest.mark.slow
def test_rescaled_run_is_the_same_for_1_and_2_blas_threads(tmp_path):
    """A rescaled (lambda != 1) onion run gives bit-identical JSON numbers whatever the
    number of BLAS and Numba threads."""
    outs = []
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads,
               "NUMBA_NUM_THREADS": threads}
        cmd = [sys.executable, "-m", "slth_theory", "prune", "--task", "onion", "--density",
               "0.1", "--width", "40", "--depth", "3", "--n-samples", "2000", "--epochs", "2",
               "--anneal-epochs", "1", "--json", "--quiet"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True,
                           cwd=tmp_path)
        d = json.loads(p.stdout)
        outs.append({k: d[k] for k in ("test_loss", "train_loss", "test_accuracy", "lambda",
                                       "final_density")})
    assert outs[0]["lambda"] != 1.0
    assert outs[0] == outs[1]
