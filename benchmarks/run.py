"""Run benchmark cases: ``python -m benchmarks.run [NAME ...] [--repeat N] [--list]``.

Cases are discovered from ``benchmarks/cases/*.py`` (each defines ``CASES``). Prints a
markdown table of medians and ratios against the baseline measured in the same run;
paste it into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import sys

import numpy as np

from . import cases as _cases
from .harness import markdown, run_case


def all_cases():
    found = {}
    for info in sorted(pkgutil.iter_modules(_cases.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{_cases.__name__}.{info.name}")
        for c in getattr(mod, "CASES", []):
            found[c.name] = c
    return found


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run")
    p.add_argument("names", nargs="*", help="case names (default: all)")
    p.add_argument("--repeat", type=int, default=None, help="timed runs per implementation")
    p.add_argument("--list", action="store_true", help="list the cases")
    args = p.parse_args(argv)
    cases = all_cases()
    if args.list:
        for name, c in cases.items():
            print(f"{name}: {c.notes}")
        return 0
    unknown = [n for n in args.names if n not in cases]
    if unknown:
        print(f"unknown case(s) {unknown}; choose from {sorted(cases)}", file=sys.stderr)
        return 2
    rows = []
    for name in args.names or list(cases):
        rows += run_case(cases[name], args.repeat)
    print(f"<!-- {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, numpy {np.__version__} -->")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
