"""The one error path of cli/main.py, and a sample of commands run in a child process
(where a signal or a hard crash would show): exit 0, 1 or 2, never a traceback."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import zipfile
import zlib

import pytest
from fuzz_harness import check_error, check_outcome, run_inprocess, run_subprocess

import slth_theory.cli.schemes as schemes_cmd

RAISED = [
    (OSError(errno.EROFS, "Read-only file system", "out.npz"), "Read-only file system: 'out.npz'"),
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
    (PermissionError(errno.EACCES, "Permission denied", "f"), "Permission denied: 'f'"),
    (MemoryError(), "out of memory"),
    (OverflowError("cannot convert float infinity to integer"), "out of range"),
    (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
    (zipfile.BadZipFile("Bad CRC-32"), "damaged archive"),
    (zlib.error("Error -3 while decompressing"), "damaged archive"),
    (sqlite3.DatabaseError("database disk image is malformed"), "database"),
    (EOFError("Ran out of input"), "end of file"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "invalid start byte"),
]


@pytest.mark.parametrize("exc,needle", RAISED, ids=[type(e).__name__ for e, _ in RAISED])
def test_every_failure_is_one_line_exit_2(exc, needle, monkeypatch, tmp_path):
    def boom(args):
        raise exc

    monkeypatch.setattr(schemes_cmd, "run", boom)
    check_error(run_inprocess(["schemes"], tmp_path), needle)


def test_an_unexpected_exception_is_one_line_too(monkeypatch, tmp_path):
    def bug(args):
        raise TypeError("a bug")

    monkeypatch.setattr(schemes_cmd, "run", bug)
    o = run_inprocess(["schemes"], tmp_path)
    assert o.code == 2 and "internal error (TypeError: a bug)" in o.err
    assert "Traceback" not in o.err and len(o.err.strip().splitlines()) == 1


def test_extreme_numbers_are_named_in_the_message(tmp_path):
    line = check_error(run_inprocess(["width", "--arch", "2,3,1", "--eps", "5e-324"],
                                     tmp_path), "out of range")
    assert "--eps 5e-324" in line
    line = check_error(run_inprocess(["init", "--arch", "2,3,1", "--scheme",
                                      "theorem5-uniform", "--weight-scale", "1e300",
                                      "--out", tmp_path / "x.npz"], tmp_path), "out of range")
    assert "--weight-scale" in line


def test_memory_guards_and_override(tmp_path):
    check_error(run_inprocess(["init", "--arch", "2,100000000000,1", "--out",
                               tmp_path / "x.npz"], tmp_path), "--max-memory")
    check_error(run_inprocess(["init", "--arch", "2,3,1", "--out", tmp_path / "x.npz",
                               "--max-memory", "100"], tmp_path), "limit set by --max-memory")
    check_outcome(run_inprocess(["init", "--arch", "2,3,1", "--out", tmp_path / "x.npz",
                                 "--max-memory", "1M"], tmp_path), allowed=(0,))
    check_error(run_inprocess(["sweep", "run", "demo", "--param", "width=40000", "--store",
                               tmp_path / "s.sqlite", "--workers", "1"], tmp_path),
                "--max-memory")
    assert not (tmp_path / "s.sqlite").exists()


@pytest.mark.parametrize("argv", [
    ["schemes"],
    pytest.param(["schemes", "--json"], marks=pytest.mark.slow),
    pytest.param(["sweep", "list"], marks=pytest.mark.slow),
])
def test_closed_stdout_pipe_exits_0(argv, tmp_path):
    """`slth ... | head -1`: the reader is gone before the output is written."""
    proc = subprocess.Popen([sys.executable, "-m", "slth_theory", *argv], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # nobody reads: the write gets EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert err == "", err


# (argv, allowed exit statuses): run in a child, so a SIGSEGV or a hang would show
SUBPROCESS_SAMPLE = [
    (["prune", "--task", "shifted-relu", "--density", "0.5", "--lr", "1e150", "--width", "4",
      "--depth", "2", "--n-samples", "200", "--epochs", "1", "--quiet"], (2,)),
    (["prune", "--task", "onion", "--density", "0.3", "--lr", "1e300", "--width", "4",
      "--depth", "2", "--n-samples", "200", "--epochs", "1", "--quiet",
      "--bias-ranking", "joint"], (2,)),
    (["prune", "--task", "shifted-relu", "--density", "0.5", "--lr", "1e150", "--width", "4",
      "--depth", "2", "--n-samples", "200", "--epochs", "1", "--quiet", "--engine", "numpy"],
     (2,)),
    (["info", "/dev/zero"], (2,)),
    (["sweep", "status", "/dev/null"], (2,)),
    (["width", "--arch", "2,3,1", "--eps", "5e-324"], (2,)),
    (["init", "--arch", "2,100000000000,1", "--out", "x.npz"], (2,)),
]


@pytest.mark.parametrize("argv,allowed", [
    SUBPROCESS_SAMPLE[0],  # the reported SIGSEGV; the rest of the sample under -m slow
    *[pytest.param(*case, marks=pytest.mark.slow) for case in SUBPROCESS_SAMPLE[1:]]],
    ids=["numba-lr1e150", "numba-joint-lr1e300", "numpy-lr1e150", "dev-zero",
         "dev-null-store", "eps-denormal", "huge-arch"])
def test_subprocess_sample(argv, allowed, tmp_path):
    o = run_subprocess(argv, tmp_path, time_limit=120)
    check_outcome(o, allowed)


def test_a_fifo_input_never_blocks(tmp_path):
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    for argv in (["info", fifo], ["sweep", "status", fifo], ["width", "--target", fifo,
                 "--eps", "0.1"], ["construct", "--target", fifo, "--eps", "0.5", "--out",
                                   "o.npz"]):
        check_error(run_inprocess(argv, tmp_path, time_limit=20), "FIFO")
