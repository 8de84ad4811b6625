"""``slth sweep`` and ``slth figures`` as a user runs them: kill -9 and resume, two sweeps on
one store, Dask, bad input."""

import csv
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slth_theory.cli.main import main
from slth_theory.engine import sweep as sw
from slth_theory.engine.store import ResultsStore

SLTH = [sys.executable, "-m", "slth_theory"]
N = 40
GRID_ARGS = ["--param", "rep=" + ",".join(map(str, range(N))), "--set", "width=4",
             "--set", "n_nets=3", "--set", "delay=0.05"]
GRID = [{"rep": r, "width": 4, "n_nets": 3, "delay": 0.05} for r in range(N)]



def _default_sigint() -> None:
    """In the child: Ctrl-C interrupts, whatever the suite inherited (``nohup ... &`` runs
    it with SIGINT ignored, which a child would otherwise keep)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

def slth(*args, **kw):
    return subprocess.run(SLTH + [str(a) for a in args], capture_output=True, text=True,
                          timeout=300, **kw)


def cli(capsys, *args):
    """``slth ARGS`` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def _count(path):
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _content(path):
    with ResultsStore(path, readonly=True) as db:
        assert db.integrity_check() == "ok"
        return sorted(json.dumps([r["key"], r["index"], r["seed"], r["config"], r["results"]],
                                 sort_keys=True) for r in db.records())


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The store of an uninterrupted run of the grid."""
    p = tmp_path_factory.mktemp("ref") / "ref.sqlite"
    sw.run_sweep("demo", GRID, store=p, workers=2, quiet=True)
    return _content(p)


@pytest.mark.parametrize("workers", [pytest.param(1, marks=pytest.mark.slow), 2])
def test_kill_9_then_resume_equals_uninterrupted(tmp_path, reference, workers, capsys):
    store = tmp_path / "s.sqlite"
    args = SLTH + ["sweep", "run", "demo", *GRID_ARGS, "--store", str(store),
                   "--workers", str(workers), "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    t0 = time.time()
    while _count(store) < 8 and time.time() - t0 < 120:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, no clean-up at all
    proc.wait()
    n_killed = _count(store)
    assert 8 <= n_killed < N, "the kill must land in the middle of the sweep"
    with ResultsStore(store, readonly=True) as db:
        assert db.integrity_check() == "ok"
        assert db.status()[0]["missing"] == N - n_killed
    r = slth("sweep", "run", "demo", *GRID_ARGS, "--store", store, "--workers", workers,
             "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["from_store"] == n_killed and info["computed"] == N - n_killed
    assert _content(store) == reference  # nothing lost, nothing duplicated, same numbers
    st = json.loads(cli(capsys, "sweep", "status", store, "--json").stdout)
    assert st["integrity"] == "ok" and st["runs"] == N
    assert st["sweeps"][0]["missing"] == 0 and st["sweeps"][0]["planned"] == N


@pytest.mark.parametrize("backend", [["--workers", "2"], ["--dask-local", "2"]],
                         ids=["loky", "dask-local"])
def test_ctrl_c_stops_cleanly_with_resume_message(tmp_path, backend):
    if backend[0] == "--dask-local":
        pytest.importorskip("distributed")
    store = tmp_path / "s.sqlite"
    slow = ["--param", "rep=" + ",".join(map(str, range(30))), "--set", "width=4",
            "--set", "delay=0.3"]
    proc = subprocess.Popen(SLTH + ["sweep", "run", "demo", *slow, "--store", str(store),
                                    *backend, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    t0 = time.time()
    while _count(store) < 2 and time.time() - t0 < 120:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # like Ctrl-C in a terminal: the whole group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "again to resume" in lines[0], err
    n = _count(store)
    assert 2 <= n < 30 and f"{n} of 30 runs" in lines[0]
    with ResultsStore(store, readonly=True) as db:
        assert db.integrity_check() == "ok"


def test_two_sweeps_at_once_on_one_store(tmp_path, reference):
    store = tmp_path / "s.sqlite"
    half = ["--set", "width=4", "--set", "n_nets=3", "--set", "delay=0.05"]
    # the same grid twice (racing on identical keys) and a different grid
    cmds = [["sweep", "run", "demo", *GRID_ARGS, "--store", store, "--workers", "1"],
            ["sweep", "run", "demo", *GRID_ARGS, "--store", store, "--workers", "1"],
            ["sweep", "run", "demo", "--param", "rep=0,1,2,3,4,5,6,7,8,9", *half,
             "--root-seed", "9", "--store", store, "--workers", "1"]]
    procs = [subprocess.Popen(SLTH + [str(a) for a in c], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for c in cmds]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    with ResultsStore(store, readonly=True) as db:
        assert db.integrity_check() == "ok"
        recs = db.records()
    assert len(recs) == N + 10 == len({r["key"] for r in recs})
    main = sorted(json.dumps([r["key"], r["index"], r["seed"], r["config"], r["results"]],
                             sort_keys=True) for r in recs if r["root_seed"] == 0)
    assert main == reference


@pytest.mark.slow  # the same identity is checked in tests/unit/test_sweep_backends.py
def test_dask_local_cli_identical(tmp_path, capsys):
    pytest.importorskip("distributed")
    small = ["--param", "width=3,5", "--param", "rep=0,1,2", "--set", "n_nets=4"]
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    assert cli(capsys, "sweep", "run", "demo", *small, "--store", a, "--workers", 1
               ).returncode == 0
    r = cli(capsys, "sweep", "run", "demo", *small, "--store", b, "--dask-local", 2)
    assert r.returncode == 0, r.stderr
    assert "Dask" in r.stdout
    assert _content(a) == _content(b)


def test_status_export_list(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    r = cli(capsys, "sweep", "run", "demo", "--param", "width=3,4", "--store", store,
            "--workers", 1)
    assert r.returncode == 0 and "2 computed" in r.stdout, r.stderr
    r = cli(capsys, "sweep", "status", store)
    assert r.returncode == 0 and "integrity ok" in r.stdout and "demo" in r.stdout
    r = cli(capsys, "sweep", "export", store, "--csv", tmp_path / "o.csv",
            "--json-out", tmp_path / "o.json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("wrote 2 runs") == 2
    r = cli(capsys, "sweep", "export", store, "--json-out", tmp_path / "p.json", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == [
        {"format": "json", "path": str(tmp_path / "p.json"), "runs": 2}]
    rows = list(csv.DictReader(open(tmp_path / "o.csv")))
    assert [row["config.width"] for row in rows] == ["3", "4"]
    assert len(json.loads((tmp_path / "o.json").read_text())) == 2
    r = cli(capsys, "sweep", "list")
    assert r.returncode == 0 and "demo" in r.stdout and "fig1" in r.stdout


def _one_line_exit_2(r):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in r.stderr
    return lines[0]


def _snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_bad_input_one_line_exit_2_store_untouched(tmp_path, capsys):
    notdb = tmp_path / "notes.db"
    notdb.write_text("not a database\n")
    for args in (["sweep", "run", "demo", "--store", notdb],
                 ["sweep", "status", notdb],
                 ["sweep", "export", notdb, "--csv", tmp_path / "x.csv"],
                 ["figures", "--only", "demo", "--store", notdb, "--out", tmp_path / "f"]):
        assert "not an SQLite file" in _one_line_exit_2(cli(capsys, *args))
    assert notdb.read_text() == "not a database\n"

    sub = tmp_path / "real"
    sub.mkdir()
    store = sub / "s.sqlite"
    assert cli(capsys, "sweep", "run", "demo", "--param", "width=3", "--store", store
               ).returncode == 0
    before = _snapshot(sub)
    bad = [["--set", "width=NaN"],  # a config JSON cannot hold
           ["--scheduler", "tcp://127.0.0.1:1", "--connect-timeout", "1"],
           ["--grid", tmp_path / "missing.json"],
           ["--param", "width"]]
    for extra in bad:
        grid = [] if extra[0] == "--set" else ["--param", "width=3,4"]
        line = _one_line_exit_2(cli(capsys, "sweep", "run", "demo", *grid, "--store", store,
                                    *extra))
        assert "slth sweep: error:" in line
    assert _snapshot(sub) == before  # no byte changed, no file added
    assert "unknown sweep 'nope'; choose from" in _one_line_exit_2(
        cli(capsys, "sweep", "run", "nope", "--store", store))


def test_figures_runs_only_missing(tmp_path, capsys):
    store, out = tmp_path / "s.sqlite", tmp_path / "figs"
    r = cli(capsys, "figures", "--only", "demo", "--store", store, "--out", out, "--workers", 1,
             "--json")
    assert r.returncode == 0, r.stderr
    (d,) = json.loads(r.stdout)
    assert d["computed"] == d["runs"] > 0 and (out / "demo.png").stat().st_size > 0
    r = cli(capsys, "figures", "--only", "demo", "--store", store, "--out", out, "--no-run",
            "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["computed"] == 0
    r = cli(capsys, "figures", "--list")
    assert r.returncode == 0 and "demo" in r.stdout


@pytest.mark.parametrize("args,needle", [
    (["--param", "width=abc"], "'width' must be an integer"),
    (["--param", "width=10", "--set", "n_net=5"], "unknown demo key 'n_net'"),
    (["--param", "width=10", "--set", "n_nets=-1"], "'n_nets' must be an integer >= 2"),
    (["--param", "width=10", "--set", "scheme=kaiming"], "unknown scheme"),
])
def test_bad_demo_config_rejected_before_running(tmp_path, args, needle):
    store = tmp_path / "s.sqlite"
    r = subprocess.run(["slth", "sweep", "run", "demo", *args, "--store", str(store), "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not store.exists()


def test_through_engine_exit_codes_and_one_line_messages(capsys):
    """The shared wrapper of every engine-backed command: 0 with the result, 130 after
    Ctrl-C, 1 when a run raised, each failure one line on stderr."""
    from slth_theory.cli.sweep import through_engine
    from slth_theory.engine.backends import SweepRunError

    assert through_engine("x", lambda: 42) == (42, 0)

    def interrupted():
        raise sw.SweepInterrupted("interrupted; run the same command again to resume")

    def failed():
        raise SweepRunError("run 3 raised ValueError: bad")

    assert through_engine("figures", interrupted) == (None, 130)
    assert capsys.readouterr().err == \
        "slth figures: interrupted; run the same command again to resume\n"
    assert through_engine("plant", failed, "s.sqlite") == (None, 1)
    assert capsys.readouterr().err == \
        "slth plant: error: run 3 raised ValueError: bad; finished runs are kept in s.sqlite\n"
    assert through_engine("verify", failed) == (None, 1)
    assert capsys.readouterr().err == "slth verify: error: run 3 raised ValueError: bad\n"
