"""The ``slth`` console script.

Subcommands live in :mod:`slth_theory.cli`, one module each; a module is
registered by defining ``NAME`` (the subcommand), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. New commands need no edit here.

Bad input (a ``ValueError``, a missing file, an argparse error) prints one line on
stderr and exits with status 2, never a traceback (set ``SLTH_DEBUG=1`` to see it).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import warnings
from collections.abc import Sequence

import slth_theory.cli as _commands_pkg
from slth_theory._version import __version__


class UsageError(Exception):
    """Invalid command-line input detected by a command (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _discover():
    mods = []
    for info in sorted(pkgutil.iter_modules(_commands_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in ("main", "options"):
            continue
        mod = importlib.import_module(f"{_commands_pkg.__name__}.{info.name}")
        if hasattr(mod, "NAME") and hasattr(mod, "run"):
            mods.append(mod)
    return sorted(mods, key=lambda m: m.NAME)


def load_plugins() -> None:
    """Import the modules named in ``SLTH_PLUGINS`` (comma-separated).

    A plugin registers its own sweeps and figures (``register_sweep``,
    ``register_figure``) so that ``slth sweep run`` and ``slth figures`` find them. Only
    the user's environment names plugins; nothing read from a file is imported.
    """
    for name in filter(None, (s.strip() for s in os.environ.get("SLTH_PLUGINS", "").split(","))):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise UsageError(f"SLTH_PLUGINS: cannot import {name!r}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered subcommand."""
    parser = _Parser(prog="slth", description="Strong lottery tickets with non-zero biases: "
                     "checks, constructions and pruning (Fischer & Burkholz).")
    parser.add_argument("--version", action="version", version=f"slth-theory {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for mod in _discover():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION",
                                                                          mod.HELP))
        if hasattr(mod, "add_arguments"):
            mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _one_line_warning(command: str):
    """``warnings.showwarning`` for the command line: one line on stderr per warning."""
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = " ".join(str(message).split())
        print(f"slth {command}: warning: {text}", file=sys.stderr if file is None else file)
    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``slth``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(args.command)
            load_plugins()
            return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print(f"slth {args.command}: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, FileNotFoundError, IsADirectoryError, PermissionError,
            NotADirectoryError) as exc:
        if os.environ.get("SLTH_DEBUG"):
            raise
        msg = " ".join(str(exc).split()) or type(exc).__name__
        print(f"slth {args.command}: error: {msg}", file=sys.stderr)
        return 2


