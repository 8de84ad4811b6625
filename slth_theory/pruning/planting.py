"""Planted tickets (Plant 'n' Seek): hide a known sparse ticket in a random mother, seek it.

Fischer & Burkholz, "Plant 'n' Seek: Can You Find the Winning Ticket?" (ICLR 2022; code
RelationalML/PlantNSeek, ``plant_lottery_tickets/plant.py``): a small *target* network
with non-zero biases is planted into a randomly initialised *mother* network, data are
generated from the target, and a pruning algorithm is asked to find it again. Here:

1. :func:`random_target` draws a small dense target ``[n0, k, ..., k, nL]`` (He-normal
   weights, biases ``U[-0.5, 0.5]``, or zero biases for the no-bias comparison).
2. :func:`plant` writes it into a copy of the mother: layer by layer, each target neuron
   gets the not yet used mother neuron whose incoming weights (and bias) on the already
   planted inputs point most nearly in the target neuron's direction (largest cosine, as
   ``plant.py``'s ``target_ind`` looks for the best-correlated column), and those entries
   are overwritten by a positive multiple ``c`` of the target's (``c`` = the least-squares
   fit of the mother's own entries, so planted values keep the mother's scale; the next
   layer divides its planted weights by ``c``, which ReLU's positive homogeneity makes
   exact). The output layer keeps its neurons and uses one common ``c``, so the planted
   ticket computes ``target(x)`` exactly with output scale ``1 / c``.
3. :func:`run_one` generates regression data ``y = target(x) + N(0, noise^2)`` with
   ``x ~ U[-1, 1]^n0``, runs edge-popup(-scaled) on the mother at the planted density
   (by default the planted count of every layer, ``per_layer``), and reports how much of
   the planted ticket it recovered: the fraction of planted weights (and biases) it keeps
   (``recall``), the fraction of its kept weights that are planted (``precision``), and
   the test MSE of the found ticket, of the planted ticket, and the best possible (the
   noise variance; the planted ticket's own test MSE estimates it).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from slth_theory.engine.figures import register_figure
from slth_theory.model.network import Network
from slth_theory.model.schemes import initialize
from slth_theory.model.ticket import Ticket
from slth_theory.pruning.datasets import Dataset
from slth_theory.pruning.edge_popup import (
    Settings,
    edge_popup,
    evaluate,
    fit_output_scale,
    n_keep,
)

TARGET_BIAS_RANGE = 0.5
BIASES = ("nonzero", "zero")
K_VALUES = (2, 4, 8, 16)
REPS = 5
ROOT_SEED = 20240713


@dataclass
class Planted:
    """A mother network with a planted target.

    Attributes
    ----------
    target : Network
        The small target network.
    mother : Network
        The mother with the target written into it.
    ticket : Ticket
        The planted ticket (computes ``target(x)`` exactly, up to rounding).
    neuron_map : list of ndarray
        ``neuron_map[l][j]``: the mother neuron of layer ``l + 1`` holding target neuron
        ``j`` (the output layer maps to itself).
    """

    target: Network
    mother: Network
    ticket: Ticket
    neuron_map: list[np.ndarray]

    @property
    def layer_densities(self) -> list[float]:
        """Fraction of each layer's weights that the planted ticket keeps."""
        return [float(m.sum()) / m.size for m in self.ticket.weight_masks]


def random_target(widths: list[int], bias: str = "nonzero", rng=None) -> Network:
    """A dense target network: He-normal weights, biases ``U[-0.5, 0.5]`` or zero.

    Parameters
    ----------
    widths : list of int
        ``[n0, k, ..., k, nL]`` (at least two entries, all >= 1).
    bias : {'nonzero', 'zero'}
    rng : int, SeedSequence or Generator, optional

    Returns
    -------
    Network
        With identity output.
    """
    if bias not in BIASES:
        raise ValueError(f"bias must be one of {BIASES}; got {bias!r}")
    if len(widths) < 2 or any(int(w) != w or w < 1 for w in widths):
        raise ValueError(f"widths must hold >= 2 integers >= 1; got {widths}")
    gen = np.random.default_rng(rng)
    ws, bs = [], []
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        ws.append(gen.normal(0.0, math.sqrt(2.0 / a), size=(b, a)))
    for b in widths[1:]:
        bs.append(gen.uniform(-TARGET_BIAS_RANGE, TARGET_BIAS_RANGE, size=b)
                  if bias == "nonzero" else np.zeros(b))
    return Network(ws, bs, "identity")


