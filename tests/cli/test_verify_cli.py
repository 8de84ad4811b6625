"""`slth verify` as a user runs it: table, JSON rows, figures, exit codes, bad input."""

import json
import subprocess
import sys

import pytest

from slth_theory.cli.main import main
from slth_theory.cli.verify import format_table
from slth_theory.verify import report as claims
from slth_theory.verify.report import VERDICTS, Check, CheckOutput, ClaimRow

FIELDS = {"id", "paper", "measured", "verdict", "detail", "repaired", "estimate", "stderr",
          "z"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("verify")
    r = subprocess.run(["slth", "verify", "--quick", "--json-out", str(d / "rows.json"),
                        "--figures", str(d / "figs")], capture_output=True, text=True,
                       timeout=300)
    return r, d


def test_quick_json_rows_have_every_field(quick_run):
    r, d = quick_run
    assert r.returncode in (0, 1), r.stderr
    rows = json.loads((d / "rows.json").read_text())
    assert rows and all(set(row) == FIELDS for row in rows)
    assert all(row["verdict"] in VERDICTS for row in rows)
    ids = {row["id"] for row in rows}
    registered = {i.id for c in claims._discover().values() for i in c.claims}
    assert ids == registered   # every row has an --explain entry and vice versa
    # the exit status says whether something is wrong (and only that)
    assert r.returncode == int(any(row["verdict"] == "wrong" for row in rows))
    by_id = {row["id"]: row for row in rows}
    expected = {
        "lemma1.value": "typo", "lemma1.optimum": "holds", "lemma1.bias_free_bound": "holds",
        "lemma1.with_bias": "holds", "lemma1.n_dimensions": "holds",
        "lemma2.sigma_sign": "holds under a condition the text omits",
        "section5.lambda": "typo", "theorem5.lambda": "holds",
        "lemma3.he_claim": "holds approximately",
        "lemma3.he_claim.fan_in": "holds under a condition the text omits",
        "looks_linear.shrinking": "holds under a condition the text omits",
        "looks_linear.marginal": "holds approximately",
        "lemma4.main": "wrong", "lemma4.appendix": "wrong", "lemma4.corrected": "holds",
        "lemma4.corrected_dense": "holds", "theorem5.delta_l": "typo",
        "figure1.scaled": "holds",
    }
    assert {k: by_id[k]["verdict"] for k in expected} == expected
    for row in rows:
        if row["verdict"] in ("typo", "holds under a condition the text omits"):
            assert row["repaired"], row["id"]
    for key in ("lemma3.formula.normal", "lemma3.formula.uniform"):
        row = by_id[key]
        assert row["verdict"] == "holds"
        assert row["stderr"] > 0 and abs(row["z"]) <= 5


def test_quick_table_fits_100_columns_and_figures_exist(quick_run):
    r, d = quick_run
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    assert "lemma3.he_claim" in r.stdout and "claims checked" in r.stderr
    for name in ("lemma1_fits.png", "lemma3_moments.png", "lemma3_looks_linear.png",
                 "lemma4_error_vs_eps.png"):
        assert (d / "figs" / name).stat().st_size > 10_000


def test_json_to_stdout_only(capsys):
    code = main(["verify", "--quick", "--only", "lemma2", "--json", "--quiet"])
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert code == 0 and {"lemma2.homogeneity", "lemma2.sigma_sign", "section5.rescaling",
                          "section3.homogeneity", "section5.lambda",
                          "theorem5.lambda"} == {row["id"] for row in rows}


@pytest.mark.parametrize("args, msg", [
    (["--only", "nope"], "unknown check"),
    (["--seed", "-3"], "must be >= 0"),
    (["--json-out", "/nonexistent-dir/x.json"], "does not exist"),
    (["--json", "--markdown"], "exclude each other"),
    (["--width", "20"], "--width"),
    (["--quick", "--full"], "not allowed"),
])
def test_bad_input_exit_2_one_line(args, msg, capsys):
    try:
        code = main(["verify", *args])
    except SystemExit as exc:          # argparse type errors exit from inside parse_args
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert msg in err and "Traceback" not in err
    assert err.strip().count("\n") == 0


def test_bad_input_subprocess():
    r = subprocess.run([sys.executable, "-m", "slth_theory", "verify", "--only", "nope"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "unknown check 'nope'" in r.stderr and r.stderr.strip().count("\n") == 0


def _fake(rows_or_exc):
    def run(level, seed):
        if isinstance(rows_or_exc, Exception):
            raise rows_or_exc
        return CheckOutput(rows_or_exc)
    return run


def test_exit_1_on_wrong_and_on_crash_only(monkeypatch, capsys):
    good = Check("fake_ok", _fake([ClaimRow("x.ok", "p", "m", "holds")]))
    bad = Check("fake_bad", _fake([ClaimRow("x.bad", "p", "m", "wrong", "counterexample")]))
    soft = Check("fake_soft", _fake([ClaimRow(f"x.{i}", "p", "m", v) for i, v in
                                     enumerate(VERDICTS) if v != "wrong"]))
    crash = Check("fake_crash", _fake(RuntimeError("boom")))
    assert claims.EXIT_1_VERDICTS == ("wrong",)
    for checks, code in (([good], 0), ([good, soft], 0), ([good, bad], 1), ([crash, good], 1)):
        monkeypatch.setattr(claims, "_discover", lambda checks=checks: {c.name: c
                                                                        for c in checks})
        assert main(["verify", "--quiet"]) == code
        out, err = capsys.readouterr()
        assert "x.ok" in out
        if checks[0] is crash:
            assert "check 'fake_crash' crashed: RuntimeError: boom" in err


def test_format_table_wraps_long_cells():
    rows = [ClaimRow("a.very.long.identifier.of.a.claim", "p " * 80, "m" * 300, "holds",
                     "detail " * 30)]
    text = format_table(rows, 100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "m" * 20 in text


def test_progress_reports_reach_the_callback():
    seen = []
    chk = Check("fake_prog", lambda level, seed: (claims.report_progress(1, 2),
                                                  CheckOutput([]))[1])
    import slth_theory.verify.report as c

    orig = c._discover
    try:
        c._discover = lambda: {"fake_prog": chk}
        c.run_checks("quick", 0, on_progress=seen.append)
    finally:
        c._discover = orig
    assert seen == [0.5, 1.0]


def test_repeated_only_runs_each_check_once(capsys):
    code = main(["verify", "--quick", "--only", "lemma2", "--only", "lemma2", "--json",
                 "--quiet"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and len(rows) == 6
    assert sorted(row["id"] for row in rows) == sorted({row["id"] for row in rows})
    direct = claims.run_checks("quick", 0, ["lemma2", "lemma2"])
    assert [r.id for r in direct] == [row["id"] for row in rows]


def test_explain_prints_what_how_and_reproduce(capsys):
    assert main(["verify", "--explain", "lemma4.appendix"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lemma4.appendix  (check 'lemma4')")
    assert "checks:" in out and "how:" in out and "reproduce:" in out
    assert main(["verify", "--explain", "lemma1.value", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["check"] == "lemma1" and info["reproduce"]


def test_explain_unknown_id_is_one_line_exit_2(capsys):
    assert main(["verify", "--explain", "nope.row"]) == 2
    err = capsys.readouterr().err
    assert "unknown row id 'nope.row'" in err and err.strip().count("\n") == 0


def test_save_counterexamples_loadable(tmp_path, capsys):
    import numpy as np

    import slth_theory

    d = tmp_path / "cex"
    assert main(["verify", "--quick", "--only", "lemma2", "--quiet", "--json",
                 "--save-counterexamples", str(d)]) == 0
    capsys.readouterr()
    theta = slth_theory.load(d / "lemma2.sigma_sign.theta.npz")
    h = slth_theory.load(d / "lemma2.sigma_sign.h_theta.npz")
    x = np.array([[1.0]])
    # Lemma 2 with sigma = -1 would need h(x) = -theta(x); ReLU gives phi(-1) = 0 instead
    assert theta.forward(x)[0, 0] == 1.0 and h.forward(x)[0, 0] == 0.0


def test_figure1_rows_on_the_committed_official_table(monkeypatch, capsys):
    """The edge-popup guide's statement: the claims report's three Figure 1 checks, fed the
    committed official-preset table, say `not reproduced` for all three."""
    from pathlib import Path
    table = Path(__file__).resolve().parents[2] / "figures" / "fig1_official" / "fig1.csv"
    monkeypatch.setenv("SLTH_FIGURE1_CSV", str(table))
    assert main(["verify", "--only", "figure1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert {r["id"]: r["verdict"] for r in rows} == {
        "figure1.bias": "not reproduced", "figure1.scaled": "not reproduced",
        "figure1.onion": "not reproduced"}
    assert all("preset official, depth 5 (4 weight layers), width 100, 5 repetitions"
               in r["detail"] for r in rows)
