"""The figure registry behind ``slth figures``: redraw from the store, run only what is missing."""

import matplotlib
import pytest
from demo_sweep import demo_grid, plot_demo

from slth_theory.engine import figures as fr
from slth_theory.engine import sweep as sw

matplotlib.use("Agg")


def test_plot_demo_uses_given_axes():
    import matplotlib.pyplot as plt
    recs = sw.run_sweep("demo", demo_grid(widths=(3, 6), reps=1, n_nets=4))
    fig, ax = plt.subplots()
    assert plot_demo(recs, ax=ax) is fig
    assert len(ax.lines) >= 2
    plt.close(fig)


def test_register_and_make_figures(tmp_path, monkeypatch):
    fr.load_figure_modules()  # then keep only figures not drawn by default (not the paper's)
    monkeypatch.setattr(fr, "_FIGURES", {k: v for k, v in fr._FIGURES.items() if not v.default})
    monkeypatch.setattr(fr, "FIGURE_MODULES", list(fr.FIGURE_MODULES) + ["slth_theory.nope"])
    calls = []

    def grid():
        return demo_grid(widths=(3,), reps=2, n_nets=4)

    def plot(records, ax=None):
        calls.append([r["key"] for r in records])
        return plot_demo(records, ax)

    fr.register_figure("t-fig", sweep="demo", grid=grid, plot=plot, root_seed=4)
    store = tmp_path / "s.sqlite"
    with pytest.raises(ValueError, match="4 of 4 runs are not in"):
        fr.make_figures(store, tmp_path / "out", names=["t-fig"], run_missing=False)
    (d,) = fr.make_figures(store, tmp_path / "out", names=["t-fig"], formats=("png", "svg"))
    assert d["computed"] == 4 and (tmp_path / "out" / "t-fig.svg").exists()
    (d,) = fr.make_figures(store, tmp_path / "out", names=["t-fig"], run_missing=False)
    assert d["computed"] == 0 and calls[0] == calls[1]
    assert calls[0] == [r["key"] for r in sw.plan("demo", grid(), 4)]
    # default redraw: only figures registered with default=True (t-fig is one, demo is not)
    assert [x["name"] for x in fr.make_figures(store, tmp_path / "o2")] == ["t-fig"]
    with pytest.raises(ValueError, match="unknown figure 'zz'; choose from .*t-fig"):
        fr.get_figure("zz")


def test_paper_figures_registered():
    figs = fr.figures()
    assert figs["fig1"].sweep == "fig1" and figs["calibration"].sweep == "calibrate"
    assert figs["fig1"].default and figs["calibration"].default and not figs["demo"].default


def test_calibration_figure_reproduces_run_grid():
    from slth_theory.construction import calibration as cal
    pairs = cal.calibration_sweep_grid(quick=True)[:2]
    recs = sw.run_sweep("calibrate", [c for c, _ in pairs], seeds=[s for _, s in pairs])
    ref = cal.run_grid(cal.grid(True)[:2], 0)  # the seeding of `slth calibrate --seed 0`
    assert [r["results"] for r in recs] == [sw.to_plain(x, allow_nonfinite=True) for x in ref]
    import matplotlib.pyplot as plt
    plt.close(cal.plot_calibration_records(recs))


def test_fig1_figure_grid_and_plot():
    from slth_theory.pruning import figure1 as ex
    pairs = ex.fig1_sweep_grid()
    assert len(pairs) == len(ex.grid()) == 400
    assert all(isinstance(s, int) for _, s in pairs)
    tiny = ex.grid(reps=1, tasks=("shifted-relu",), densities=(0.2,), epochs=1,
                   anneal_epochs=1, schemes=("he-normal",), biases=("nonzero",))
    recs = sw.run_sweep("fig1", [c for c, _ in tiny], seeds=[s for _, s in tiny])
    import matplotlib.pyplot as plt
    plt.close(ex.plot_fig1_records(recs))


def test_verify_figures_written_from_sweep_records(tmp_path):
    from slth_theory.engine.sweep import run_sweep
    from slth_theory.verify import report
    recs = run_sweep("verify", [{"check": "lemma1", "level": "quick"}], seeds=[0], quiet=True)
    files = report.write_verify_figures(recs, tmp_path)
    assert files and all(p.exists() and p.stat().st_size > 1000 for p in files)
    grid = report.verify_grid()
    assert {c["check"] for c, _ in grid} >= {"lemma1", "lemma3", "lemma4"}
    assert all(c["level"] == "full" and s == 0 for c, s in grid)


def test_register_figure_needs_exactly_one_of_plot_and_write():
    import pytest

    from slth_theory.engine.figures import register_figure
    with pytest.raises(ValueError, match="exactly one"):
        register_figure("x", sweep="demo", grid=list)
    with pytest.raises(ValueError, match="exactly one"):
        register_figure("x", sweep="demo", grid=list, plot=print, write=print)