def _fit_scale(mother_vec: np.ndarray, target_vec: np.ndarray) -> float:
    """Positive least-squares ``c`` with ``mother ~ c target``; the norm ratio if the fit
    is not positive (so planted values keep the mother's magnitude)."""
    tt = float(target_vec @ target_vec)
    if tt == 0.0:
        return 1.0
    c = float(mother_vec @ target_vec) / tt
    if c > 0 and math.isfinite(c):
        return c
    nm = float(np.linalg.norm(mother_vec))
    return nm / math.sqrt(tt) if nm > 0 else 1.0


def plant(target: Network, mother: Network, plant_biases: bool | None = None) -> Planted:
    """Plant ``target`` into a copy of ``mother`` (see the module docstring).

    Parameters
    ----------
    target : Network
        Widths ``[n0, k_1, ..., nL]`` with the mother's input and output widths, the same
        depth, and ``k_l`` at most the mother's width of layer ``l``.
    mother : Network
    plant_biases : bool, optional
        Write the target's biases (default: if the target has a non-zero bias).

    Returns
    -------
    Planted

    Notes
    -----
    PlantNSeek ``plant_lottery_tickets/plant.py``: ``target_ind`` (best-matching mother
    neuron, positive scale, sign agreement) and ``find_ind``/``plant_target`` (overwrite,
    propagate the scale to the next layer). Here the match is the largest cosine among
    unused neurons (no sign condition: the entries are overwritten anyway).
    """
    tw, mw = target.widths, mother.widths
    if len(tw) != len(mw) or tw[0] != mw[0] or tw[-1] != mw[-1]:
        raise ValueError(f"target widths {tw} must have the mother's depth and input/output "
                         f"widths {mw}")
    if any(a > b for a, b in zip(tw, mw, strict=True)):
        raise ValueError(f"target widths {tw} exceed the mother's {mw}")
    if plant_biases is None:
        plant_biases = any(np.any(b != 0) for b in target.biases)
    W = [w.copy() for w in mother.weights]
    B = [b.copy() for b in mother.biases]
    wmask = [np.zeros(w.shape, dtype=bool) for w in W]
    bmask = [np.zeros(b.shape, dtype=bool) for b in B]
    prev = np.arange(tw[0])
    c_prev = np.ones(tw[0])
    L = target.depth
    maps = []
    c_out = 1.0
    for layer in range(L):
        wt, bt = target.weights[layer], target.biases[layer]
        # target rows expressed on the mother's (scaled) planted inputs
        rows = wt / c_prev[None, :]
        if layer < L - 1:
            used = np.zeros(mw[layer + 1], dtype=bool)
            idx = np.empty(tw[layer + 1], dtype=np.int64)
            c = np.empty(tw[layer + 1])
            for j in range(tw[layer + 1]):
                tv = np.concatenate([[bt[j]] if plant_biases else [], rows[j]])
                cand = np.concatenate([B[layer][:, None] if plant_biases
                                       else np.zeros((mw[layer + 1], 0)),
                                       W[layer][:, prev]], axis=1)
                norms = np.linalg.norm(cand, axis=1) * max(np.linalg.norm(tv), 1e-300)
                cos = np.where(norms > 0, cand @ tv / np.where(norms > 0, norms, 1.0), -2.0)
                cos[used] = -np.inf
                m = int(np.argmax(cos))
                used[m] = True
                idx[j] = m
                c[j] = _fit_scale(cand[m], tv)
        else:
            idx = np.arange(tw[-1])
            tv = np.concatenate([bt if plant_biases else np.zeros(0), rows.ravel()])
            mv = np.concatenate([B[layer][idx] if plant_biases else np.zeros(0),
                                 W[layer][np.ix_(idx, prev)].ravel()])
            c_out = _fit_scale(mv, tv)
            c = np.full(tw[-1], c_out)
        for j, m in enumerate(idx):
            nz = wt[j] != 0
            W[layer][m, prev[nz]] = c[j] * rows[j, nz]
            wmask[layer][m, prev[nz]] = True
            if plant_biases and bt[j] != 0:
                B[layer][m] = c[j] * bt[j]
                bmask[layer][m] = True
        maps.append(idx)
        prev, c_prev = idx, c
    planted_mother = Network(W, B, mother.output_activation,
                             {**mother.meta, "planted": True})
    ticket = Ticket(planted_mother, wmask, bmask, 1.0 / c_out,
                    {"method": "planted", "target_widths": list(tw)})
    return Planted(target, planted_mother, ticket, maps)


