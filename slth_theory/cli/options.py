"""Helpers shared by subcommands: JSON output, argument types."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from slth_theory.engine import codec
from slth_theory.engine.files import read_text_file, regular_file, write_text


def dumps(obj: Any) -> str:
    """JSON text for ``--json`` (NumPy values converted; NaN/inf written as null)."""
    return codec.dumps(obj)


def emit_json(obj: Any, dest: str | None = "-") -> None:
    """Write JSON to stdout (``dest`` is ``-`` or None) or to a file (written to a temporary
    file beside it, then renamed into place)."""
    text = dumps(obj)
    if dest in (None, "-"):
        sys.stdout.write(text + "\n")
    else:
        write_text(dest, text + "\n", "JSON output")


def check_output_file(option: str, dest: str | None) -> None:
    """Refuse an output file whose folder is missing or that is a folder (before any work)."""
    if dest is None:
        return
    path = Path(dest)
    if not path.parent.exists():
        raise ValueError(f"{option}: directory {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"{option}: {dest!r} is a directory")


def positive_float(text: str) -> float:
    """argparse type: a finite float > 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"must be finite and > 0, got {text!r}")
    return v


def nonneg_float(text: str) -> float:
    """argparse type: a finite float >= 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"must be finite and >= 0, got {text!r}")
    return v


def positive_int_list(text: str) -> list[int]:
    """argparse type: comma-separated integers, at least one, each >= 1 (``40`` or ``40,30``)."""
    try:
        vals = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 40 or 40,30; "
                                         f"got {text!r}") from None
    if not vals or min(vals) < 1:
        raise argparse.ArgumentTypeError(f"every value must be an integer >= 1; got {text!r}")
    return vals


def nonneg_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return v


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    v = nonneg_int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text!r}")
    return v


def add_json_flag(parser: argparse.ArgumentParser, help: str = "print machine-readable JSON "
                  "on stdout") -> None:
    """``--json``: the same flag on every command, JSON on stdout (never a file name)."""
    parser.add_argument("--json", action="store_true", help=help)


def add_json_out_flag(parser: argparse.ArgumentParser, help: str) -> None:
    """``--json-out FILE``: where a command writes JSON to a file."""
    parser.add_argument("--json-out", metavar="FILE", default=None, help=help)


def add_compact_flag(parser: argparse.ArgumentParser) -> None:
    """``--compact``: save a ticket as masks + the mother's seed (see ``io.save``)."""
    parser.add_argument("--compact", action="store_true",
                        help="store masks and the mother's seed instead of its parameters (the "
                             "mother is regenerated and checksum-verified on load)")


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def parse_domain(text: str) -> tuple:
    """``--domain``: ``LO,HI`` (one box side for every input) or a file of per-input bounds.

    A file is read as data only: ``.npy`` (``allow_pickle=False``) or text (``np.loadtxt``,
    comma or whitespace separated), shaped ``(n0, 2)`` (one ``lo hi`` row per input) or
    ``(2, n0)``; the shape is checked against the target later. Returns ``(lo, hi)``.
    """
    parts = text.split(",")
    if len(parts) == 2:
        try:
            lo, hi = float(parts[0]), float(parts[1])
        except ValueError:
            lo = hi = None
        if lo is not None:
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise argparse.ArgumentTypeError(f"--domain LO,HI needs finite LO <= HI; got "
                                                 f"{text!r}")
            return lo, hi
    try:
        path = regular_file(text, "--domain file")
    except (OSError, ValueError):
        raise argparse.ArgumentTypeError(f"--domain must be LO,HI (e.g. -1,1) or a file of "
                                         f"per-input bounds; {text!r} is neither") from None
    import numpy as np
    try:
        if path.suffix == ".npy":
            arr = np.load(path, allow_pickle=False, mmap_mode="r")
            if arr.size > 2 * 10**7:
                raise ValueError(f"{arr.size} values is more than an input box needs")
        else:
            body = read_text_file(path, "--domain file", max_bytes=1 << 28)
            arr = np.loadtxt(body.splitlines(), delimiter="," if "," in body else None,
                             ndmin=2)
    except (ValueError, OSError) as exc:
        raise argparse.ArgumentTypeError(f"--domain file {text!r}: {exc}") from None
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim != 2 or 2 not in arr.shape:
        raise argparse.ArgumentTypeError(f"--domain file {text!r} must hold an (n0, 2) or "
                                         f"(2, n0) array; got shape {arr.shape}")
    if arr.shape[1] != 2:
        arr = arr.T
    if not np.all(np.isfinite(arr)) or np.any(arr[:, 0] > arr[:, 1]):
        raise argparse.ArgumentTypeError(f"--domain file {text!r}: bounds must be finite "
                                         "with lo <= hi")
    return arr[:, 0].copy(), arr[:, 1].copy()


def allow_negative_values(parser: argparse.ArgumentParser) -> None:
    """Let option values such as ``-1,1`` start with a minus sign (``--domain -1,1``).

    argparse only treats plain negative numbers as values; this widens its (private)
    negative-number pattern for ``parser``, which has no options that look like numbers.
    """
    import re
    parser._negative_number_matcher = re.compile(r"^-\d[\d.eE+-]*(,[-+\d.eE]+)*$")
