"""``slth prune``: find a strong lottery ticket with edge-popup(-scaled) on a Section 6 task."""

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
from slth_theory.pruning.datasets import TASKS, make_dataset
from slth_theory.pruning.edge_popup import (
    ANNEAL_MODES,
    BIAS_RANKINGS,
    METHODS,
    Settings,
    edge_popup,
    evaluate,
)

NAME = "prune"
HELP = "prune a random network with edge-popup or edge-popup-scaled (Sections 5-6)"


def _density(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"density (fraction kept) must be in (0, 1]; got {text}")
    return v


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", choices=TASKS, required=True, help="Section 6 data set")
    p.add_argument("--density", type=_density, required=True,
                   help="target fraction of weights kept, the paper's rho, in (0, 1]")
    p.add_argument("--scheme", choices=ex.SCHEMES, default="he-normal",
                   help="initialization (default he-normal)")
    p.add_argument("--bias", choices=ex.BIASES, default="nonzero",
                   help="zero or non-zero initial biases (default nonzero)")
    p.add_argument("--method", choices=METHODS, default="edge-popup-scaled",
                   help="edge-popup or edge-popup-scaled (default)")
    p.add_argument("--epochs", type=positive_int, default=ex.EPOCHS,
                   help=f"training epochs e (default {ex.EPOCHS})")
    p.add_argument("--anneal-epochs", type=nonneg_int, default=None,
                   help="annealing epochs e_a (default: the paper's, 5 for shifted-relu; "
                        "onion 20 if density <= 0.05 else 10)")
    p.add_argument("--anneal-mode", choices=ANNEAL_MODES, default="extra",
                   help="extra (default): e_a annealing epochs, then e epochs at the target; "
                        "within: e epochs in total, the first e_a annealing")
    p.add_argument("--bias-ranking", choices=BIAS_RANKINGS, default="separate",
                   help="separate (default): weights and biases each keep their top fraction; "
                        "joint: one ranking per layer")
    p.add_argument("--width", type=positive_int, default=ex.WIDTH, help="hidden width (100)")
    p.add_argument("--depth", type=positive_int, default=ex.DEPTH,
                   help="number of weight layers L (5)")
    p.add_argument("--lr", type=positive_float, default=0.1, help="initial learning rate (0.1)")
    p.add_argument("--batch-size", type=positive_int, default=32, help="batch size (32)")
    p.add_argument("--n-samples", type=positive_int, default=10_000,
                   help="samples before the 80/20 train/test split (10000)")
    p.add_argument("--engine", choices=("numba", "numpy"), default="numba",
                   help="numba (fused kernel, default) or numpy (plain reference)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default=None, help="save the ticket to this .npz")
    add_compact_flag(p)
    add_json_flag(p)
    add_quiet_flag(p)


def run(args: argparse.Namespace) -> int:
    if args.scheme == "looks-linear" and args.width % 2:
        raise ValueError(f"looks-linear needs an even --width; got {args.width}")
    ea = (ex.paper_anneal_epochs(args.task, args.density) if args.anneal_epochs is None
          else args.anneal_epochs)
    settings = Settings(args.density, method=args.method, epochs=args.epochs, anneal_epochs=ea,
                        anneal_mode=args.anneal_mode, bias_ranking=args.bias_ranking,
                        lr=args.lr, batch_size=args.batch_size)
    ss_data, ss_init, ss_train = np.random.SeedSequence(args.seed).spawn(3)
    data = make_dataset(args.task, n=args.n_samples, rng=np.random.default_rng(ss_data))
    net = initialize(ex.architecture(args.task, args.width, args.depth), args.scheme,
                     bias=args.bias, output_activation="identity",
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
        "task": args.task, "method": args.method, "scheme": args.scheme, "bias": args.bias,
        "target_density": args.density, "epochs": args.epochs, "anneal_epochs": ea,
        "anneal_mode": args.anneal_mode, "total_epochs": settings.total_epochs,
        "bias_ranking": args.bias_ranking, "arch": net.widths, "seed": args.seed,
        "loss": "mse" if data.loss == "mse" else "cross-entropy",
        "train_loss": tr["loss"], "test_loss": te["loss"],
        "train_accuracy": tr.get("accuracy"), "test_accuracy": te.get("accuracy"),
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
    print(f"{args.method} on {args.task}: {args.scheme}, {args.bias} bias, arch "
          f"{','.join(map(str, net.widths))}, seed {args.seed}")
    print(f"  epochs            {settings.total_epochs} ({ea} annealing, {args.anneal_mode})")
    print(f"  train {lname:<12}{tr['loss']:.6g}" + (
        f"   accuracy {tr['accuracy']:.4f}" if "accuracy" in tr else ""))
    print(f"  test  {lname:<12}{te['loss']:.6g}" + (
        f"   accuracy {te['accuracy']:.4f}" if "accuracy" in te else ""))
    print(f"  final density     {res.ticket.density:.6g} of weights "
          f"({res.ticket.density_with_biases:.6g} with biases; target {args.density:g})")
    lam = res.ticket.output_scale
    print(f"  lambda            {lam:.6g}" + ("" if math.isfinite(lam) else " (!)"))
    print(f"  time per epoch    {res.seconds_per_epoch:.3f} s")
    if args.out:
        print(f"  ticket            {out['ticket']}")
    return 0