def make_planted_data(target: Network, n: int = 4000, noise: float = 0.01,
                      test_fraction: float = 0.2, rng=None) -> Dataset:
    """Regression data ``y = target(x) + N(0, noise^2)``, ``x ~ U[-1, 1]^n0``, split."""
    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2; got {n!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be finite and >= 0; got {noise}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction}")
    gen = np.random.default_rng(rng)
    x = gen.uniform(-1.0, 1.0, size=(int(n), target.widths[0]))
    y = target.forward(x) + gen.normal(0.0, noise, size=(int(n), target.widths[-1]))
    n_train = int(round((1 - test_fraction) * n))
    if not 1 <= n_train < n:
        raise ValueError(f"n={n} with test_fraction={test_fraction} leaves an empty split")
    return Dataset("planted", "regression", x[:n_train], y[:n_train], x[n_train:],
                   y[n_train:], target.widths[-1])


def recovery(found: Ticket, planted: Ticket) -> dict[str, float]:
    """Overlap of a found ticket with the planted one.

    Returns
    -------
    dict
        ``recall_weights`` (planted weights kept / planted weights), ``precision_weights``
        (kept weights that are planted / kept weights), ``recall_biases`` (NaN if no bias
        was planted), ``recall`` (weights and biases together), ``kept_weights``,
        ``planted_weights``, ``planted_biases``.
    """
    hit_w = sum(int(np.sum(f & p)) for f, p in zip(found.weight_masks, planted.weight_masks,
                                                    strict=True))
    hit_b = sum(int(np.sum(f & p)) for f, p in zip(found.bias_masks, planted.bias_masks,
                                                    strict=True))
    pw, pb = planted.n_kept_weights, planted.n_kept_biases
    kw = found.n_kept_weights
    return {"recall_weights": hit_w / pw if pw else math.nan,
            "precision_weights": hit_w / kw if kw else math.nan,
            "recall_biases": hit_b / pb if pb else math.nan,
            "recall": (hit_w + hit_b) / (pw + pb) if pw + pb else math.nan,
            "kept_weights": kw, "planted_weights": pw, "planted_biases": pb}


def chance_recall(config: dict[str, Any]) -> dict[str, float]:
    """Expected recall of a ticket drawn at random with the counts edge-popup keeps.

    A layer with ``n`` weights, ``p`` of them planted, of which the seeker keeps ``m``
    (``n_keep`` at the layer's sought density) recovers ``p m / n`` planted weights on
    average; likewise for biases. The output layer's single bias is always kept
    (``n_keep(1, d) = 1``), so bias recall has a floor.

    Parameters
    ----------
    config : dict
        A planting configuration (:func:`default_config` keys).

    Returns
    -------
    dict
        ``chance_recall_weights``, ``chance_recall_biases`` (NaN without planted biases).
    """
    c = default_config(**{k_: v for k_, v in config.items() if k_ in _CONFIG_KEYS})
    depth, width, k, n0 = int(c["depth"]), int(c["width"]), int(c["k"]), int(c["inputs"])
    mw = [n0] + [width] * (depth - 1) + [1]
    tw = [n0] + [k] * (depth - 1) + [1]
    fac = float(c["density_factor"])
    nw = [a * b for a, b in zip(mw[:-1], mw[1:], strict=True)]
    pw = [a * b for a, b in zip(tw[:-1], tw[1:], strict=True)]
    if c["per_layer"]:
        dens = [min(1.0, p / n * fac) for p, n in zip(pw, nw, strict=True)]
    else:
        dens = [min(1.0, sum(pw) / sum(nw) * fac)] * depth
    hit_w = sum(p * n_keep(n, d) / n for p, n, d in zip(pw, nw, dens, strict=True))
    out = {"chance_recall_weights": hit_w / sum(pw), "chance_recall_biases": math.nan}
    if c["bias"] == "nonzero":
        pb, nb = tw[1:], mw[1:]
        hit_b = sum(p * n_keep(n, d) / n for p, n, d in zip(pb, nb, dens, strict=True))
        out["chance_recall_biases"] = hit_b / sum(pb)
    return out


