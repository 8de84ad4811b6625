"""The ``slth`` console script.

Subcommands live in :mod:`slth_theory.cli`, one module each; a module is
registered by defining ``NAME`` (the subcommand), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. New commands need no edit here.

Every failure prints one line on stderr and exits with status 2, never a traceback (set
``SLTH_DEBUG=1`` to see it): bad input (``ValueError``, an argparse error), files
(``OSError``: missing, read-only, full disk, permissions), ``MemoryError``,
``OverflowError``, ``RecursionError``, damaged archives and stores (zip, zlib, sqlite3).
Output into a pipe that the reader closed (``slth ... | head -1``) ends with status 0.
Every command takes ``--max-memory SIZE`` (see :mod:`slth_theory.engine.limits`).
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
from slth_theory.engine.files import refuse_same_file
from slth_theory.engine.limits import override_memory_limit, parse_size


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
        _add_max_memory(p)
    return parser


def _memory_size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_max_memory(p: argparse.ArgumentParser) -> None:
    """``--max-memory SIZE`` on every leaf parser (see :mod:`slth_theory.engine.limits`)."""
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if subs:
        for leaf in {id(q): q for a in subs for q in a.choices.values()}.values():
            _add_max_memory(leaf)
        return
    if "--max-memory" in p._option_string_actions:
        return
    p.add_argument("--max-memory", type=_memory_size, default=None, metavar="SIZE",
                   help="memory the command may use, e.g. 8G (default: what the machine "
                        "has available; 1 GiB for the arrays of one input file)")


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
        with override_memory_limit(getattr(args, "max_memory", None)), \
                warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(args.command)
            load_plugins()
            refuse_inputs_as_outputs(args)
            code = int(args._run(args) or 0)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return code
    except KeyboardInterrupt:
        print(f"slth {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        return report_error(exc, args)

# -- inputs are never outputs ---------------------------------------------------------------

#: Options naming files a command reads, and files it writes (directories are skipped).
INPUT_OPTIONS = ("file", "target", "store", "grid", "plot_only", "data")
OUTPUT_OPTIONS = ("out", "json_out", "csv", "figure")


def refuse_inputs_as_outputs(args: argparse.Namespace) -> None:
    """Refuse (``ValueError``) an output option naming one of the command's input files.

    Every command gets this check from its option names (:data:`INPUT_OPTIONS`,
    :data:`OUTPUT_OPTIONS`); files a command derives itself (``OUT/fig1.csv``) are checked
    where they are written (:func:`slth_theory.engine.files.refuse_same_file`).
    """
    inputs: list[str] = []
    for key in INPUT_OPTIONS:
        val = getattr(args, key, None)
        vals = val if isinstance(val, list) else [val]
        inputs += [v for v in vals if isinstance(v, str)]
    for key in OUTPUT_OPTIONS:
        val = getattr(args, key, None)
        if isinstance(val, str):
            refuse_same_file(inputs, val, f"--{key.replace('_', '-')}")


# -- the one error path ----------------------------------------------------------------------

_FILE_ARGS = ("file", "target", "store", "out", "grid", "json_out", "plot_only", "data")


def _suspects(args: argparse.Namespace) -> str:
    """Options whose values look extreme (for OverflowError / MemoryError messages)."""
    found = []
    for key, val in sorted(vars(args).items()):
        if key.startswith("_"):
            continue
        vals = val if isinstance(val, (list, tuple)) else [val]
        for v in vals:
            extreme = False
            if isinstance(v, bool):
                continue
            if isinstance(v, (int, float)) and v == v:
                extreme = abs(v) >= 1e6 or (isinstance(v, float) and 0 < abs(v) < 1e-100)
            elif isinstance(v, str):
                extreme = any(len(t.strip()) >= 7 and t.strip().isdigit()
                              for t in v.split(","))
            if extreme:
                found.append(f"--{key.replace('_', '-')} {v}")
                break
    return f"; check {', '.join(found)}" if found else ""


def _files(args: argparse.Namespace) -> str:
    names = []
    for key in _FILE_ARGS:
        v = getattr(args, key, None)
        if isinstance(v, str) and v not in ("", "-"):
            names.append(v)
        elif isinstance(v, list):
            names += [str(x) for x in v]
    return ", ".join(repr(n) for n in names)


def _message(exc: BaseException, args: argparse.Namespace) -> str:
    import sqlite3
    import zipfile
    import zlib

    text = " ".join(str(exc).split())
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        if exc.filename is not None:
            where = repr(str(exc.filename))
            if exc.filename2 is not None:
                where += f" -> {str(exc.filename2)!r}"
            return f"{exc.strerror or text}: {where}"
        return exc.strerror or text or type(exc).__name__
    if isinstance(exc, sqlite3.Error):
        store = getattr(args, "store", None)
        return (f"results store {store!r}: {text}" if store else f"database error: {text}")
    if isinstance(exc, (zipfile.BadZipFile, zlib.error)):
        return f"damaged archive {_files(args)}: {text}"
    if isinstance(exc, MemoryError):
        return (f"out of memory ({text or 'MemoryError'}): the request is too large for this "
                f"machine{_suspects(args)}")
    if isinstance(exc, OverflowError):
        return f"a number is out of range ({text}){_suspects(args)}"
    if isinstance(exc, RecursionError):
        return f"input nested too deeply to process ({text}) in {_files(args) or 'the input'}"
    if isinstance(exc, EOFError):
        return f"unexpected end of file in {_files(args) or 'the input'} ({text})"
    if isinstance(exc, (UsageError, ValueError)):
        return text or type(exc).__name__
    if isinstance(exc, ImportError) and "optional extra" in text:
        return text  # a feature needs an extra that is not installed: the message says which
    return (f"internal error ({type(exc).__name__}: {text}); please report it "
            "(SLTH_DEBUG=1 shows the traceback)")


def _stdout_is_pipe() -> bool:
    import stat
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _silence_stdout() -> None:
    """After a closed pipe: point fd 1 at /dev/null so the final flush cannot fail."""
    if sys.stdout is not sys.__stdout__:  # in-process (tests): leave the caller's stdout
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def report_error(exc: BaseException, args: argparse.Namespace) -> int:
    """Print ``exc`` as one line on stderr; the exit status (0 for a closed stdout pipe)."""
    if isinstance(exc, BrokenPipeError) and _stdout_is_pipe():
        _silence_stdout()  # the reader (e.g. `head -1`) has what it wanted
        return 0
    if os.environ.get("SLTH_DEBUG"):
        raise exc
    try:
        print(f"slth {args.command}: error: {_message(exc, args)}", file=sys.stderr)
    except (OSError, ValueError):
        pass
    return 2
