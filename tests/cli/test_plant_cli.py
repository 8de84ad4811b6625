"""``slth plant`` as a user types it."""

import json

from cli_helpers import exit_code

from slth_theory.cli.main import main

SMALL = ["--width", "20", "--n-samples", "400", "--epochs", "2", "--anneal-epochs", "1"]


def test_plant_text_and_json(capsys):
    assert main(["plant", "--k", "3", *SMALL]) == 0
    text = capsys.readouterr().out
    for key in ("planted density", "recovered", "test MSE", "best possible"):
        assert key in text
    assert main(["plant", "--k", "3", "--bias", "zero", "--json", *SMALL]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["bias"] == "zero" and d["planted_biases"] == 0 and d["recall_biases"] is None
    assert 0 <= d["recall_weights"] <= 1


def test_plant_sweep_writes_figure(tmp_path, capsys):
    rc = main(["plant", "--sweep", "--ks", "2,3", "--reps", "1", "--out", str(tmp_path),
               "--workers", "1", "--quiet", *SMALL])
    assert rc == 0
    for name in ("planting.csv", "planting.png", "planting_table.md"):
        assert (tmp_path / name).stat().st_size > 0
    assert "recovered weights" in (tmp_path / "planting_table.md").read_text()


def test_plant_bad_input(capsys):
    assert exit_code(["plant", "--k", "30", "--width", "20"]) == 2
    assert "--k" in capsys.readouterr().err
    assert exit_code(["plant", "--depth", "1"]) == 2
    assert exit_code(["plant", "--noise", "nan"]) == 2
