"""Memory guards: estimate what a request needs and refuse it before allocating.

Two limits, both overridden by one setting (the CLI's ``--max-memory SIZE``, or the
environment variable ``SLTH_MAX_MEMORY``, which worker processes inherit):

* :func:`memory_limit` -- what a computation the user asked for (an architecture, a pool
  size, a width, a sample count) may take: the machine's available memory
  (``MemAvailable`` of ``/proc/meminfo``, else the free physical pages).
* :func:`file_memory_limit` -- what the arrays read from one file may take: at most
  :data:`FILE_LIMIT_DEFAULT` (1 GiB) and at most :func:`memory_limit`. A file is data from
  anywhere (a 5 MB download can declare 5 GB of zeros), so it gets a conservative
  default; a file that really is bigger is read with ``--max-memory``.

:func:`check_memory` raises :class:`MemoryLimitError` (a ``ValueError``) with the estimate,
the limit and how to raise it; the CLI prints it as one line with exit status 2.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["FILE_LIMIT_DEFAULT", "MemoryLimitError", "available_memory", "check_file_memory",
           "check_memory", "describe_widths",
           "file_memory_limit", "format_bytes", "memory_limit", "network_bytes",
           "override_memory_limit", "parse_size"]

ENV = "SLTH_MAX_MEMORY"
FILE_LIMIT_DEFAULT = 1 << 30
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20,
          "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
          "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}


class MemoryLimitError(ValueError):
    """A request needs more memory than the limit (raised before allocating)."""


def parse_size(text: str | int | float) -> int:
    """Bytes from ``'512M'``, ``'8G'``, ``'1.5GiB'`` or a plain number of bytes (binary units).

    Raises
    ------
    ValueError
        Not a size, or not finite and > 0.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value, unit = float(text), ""
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
        if not m or m.group(2).lower() not in _UNITS:
            raise ValueError(f"expected a size like 512M, 8G or 1.5GiB; got {text!r}")
        value, unit = float(m.group(1)), m.group(2).lower()
    n = value * _UNITS[unit]
    if not math.isfinite(n) or n < 1:
        raise ValueError(f"a memory size must be at least 1 byte; got {text!r}")
    return int(min(n, 2 ** 62))


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units, e.g. ``'1.5 GiB'``."""
    n = float(n)
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation on this machine, or None if unknown.

    ``MemAvailable`` from ``/proc/meminfo`` (Linux); else free physical pages
    (``sysconf``); else None (then no machine-based limit applies).
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _override() -> int | None:
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        return parse_size(text)
    except ValueError:
        raise ValueError(f"environment variable {ENV}: expected a size like 8G; got "
                         f"{text!r}") from None


def memory_limit() -> int | None:
    """Bytes a requested computation may take: the override, else the available memory."""
    over = _override()
    return over if over is not None else available_memory()


def file_memory_limit() -> int:
    """Bytes the arrays of one file may take: the override, else min(1 GiB, available)."""
    over = _override()
    if over is not None:
        return over
    avail = available_memory()
    return FILE_LIMIT_DEFAULT if avail is None else min(FILE_LIMIT_DEFAULT, avail)


@contextmanager
def override_memory_limit(size: str | int | None) -> Iterator[None]:
    """Set the limit (``SLTH_MAX_MEMORY``) within a block; None leaves it as it is."""
    if size is None:
        yield
        return
    old = os.environ.get(ENV)
    os.environ[ENV] = str(parse_size(size))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = old


def check_memory(nbytes: float, what: str, limit: int | None = None,
                 hint: str = "--max-memory SIZE", *, from_file: bool = False) -> None:
    """Raise :class:`MemoryLimitError` if ``nbytes`` exceeds the limit.

    The limit is ``limit`` if given, else :func:`file_memory_limit` when ``from_file``
    (memory that data read from a file makes the reader allocate), else
    :func:`memory_limit`. The message names ``what``, both sizes and ``hint``.
    """
    if limit is None:
        limit = file_memory_limit() if from_file else memory_limit()
    if not math.isfinite(float(nbytes)):
        raise MemoryLimitError(f"{what} needs an unbounded amount of memory")
    if limit is not None and nbytes > limit:
        if _override() is not None:
            src = "the limit set by --max-memory/SLTH_MAX_MEMORY"
        elif from_file:
            src = "the default limit for what one input file may make the reader allocate"
        else:
            src = "the memory available on this machine"
        raise MemoryLimitError(f"{what} needs about {format_bytes(nbytes)}, more than "
                               f"{format_bytes(limit)} ({src}); if you mean it, raise the "
                               f"limit with {hint}")


def check_file_memory(nbytes: float, what: str) -> None:
    """:func:`check_memory` against :func:`file_memory_limit` (data read from a file)."""
    check_memory(nbytes, what, from_file=True)


def describe_widths(widths: Sequence[int]) -> str:
    """``2,100,1``-style text of a list of widths, shortened past 60 characters."""
    text = ",".join(str(int(w)) for w in widths)
    return text if len(text) <= 60 else text[:57] + "..."


def network_bytes(widths: Sequence[int], copies: float = 1.0) -> int:
    """Bytes of the float64 weights and biases of a network with ``widths`` (x ``copies``)."""
    n = sum((int(a) + 1) * int(b) for a, b in zip(widths[:-1], widths[1:], strict=True))
    return int(8 * n * copies)
