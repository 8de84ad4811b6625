"""Progress bars that stay quiet when output is not a terminal or ``quiet`` is set."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def show_progress(quiet: bool = False) -> bool:
    """True when a progress bar should be drawn: not quiet and stderr is a terminal."""
    return not quiet and sys.stderr.isatty()


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "",
             quiet: bool = False) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar on stderr (disabled per :func:`show_progress`)."""
    return iter(tqdm(iterable, total=total, desc=desc, disable=not show_progress(quiet),
                     file=sys.stderr, leave=False, dynamic_ncols=True))


def bar(total: int, desc: str = "", quiet: bool = False) -> tqdm:
    """A manual tqdm bar (``update(n)``/``close()``), disabled per :func:`show_progress`."""
    return tqdm(total=total, desc=desc, disable=not show_progress(quiet), file=sys.stderr,
                leave=False, dynamic_ncols=True)
