"""``slth import-target``: a target network from a PyTorch state dict or a ``.npz`` of arrays.

Only formats that hold data and nothing else are read: a state dict through
``torch.load(..., weights_only=True)`` and ``.npz`` files with ``allow_pickle=False``.
scikit-learn models exist on disk only as pickles (``joblib``/``pickle``), which this command
never loads; import a live estimator in Python with
:func:`slth_theory.model.interop.from_sklearn`, or save its ``coefs_``/``intercepts_`` with
``numpy.savez`` and use ``--from npz``.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from slth_theory.cli.main import UsageError
from slth_theory.cli.options import add_json_flag, check_output_file, emit_json
from slth_theory.model.interop import from_torch, load_npz_arrays, load_torch_state_dict
from slth_theory.model.io import save
from slth_theory.model.network import parse_widths

NAME = "import-target"
HELP = "import a trained ReLU network (PyTorch state dict or .npz arrays) as a target"
DESCRIPTION = (
    "Read a trained fully connected ReLU network and save it in this package's .npz format, "
    "ready for `slth construct`. --from torch: a state dict saved with "
    "torch.save(model.state_dict(), FILE), read with weights_only=True (keys <layer>.weight "
    "and <layer>.bias of Linear layers, ReLU between them). --from npz: arrays named "
    "weight_<l>/bias_<l> (shape n_out x n_in), coefs_<l>/intercepts_<l> (scikit-learn's "
    "n_in x n_out) or <layer>.weight/<layer>.bias, read with allow_pickle=False. Nothing read "
    "is unpickled: pickled models (torch.save(model), joblib) are refused."
)

_SKLEARN_HINT = (
    "scikit-learn models are stored as pickles, which are never loaded here; in Python use "
    "slth_theory.model.interop.from_sklearn(estimator), or save the arrays with "
    "numpy.savez(FILE, **{f'coefs_{i}': c for i, c in enumerate(est.coefs_)}, "
    "**{f'intercepts_{i}': b for i, b in enumerate(est.intercepts_)}) and use --from npz"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the state dict (.pt/.pth) or .npz file to read")
    p.add_argument("--from", dest="fmt", required=True, choices=("torch", "npz", "sklearn"),
                   help="format of FILE (sklearn: see the description; pickles are refused)")
    p.add_argument("--out", required=True, help="output .npz path (the target network)")
    p.add_argument("--output-activation", choices=("identity", "relu"), default=None,
                   help="activation after the last layer (default: the file's, else identity; "
                        "logits and regression outputs are identity)")
    p.add_argument("--arch", default=None,
                   help="expected widths n0,n1,...,nL; the import fails if the file differs")
    add_json_flag(p)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(args: argparse.Namespace) -> int:
    if args.fmt == "sklearn":
        raise UsageError(_SKLEARN_HINT)
    src, out = Path(args.file), Path(args.out)
    if not src.is_file():
        raise FileNotFoundError(f"file {str(src)!r} does not exist or is not a file")
    check_output_file("--out", args.out)  # --out naming the input: refused by cli.main
    widths = parse_widths(args.arch) if args.arch is not None else None
    if args.fmt == "torch":
        net = from_torch(load_torch_state_dict(src),
                         output_activation=args.output_activation or "identity", arch=widths)
    else:
        net = load_npz_arrays(src, args.output_activation)
        if widths is not None and net.widths != widths:
            raise ValueError(f"{str(src)!r} has architecture {net.widths}; expected {widths}")
    net.meta["imported_from"] = {"format": args.fmt, "file": src.name,
                                 "sha256": _sha256(src)}
    save(net, out)  # atomic: a temporary file renamed into place
    wmax = max(float(abs(w).max()) for w in net.weights)
    bmax = max(float(abs(b).max()) for b in net.biases)
    if args.json:
        emit_json({"path": str(out), "format": args.fmt, "arch": net.widths,
                   "output_activation": net.output_activation, "n_params": net.n_params,
                   "max_abs_weight": wmax, "max_abs_bias": bmax,
                   "sha256_input": net.meta["imported_from"]["sha256"]})
    else:
        print(f"wrote {out}: target arch {net.widths}, output {net.output_activation}, "
              f"{net.n_params} parameters (largest |weight| {wmax:.3g}, |bias| {bmax:.3g}), "
              f"from {args.fmt} file {src.name}")
    return 0
