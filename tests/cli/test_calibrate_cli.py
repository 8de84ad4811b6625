"""`slth calibrate` as a user types it."""

import json

from slth_theory.cli.main import main
from slth_theory.construction import calibration as cal


def _json_run(argv, capsys):
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_calibrate_cli_quick(tmp_path, capsys):
    fig = tmp_path / "cal.png"
    code = main(["calibrate", "--quick", "--seed", "1", "--figure", str(fig), "--quiet",
                 "--store", str(tmp_path / "s.sqlite"), "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 0 and "calibrated C" in out and fig.exists()
    assert "4 computed, 0 from the store" in out


def test_calibrate_cli_resumes_from_store(tmp_path, capsys):
    """An interrupted run (2 of the 4 quick cells stored) resumes: only 2 are computed,
    on 2 workers, and the result equals a fresh run without a store."""
    store = tmp_path / "s.sqlite"
    cal.run_grid(cal.grid(quick=True)[:2], 1, store=store)
    code, rep = _json_run(["calibrate", "--quick", "--seed", "1", "--json", "--quiet",
                           "--store", str(store), "--workers", "2"], capsys)
    assert code == 0 and rep["computed"] == 2 and rep["from_store"] == 2
    assert rep["results"] == cal.run_grid(cal.grid(quick=True), 1)
    code, again = _json_run(["calibrate", "--quick", "--seed", "1", "--json", "--quiet",
                             "--store", str(store), "--workers", "1"], capsys)
    assert code == 0 and again["computed"] == 0 and again["from_store"] == 4
    assert again["C"] == rep["C"] and again["results"] == rep["results"]
    code, redo = _json_run(["calibrate", "--quick", "--seed", "1", "--json", "--quiet",
                            "--store", str(store), "--workers", "1", "--recompute"], capsys)
    assert code == 0 and redo["computed"] == 4 and redo["results"] == rep["results"]


def test_calibrate_cli_bad_store(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database\n")
    code = main(["calibrate", "--quick", "--quiet", "--store", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert bad.read_text() == "not a database\n"


def test_bound_vs_reality_quick_json(tmp_path, capsys):
    store = str(tmp_path / "s.sqlite")
    code, rep = _json_run(["calibrate", "--bound-vs-reality", "--quick", "--json", "--quiet",
                           "--store", store, "--workers", "2"], capsys)
    assert code == 0 and rep["computed"] == 2
    for row in rep["table"]:
        assert row["n_success"] == row["n_mothers"] == 1
        assert row["q_found_median"] <= row["q_predicted"]
    code, again = _json_run(["calibrate", "--bound-vs-reality", "--quick", "--json",
                             "--quiet", "--store", store, "--workers", "1"], capsys)
    assert code == 0 and again["computed"] == 0 and again["from_store"] == 2
    assert again["runs"] == rep["runs"] == cal.run_reality(cal.reality_grid(quick=True), 0)
