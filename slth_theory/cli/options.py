"""Helpers shared by subcommands: JSON output, argument types."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from slth_theory.engine import codec
from slth_theory.engine.files import write_text


def dumps(obj: Any) -> str:
    """JSON text for ``--json`` (NumPy values converted; NaN/inf written as null)."""
    return codec.dumps(obj)


def emit_json(obj: Any, dest: str | None = "-") -> None:
    """Write JSON to stdout (``dest`` is ``-`` or None) or to a file."""
    text = dumps(obj)
    if dest in (None, "-"):
        sys.stdout.write(text + "\n")
    else:
        write_text(dest, text + "\n", "JSON output")


def positive_float(text: str) -> float:
    """argparse type: a finite float > 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"must be finite and > 0, got {text!r}")
    return v


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


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def add_compact_flag(parser: argparse.ArgumentParser) -> None:
    """``--compact``: save a ticket as masks + the mother's seed (see ``io.save``)."""
    parser.add_argument("--compact", action="store_true",
                        help="store masks and the mother's seed instead of its parameters (the "
                             "mother is regenerated and checksum-verified on load)")


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
