"""Running ``slth`` in this process for the fuzz suite, and what every run must satisfy.

A run must end with exit status 0, 1 or 2 within :data:`TIME_LIMIT` seconds, print no
traceback, and, when it fails (status 2), say so in exactly one ``slth ...: error:`` line
that is not an "internal error" (the CLI's one line for an unexpected exception, which
the fuzz suite counts as a bug).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

TIME_LIMIT = 30.0


class FuzzTimeout(BaseException):
    """A command ran longer than the fuzz time limit (BaseException: the CLI cannot map it)."""


@dataclass
class Outcome:
    argv: list[str]
    code: int
    out: str
    err: str

    def describe(self) -> str:
        return (f"slth {' '.join(self.argv)}\n-> exit {self.code}\n--- stdout ---\n"
                f"{self.out[-2000:]}\n--- stderr ---\n{self.err[-4000:]}")


def _alarm(signum, frame):
    raise FuzzTimeout


@contextlib.contextmanager
def _time_limit(seconds: float):
    if seconds is None or not hasattr(signal, "setitimer"):
        yield
        return
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_inprocess(argv: list[str], cwd: Path, time_limit: float = TIME_LIMIT) -> Outcome:
    """``slth ARGV`` in this process, in folder ``cwd``, with stdout/stderr captured."""
    from slth_theory.cli.main import main

    argv = [str(a) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    old_cwd = os.getcwd()
    os.chdir(cwd)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err), _time_limit(time_limit):
            warnings.simplefilter("ignore", RuntimeWarning)  # numeric noise, not errors here
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None
                                                                   else 2)
    except FuzzTimeout:
        raise AssertionError(f"slth {' '.join(argv)}: still running after {time_limit} s") \
            from None
    finally:
        os.chdir(old_cwd)
    return Outcome(argv, code, out.getvalue(), err.getvalue())


def run_subprocess(argv: list[str], cwd: Path, time_limit: float = TIME_LIMIT,
                   env: dict | None = None) -> Outcome:
    """``python -m slth_theory ARGV`` in a child process (signals and hard crashes show)."""
    argv = [str(a) for a in argv]
    try:
        proc = subprocess.run([sys.executable, "-m", "slth_theory", *argv], cwd=cwd,
                              capture_output=True, text=True, timeout=time_limit,
                              env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"slth {' '.join(argv)}: still running after {time_limit} s") \
            from None
    return Outcome(argv, proc.returncode, proc.stdout, proc.stderr)


def check_outcome(o: Outcome, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    """The promises of the CLI (see the module docstring)."""
    assert o.code >= 0, f"killed by signal {-o.code}\n{o.describe()}"
    assert o.code in allowed, o.describe()
    assert "Traceback (most recent call last)" not in o.err, o.describe()
    assert "internal error" not in o.err, o.describe()
    if o.code == 2:
        errors = [ln for ln in o.err.splitlines() if ln.startswith("slth") and "error:" in ln]
        assert len(errors) == 1, o.describe()


def check_error(o: Outcome, *needles: str) -> str:
    """``o`` failed with exit status 2 and one error line containing every needle."""
    check_outcome(o, allowed=(2,))
    line = next(ln for ln in o.err.splitlines() if ln.startswith("slth") and "error:" in ln)
    for n in needles:
        assert n.lower() in line.lower(), f"{n!r} not in {line!r}\n{o.describe()}"
    return line
