"""`slth verify` as a user runs it: table, JSON rows, figures, exit codes, bad input."""

import json
import subprocess
import sys

import pytest

from slth_theory.cli.main import main
from slth_theory.cli.verify import format_table
from slth_theory.verify import report as claims
from slth_theory.verify.report import VERDICTS, Check, CheckOutput, ClaimRow

FIELDS = {"id", "paper", "measured", "verdict", "detail", "estimate", "stderr", "z"}


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
    assert {"lemma1.value", "lemma1.bias_free_bound", "lemma3.formula.normal",
            "lemma3.formula.uniform", "lemma3.he_claim", "looks_linear.shrinking"} <= ids
    # the exit status says whether something fails
    assert r.returncode == int(any(row["verdict"] == "fails" for row in rows))
    by_id = {row["id"]: row for row in rows}
    # the verdict is computed from the paper's number (tests/unit/test_lemma1_verdicts.py
    # covers every branch); on the paper's 1/16 it is the MSE written as the integral
    from slth_theory.theory import lemma1 as L1
    expected, detail = L1.value_verdict(L1.PAPER_VALUE, L1.optimum(L1.PAPER_C)["integral"])
    assert by_id["lemma1.value"]["verdict"] == expected == "typo in text"
    assert by_id["lemma1.value"]["detail"] == detail
    assert by_id["lemma1.optimum"]["verdict"] == "holds"
    assert by_id["lemma3.he_claim"]["verdict"] == "holds approximately"
    assert by_id["lemma3.he_claim.fan_in"]["verdict"] == "typo in text"
    for key in ("lemma3.formula.normal", "lemma3.formula.uniform"):
        row = by_id[key]
        assert row["verdict"] == "holds"
        assert row["stderr"] > 0 and abs(row["z"]) <= 5


def test_quick_table_fits_100_columns_and_figures_exist(quick_run):
    r, d = quick_run
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    assert "lemma3.he_claim" in r.stdout and "claims checked" in r.stderr
    for name in ("lemma1_fits.png", "lemma3_moments.png", "lemma3_looks_linear.png"):
        assert (d / "figs" / name).stat().st_size > 10_000


def test_json_to_stdout_only(capsys):
    code = main(["verify", "--quick", "--only", "lemma2", "--json", "--quiet"])
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert code == 0 and {"lemma2.homogeneity", "section5.rescaling",
                          "section3.homogeneity"} == {row["id"] for row in rows}


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


def test_exit_1_on_fails_and_on_crash(monkeypatch, capsys):
    good = Check("fake_ok", _fake([ClaimRow("x.ok", "p", "m", "holds")]))
    bad = Check("fake_bad", _fake([ClaimRow("x.bad", "p", "m", "fails", "counterexample")]))
    crash = Check("fake_crash", _fake(RuntimeError("boom")))
    for checks, code in (([good], 0), ([good, bad], 1), ([crash, good], 1)):
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
    assert code == 0 and len(rows) == 3
    assert sorted(row["id"] for row in rows) == sorted({row["id"] for row in rows})
    direct = claims.run_checks("quick", 0, ["lemma2", "lemma2"])
    assert [r.id for r in direct] == [row["id"] for row in rows]
