"""Hypothesis-driven argument fuzzing of every ``slth`` command.

Each command's options are read from its argparse parser, so a new command is fuzzed too.
An example is a small valid base command line (so that most examples get past parsing
and do real work quickly) followed by up to five options drawn from the parser, each
with a value drawn from a pool of typical, extreme and hostile values (huge and denormal
numbers, NaN, paths to malformed files, FIFOs, devices, the command's own inputs as its
output...). Every run must end with exit status 0, 1 or 2 within the time limit, with no
traceback and, on failure, exactly one error line (see ``fuzz_harness.check_outcome``).

Default run: :data:`EXAMPLES` examples per command; ``-m slow``: :data:`SLOW_EXAMPLES`
(both derandomized: the same examples every run; ``SLTH_FUZZ_RANDOM=1`` draws new ones).
Work sizes (epochs, repetitions, widths, samples) are drawn small or absurd, never
merely large: the suite checks failure handling, not long legitimate runs. ``calibrate``
and ``verify`` always get an invalid value or ``--list``, as any valid run of theirs takes
minutes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from fuzz_harness import check_outcome, run_inprocess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slth_theory.cli.main import build_parser

EXAMPLES = 6
SLOW_EXAMPLES = 60
TIME_LIMIT = 30.0

NUMBERS = ["0", "1", "2", "-1", "0.5", "0.1", "1e-300", "5e-324", "1e300", "1e150", "nan",
           "inf", "-inf", "abc", "", "100000000000", "9223372036854775808", "0x10", "1,2"]
ARCHS = ["2,3,1", "3,2", "1,1", "2,100000000000,1", "0", "a,b", "2,-1,1", "", "1",
         "2," * 40 + "1", "2,3,,1", "99999999999999999999,1"]
SIZES = {"epochs": ["1", "2", "0", "-1", "x"], "anneal_epochs": ["0", "1", "-1"],
         "reps": ["1", "0", "-1"], "width": ["4", "6", "0", "100000000000", "x"],
         "depth": ["1", "2", "0", "100000"], "n_samples": ["60", "100", "1", "0",
                                                          "100000000000"],
         "batch_size": ["8", "32", "0", "100000000000"], "workers": ["1", "0", "-1", "x"],
         "only_reps": ["0", "0,1", "x", "-1", ""], "dask_local": ["0", "-1", "x"],
         "connect_timeout": ["0", "-1", "nan"], "seed": ["0", "1", "-1", "x", "1" * 30],
         "root_seed": ["0", "-1", "x", "1" * 30], "max_memory": ["1K", "8G", "0", "x", "1T"]}
SKIP = {"help", "version", "scheduler"}  # a Dask scheduler address would wait for a network


def _leaves(parser: argparse.ArgumentParser, prefix=()) -> dict[tuple, argparse.ArgumentParser]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {prefix: parser}
    out = {}
    for a in subs:
        for name, p in a.choices.items():
            out.update(_leaves(p, prefix + (name,)))
    return out


LEAVES = {k: v for k, v in _leaves(build_parser()).items() if k}

BASE = {
    ("construct",): ["--target", "{target}", "--eps", "0.5", "--out", "o.npz", "--quiet"],
    ("plant",): ["--k", "2", "--width", "4", "--n-samples", "60", "--epochs", "1",
                 "--anneal-epochs", "1", "--quiet"],
    ("import-target",): ["{target}", "--from", "npz", "--out", "o.npz"],
    ("prune",): ["--task", "shifted-relu", "--density", "0.5", "--width", "4", "--depth", "2",
                 "--n-samples", "60", "--epochs", "1", "--quiet"],
    ("reproduce",): ["fig1", "--reps", "1", "--tasks", "shifted-relu", "--densities", "0.5",
                     "--methods", "edge-popup", "--schemes", "he-normal", "--biases", "zero",
                     "--epochs", "1", "--width", "4", "--depth", "2", "--n-samples", "60",
                     "--workers", "1", "--quiet", "--out", "out"],
    ("figures",): ["--only", "demo", "--workers", "1", "--store", "s.sqlite", "--out", "figs",
                   "--quiet"],
    ("sweep", "run"): ["demo", "--param", "width=3", "--workers", "1", "--store", "s.sqlite",
                       "--quiet"],
    ("sweep", "status"): ["s.sqlite"],
    ("sweep", "export"): ["s.sqlite", "--csv", "e.csv"],
    ("info",): ["{target}"],
    ("init",): ["--arch", "2,3,1", "--out", "o.npz"],
    ("random-target",): ["--arch", "2,3,1", "--out", "o.npz"],
    ("width",): ["--arch", "2,3,1", "--eps", "0.1"],
    ("verify",): ["--list"],
    ("calibrate",): ["--workers", "1", "--store", "s.sqlite", "--quick"],
}
#: commands whose valid runs take minutes: every example carries an invalid value
MUST_FAIL = {("calibrate",)}


def _paths(files: dict) -> dict[str, list[str]]:
    n, s, t = files["npz"], files["stores"], files["text"]
    npz = ["t.npz", files["ticket"], files["compact"], n["pickle"], n["header_lies"],
           n["fifo"], n["dev_zero"], n["directory"], n["deep_meta"], n["compact_huge_arch"],
           n["corrupt_deflate"], n["not_zip"], n["nan_weights"], n["huge_weights"],
           files["bomb"], "missing.npz", "s.sqlite"]
    stores = ["s.sqlite", "new.sqlite", s["damaged"], s["not_sqlite"], s["missing_table"],
              s["fifo"], s["directory"], "/dev/null", "o.npz", "sub/dir/new.sqlite"]
    outs = ["o.npz", "o.json", "o.csv", "o.png", "s.sqlite", "t.npz", "/dev/null",
            "nodir/o.npz", ".", "-", "fifo_out"]  # relative: inside the example's folder
    grids = [t["grid_deep"], t["grid_not_json"], t["grid_inf"], t["grid_huge_width"],
             t["grid_not_utf8"], t["grid_scalars"], files["grid"], n["fifo"], "missing.json"]
    csvs = [t["foreign"], t["empty"], t["binary"], t["header_only"], files["csv"], n["fifo"],
            "o.csv"]
    return {"npz": [str(p) for p in npz], "store": [str(p) for p in stores],
            "out": [str(p) for p in outs], "grid": [str(p) for p in grids],
            "csv": [str(p) for p in csvs]}


def _pool(action: argparse.Action, paths: dict) -> list[str]:
    dest = action.dest
    if dest in SIZES:
        return SIZES[dest]
    if action.choices:
        return [str(c) for c in action.choices] + ["bogus", ""]
    if dest in ("target", "file"):
        return paths["npz"]
    if dest == "store":
        return paths["store"]
    if dest in ("out", "json_out", "csv", "figure", "json"):
        return paths["out"]
    if dest == "grid":
        return paths["grid"]
    if dest == "plot_only":
        return paths["csv"]
    if dest == "arch":
        return ARCHS
    if dest == "param":
        return ["width=3", "width=40000", "width=a", "=", "width=", "n_nets=1", "depth=2,3",
                "width=1e999", "bogus=1", "width=3,5"]
    if dest == "set":
        return ["n_nets=3", "width=1e999", "x", "delay=-1", "scheme=nope"]
    if dest == "only":
        return ["demo", "lemma1", "bogus", ""]
    if dest in ("format",):
        return ["png", "svg", "", "xyz", "png,pdf", ","]
    if dest == "spawn_key":
        return ["0", "1,2", "-1", "a", ""]
    if dest == "C":
        return ["calibrated", "1", "0", "-1", "x", "1e300", "nan"]
    if dest in ("eps", "param_eps"):
        return ["0.5", "0.3", "0", "-1", "nan", "inf", "abc", "1e300"]
    if dest == "pool":
        return ["4", "4,4", "0", "100000000000", "x", ""]
    if dest in ("densities",):
        return ["0.5", "0.5,1", "0", "2", "x", ""]
    if dest in ("tasks", "methods", "schemes", "biases"):
        return ["shifted-relu", "edge-popup", "he-normal", "zero", "bogus", ""]
    return NUMBERS


def _argv(data, path: tuple, files: dict) -> list[str]:
    parser = LEAVES[path]
    paths = _paths(files)
    fmt = {"target": "t.npz"}  # a copy in the example's folder: outputs may overwrite it
    argv = [*path, *[a.format(**fmt) for a in BASE.get(path, [])]]
    positional = [a for a in parser._actions if not a.option_strings and a.dest not in SKIP]
    optional = [a for a in parser._actions if a.option_strings and a.dest not in SKIP
                and not isinstance(a, (argparse._HelpAction, argparse._VersionAction))]
    if path not in BASE:  # an unknown (new) command: fill its positionals from the pools
        argv += [data.draw(st.sampled_from(_pool(a, paths)), label=a.dest) for a in positional]
    chosen = data.draw(st.lists(st.sampled_from(optional), max_size=5, unique_by=id),
                       label="options") if optional else []
    for a in chosen:
        flag = data.draw(st.sampled_from(a.option_strings))
        if a.nargs == 0:
            argv.append(flag)
        elif a.nargs in ("+", "*"):
            vals = data.draw(st.lists(st.sampled_from(_pool(a, paths)), min_size=1,
                                      max_size=2))
            argv += [flag, *vals]
        else:
            argv += [flag, data.draw(st.sampled_from(_pool(a, paths)), label=a.dest)]
    if path in MUST_FAIL:
        argv += [data.draw(st.sampled_from(["--seed", "--workers"])), "-1"]
    if data.draw(st.booleans(), label="positional junk") and not positional:
        argv.append("junk")
    return [str(a) for a in argv]


@pytest.fixture(scope="module")
def files(good, npz_files, text_files, bomb, tmp_path_factory):
    import fuzz_corpus
    stores = fuzz_corpus.store_corpus(tmp_path_factory.mktemp("fuzz_stores"), good["store"])
    return {**good, "npz": npz_files, "text": text_files, "bomb": bomb, "stores": stores}


def _one(data, path, files, root: Path) -> None:
    argv = _argv(data, path, files)
    cwd = Path(tempfile.mkdtemp(dir=root))
    try:
        shutil.copy(files["store"], cwd / "s.sqlite")
        shutil.copy(files["target"], cwd / "t.npz")
        os.mkfifo(cwd / "fifo_out")
        outcome = run_inprocess(argv, cwd, time_limit=TIME_LIMIT)
        check_outcome(outcome)
        assert not any((Path(files["npz"]["good"]).parent / "PWNED").exists() for _ in [0])
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


COMMANDS = sorted(LEAVES)


def _fuzz(n: int):
    # SLTH_FUZZ_RANDOM=1: fresh random examples (exploration) instead of the fixed ones
    return settings(max_examples=n, deadline=None, database=None,
                    derandomize=not os.environ.get("SLTH_FUZZ_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
@_fuzz(EXAMPLES)
@given(data=st.data())
def test_fuzz_command_line(path, files, tmp_path, data):
    _one(data, path, files, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
@_fuzz(SLOW_EXAMPLES)
@given(data=st.data())
def test_fuzz_command_line_long(path, files, tmp_path, data):
    _one(data, path, files, tmp_path)


def test_every_command_is_fuzzed():
    """A new command is fuzzed from its parser; it should also get a quick base line."""
    top = {p[0] for p in LEAVES}
    assert {"construct", "info", "init", "prune", "sweep", "width"} <= top
    assert len(LEAVES) >= 13
