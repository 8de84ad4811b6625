"""Progress bars show on a terminal and in Jupyter, and stay quiet in pipes or when asked."""

import io
import sys
import types

import pytest

from slth_theory.engine import progress


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def _fake_ipython(shell_class_name: str | None) -> types.ModuleType:
    mod = types.ModuleType("IPython")
    if shell_class_name is None:
        mod.get_ipython = lambda: None
    else:
        shell = type(shell_class_name, (), {})()
        mod.get_ipython = lambda: shell
    return mod


@pytest.mark.parametrize("tty, ipython, quiet, shown", [
    (True, None, False, True),                              # terminal
    (True, None, True, False),                              # --quiet
    (False, None, False, False),                            # pipe, no IPython loaded
    (False, "ZMQInteractiveShell", False, True),            # Jupyter kernel
    (False, "ZMQInteractiveShell", True, False),            # Jupyter, quiet=True
    (False, "TerminalInteractiveShell", False, False),      # IPython in a pipe
    (False, "none", False, False),                          # IPython imported, no shell
])
def test_show_progress(monkeypatch, tty, ipython, quiet, shown):
    monkeypatch.setattr(sys, "stderr", _Stream(tty))
    if ipython is None:
        monkeypatch.delitem(sys.modules, "IPython", raising=False)
    else:
        monkeypatch.setitem(sys.modules, "IPython",
                            _fake_ipython(None if ipython == "none" else ipython))
    assert progress.show_progress(quiet) is shown


def test_bar_writes_nothing_in_a_pipe(monkeypatch):
    err = _Stream(False)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert list(progress.progress(range(5), total=5, desc="x")) == [0, 1, 2, 3, 4]
    b = progress.bar(3, desc="y")
    b.update(3)
    b.close()
    assert err.getvalue() == ""


def test_bar_draws_on_a_terminal(monkeypatch):
    err = _Stream(True)
    monkeypatch.setattr(sys, "stderr", err)
    assert list(progress.progress(range(3), total=3, desc="visible")) == [0, 1, 2]
    assert "visible" in err.getvalue()