_CONFIG_KEYS = ("k", "bias", "inputs", "width", "depth", "n_samples", "noise", "method",
                "epochs", "anneal_epochs", "per_layer", "density_factor", "engine")


def default_config(k: int = 4, bias: str = "nonzero", **overrides: Any) -> dict[str, Any]:
    """A complete planting run configuration of plain values."""
    cfg = {"k": int(k), "bias": bias, "inputs": 2, "width": 100, "depth": 3,
           "n_samples": 4000, "noise": 0.01, "method": "edge-popup-scaled",
           "epochs": 10, "anneal_epochs": 5, "per_layer": True, "density_factor": 1.0,
           "engine": "numba"}
    unknown = set(overrides) - set(cfg)
    if unknown:
        raise ValueError(f"unknown planting config keys {sorted(unknown)}")
    cfg.update({k_: v for k_, v in overrides.items() if v is not None})
    return cfg


def run_one(config: dict[str, Any], seed: int, keep: dict | None = None) -> dict[str, Any]:
    """One planting run: plant, generate data, seek with edge-popup, measure recovery.

    Parameters
    ----------
    config : dict
        Keys of :func:`default_config` (``k``: target hidden width; ``bias``: target and
        mother with non-zero or zero biases; ``per_layer``: seek each layer's planted
        count, else the overall planted density in every layer; ``density_factor``:
        multiplies the densities sought).
    seed : int
        Split into target, mother, data and training streams (``SeedSequence``).
    keep : dict, optional
        Filled with the ``planted`` object and the ``found`` ticket (for the CLI).

    Returns
    -------
    dict
        Config values, ``planted_density`` (planted weights / mother weights), the
        densities sought, :func:`recovery`'s values, ``test_mse_found``,
        ``test_mse_planted``, ``best_possible_mse`` (``noise^2``), ``test_mse_mean``
        (predicting the training mean), ``test_mse_mother`` (the whole mother with its best
        output scale), ``output_scale``, ``seconds``.
    """
    t0 = time.perf_counter()
    c = default_config(**{k_: v for k_, v in config.items() if k_ != "rep"})
    if c["bias"] not in BIASES:
        raise ValueError(f"bias must be one of {BIASES}; got {c['bias']!r}")
    depth, width, k = int(c["depth"]), int(c["width"]), int(c["k"])
    if depth < 2 or not 1 <= k <= width:
        raise ValueError(f"need depth >= 2 and 1 <= k <= width; got depth={depth}, k={k}, "
                         f"width={width}")
    ss_t, ss_m, ss_d, ss_e = np.random.SeedSequence(int(seed)).spawn(4)
    n0 = int(c["inputs"])
    target = random_target([n0] + [k] * (depth - 1) + [1], c["bias"], ss_t)
    mother = initialize([n0] + [width] * (depth - 1) + [1], "he-normal", bias=c["bias"],
                        output_activation="identity", rng=ss_m)
    pl = plant(target, mother)
    data = make_planted_data(target, int(c["n_samples"]), float(c["noise"]), rng=ss_d)
    fac = float(c["density_factor"])
    dens = [min(1.0, d * fac) for d in pl.layer_densities]
    overall = min(1.0, pl.ticket.density * fac)
    settings = Settings(overall, method=c["method"], epochs=int(c["epochs"]),
                        anneal_epochs=int(c["anneal_epochs"]),
                        layer_densities=tuple(dens) if c["per_layer"] else None)
    res = edge_popup(pl.mother, data, settings, rng=ss_e, engine=c["engine"])
    te_found = evaluate(res.ticket, data.x_test, data.y_test, "mse")["loss"]
    te_planted = evaluate(pl.ticket, data.x_test, data.y_test, "mse")["loss"]
    mean_pred = float(np.mean((data.y_test - data.y_train.mean(axis=0)) ** 2))
    full = pl.mother.forward(data.x_train)
    lam = fit_output_scale(full, data.y_train, "mse") or 1.0
    mother_mse = float(np.mean((lam * pl.mother.forward(data.x_test) - data.y_test) ** 2))
    if keep is not None:
        keep.update(planted=pl, found=res.ticket, data=data)
    out = {key: c[key] for key in ("k", "bias", "inputs", "width", "depth", "n_samples",
                                   "noise", "method", "epochs", "anneal_epochs")}
    out.update({"per_layer": int(bool(c["per_layer"])), "density_factor": fac,
                "seed": int(seed), "planted_density": pl.ticket.density,
                "planted_density_with_biases": pl.ticket.density_with_biases,
                "sought_density": overall, "found_density": res.ticket.density,
                **recovery(res.ticket, pl.ticket),
                "test_mse_found": te_found, "test_mse_planted": te_planted,
                "best_possible_mse": float(c["noise"]) ** 2, "test_mse_mean": mean_pred,
                "test_mse_mother": mother_mse, "output_scale": res.ticket.output_scale,
                "seconds": time.perf_counter() - t0})
    return out


