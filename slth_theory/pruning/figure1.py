"""The Section 6 experiments (Figure 1): grid definition, one pure run, CSV and plot.

The grid: both tasks, the paper's target densities (fraction kept), both methods
(edge-popup, edge-popup-scaled), He-normal and looks-linear initialisation each with
zero and non-zero biases, depth 5, width 100, 5 repetitions. Annealing epochs ``e_a``
as Section 6 states: 5 for the shifted ReLU; 20 for the onion at densities 0.01 and
0.05 and 10 at higher densities.

Each run is :func:`run_one` ``(config, seed) -> dict`` of plain values (no shared state,
no global randomness), so a sweep engine can drive it. Repetition ``r`` of every
configuration uses the seed ``SeedSequence(root_seed).spawn(reps)[r]`` (as an int);
inside a run that seed is split into data, initialisation and training streams, so the
configurations of one repetition share the data set, and zero- and non-zero-bias
networks share their weights (``slth_theory.model.schemes`` draws weights before biases).

Two presets (:data:`slth_theory.pruning.edge_popup.PRESETS`): ``paper`` (the paper's text,
the default) and ``official`` (the authors' code: 4 weight layers for "depth 5", bias
factor 0.05, wide bias scores, joint ranking, nested schedule with warm-up and restarts,
lambda by SGD on the last mini-batch). Every choice is also a config key of its own.

Accuracy counts ties among the top logits as misses; every run records how many test
points are ties (``test_ties``) and whether the ticket's output is constant
(``degenerate``).
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.engine.figures import register_figure
from slth_theory.engine.files import atomic_output, read_text_file, save_figure, write_text
from slth_theory.engine.limits import network_bytes
from slth_theory.model.schemes import initialize
from slth_theory.pruning.datasets import N_SAMPLES, TEST_FRACTION, make_dataset
from slth_theory.pruning.datasets import SYNTHETIC_TASKS as TASKS
from slth_theory.pruning.edge_popup import (
    METHODS,
    Settings,
    edge_popup,
    evaluate,
    preset_values,
    weight_layers,
)

DENSITIES = {
    "shifted-relu": (0.002, 0.01, 0.05, 0.1, 0.2),
    "onion": (0.01, 0.05, 0.1, 0.2, 0.5),
}
SCHEMES = ("he-normal", "looks-linear")
BIASES = ("zero", "nonzero")
DEPTH = 5
WIDTH = 100
EPOCHS = 10
REPS = 5
ROOT_SEED = 20240601

#: Columns of the result CSV. The first 22 are the original columns, unchanged in name
#: and meaning (``anneal_mode`` holds the schedule, ``depth`` the depth as configured);
#: the rest were added with the presets: ``preset``; ``weight_layers`` (the number of
#: weight layers the depth means under ``depth_convention``); ``total_epochs``; the
#: preset's individual choices; ``test_ties``/``train_ties`` (points whose largest logit
#: is shared, counted as misses; 0 for regression); ``degenerate`` (1 if the ticket's test
#: output is constant). Test accuracy counts ties as misses.
CSV_FIELDS = (
    "task", "density", "method", "scheme", "bias", "rep", "seed", "epochs", "anneal_epochs",
    "anneal_mode", "bias_ranking", "width", "depth", "train_loss", "test_loss",
    "train_accuracy", "test_accuracy", "final_density", "density_with_biases",
    "output_scale", "seconds_per_epoch", "seconds",
    "preset", "weight_layers", "total_epochs", "bias_factor", "bias_score_init",
    "score_zero_biases", "warmup", "lr_restarts", "lr_over_lambda", "lambda_fit",
    "lr_epoch_base", "depth_convention", "test_ties", "train_ties", "degenerate",
)
PRESET_KEYS = ("anneal_mode", "bias_ranking", "bias_score_init", "score_zero_biases",
               "warmup", "lr_restarts", "lr_over_lambda", "lambda_fit", "lr_epoch_base",
               "bias_factor", "depth_convention")
STR_FIELDS = ("task", "method", "scheme", "bias", "anneal_mode", "bias_ranking", "preset",
              "bias_score_init", "lambda_fit", "depth_convention")


def paper_anneal_epochs(task: str, density: float) -> int:
    """``e_a`` as Section 6 states: 5 (shifted ReLU); onion 20 if density <= 0.05, else 10."""
    if task == "shifted-relu":
        return 5
    if task == "onion":
        return 20 if density <= 0.05 + 1e-12 else 10
    raise ValueError(f"task must be one of {TASKS}; got {task!r}")


def architecture(task: str, width: int = WIDTH, depth: int = DEPTH,
                 depth_convention: str = "weight-layers") -> list[int]:
    """``[n0, width, ..., width, nL]`` with ``weight_layers(depth, depth_convention)``
    weight layers (``depth`` of them by default; ``depth - 1`` the authors' way)."""
    n0, nL = (1, 1) if task == "shifted-relu" else (2, 4)
    if depth < 1 or width < 1:
        raise ValueError(f"depth and width must be >= 1; got depth={depth}, width={width}")
    n = weight_layers(depth, depth_convention)
    return [n0] + [width] * (n - 1) + [nL]


def default_config(task: str, density: float, method: str, scheme: str, bias: str,
                   preset: str = "paper", **overrides: Any) -> dict[str, Any]:
    """A complete run configuration of plain values: ``preset``'s choices, then overrides.

    ``overrides`` with value None keep the preset's value.
    """
    cfg = {
        "task": task, "density": float(density), "method": method, "scheme": scheme,
        "bias": bias, "preset": preset, "epochs": EPOCHS,
        "anneal_epochs": paper_anneal_epochs(task, density), **preset_values(preset),
        "width": WIDTH, "depth": DEPTH,
        "n_samples": N_SAMPLES, "test_fraction": TEST_FRACTION, "lr": 0.1,
        "batch_size": 32, "engine": "numba",
    }
    unknown = set(overrides) - set(cfg)
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}")
    cfg.update({k: v for k, v in overrides.items() if v is not None})
    return cfg


