"""``slth reproduce fig1`` on a tiny grid."""

import csv

from slth_theory.cli import main


def _code(argv):
    """Exit code of ``slth argv`` (argparse errors exit via SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code

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
    assert _code(["reproduce", "fig2"]) == 2
    assert _code(["reproduce", "fig1", "--tasks", "moons", "--out", str(tmp_path)]) == 2
    assert _code(["reproduce", "fig1", "--densities", "2", "--out", str(tmp_path)]) == 2
    assert _code(["reproduce", "fig1", "--out", str(tmp_path), "--plot-only", "nope.csv"]) == 2
    assert _code(["reproduce", "fig1", "--reps", "2", "--only-reps", "2",
                  "--out", str(tmp_path)]) == 2
