"""The figure registry behind ``slth figures``: redraw from the store, run only what is missing."""

import matplotlib
import pytest

from slth_theory import figure_registry as fr
from slth_theory import sweep as sw
from slth_theory.demo_sweep import demo_grid, plot_demo

matplotlib.use("Agg")


def test_plot_demo_uses_given_axes():
    import matplotlib.pyplot as plt
    recs = sw.run_sweep("demo", demo_grid(widths=(3, 6), reps=1, n_nets=4))
    fig, ax = plt.subplots()
    assert plot_demo(recs, ax=ax) is fig
    assert len(ax.lines) >= 2
    plt.close(fig)


def test_register_and_make_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(fr, "_FIGURES", dict(fr._FIGURES))
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