def grid(reps: int = REPS, ks=K_VALUES, biases=BIASES, root_seed: int = ROOT_SEED,
         **overrides: Any) -> list[tuple[dict[str, Any], int]]:
    """The planting sweep as ``(config, seed)`` pairs, repetition-major.

    Repetition ``r`` uses one seed for every configuration (so the bias and no-bias runs
    of a repetition share their data stream positions).
    """
    if reps < 1:
        raise ValueError(f"reps must be >= 1; got {reps}")
    seeds = [int(s.generate_state(1, np.uint32)[0])
             for s in np.random.SeedSequence(int(root_seed)).spawn(int(reps))]
    out = []
    for r, seed in enumerate(seeds):
        for k in ks:
            for bias in biases:
                cfg = default_config(k, bias, **overrides)
                cfg["rep"] = r
                out.append((cfg, seed))
    return out


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean recovery and test MSEs per (bias, k), sorted by bias then planted density."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["bias"], int(r["k"])), []).append(r)
    out = []
    for (bias, k), rs in sorted(groups.items()):
        def mean(key, rs=rs):
            v = [float(r[key]) for r in rs if r.get(key) is not None
                 and math.isfinite(float(r[key]))]
            return float(np.mean(v)) if v else math.nan
        out.append({"bias": bias, "k": k, "n": len(rs),
                    "planted_density": mean("planted_density"),
                    "recall_weights": mean("recall_weights"),
                    "recall_biases": mean("recall_biases"), "recall": mean("recall"),
                    "precision_weights": mean("precision_weights"),
                    "test_mse_found": mean("test_mse_found"),
                    "test_mse_planted": mean("test_mse_planted"),
                    "best_possible_mse": mean("best_possible_mse"),
                    "test_mse_mean": mean("test_mse_mean"),
                    "test_mse_mother": mean("test_mse_mother"),
                    **chance_recall(rs[0])})
    return out


