"""The toolkit's data files: the one place that reads them.

Shipped, read-only files live in this folder (``calibrated_C.json``: the constant C of
Theorem 5 fitted by ``slth calibrate``; ``lemma4_counterexamples.json``: the claims
report's replayed Lemma 4 counterexamples; ``shrunk_counterexamples.json``: the
hypothesis-shrunk counterexamples of :mod:`slth_theory.counterexamples`). Nothing the
toolkit runs writes here.

A user's own calibration (``slth calibrate --save``) goes to :func:`user_data_dir`
(``$SLTH_THEORY_DATA_DIR``, else ``$XDG_DATA_HOME/slth-theory``, else
``~/.local/share/slth-theory``); :func:`read_json` prefers a user file of the same name
over the shipped one and :func:`source` says which one is in use.
"""

from __future__ import annotations

import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from slth_theory.engine.files import read_text_file

__all__ = ["read_json", "source", "user_data_dir", "write_user_json"]

SHIPPED = ("calibrated_C.json", "lemma4_counterexamples.json", "shrunk_counterexamples.json")
#: Files a user may override in :func:`user_data_dir`.
USER_OVERRIDABLE = ("calibrated_C.json",)


def _check_name(name: str) -> str:
    if name not in SHIPPED:
        raise ValueError(f"name must be one of {', '.join(SHIPPED)}; got {name!r}")
    return name


def user_data_dir() -> Path:
    """The folder for a user's own data files (created on first write only)."""
    explicit = os.environ.get("SLTH_THEORY_DATA_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "slth-theory"


def source(name: str) -> str:
    """Where :func:`read_json` reads ``name`` from: a user file's path or ``"shipped"``."""
    _check_name(name)
    if name in USER_OVERRIDABLE:
        user = user_data_dir() / name
        if user.is_file():
            return str(user)
    return "shipped"


def read_json(name: str, *, shipped: bool = False) -> Any:
    """The parsed JSON file ``name`` (the user's copy if any, unless ``shipped=True``)."""
    where = "shipped" if shipped else source(name)
    if where == "shipped":
        try:
            text = resources.files(__name__).joinpath(name).read_text()
        except FileNotFoundError:
            raise ValueError(f"the installed package lacks its data file {name}; "
                             "reinstall slth-theory") from None
    else:
        text = read_text_file(where, "data file")  # a regular file of bounded size
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{where}: JSON nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where if where != 'shipped' else name}: not valid JSON "
                         f"({exc.msg} at line {exc.lineno})") from None


def write_user_json(name: str, obj: Any) -> Path:
    """Write ``obj`` as the user's ``name`` (atomically); returns the path."""
    if _check_name(name) not in USER_OVERRIDABLE:
        raise ValueError(f"name must be one of {', '.join(USER_OVERRIDABLE)}; got {name!r}")
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(obj, indent=1) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
