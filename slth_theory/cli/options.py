"""Helpers shared by subcommands: JSON output, argument types."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

from slth_theory.engine import codec


def dumps(obj: Any) -> str:
    """JSON text for ``--json`` (NumPy values converted; NaN/inf written as null)."""
    return codec.dumps(obj)


def emit_json(obj: Any, dest: str | None = "-") -> None:
    """Write JSON to stdout (``dest`` is ``-`` or None) or to a file (written to a temporary
    file beside it, then renamed into place)."""
    text = dumps(obj)
    if dest in (None, "-"):
        sys.stdout.write(text + "\n")
        return
    path = Path(dest)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text + "\n")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


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