def markdown_table(summary: list[dict[str, Any]]) -> str:
    """The planting result as a Markdown table."""
    lines = ["| target biases | k | planted density | recovered weights (chance) | "
             "recovered biases (chance) | precision | test MSE found | planted | "
             "best possible | mean predictor | runs |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in summary:
        rb = ("-" if not math.isfinite(s["recall_biases"]) else
              f"{s['recall_biases']:.2f} ({s['chance_recall_biases']:.2f})")
        lines.append(f"| {s['bias']} | {s['k']} | {s['planted_density']:.4f} | "
                     f"{s['recall_weights']:.2f} ({s['chance_recall_weights']:.2f}) | {rb} | "
                     f"{s['precision_weights']:.2f} | "
                     f"{s['test_mse_found']:.3g} | {s['test_mse_planted']:.3g} | "
                     f"{s['best_possible_mse']:.3g} | {s['test_mse_mean']:.3g} | {s['n']} |")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], ax=None):
    """Recovered fraction and test MSE against the planted density, with/without biases.

    Parameters
    ----------
    rows : list of dict
        :func:`run_one` outputs.
    ax : sequence of two matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    summary = summarize(rows)
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(9.5, 3.6))
    else:
        fig = ax[0].figure
    style = {"nonzero": ("tab:orange", "non-zero biases"), "zero": ("tab:blue", "zero biases")}
    for bias, (color, label) in style.items():
        pts = sorted((s for s in summary if s["bias"] == bias),
                     key=lambda s: s["planted_density"])
        if not pts:
            continue
        d = [p["planted_density"] for p in pts]
        ax[0].plot(d, [p["recall_weights"] for p in pts], "o-", color=color,
                   label=f"{label}: weights")
        ax[0].plot(d, [p["chance_recall_weights"] for p in pts], ":", color=color,
                   label=f"{label}: weights, random ticket")
        if bias == "nonzero":
            ax[0].plot(d, [p["recall_biases"] for p in pts], "s--", color=color,
                       label=f"{label}: biases")
        ax[1].plot(d, [p["test_mse_found"] for p in pts], "o-", color=color,
                   label=f"{label}: found")
        ax[1].plot(d, [p["test_mse_mean"] for p in pts], ":", color=color,
                   label=f"{label}: mean predictor")
    best = [s["best_possible_mse"] for s in summary]
    if best:
        ax[1].axhline(best[0], color="k", lw=0.8, ls="--", label="best possible (noise)")
    for a in ax:
        a.set_xscale("log")
        a.set_xlabel("planted density (fraction of weights)")
        a.grid(True, which="both", alpha=0.3)
    ax[0].set_ylabel("fraction of the planted ticket recovered")
    ax[0].set_title("recovery (dotted: a random ticket of the same counts)", fontsize=8)
    ax[0].set_ylim(-0.02, 1.02)
    ax[1].set_yscale("log")
    ax[1].set_ylabel("test MSE")
    ax[0].legend(fontsize=7)
    ax[1].legend(fontsize=7)
    n = max((s["n"] for s in summary), default=0)
    fig.suptitle(f"Planted tickets sought by edge-popup-scaled (mean of {n} runs)", fontsize=10)
    fig.tight_layout()
    return fig


def sweep_grid() -> list[tuple[dict[str, Any], int]]:
    """The registered planting sweep (:func:`grid` with defaults)."""
    return grid()


CSV_FIELDS = ("k", "bias", "rep", "seed", "inputs", "width", "depth", "n_samples", "noise",
              "method", "epochs", "anneal_epochs", "per_layer", "density_factor",
              "planted_density", "planted_density_with_biases", "sought_density",
              "found_density", "recall_weights", "precision_weights", "recall_biases",
              "recall", "kept_weights", "planted_weights", "planted_biases",
              "test_mse_found", "test_mse_planted", "best_possible_mse", "test_mse_mean",
              "test_mse_mother", "output_scale", "seconds")


def write_outputs(rows: list[dict[str, Any]], out, formats=("png",)) -> list:
    """``planting.csv``, ``planting.<format>`` and ``planting_table.md`` in folder ``out``."""
    import csv
    from pathlib import Path

    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    path = out / "planting.csv"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
    files.append(path)
    fig = plot(rows)
    for fmt in formats:
        files.append(out / f"planting.{fmt}")
        fig.savefig(files[-1], dpi=150)
    plt.close(fig)
    table = out / "planting_table.md"
    tmp = table.with_name(table.name + ".tmp")
    tmp.write_text(markdown_table(summarize(rows)) + "\n")
    tmp.replace(table)
    files.append(table)
    return files


def write_records(records: list[dict], out, formats=("png",)) -> list:
    """:func:`write_outputs` from sweep records (for ``slth figures``)."""
    return write_outputs([{**r["config"], **r["results"]} for r in records], out, formats)


register_figure("planting", sweep="plant", grid=sweep_grid, write=write_records,
                description="Planted tickets: recovered fraction and test MSE vs planted "
                            "density, with and without biases (planting.csv, .png, "
                            "planting_table.md)")
