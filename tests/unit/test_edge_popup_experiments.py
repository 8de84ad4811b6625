"""The fig1 grid: definition, pure per-run function, CSV resume, summary, plot."""

import math

import matplotlib
import numpy as np
import pytest

from slth_theory.pruning import figure1 as ex

matplotlib.use("Agg")

TINY = {"epochs": 1, "anneal_epochs": 1, "width": 8, "depth": 3, "n_samples": 200}


def test_grid_matches_section6():
    jobs = ex.grid()
    assert len(jobs) == 2 * 5 * 2 * 2 * 2 * 5 == 400
    sr = {c["density"] for c, _ in jobs if c["task"] == "shifted-relu"}
    on = {c["density"] for c, _ in jobs if c["task"] == "onion"}
    assert sr == {0.002, 0.01, 0.05, 0.1, 0.2} and on == {0.01, 0.05, 0.1, 0.2, 0.5}
    for c, _ in jobs:
        assert c["depth"] == 5 and c["width"] == 100 and c["epochs"] == 10
        if c["task"] == "shifted-relu":
            assert c["anneal_epochs"] == 5
        else:
            assert c["anneal_epochs"] == (20 if c["density"] <= 0.05 else 10)
    # repetition-major: all of rep 0 first; each rep has one seed
    reps = [c["rep"] for c, _ in jobs]
    assert reps == sorted(reps)
    assert len({s for c, s in jobs if c["rep"] == 0}) == 1
    assert len({s for _, s in jobs}) == 5


def test_only_reps_keeps_seeds():
    full = ex.grid(3, ["onion"])
    part = ex.grid(3, ["onion"], only_reps=[2])
    assert part == [(c, s) for c, s in full if c["rep"] == 2]


def test_rep_seeds_from_seedsequence():
    s = ex.rep_seeds(3, 7)
    assert s == ex.rep_seeds(3, 7)
    assert s == [int(q.generate_state(1, np.uint32)[0])
                 for q in np.random.SeedSequence(7).spawn(3)]


def test_run_one_is_pure_and_plain():
    cfg = ex.default_config("onion", 0.2, "edge-popup-scaled", "looks-linear", "nonzero",
                            **TINY)
    a = ex.run_one(dict(cfg), 123)
    b = ex.run_one(dict(cfg), 123)
    for k in a:
        assert isinstance(a[k], (int, float, str)), k
        if k not in ("seconds", "seconds_per_epoch"):
            assert a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])), k
    assert 0 <= a["test_accuracy"] <= 1 and a["output_scale"] > 0
    c = ex.run_one(dict(cfg), 124)
    assert c["test_loss"] != a["test_loss"]


def test_zero_and_nonzero_bias_share_weights_and_data():
    seen = {}

    def keep(t):
        seen[t.mother.meta["bias"]] = t

    for bias in ("zero", "nonzero"):
        cfg = ex.default_config("shifted-relu", 0.1, "edge-popup", "he-normal", bias, **TINY)
        ex.run_one(cfg, 5, ticket_out=keep)
    for w0, w1 in zip(seen["zero"].mother.weights, seen["nonzero"].mother.weights, strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_run_grid_resume_summary_plot(tmp_path):
    jobs = ex.grid(1, ["shifted-relu"], [0.2], ["edge-popup"], ["he-normal"], ["zero", "nonzero"],
                   **TINY)
    calls = []

    def runner(cfg, seed):
        calls.append(cfg["bias"])
        return ex.run_one(cfg, seed)

    p = tmp_path / "r.csv"
    rows = ex.run_grid(jobs, p, resume=False, quiet=True, runner=runner)
    assert len(rows) == 2 and len(calls) == 2
    rows = ex.run_grid(jobs, p, resume=True, quiet=True, runner=runner)
    assert len(rows) == 2 and len(calls) == 2  # nothing re-run
    s = ex.summarize(rows)
    assert {r["bias"] for r in s} == {"zero", "nonzero"} and all(r["n"] == 1 for r in s)
    assert "he-normal" in ex.markdown_table(s)
    fig = ex.plot_fig1(rows)
    assert fig.axes[0].get_yscale() == "log"
    # the title states the runs' own setting (here depth 3, width 8), not the paper's
    assert "depth 3, width 8" in fig._suptitle.get_text()


def test_describe_setting_reads_the_rows():
    paper = {"preset": "paper", "depth": 5, "weight_layers": 5, "width": 100}
    official = {"preset": "official", "depth": 5, "weight_layers": 4, "width": 100}
    assert ex.describe_setting([paper]) == "preset paper, depth 5, width 100"
    assert ex.describe_setting([official]) == \
        "preset official, depth 5 (4 weight layers), width 100"
    assert ex.describe_setting([paper, dict(paper, width=50)]) == \
        "preset paper, depth 5, width 50/100"
    assert ex.describe_setting([{"depth": 3}]) == "depth 3"   # an older table
    assert ex.describe_setting([]) == ""


def test_bad_grid_input():
    with pytest.raises(ValueError, match="tasks"):
        ex.grid(1, ["moons"])
    with pytest.raises(ValueError, match="unknown config"):
        ex.default_config("onion", 0.1, "edge-popup", "he-normal", "zero", colour="red")
