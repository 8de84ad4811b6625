"""`slth calibrate` as a user types it."""

import json

from slth_theory.cli import main


def test_calibrate_cli_quick(tmp_path, capsys):
    fig = tmp_path / "cal.png"
    code = main(["calibrate", "--quick", "--seed", "1", "--figure", str(fig), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "calibrated C" in out and fig.exists()


def test_bound_vs_reality_quick_json(capsys):
    code = main(["calibrate", "--bound-vs-reality", "--quick", "--json", "--quiet"])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0
    for row in rep["table"]:
        assert row["n_success"] == row["n_mothers"] == 1
        assert row["q_found_median"] <= row["q_predicted"]