def run_one(config: dict[str, Any], seed: int, ticket_out: Callable | None = None
            ) -> dict[str, Any]:
    """One pruning run of the grid: plain-value config and seed in, plain dict out.

    Parameters
    ----------
    config : dict
        Keys of :func:`default_config`.
    seed : int
        Split into data, initialisation and training streams with ``SeedSequence``.
    ticket_out : callable, optional
        Called with the :class:`~slth_theory.model.ticket.Ticket` (e.g. to save it).

    Returns
    -------
    dict
        The config, ``seed``, train/test loss (MSE or cross-entropy), train/test
        accuracy (NaN for regression), ``final_density`` (fraction of weights kept),
        ``density_with_biases``, ``output_scale`` (lambda), ``seconds_per_epoch``,
        ``seconds``.

    Notes
    -----
    Section 6 of the paper (setup of Figure 1).
    """
    t0 = time.perf_counter()
    c = default_config(config["task"], config["density"], config["method"], config["scheme"],
                       config["bias"], config.get("preset", "paper"),
                       **{k: v for k, v in config.items() if k not in (
                           "task", "density", "method", "scheme", "bias", "rep", "preset")})
    ss_data, ss_init, ss_train = np.random.SeedSequence(int(seed)).spawn(3)
    data = make_dataset(c["task"], n=int(c["n_samples"]), test_fraction=float(c["test_fraction"]),
                        rng=np.random.default_rng(ss_data))
    net = initialize(architecture(c["task"], int(c["width"]), int(c["depth"]),
                                  c["depth_convention"]), c["scheme"],
                     bias=c["bias"], bias_factor=float(c["bias_factor"]),
                     output_activation="identity",
                     rng=ss_init)  # recorded as meta seed + spawn_key: regenerable
    net.meta["run_seed"] = int(seed)
    settings = settings_from_config(c)
    res = edge_popup(net, data, settings, rng=np.random.default_rng(ss_train),
                     engine=c["engine"])
    tr = evaluate(res.ticket, data.x_train, data.y_train, data.loss)
    te = evaluate(res.ticket, data.x_test, data.y_test, data.loss)
    if ticket_out is not None:
        ticket_out(res.ticket)
    out = {k: c[k] for k in ("task", "density", "method", "scheme", "bias", "epochs",
                             "anneal_epochs", "width", "depth", "preset", *PRESET_KEYS)}
    for k in ("score_zero_biases", "lr_restarts", "lr_over_lambda"):
        out[k] = int(bool(out[k]))
    out.update({
        "seed": int(seed),
        "weight_layers": net.depth, "total_epochs": settings.total_epochs,
        "train_loss": tr["loss"], "test_loss": te["loss"],
        "train_accuracy": tr.get("accuracy", math.nan),
        "test_accuracy": te.get("accuracy", math.nan),
        "train_ties": int(tr.get("ties", 0)), "test_ties": int(te.get("ties", 0)),
        "degenerate": int(te["constant"]),
        "final_density": res.ticket.density,
        "density_with_biases": res.ticket.density_with_biases,
        "output_scale": res.ticket.output_scale,
        "seconds_per_epoch": res.seconds_per_epoch,
        "seconds": time.perf_counter() - t0,
    })
    return out



