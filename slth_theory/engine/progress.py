"""Progress bars: a widget in Jupyter, a bar on a terminal, nothing in a pipe or a file.

Every bar of the toolkit comes from here (or uses :func:`show_progress`). ``tqdm.auto``
picks the notebook widget inside Jupyter and the text bar elsewhere; a bar is drawn only
when ``quiet`` is false and the output is seen by a person: stderr is a terminal, or the
code runs in a Jupyter kernel (whose stderr is not a terminal).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def in_notebook() -> bool:
    """True inside a Jupyter (IPython kernel) session; never imports IPython itself."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an IPython too old or too new: be quiet rather than fail
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def show_progress(quiet: bool = False) -> bool:
    """True when a progress bar should be drawn: not ``quiet``, and stderr is a terminal or
    the code runs in a Jupyter notebook."""
    if quiet:
        return False
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        tty = False
    return tty or in_notebook()


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "",
             quiet: bool = False) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar on stderr (disabled per :func:`show_progress`)."""
    return iter(tqdm(iterable, total=total, desc=desc, disable=not show_progress(quiet),
                     file=sys.stderr, leave=False, dynamic_ncols=True))


def bar(total: int, desc: str = "", quiet: bool = False) -> tqdm:
    """A manual tqdm bar (``update(n)``/``close()``), disabled per :func:`show_progress`."""
    return tqdm(total=total, desc=desc, disable=not show_progress(quiet), file=sys.stderr,
                leave=False, dynamic_ncols=True)
