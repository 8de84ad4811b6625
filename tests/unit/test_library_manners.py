"""Library manners: plot functions take ``ax=`` and never touch matplotlib's backend."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import matplotlib

import slth_theory

PKG = Path(slth_theory.__file__).parent
# Programs may choose their backend; the library may not.
PROGRAMS = ("cli",)


def _library_sources():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if rel.parts[0] not in PROGRAMS:
            yield rel, path.read_text(encoding="utf-8")


def test_library_never_switches_the_matplotlib_backend():
    bad = [f"{rel}:{n}" for rel, text in _library_sources()
           for n, line in enumerate(text.splitlines(), 1)
           if re.search(r"matplotlib\.use\(|switch_backend\(|\buse\(\s*['\"]Agg", line)]
    assert not bad, f"library code switches the backend: {bad}"


def _public_plot_functions():
    for info in pkgutil.walk_packages(slth_theory.__path__, "slth_theory."):
        name = info.name
        if any(part.startswith("_") for part in name.split(".")[1:]):
            continue
        if name.startswith(("slth_theory.cli", "slth_theory.verify.checks")):
            continue  # programs, and the checks' file writers plot(data, outdir)
        mod = importlib.import_module(name)
        for fname, fn in inspect.getmembers(mod, inspect.isfunction):
            if fname.startswith("plot") and fn.__module__ == name:
                yield f"{name}.{fname}", fn


def test_every_plot_function_takes_ax():
    found = dict(_public_plot_functions())
    assert len(found) >= 5, sorted(found)
    missing = [n for n, fn in found.items()
               if not {"ax", "axes"} & set(inspect.signature(fn).parameters)]
    assert not missing, f"plot functions without ax=: {missing}"


def test_plot_into_a_given_axes_keeps_the_backend():
    import matplotlib.pyplot as plt

    from slth_theory.theory.lemma1 import confirm, plot_fits

    result = confirm(depths=(1,), widths=(2,), steps=5)
    before = matplotlib.get_backend()
    fig, ax = plt.subplots()
    out = plot_fits(result, ax=ax)
    assert out is fig and matplotlib.get_backend() == before
    plt.close(fig)