def run_memory(config: dict[str, Any]) -> float:
    """Bytes one :func:`run_one` needs at most (for the sweep engine's memory check).

    Edge-popup keeps about 8 arrays the size of the network (parameters, scores, masks,
    momentum, the fused kernel's packed copies) and the data set; generous on purpose.
    """
    c = {**default_config(config["task"], 0.5, "edge-popup", "he-normal", "zero"), **config}
    widths = architecture(c["task"], int(c["width"]), int(c["depth"]))
    return network_bytes(widths, copies=8) + 8 * 16 * int(c["n_samples"])


run_one.memory = run_memory


def settings_from_config(c: dict[str, Any]) -> Settings:
    """The :class:`Settings` of a complete run configuration (:func:`default_config`)."""
    return Settings(c["density"], method=c["method"], epochs=int(c["epochs"]),
                    anneal_epochs=int(c["anneal_epochs"]), anneal_mode=c["anneal_mode"],
                    bias_ranking=c["bias_ranking"], lr=float(c["lr"]),
                    batch_size=int(c["batch_size"]), bias_score_init=c["bias_score_init"],
                    score_zero_biases=bool(c["score_zero_biases"]), warmup=int(c["warmup"]),
                    lr_restarts=bool(c["lr_restarts"]),
                    lr_over_lambda=bool(c["lr_over_lambda"]), lambda_fit=c["lambda_fit"],
                    lr_epoch_base=int(c["lr_epoch_base"]))


def rep_seeds(reps: int, root_seed: int = ROOT_SEED) -> list[int]:
    """One int seed per repetition from ``SeedSequence(root_seed).spawn(reps)``."""
    return [int(s.generate_state(1, np.uint32)[0])
            for s in np.random.SeedSequence(int(root_seed)).spawn(int(reps))]


def grid(reps: int = REPS, tasks: Sequence[str] = TASKS,
         densities: Sequence[float] | None = None, methods: Sequence[str] = METHODS,
         schemes: Sequence[str] = SCHEMES, biases: Sequence[str] = BIASES,
         root_seed: int = ROOT_SEED, only_reps: Sequence[int] | None = None,
         preset: str = "paper", **overrides: Any) -> list[tuple[dict[str, Any], int]]:
    """The Figure 1 grid as ``(config, seed)`` pairs, repetition-major.

    Repetition ``r`` of every configuration comes before repetition ``r + 1`` of any, so
    an interrupted run leaves complete repetitions. ``densities`` (if given) replaces the
    paper's per-task lists; the configs carry ``rep``. ``only_reps`` keeps only those
    repetition indices (their seeds are unchanged), to split a grid over processes.
    """
    for t in tasks:
        if t not in TASKS:
            raise ValueError(f"tasks must be among {TASKS}; got {t!r}")
    if reps < 1:
        raise ValueError(f"reps must be >= 1; got {reps}")
    seeds = rep_seeds(reps, root_seed)
    out = []
    if only_reps is not None and any(not 0 <= r < reps for r in only_reps):
        raise ValueError(f"only_reps must be in [0, {reps}); got {list(only_reps)}")
    for r, seed in enumerate(seeds):
        if only_reps is not None and r not in only_reps:
            continue
        for task in tasks:
            for d in (densities if densities else DENSITIES[task]):
                for scheme in schemes:
                    for bias in biases:
                        for method in methods:
                            cfg = default_config(task, d, method, scheme, bias, preset,
                                                 **overrides)
                            cfg["rep"] = r
                            out.append((cfg, seed))
    return out


_INT_FIELDS = ("rep", "seed", "epochs", "anneal_epochs", "width", "depth", "weight_layers",
               "total_epochs", "score_zero_biases", "warmup", "lr_restarts", "lr_over_lambda",
               "lr_epoch_base", "test_ties", "train_ties", "degenerate")


def run_key(row: dict[str, Any]) -> tuple:
    """Identity of a run in a CSV (for resuming)."""
    return (row.get("preset") or "paper", row["task"], f"{float(row['density']):.6g}",
            row["method"], row["scheme"], row["bias"], int(row["seed"]))


