"""``slth reproduce fig1`` on a tiny grid."""

import csv

import pytest
from cli_helpers import exit_code

from slth_theory.cli.main import main

TINY = ["--reps", "1", "--densities", "0.1", "--epochs", "1", "--anneal-epochs", "0",
        "--n-samples", "200", "--width", "8", "--depth", "3", "--quiet"]


def test_reproduce_tiny_grid_and_plot_only(tmp_path, capsys):
    rc = main(["reproduce", "fig1", "--out", str(tmp_path), *TINY])
    assert rc == 0
    rows = list(csv.DictReader(open(tmp_path / "fig1.csv")))
    assert len(rows) == 2 * 2 * 2 * 2  # tasks x methods x schemes x biases
    assert (tmp_path / "fig1.png").stat().st_size > 0
    assert "shifted-relu" in (tmp_path / "fig1_table.md").read_text()
    capsys.readouterr()
    other = tmp_path / "again"
    rc = main(["reproduce", "fig1", "--out", str(other), "--plot-only",
               str(tmp_path / "fig1.csv"), str(tmp_path / "fig1.csv"), "--json"])
    assert rc == 0  # the same runs twice: duplicates dropped
    assert len(list(csv.DictReader(open(other / "fig1.csv")))) == 16


def test_reproduce_bad_input(tmp_path, capsys):
    assert exit_code(["reproduce", "fig2"]) == 2
    assert exit_code(["reproduce", "fig1", "--tasks", "moons", "--out", str(tmp_path)]) == 2
    assert exit_code(["reproduce", "fig1", "--densities", "2", "--out", str(tmp_path)]) == 2
    assert exit_code(["reproduce", "fig1", "--out", str(tmp_path), "--plot-only", "nope.csv"]) == 2
    assert exit_code(["reproduce", "fig1", "--reps", "2", "--only-reps", "2",
                  "--out", str(tmp_path)]) == 2


def test_reproduce_runs_through_the_engine_bit_for_bit_and_resumes(tmp_path, capsys):
    """One run of the paper's grid (rep 0, shifted ReLU, density 0.002, He, zero bias,
    plain edge-popup) through the sweep engine reproduces the committed figures/fig1.csv
    row bit for bit; a second invocation takes it from the store (nothing recomputed)."""
    from pathlib import Path

    from slth_theory.engine.store import ResultsStore
    committed = Path(__file__).resolve().parents[2] / "figures" / "fig1.csv"
    one = ["fig1", "--reps", "1", "--tasks", "shifted-relu", "--densities", "0.002",
           "--methods", "edge-popup", "--schemes", "he-normal", "--biases", "zero",
           "--out", str(tmp_path), "--workers", "1", "--quiet"]
    assert main(["reproduce", *one]) == 0
    (row,) = list(csv.DictReader(open(tmp_path / "fig1.csv")))
    ref = next(r for r in csv.DictReader(open(committed))
               if (r["task"], r["density"], r["method"], r["scheme"], r["bias"], r["rep"])
               == ("shifted-relu", "0.002", "edge-popup", "he-normal", "zero", "0"))
    timing = {"seconds", "seconds_per_epoch"}
    assert {k: v for k, v in row.items() if k not in timing} == \
        {k: v for k, v in ref.items() if k not in timing}
    store = tmp_path / "slth-results" / "store.sqlite"
    with ResultsStore(store, readonly=True) as db:
        (rec,) = db.records("fig1")
    capsys.readouterr()
    assert main(["reproduce", *one, "--json"]) == 0   # resumed: the stored run is reused
    out = capsys.readouterr().out
    assert '"runs": 1' in out and str(store) in out
    (again,) = list(csv.DictReader(open(tmp_path / "fig1.csv")))
    assert again == row  # the timing columns too: they come from the stored run
    with ResultsStore(store, readonly=True) as db:
        assert db.records("fig1") == [rec]


def _committed_row(preset_dir, key):
    from pathlib import Path
    committed = Path(__file__).resolve().parents[2] / "figures" / preset_dir / "fig1.csv"
    rows = [r for r in csv.DictReader(open(committed))
            if (r["task"], r["density"], r["method"], r["scheme"], r["bias"], r["rep"]) == key]
    return rows[0] if rows else None


def test_rescaled_row_reproduces_bit_for_bit(tmp_path):
    """A rescaled run (edge-popup-scaled, non-zero biases, lambda != 1) of the committed
    paper-preset Figure 1 reproduces every column but the timings bit for bit."""
    key = ("shifted-relu", "0.05", "edge-popup-scaled", "he-normal", "nonzero", "0")
    ref = _committed_row(".", key)
    assert ref is not None and float(ref["output_scale"]) != 1.0
    one = ["fig1", "--reps", "1", "--tasks", "shifted-relu", "--densities", "0.05",
           "--methods", "edge-popup-scaled", "--schemes", "he-normal", "--biases", "nonzero",
           "--out", str(tmp_path), "--workers", "1", "--quiet"]
    assert main(["reproduce", *one]) == 0
    (row,) = list(csv.DictReader(open(tmp_path / "fig1.csv")))
    timing = {"seconds", "seconds_per_epoch"}
    assert {k: v for k, v in row.items() if k not in timing} == \
        {k: v for k, v in ref.items() if k not in timing}


@pytest.mark.slow
def test_official_rescaled_row_reproduces_bit_for_bit(tmp_path):
    """The same for the official preset (50 epochs: slow)."""
    key = ("shifted-relu", "0.05", "edge-popup-scaled", "he-normal", "nonzero", "0")
    ref = _committed_row("fig1_official", key)
    assert ref is not None and float(ref["output_scale"]) != 1.0
    one = ["fig1", "--preset", "official", "--reps", "1", "--tasks", "shifted-relu",
           "--densities", "0.05", "--methods", "edge-popup-scaled", "--schemes", "he-normal",
           "--biases", "nonzero", "--out", str(tmp_path), "--workers", "1", "--quiet"]
    assert main(["reproduce", *one]) == 0
    (row,) = list(csv.DictReader(open(tmp_path / "fig1.csv")))
    timing = {"seconds", "seconds_per_epoch"}
    assert {k: v for k, v in row.items() if k not in timing} == \
        {k: v for k, v in ref.items() if k not in timing}


def test_reproduce_official_preset_tiny(tmp_path):
    rc = main(["reproduce", "fig1", "--preset", "official", "--reps", "1", "--tasks", "onion",
               "--densities", "0.2", "--methods", "edge-popup-scaled", "--schemes",
               "he-normal", "--epochs", "2", "--anneal-epochs", "1", "--warmup", "1",
               "--n-samples", "200", "--width", "8", "--depth", "3", "--out", str(tmp_path),
               "--workers", "1", "--quiet"])
    assert rc == 0
    rows = list(csv.DictReader(open(tmp_path / "fig1.csv")))
    assert len(rows) == 2 and {r["preset"] for r in rows} == {"official"}
    assert {r["weight_layers"] for r in rows} == {"2"} and rows[0]["anneal_mode"] == "nested"
    assert "preset `official`" in (tmp_path / "fig1_table.md").read_text()
