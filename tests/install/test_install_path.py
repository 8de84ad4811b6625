"""The newcomer's path: the README's two installs, in order, in one fresh virtual environment.

1. ``pip install <clone>`` (non-editable, from a copy of the checkout without build artefacts),
   then a command that runs (and caches) Numba kernels, from a temporary folder;
2. ``pip install -e <clone>`` over it;
3. from another folder: ``import slth_theory`` (the real package, not an empty namespace
   left behind by step 1), ``slth width --arch 2,6,6,1 --eps 0.01`` (reads the shipped
   calibrated C) and ``python -m slth_theory --help``.

Nothing the commands run may write into the installed package (file lists compared before and
after). The venv uses ``--system-site-packages`` so that no runtime dependency is downloaded
(pip's isolated build environment still fetches setuptools, as for a user).

``test_newcomer_path`` runs ``slth verify --quick`` in step 1 (it compiles every kernel the
report uses: slow). ``test_newcomer_path_fast`` (default suite) runs one small Numba command
instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".pytest_cache",
    ".ruff_cache", ".hypothesis", "slth-results", "_build", "*.so", ".venv", "venv", "*.nbi",
    "*.nbc")


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 600,
         expect: int = 0) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == expect, (f"{' '.join(cmd)} exited {r.returncode} (expected "
                                    f"{expect})\nstdout:\n{r.stdout[-3000:]}\n"
                                    f"stderr:\n{r.stderr[-3000:]}")
    return r


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def _venv(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, capture_output=True, timeout=300)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SLTH_PLUGINS", "VIRTUAL_ENV", "NUMBA_CACHE_DIR",
                        "SLTH_THEORY_CACHE_DIR", "SLTH_THEORY_DATA_DIR", "PYTHONHOME")}
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(venv)
    env["HOME"] = str(tmp_path / "home")  # a newcomer's empty caches and data folders
    env.pop("XDG_CACHE_HOME", None)
    env.pop("XDG_DATA_HOME", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # so any new file in the package is the toolkit's
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["MPLBACKEND"] = "Agg"
    (tmp_path / "home").mkdir()
    return venv, env


def _installed_package(python: Path, cwd: Path, env: dict[str, str]) -> Path:
    r = _run([str(python), "-c", "import slth_theory, sys; print(slth_theory.__file__)"],
             cwd, env)
    return Path(r.stdout.strip()).parent


def _newcomer_path(tmp_path: Path, first_command: list[str], first_exit: int) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(ROOT, clone, ignore=ARTEFACTS)
    venv, env = _venv(tmp_path)
    python = venv / "bin" / "python"
    elsewhere = tmp_path / "elsewhere"
    other = tmp_path / "another"
    elsewhere.mkdir()
    other.mkdir()
    pip = [str(python), "-m", "pip", "install", "-q"]

    # 1. non-editable install, then a command that compiles and caches Numba kernels
    _run(pip + [str(clone)], tmp_path, env)
    installed = _installed_package(python, elsewhere, env)
    assert venv in installed.parents, installed
    assert (installed / "__init__.py").exists()
    before = _files(installed)
    _run([str(venv / "bin" / "slth")] + first_command, elsewhere, env, expect=first_exit)
    written = sorted(_files(installed) - before)
    assert not written, f"running the toolkit wrote into the installed package: {written}"

    # 2. editable install over it
    _run(pip + ["-e", str(clone)], tmp_path, env)
    left = sorted(p for p in _files(installed) if (installed / p).is_file()) \
        if installed.exists() else []
    assert not left, f"the uninstalled package left files behind: {left[:10]}"

    # 3. from another folder
    source = clone / "slth_theory"
    before = _files(source)
    r = _run([str(python), "-c",
              "import slth_theory; slth_theory.initialize; print(slth_theory.__file__)"],
             other, env)
    assert Path(r.stdout.strip()) == source / "__init__.py", r.stdout
    r = _run([str(venv / "bin" / "slth"), "width", "--arch", "2,6,6,1", "--eps", "0.01"],
             other, env)
    assert r.stdout.strip() and "Traceback" not in r.stderr
    r = _run([str(python), "-m", "slth_theory", "--help"], other, env)
    assert r.stdout.startswith("usage: slth")
    written = sorted(_files(source) - before)
    assert not written, f"running the toolkit wrote into its source package: {written}"
    assert not list(other.iterdir()), "the commands left files in the working directory"


def test_newcomer_path_fast(tmp_path):
    """Default suite: step 1 runs one small Numba-compiled construction."""
    _newcomer_path(tmp_path, ["verify", "--quick", "--only", "lemma2"], 0)


@pytest.mark.slow
def test_newcomer_path(tmp_path):
    """The README's command 1 as written (``slth verify`` exits 1 on purpose)."""
    _newcomer_path(tmp_path, ["verify", "--quick"], 1)
