"""``slth prune``: find a strong lottery ticket with edge-popup(-scaled) (Sections 5-6).

Data: a Section 6 task (``--task shifted-relu|onion``), scikit-learn's digits
(``--task digits``, optional extra ``sklearn``) or your own ``.npz`` (``--data``).
Choices: ``--preset paper|official`` and one option per choice of the preset.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from slth_theory.cli.options import (
    add_compact_flag,
    add_json_flag,
    add_quiet_flag,
    emit_json,
    nonneg_int,
    positive_float,
    positive_int,
)
from slth_theory.engine.progress import bar
from slth_theory.model.io import save
from slth_theory.model.schemes import initialize
from slth_theory.pruning import figure1 as ex
from slth_theory.pruning.datasets import N_SAMPLES, TASKS, load_npz, make_dataset
from slth_theory.pruning.edge_popup import (
    ANNEAL_MODES,
    BIAS_RANKINGS,
    BIAS_SCORE_INITS,
    DEPTH_CONVENTIONS,
    LAMBDA_FITS,
    METHODS,
    PRESETS,
    Settings,
    edge_popup,
    evaluate,
    weight_layers,
)

NAME = "prune"
HELP = "prune a random network with edge-popup or edge-popup-scaled (Sections 5-6)"
DEFAULT_ANNEAL_OTHER = 10  # e_a for --data and digits (the paper states none)


def _density(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"density (fraction kept) must be in (0, 1]; got {text}")
    return v


def add_preset_arguments(p: argparse.ArgumentParser) -> None:
    """``--preset`` and one option per preset choice (default: the preset's value).

    Shared by ``slth prune`` and ``slth reproduce fig1``.
    """
    g = p.add_argument_group("presets (each option overrides the preset's choice)")
    g.add_argument("--preset", choices=tuple(PRESETS), default="paper",
                   help="paper (default): the paper's text read literally; official: the "
                        "authors' code (see docs/guide/edge-popup.md)")
    g.add_argument("--schedule", "--anneal-mode", dest="anneal_mode", choices=ANNEAL_MODES,
                   default=None,
                   help="extra (paper): e_a annealing epochs, then e epochs at the target; "
                        "within: e epochs in total, the first e_a annealing; nested "
                        "(official): e epochs at each of e_a annealing levels")
    g.add_argument("--bias-ranking", choices=BIAS_RANKINGS, default=None,
                   help="separate (paper): weights and biases each keep their top fraction "
                        "per layer; joint (official): one ranking of a layer's weights and "
                        "biases, the density then counts both")
    g.add_argument("--bias-factor", type=positive_float, default=None,
                   help="multiplier of the bias scale prod sigma_w (paper 1, official 0.05)")
    g.add_argument("--bias-score-init", choices=BIAS_SCORE_INITS, default=None,
                   help="bias scores U[+-1/sqrt(n_in)] like the weight scores (narrow, paper) "
                        "or U[+-sqrt(6/n_in)] (wide, official)")
    g.add_argument("--score-zero-biases", action=argparse.BooleanOptionalAction, default=None,
                   help="give zero biases scores too, so they compete for the kept budget "
                        "(official) or not (paper)")
    g.add_argument("--warmup", type=nonneg_int, default=None,
                   help="linear learning-rate warm-up epochs before the cosine (paper 0, "
                        "official 5)")
    g.add_argument("--lr-restarts", action=argparse.BooleanOptionalAction, default=None,
                   help="restart warm-up and cosine at every annealing level (nested only; "
                        "official)")
    g.add_argument("--lr-over-lambda", action=argparse.BooleanOptionalAction, default=None,
                   help="divide the learning rate by the accumulated output scale (official)")
    g.add_argument("--lambda-fit", choices=LAMBDA_FITS, default=None,
                   help="exact (paper): best lambda on the whole training set; "
                        "sgd-last-batch (official): 20 SGD steps on the epoch's last batch")
    g.add_argument("--lr-epoch-base", type=int, choices=(0, 1), default=None,
                   help="first epoch index in the learning-rate formula: 0 (paper) or 1 "
                        "(official: the last epoch of a cycle has learning rate 0)")
    g.add_argument("--depth-convention", choices=DEPTH_CONVENTIONS, default=None,
                   help="weight-layers (paper): --depth counts weight layers; authors "
                        "(official): --depth counts layer widths, so depth 5 = 4 weight layers")


def preset_overrides(args: argparse.Namespace) -> dict:
    """The preset's values with every explicitly given option applied."""
    vals = dict(PRESETS[args.preset])
    for k in vals:
        v = getattr(args, k, None)
        if v is not None:
            vals[k] = v
    return vals


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--task", choices=TASKS,
                     help="Section 6 data set (shifted-relu, onion) or scikit-learn's digits "
                          "(needs the sklearn extra)")
    src.add_argument("--data", metavar="FILE.npz",
                     help="your own data: arrays x_train, y_train, x_test, y_test; "
                          "classification if y is integer, regression otherwise (or --loss)")
    p.add_argument("--loss", choices=("mse", "ce"), default=None,
                   help="with --data: mse (regression) or ce (classification, softmax "
                        "cross-entropy); default from y's dtype")
    p.add_argument("--density", type=_density, required=True,
                   help="target fraction kept, the paper's rho, in (0, 1]; per layer, of the "
                        "weights (separate ranking; at least one kept per layer) or of "
                        "weights and biases together (joint ranking)")
    p.add_argument("--scheme", choices=ex.SCHEMES, default="he-normal",
                   help="initialization (default he-normal)")
    p.add_argument("--bias", choices=ex.BIASES, default="nonzero",
                   help="zero or non-zero initial biases (default nonzero)")
    p.add_argument("--method", choices=METHODS, default="edge-popup-scaled",
                   help="edge-popup or edge-popup-scaled (default)")
    p.add_argument("--epochs", type=positive_int, default=ex.EPOCHS,
                   help=f"training epochs e (default {ex.EPOCHS}; per level for nested)")
    p.add_argument("--anneal-epochs", type=nonneg_int, default=None,
                   help="annealing epochs (levels for nested) e_a (default: the paper's, 5 "
                        "for shifted-relu; onion 20 if density <= 0.05 else 10; "
                        f"{DEFAULT_ANNEAL_OTHER} for digits and --data)")
    p.add_argument("--width", type=positive_int, default=ex.WIDTH, help="hidden width (100)")
    p.add_argument("--depth", type=positive_int, default=ex.DEPTH,
                   help="depth (5): weight layers, or layer widths with --depth-convention "
                        "authors")
    p.add_argument("--lr", type=positive_float, default=0.1, help="initial learning rate (0.1)")
    p.add_argument("--batch-size", type=positive_int, default=32, help="batch size (32)")
    p.add_argument("--n-samples", type=positive_int, default=N_SAMPLES,
                   help=f"samples before the 80/20 train/test split ({N_SAMPLES}; digits: at "
                        "most 1797)")
    p.add_argument("--engine", choices=("numba", "numpy"), default="numba",
                   help="numba (fused kernel, default) or numpy (plain reference)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default=None, help="save the ticket to this .npz")
    add_preset_arguments(p)
    add_compact_flag(p)
    add_json_flag(p)
    add_quiet_flag(p)


def run(args: argparse.Namespace) -> int:
    if args.scheme == "looks-linear" and args.width % 2:
        raise ValueError(f"looks-linear needs an even --width; got {args.width}")
    if args.loss is not None and args.data is None:
        raise ValueError("--loss applies only with --data (the tasks fix their loss)")
    pv = preset_overrides(args)
    ss_data, ss_init, ss_train = np.random.SeedSequence(args.seed).spawn(3)
    if args.data is not None:
        data = load_npz(args.data, loss=args.loss)
    else:
        data = make_dataset(args.task, n=args.n_samples, rng=np.random.default_rng(ss_data))
    task = data.task
    if args.anneal_epochs is not None:
        ea = args.anneal_epochs
    elif task in ("shifted-relu", "onion"):
        ea = ex.paper_anneal_epochs(task, args.density)
    else:
        ea = DEFAULT_ANNEAL_OTHER
    settings = Settings.from_preset(
        args.preset, args.density, method=args.method, epochs=args.epochs, anneal_epochs=ea,
        lr=args.lr, batch_size=args.batch_size,
        **{k: v for k, v in pv.items() if k not in ("bias_factor", "depth_convention")})
    n_layers = weight_layers(args.depth, pv["depth_convention"])
    widths = [data.n_inputs] + [args.width] * (n_layers - 1) + [data.n_outputs]
    net = initialize(widths, args.scheme, bias=args.bias, bias_factor=pv["bias_factor"],
                     output_activation="identity",
                     rng=ss_init)  # recorded as meta seed + spawn_key: regenerable
    net.meta["run_seed"] = args.seed
    pb = bar(settings.total_epochs, desc="epochs", quiet=args.quiet)

    def on_epoch(row):
        pb.set_postfix(loss=f"{row['train_loss']:.4g}", rho=f"{row['density']:.3g}")
        pb.update(1)

    try:
        res = edge_popup(net, data, settings, rng=np.random.default_rng(ss_train),
                         engine=args.engine, on_epoch=on_epoch)
    finally:
        pb.close()
    tr = evaluate(res.ticket, data.x_train, data.y_train, data.loss)
    te = evaluate(res.ticket, data.x_test, data.y_test, data.loss)
    out = {
        "task": task, "data": args.data, "preset": args.preset, "method": args.method,
        "scheme": args.scheme, "bias": args.bias,
        "target_density": args.density, "epochs": args.epochs, "anneal_epochs": ea,
        "schedule": settings.anneal_mode, "anneal_mode": settings.anneal_mode,
        "total_epochs": settings.total_epochs,
        "bias_ranking": settings.bias_ranking, "bias_factor": pv["bias_factor"],
        "bias_score_init": settings.bias_score_init,
        "score_zero_biases": settings.score_zero_biases, "warmup": settings.warmup,
        "lr_restarts": settings.lr_restarts, "lr_over_lambda": settings.lr_over_lambda,
        "lambda_fit": settings.lambda_fit, "lr_epoch_base": settings.lr_epoch_base,
        "depth_convention": pv["depth_convention"], "weight_layers": net.depth,
        "arch": net.widths, "seed": args.seed,
        "loss": "mse" if data.loss == "mse" else "cross-entropy",
        "train_loss": tr["loss"], "test_loss": te["loss"],
        "train_accuracy": tr.get("accuracy"), "test_accuracy": te.get("accuracy"),
        "train_ties": tr.get("ties"), "test_ties": te.get("ties"),
        "degenerate": bool(te["constant"]),
        "final_density": res.ticket.density,
        "density_with_biases": res.ticket.density_with_biases,
        "lambda": res.ticket.output_scale,
        "seconds_per_epoch": res.seconds_per_epoch,
        "n_train": int(data.x_train.shape[0]), "n_test": int(data.x_test.shape[0]),
    }
    if args.out:
        out["ticket"] = str(save(res.ticket, args.out, compact=args.compact))
    if args.json:
        out["history"] = res.history
        emit_json(out)
        return 0
    lname = "MSE" if data.loss == "mse" else "cross-entropy"
    print(f"{args.method} on {task}: preset {args.preset}, {args.scheme}, {args.bias} bias, "
          f"arch {','.join(map(str, net.widths))}, seed {args.seed}")
    print(f"  epochs            {settings.total_epochs} ({ea} annealing, "
          f"{settings.anneal_mode})")
    print(f"  train {lname:<12}{tr['loss']:.6g}" + (
        f"   accuracy {tr['accuracy']:.4f}" if "accuracy" in tr else ""))
    print(f"  test  {lname:<12}{te['loss']:.6g}" + (
        f"   accuracy {te['accuracy']:.4f} (ties count as misses; {int(te['ties'])} tied "
        f"test points)" if "accuracy" in te else ""))
    if te["constant"]:
        print("  degenerate        the ticket's output is the same for every test input")
    print(f"  final density     {res.ticket.density:.6g} of weights "
          f"({res.ticket.density_with_biases:.6g} with biases; target {args.density:g})")
    lam = res.ticket.output_scale
    print(f"  lambda            {lam:.6g}" + ("" if math.isfinite(lam) else " (!)"))
    print(f"  time per epoch    {res.seconds_per_epoch:.3f} s")
    if args.out:
        print(f"  ticket            {out['ticket']}")
    return 0
