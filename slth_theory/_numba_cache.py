"""Where Numba caches the toolkit's compiled kernels: never inside the installed package.

Numba's default puts ``__pycache__`` beside the source when that folder is writable, i.e.
inside ``site-packages/slth_theory``; an uninstall then leaves that folder behind and
Python imports an empty namespace package in its place. :func:`install` registers, ahead
of Numba's own, a cache locator that applies only to this package's source files and
stores their caches under :func:`cache_dir` (``$SLTH_THEORY_CACHE_DIR``, else
``$XDG_CACHE_HOME/slth-theory/numba``, else ``~/.cache/slth-theory/numba``, else a folder
in the system's temporary directory). Other code's Numba caches are left alone, and an
explicit ``NUMBA_CACHE_DIR`` still wins.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_PKG_DIR = str(Path(__file__).resolve().parent)


def cache_dir() -> Path:
    """The folder holding the compiled-kernel cache of this package."""
    explicit = os.environ.get("SLTH_THEORY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "slth-theory" / "numba"


def _fallback_dir() -> Path:
    user = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"slth-theory-{user}" / "numba"


def install() -> None:
    """Put this package's Numba caches under :func:`cache_dir` (idempotent, cheap)."""
    try:
        from numba.core import caching
    except ImportError:  # pragma: no cover - numba is a dependency
        return
    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    base = (getattr(caching, "UserProvidedCacheLocator", None)
            or getattr(caching, "_UserProvidedCacheLocator", None))
    if impl is None or base is None:  # pragma: no cover - unknown numba internals
        return
    if any(getattr(c, "_slth_theory", False) for c in impl._locator_classes):
        return

    class _PackageCacheLocator(base):  # type: ignore[misc, valid-type]
        _slth_theory = True

        def __init__(self, py_func, py_file, root):
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

        @classmethod
        def from_function(cls, py_func, py_file):
            from numba.core import config
            if config.CACHE_DIR or not os.path.abspath(py_file).startswith(_PKG_DIR + os.sep):
                return None  # NUMBA_CACHE_DIR set, or not our code: Numba decides
            for root in (cache_dir(), _fallback_dir()):
                self = cls(py_func, py_file, str(root))
                try:
                    self.ensure_cache_path()
                except OSError:
                    continue
                return self
            return None

    impl._locator_classes.insert(0, _PackageCacheLocator)