def read_csv(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Rows of one or more result CSVs (columns :data:`CSV_FIELDS`), numbers converted.

    Raises
    ------
    ValueError
        Naming the file (and line): not a regular UTF-8 text file within the file size
        limit, a column of :data:`CSV_FIELDS` missing, or a run-identifying value
        (``density``, ``seed``) that is not a number.
    """
    rows = []
    for p in paths:
        text = read_text_file(p, "CSV")
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            missing = [f for f in CSV_FIELDS if f not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"CSV {str(p)!r} is not a result file of `slth reproduce "
                                 f"fig1`: column {missing[0]!r} is missing")
            for r in reader:
                for k, v in r.items():
                    if k in STR_FIELDS:
                        continue
                    try:
                        r[k] = float(v) if v not in ("", "nan", None) else math.nan
                        if k in _INT_FIELDS and math.isfinite(r[k]):
                            r[k] = int(r[k])
                    except (ValueError, TypeError, OverflowError):
                        pass
                for k in ("density", "seed"):
                    if not (isinstance(r[k], (int, float)) and math.isfinite(r[k])):
                        raise ValueError(f"CSV {str(p)!r} line {reader.line_num}: column "
                                         f"{k!r} must be a number; got {r[k]!r}")
                rows.append(r)
        except csv.Error as exc:
            raise ValueError(f"CSV {str(p)!r}: {exc}") from None
    return rows


def run_grid(jobs: list[tuple[dict[str, Any], int]], csv_path: str | Path,
             resume: bool = True, quiet: bool = False,
             runner: Callable[[dict[str, Any], int], dict[str, Any]] = run_one
             ) -> list[dict[str, Any]]:
    """Run ``jobs`` in a plain loop, appending one CSV row per finished run.

    With ``resume``, runs already in ``csv_path`` (same task, density, method, scheme,
    bias, seed) are skipped. Returns all rows of the CSV afterwards.
    """
    from slth_theory.engine.progress import bar
    csv_path = Path(csv_path)
    done = set()
    if resume and csv_path.exists():
        done = {run_key(r) for r in read_csv([csv_path])}
    else:
        with open(csv_path, "w", newline="") as fh:
            csv.DictWriter(fh, CSV_FIELDS).writeheader()
    todo = [(c, s) for c, s in jobs if run_key({**c, "seed": s}) not in done]
    pb = bar(len(todo), desc="fig1", quiet=quiet)
    try:
        for cfg, seed in todo:
            row = runner(cfg, seed)
            row["rep"] = cfg.get("rep", "")
            with open(csv_path, "a", newline="") as fh:
                csv.DictWriter(fh, CSV_FIELDS, extrasaction="ignore").writerow(row)
            pb.update(1)
    finally:
        pb.close()
    return read_csv([csv_path])


# ------------------------------------------------------------------- summary
def describe_setting(rows: list[dict[str, Any]]) -> str:
    """What the runs of a table share, read from the rows themselves, e.g.
    ``"preset official, depth 5 (4 weight layers), width 100"``.

    A column whose values differ between runs is listed with all its values
    (``"width 50/100"``); columns an older table lacks are left out.
    """
    def values(key):
        return sorted({r[key] for r in rows if r.get(key) not in (None, "")
                       and not (isinstance(r[key], float) and math.isnan(r[key]))},
                      key=lambda v: (0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v)))

    def fmt(vals):
        return "/".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in vals)

    parts = []
    presets = values("preset")
    if presets:
        parts.append(f"preset {fmt(presets)}")
    depths, layers, widths = values("depth"), values("weight_layers"), values("width")
    if depths:
        layer_note = f" ({fmt(layers)} weight layers)" if layers and layers != depths else ""
        parts.append(f"depth {fmt(depths)}{layer_note}")
    if widths:
        parts.append(f"width {fmt(widths)}")
    return ", ".join(parts)


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean, standard deviation, min, max and count of the test metric per configuration.

    The metric is test MSE for the shifted ReLU and test accuracy (ties counted as
    misses) for the onion. Also ``degenerate`` (runs whose ticket output is constant) and
    ``ties`` (mean number of tied test points per run; NaN for rows of older CSVs
    without the column).
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        key = (r["task"], r["method"], r["scheme"], r["bias"], float(r["density"]))
        groups.setdefault(key, []).append(r)
    out = []
    for (task, method, scheme, bias, d), rs in sorted(groups.items()):
        v = np.asarray([float(r["test_loss"] if task == "shifted-relu" else r["test_accuracy"])
                        for r in rs])
        deg = [r.get("degenerate") for r in rs]
        ties = [r.get("test_ties") for r in rs]
        out.append({"task": task, "method": method, "scheme": scheme, "bias": bias,
                    "density": d, "metric": "test_mse" if task == "shifted-relu"
                    else "test_accuracy", "mean": float(v.mean()),
                    "std": float(v.std(ddof=1)) if v.size > 1 else math.nan,
                    "min": float(v.min()), "max": float(v.max()), "n": int(v.size),
                    "degenerate": int(sum(int(x) for x in deg if _finite(x))),
                    "ties": (float(np.mean([float(x) for x in ties]))
                             if all(_finite(x) for x in ties) else math.nan)})
    return out


def _finite(x: Any) -> bool:
    try:
        return x is not None and x != "" and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def markdown_table(summary: list[dict[str, Any]], title: str = "") -> str:
    """Markdown tables: one row per (task, method, scheme, bias), one column per density.

    Cells are ``mean ± std`` over the repetitions (the format is read by the claims
    report: keep it). After each task's table, a list of the configurations with
    degenerate tickets (constant output) or tied test points.
    """
    out = [title, ""] if title else []
    for task in TASKS:
        rows = [s for s in summary if s["task"] == task]
        if not rows:
            continue
        dens = sorted({s["density"] for s in rows})
        metric = ("test MSE" if task == "shifted-relu"
                  else "test accuracy (ties count as misses)")
        ns = sorted({s["n"] for s in rows})
        out.append(f"**{task}**: {metric}, mean ± standard deviation over "
                   f"{'/'.join(map(str, ns))} repetitions, per density (fraction kept)\n")
        out.append("| method | scheme | bias | " + " | ".join(f"{d:g}" for d in dens) + " |")
        out.append("|---|---|---|" + "---|" * len(dens))
        keys = sorted({(s["method"], s["scheme"], s["bias"]) for s in rows})
        for k in keys:
            cells = []
            for d in dens:
                m = [s for s in rows if (s["method"], s["scheme"], s["bias"]) == k
                     and s["density"] == d]
                if not m:
                    cells.append("")
                elif task == "shifted-relu":
                    cells.append(f"{m[0]['mean']:.3g} ± {m[0]['std']:.2g}")
                else:
                    cells.append(f"{m[0]['mean']:.3f} ± {m[0]['std']:.3f}")
            out.append(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(cells) + " |")
        out.append("")
        flagged = [s for s in rows if s["degenerate"] or (_finite(s["ties"]) and s["ties"] > 0)]
        if flagged:
            out.append("Degenerate tickets (constant output) and tied test points (counted as "
                       "misses):\n")
            for s in flagged:
                ties = (f", {s['ties']:.0f} tied test points per run on average"
                        if _finite(s["ties"]) and s["ties"] > 0 else "")
                out.append(f"- {s['method']}, {s['scheme']}, {s['bias']} bias, density "
                           f"{s['density']:g}: {s['degenerate']} of {s['n']} runs degenerate"
                           f"{ties}")
            out.append("")
    return "\n".join(out)


_STYLE = {
    ("he-normal", "zero"): ("tab:blue", "He, zero bias"),
    ("he-normal", "nonzero"): ("tab:orange", "He, non-zero bias"),
    ("looks-linear", "zero"): ("tab:green", "looks-linear, zero bias"),
    ("looks-linear", "nonzero"): ("tab:red", "looks-linear, non-zero bias"),
}


def plot_fig1(rows: list[dict[str, Any]], axes=None, title: str | None = None):
    """Figure 1: test MSE (log scale) on the shifted ReLU, test accuracy on the onion.

    One panel per task; lines per scheme and bias, solid for edge-popup-scaled and dashed
    for edge-popup; markers at the mean over repetitions, error bars spanning min to max.

    Parameters
    ----------
    rows : list of dict
        CSV rows (:func:`read_csv`).
    axes : sequence of two matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    summary = summarize(rows)
    tasks = [t for t in TASKS if any(s["task"] == t for s in summary)]
    if axes is None:
        fig, axes = plt.subplots(len(tasks), 1, figsize=(7.5, 3.6 * len(tasks)), squeeze=False)
        axes = axes[:, 0]
    else:
        fig = axes[0].figure
    for ax, task in zip(axes, tasks, strict=False):
        for (scheme, bias), (color, label) in _STYLE.items():
            for method, ls, mk in (("edge-popup-scaled", "-", "o"), ("edge-popup", "--", "s")):
                pts = sorted((s for s in summary if s["task"] == task and s["scheme"] == scheme
                              and s["bias"] == bias and s["method"] == method),
                             key=lambda s: s["density"])
                if not pts:
                    continue
                d = np.array([p["density"] for p in pts])
                m = np.array([p["mean"] for p in pts])
                lo = m - np.array([p["min"] for p in pts])
                hi = np.array([p["max"] for p in pts]) - m
                short = "scaled" if method == "edge-popup-scaled" else "plain"
                ax.errorbar(d, m, yerr=[lo, hi], color=color, ls=ls, marker=mk, ms=4,
                            capsize=2, lw=1.2, label=f"{label}, {short}")
        ax.set_xscale("log")
        ax.set_xlabel("density (fraction of weights kept)")
        if task == "shifted-relu":
            ax.set_yscale("log")
            ax.set_ylabel("test MSE (lower is better)")
            ax.set_title("Shifted ReLU")
        else:
            ax.set_ylabel("test accuracy (higher is better)")
            ax.set_title("Onion slice")
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7, frameon=False)
    n = max((s["n"] for s in summary), default=0)
    if title is None:
        setting = describe_setting(rows)
        title = (f"Edge-popup tickets{', ' + setting if setting else ''} "
                 f"(mean, bars min-max, up to {n} reps)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.05 if len(tasks) > 1 else 0.12, 1, 1))
    return fig


#: Output folder of each preset's Figure 1 files, relative to the figures folder.
PRESET_DIRS = {"paper": ".", "official": "fig1_official"}


def write_csv(path: str | Path, rows: list[dict[str, Any]]) -> Path:
    """Write result rows (columns :data:`CSV_FIELDS`) to ``path`` via a renamed temp file."""
    path = Path(path)
    with atomic_output(path, "w", "Figure 1 CSV", newline="") as fh:
        w = csv.DictWriter(fh, CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def write_fig1(rows: list[dict[str, Any]], out: str | Path, preset: str = "paper",
               formats: Sequence[str] = ("png",)) -> list[Path]:
    """``fig1.csv``, ``fig1.<format>`` and ``fig1_table.md`` of ``rows`` in folder ``out``.

    Parameters
    ----------
    rows : list of dict
        Result rows (:func:`run_one` outputs, or :func:`read_csv` rows).
    out : path
        Folder (created).
    preset : str
        Named in the table's title.
    formats : sequence of str
        Figure formats.

    Returns
    -------
    list of Path
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [write_csv(out / "fig1.csv", rows)]
    rows = read_csv([files[0]])
    fig = plot_fig1(rows)
    for fmt in formats:
        files.append(out / f"fig1.{fmt}")
        save_figure(fig, files[-1], dpi=150)
    plt.close(fig)
    reps = sorted({int(r["rep"]) for r in rows if _finite(r.get("rep"))})
    title = (f"Figure 1, preset `{preset}` ({len(reps)} repetitions; see "
             f"docs/guide/edge-popup.md)")
    table = out / "fig1_table.md"
    write_text(table, markdown_table(summarize(rows), title) + "\n", "Figure 1 table")
    files.append(table)
    return files


def _figure(preset: str):
    def grid_fn() -> list[tuple[dict[str, Any], int]]:
        return [(c, int(s)) for c, s in grid(preset=preset)]

    def write_fn(records: list[dict], out: Path, formats=("png",)) -> list[Path]:
        rows = [{**r["config"], **r["results"], "rep": r["config"].get("rep", "")}
                for r in records]
        return write_fig1(rows, Path(out) / PRESET_DIRS[preset], preset, formats)
    return grid_fn, write_fn


def fig1_sweep_grid() -> list[tuple[dict[str, Any], int]]:
    """The Figure 1 grid of the ``paper`` preset as ``(config, seed)`` pairs."""
    return [(c, int(s)) for c, s in grid()]


def plot_fig1_records(records: list[dict], ax=None):
    """Figure 1 from sweep records (config and results merged into one row per run)."""
    return plot_fig1([{**r["config"], **r["results"]} for r in records], ax)


_paper_grid, _paper_write = _figure("paper")
_official_grid, _official_write = _figure("official")
register_figure("fig1", sweep="fig1", grid=_paper_grid, write=_paper_write,
                description="Figure 1, preset paper: edge-popup tickets vs target density "
                            "(Section 6): fig1.csv, fig1.png, fig1_table.md")
register_figure("fig1_official", sweep="fig1", grid=_official_grid, write=_official_write,
                description="Figure 1, preset official (the authors' code): "
                            "fig1_official/fig1.csv, .png, fig1_table.md")
