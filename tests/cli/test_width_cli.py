"""`slth width` as a user types it."""

import json

import pytest

from slth_theory.cli.main import main


def run(args, capsys):
    try:
        code = main(args)
    except SystemExit as exc:  # argparse rejects the value: one line, exit 2
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_width_arch_both_formulas(capsys):
    code, out, _ = run(["width", "--arch", "2,20,20,1", "--eps", "0.01", "--delta", "0.05",
                        "--C", "2"], capsys)
    assert code == 0
    assert "[main]" in out and "[appendix]" in out and "parameters" in out


def test_width_json_values(capsys):
    code, out, _ = run(["width", "--arch", "2,20,1", "--eps", "0.01", "--C", "1.5",
                        "--json"], capsys)
    rep = json.loads(out)
    assert code == 0 and rep["C"] == 1.5
    main_r = rep["reports"][0]
    assert main_r["formula"] == "main"
    assert [ly["n_even"] for ly in main_r["layers"]] == [20, 1]
    assert main_r["mother_widths"][0] == 2 and main_r["mother_widths"][2] == 20


def test_width_with_target_and_calibrated(tmp_path, capsys):
    t = tmp_path / "t.npz"
    assert main(["random-target", "--arch", "2,8,1", "--seed", "0", "--out", str(t)]) == 0
    capsys.readouterr()
    code, out, _ = run(["width", "--target", str(t), "--eps", "0.01", "--C", "calibrated",
                        "--json"], capsys)
    rep = json.loads(out)
    assert code == 0 and rep["C_source"] == "calibrated"
    assert [r["formula"] for r in rep["reports"]] == ["main", "appendix", "corrected",
                                                      "construction"]


@pytest.mark.parametrize("args, msg", [
    (["--arch", "2,3,1", "--eps", "0"], "must be finite and > 0"),
    (["--arch", "2,3,1", "--eps", "0.1", "--delta", "1"], "must be in (0, 1)"),
    (["--arch", "2,3,1", "--eps", "0.1", "--C", "-2"], "calibrated"),
    (["--eps", "0.1"], "give --arch or --target"),
])
def test_width_bad_input_exit_2(capsys, args, msg):
    code, _, err = run(["width"] + args, capsys)
    assert code == 2 and msg in err
