"""``slth prune`` as a user types it."""

import json

import numpy as np
from cli_helpers import exit_code

from slth_theory.cli.main import main
from slth_theory.model import io

SMALL = ["--width", "12", "--depth", "3", "--n-samples", "400", "--epochs", "2",
         "--anneal-epochs", "1"]


def test_prune_text_output_and_ticket(tmp_path, capsys):
    out = tmp_path / "t.npz"
    rc = main(["prune", "--task", "shifted-relu", "--density", "0.1", "--scheme", "he-normal",
               "--bias", "nonzero", "--method", "edge-popup-scaled", "--seed", "3", "--out",
               str(out), *SMALL])
    text = capsys.readouterr().out
    assert rc == 0
    for key in ("train MSE", "test  MSE", "final density", "lambda", "time per epoch"):
        assert key in text
    t = io.load(out)
    assert t.density == t.n_kept_weights / t.mother.n_weights and t.output_scale > 0
    assert exit_code(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "ticket" and info["output_scale"] == t.output_scale


def test_prune_json_onion(capsys):
    rc = main(["prune", "--task", "onion", "--density", "0.2", "--scheme", "looks-linear",
               "--bias", "zero", "--method", "edge-popup", "--json", "--bias-ranking", "joint",
               "--anneal-mode", "within", *SMALL])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["loss"] == "cross-entropy" and 0 <= d["test_accuracy"] <= 1
    assert d["lambda"] == 1.0 and d["total_epochs"] == 2 and len(d["history"]) == 2
    assert np.isfinite(d["seconds_per_epoch"])


def test_prune_bad_input(capsys):
    assert exit_code(["prune", "--task", "onion", "--density", "0"]) == 2
    assert "density" in capsys.readouterr().err
    assert exit_code(["prune", "--task", "onion", "--density", "0.1", "--scheme",
                 "looks-linear", "--width", "11"]) == 2
    assert "even" in capsys.readouterr().err
